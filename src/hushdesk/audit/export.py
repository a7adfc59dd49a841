"""The audit log as CSV or JSON, with each row's hash so an export can be checked against the chain later."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from hushdesk.models import AuditEvent

COLUMNS = ("seq", "at", "actor_type", "actor_id", "actor_name", "action", "target_type", "target_id",
           "request_id", "details", "prev_hash", "hash")


def as_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq, "at": event.created_at.isoformat(timespec="microseconds"),
        "actor_type": event.actor_type, "actor_id": event.actor_id, "actor_name": event.actor_name,
        "action": event.action, "target_type": event.target_type, "target_id": event.target_id,
        "request_id": event.request_id, "details": json.loads(event.details_json or "{}"),
        "prev_hash": event.prev_hash, "hash": event.hash,
    }


def _cell(value: object) -> str:
    text = json.dumps(value, sort_keys=True) if isinstance(value, dict) else ("" if value is None else str(value))
    # Spreadsheet formula injection: a cell starting with = + - @ is read as a formula by Excel & co.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(events: Iterable[AuditEvent]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for event in events:
        row = as_dict(event)
        writer.writerow([_cell(row[c]) for c in COLUMNS])
    return out.getvalue()


def to_json(events: Iterable[AuditEvent], *, workspace_id: str) -> str:
    return json.dumps({"workspace_id": workspace_id, "events": [as_dict(e) for e in events]}, indent=1)
