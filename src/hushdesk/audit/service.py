"""record() appends to a workspace's chain in the caller's transaction; verify() names the first broken row.

Each row's hash covers its own fields and the previous row's hash, so editing, deleting or reordering any row
breaks every later link. The chain head (``audit_heads``) is locked while appending, which serialises writers
of one workspace without blocking other workspaces.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hushdesk.db import autoflush, transaction_memo
from hushdesk.kit.clock import utcnow
from hushdesk.kit.direct_sql import DirectStatement
from hushdesk.kit.ids import new_id
from hushdesk.models.audit import AuditEvent, AuditHead
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm

GENESIS = "0" * 64
SYSTEM_CHAIN = "-"


def _canonical_row(row: Mapping[str, Any]) -> bytes:
    """What a row's hash covers, from its column values (a stored row's or one about to be written)."""
    payload = {
        "chain": row["chain"],
        "seq": row["seq"],
        "at": row["created_at"].isoformat(timespec="microseconds"),
        "actor": [row["actor_type"], row["actor_id"], row["actor_name"]],
        "action": row["action"],
        "target": [row["target_type"], row["target_id"]],
        "request": row["request_id"],
        "details": row["details_json"],
        "prev": row["prev_hash"],
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical_row({key: getattr(event, key) for key in _EVENT_COLUMNS})).hexdigest()


_HEADS_KEY = "audit.heads"
_HEADS = cast(Table, AuditHead.__table__)
_EVENTS = cast(Table, AuditEvent.__table__)
# Core statements, built once: every audited write (and every audited read of personal data) runs them, and
# the ORM's unit-of-work machinery cost more than the rows themselves. The rows go through the session's own
# connection, so they share its transaction (and its savepoints) with the change they describe.
_LOCK_HEAD = DirectStatement(
    select(_HEADS.c.seq, _HEADS.c.hash).where(_HEADS.c.chain == bindparam("chain")).with_for_update())
_INSERT_EVENT = DirectStatement(insert(_EVENTS))
_MOVE_HEAD = DirectStatement(update(_HEADS).where(_HEADS.c.chain == bindparam("head_chain")).values(
    seq=bindparam("head_seq"), hash=bindparam("head_hash")))
_EVENT_COLUMNS = tuple(column.key for column in _EVENTS.columns)


@dataclass
class _Head:
    seq: int
    hash: str


def _lock_head(session: Session, chain: str) -> _Head:
    """The chain's head, locked for the rest of the transaction (PostgreSQL: FOR UPDATE; SQLite: the
    transaction already holds the database's write lock, BEGIN IMMEDIATE). Locked once per transaction and
    chain: a request that writes several audit rows (a new conversation and its first message) reuses it."""
    heads: dict[str, _Head] = transaction_memo(session, _HEADS_KEY)
    if chain in heads:
        return heads[chain]
    conn = session.connection()
    row = _LOCK_HEAD.first(conn, {"chain": chain})
    if row is None:  # the chain's first row: create its head, racing other first writers harmlessly
        dialect = conn.dialect.name
        ins = pg_insert(AuditHead) if dialect == "postgresql" else sqlite_insert(AuditHead)
        conn.execute(ins.values(chain=chain, seq=0, hash=GENESIS).on_conflict_do_nothing(index_elements=["chain"]))
        row = _LOCK_HEAD.first(conn, {"chain": chain})
        assert row is not None
    head = _Head(int(row[0]), str(row[1]))
    heads[chain] = head
    return head


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    *,
    workspace_id: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    details: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> None:
    """Append one audit row in the current transaction. ``details`` holds ids and counts, never values."""
    chain = workspace_id or (actor.workspace_id if actor else None) or SYSTEM_CHAIN
    autoflush(session)  # the rows below bypass the session: flush what it holds first, as the ORM query did
    head = _lock_head(session, chain)
    # Plain column values, not an AuditEvent: building an ORM object only to read its attributes back cost more
    # than the hash (every ingested message writes one of these rows).
    row: dict[str, Any] = {
        "id": new_id("au"),
        "chain": chain,
        "seq": head.seq + 1,
        "created_at": utcnow(),
        "actor_type": actor.kind if actor else "system",
        "actor_id": actor.id if actor else None,
        "actor_name": actor.name if actor else "system",
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "request_id": request_id,
        "details_json": json.dumps(details or {}, sort_keys=True, separators=(",", ":")),
        "prev_hash": head.hash,
    }
    row["hash"] = hashlib.sha256(_canonical_row(row)).hexdigest()
    conn = session.connection()
    _INSERT_EVENT.execute(conn, row)
    _MOVE_HEAD.execute(conn, {"head_chain": chain, "head_seq": row["seq"], "head_hash": row["hash"]})
    head.seq, head.hash = row["seq"], row["hash"]


@dataclass(frozen=True)
class ChainBreak:
    chain: str
    seq: int
    event_id: str | None
    reason: str


def verify_chain(session: Session, chain: str, batch: int = 2000) -> ChainBreak | None:
    prev_hash = GENESIS
    expected_seq = 1
    last_seq = 0
    while True:
        rows = session.execute(
            select(AuditEvent)
            .where(AuditEvent.chain == chain, AuditEvent.seq >= expected_seq)
            .order_by(AuditEvent.seq)
            .limit(batch)
        ).scalars().all()
        if not rows:
            break
        for event in rows:
            if event.seq != expected_seq:
                return ChainBreak(chain, expected_seq, None, f"row with seq {expected_seq} is missing")
            if event.prev_hash != prev_hash:
                return ChainBreak(chain, event.seq, event.id, "previous-hash link does not match")
            if compute_hash(event) != event.hash:
                return ChainBreak(chain, event.seq, event.id, "row content does not match its hash")
            prev_hash = event.hash
            last_seq = event.seq
            expected_seq += 1
    head = session.get(AuditHead, chain)
    if head is not None and (head.seq != last_seq or head.hash != prev_hash):
        return ChainBreak(chain, last_seq + 1, None, "rows after the last verified one were removed")
    return None


def verify_all(session: Session) -> list[ChainBreak]:
    chains = session.execute(select(AuditHead.chain).order_by(AuditHead.chain)).scalars().all()
    breaks = []
    for chain in chains:
        found = verify_chain(session, chain)
        if found:
            breaks.append(found)
    return breaks


def list_events(
    session: Session,
    *,
    workspace_id: str,
    target_type: str | None = None,
    target_id: str | None = None,
    actor_id: str | None = None,
    action_prefix: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.chain == workspace_id)
    if target_type:
        stmt = stmt.where(AuditEvent.target_type == target_type)
    if target_id:
        stmt = stmt.where(AuditEvent.target_id == target_id)
    if actor_id:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if action_prefix:
        stmt = stmt.where(AuditEvent.action.startswith(action_prefix))
    if since:
        stmt = stmt.where(AuditEvent.created_at >= since)
    if until:
        stmt = stmt.where(AuditEvent.created_at < until)
    return list(session.execute(stmt.order_by(AuditEvent.seq.desc()).limit(limit)).scalars())


def read_audit_log(
    session: Session,
    actor: Actor,
    *,
    target_type: str | None = None,
    target_id: str | None = None,
    actor_id: str | None = None,
    action_prefix: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    """The privacy officer's and auditor's view of their own workspace's log."""
    actor.require(Perm.AUDIT_READ)
    return list_events(session, workspace_id=actor.workspace_id, target_type=target_type, target_id=target_id,
                       actor_id=actor_id, action_prefix=action_prefix, since=since, until=until,
                       limit=min(max(limit, 1), 1000))
