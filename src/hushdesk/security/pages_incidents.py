"""Incident and breach pages: the list with each authority deadline (72 hours from awareness), the form that
opens an incident, and the detail page where the privacy officer or owner works it through (affected contacts
from the audit log, risk, notifications, customer notices, notes and measures, closure) and exports the report.

Auditors read (``audit.read``); every change needs ``incident.manage``. ``security.incidents`` checks both and
writes the timeline and audit rows; these handlers parse forms and render."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from hushdesk.audit.service import record
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import ValidationFailed
from hushdesk.models.security import Incident
from hushdesk.security import incidents as svc
from hushdesk.tenancy.permissions import Perm
from hushdesk.web.access import requires
from hushdesk.web.page import Page, PageContext

router = APIRouter(prefix="/incidents")
Short = Annotated[str, Form(max_length=200)]
Long = Annotated[str, Form(max_length=svc.MAX_TEXT)]
When = Annotated[str, Form(max_length=40)]
MAX_LISTED_CONTACTS = 500


@dataclass(frozen=True)
class Deadline:
    """What the 72-hour clock says, for the list and the detail page."""

    at: datetime
    text: str
    overdue: bool  # past the deadline with no notification and no documented decision
    live: bool = False  # the clock still runs (security.js keeps an open page's countdown current)


def _hours(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def deadline(incident: Incident, now: datetime) -> Deadline:
    due = svc.authority_deadline(incident)
    if incident.authority_notified_at is not None:
        late = incident.authority_notified_at > due
        return Deadline(due, "authority notified " + ("late" if late else "in time"), False)
    if incident.not_notified_reason:
        return Deadline(due, "not notified (decision documented)", False)
    if incident.closed_at is not None:
        return Deadline(due, "closed", False)
    left = due - now
    if left.total_seconds() < 0:
        return Deadline(due, f"overdue by {_hours(left)}", True, live=True)
    return Deadline(due, f"{_hours(left)} left", False, live=True)


def _when(value: str, what: str, *, required: bool = True) -> datetime | None:
    """``<input type=datetime-local>`` sends a naive time; the form says it is UTC."""
    value = value.strip()
    if not value:
        if required:
            raise ValidationFailed(f"{what} is required", code="invalid_incident")
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed(f"{what}: use a date and time like 2026-03-01T09:30", code="bad_date") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _local(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


# -- list and open ------------------------------------------------------------------------------------------
@router.get("", dependencies=[requires(Perm.AUDIT_READ)])
def incident_list(page: Page) -> HTMLResponse:
    found = svc.list_incidents(page.uow, page.actor)
    now = utcnow()
    return page.render("incidents/list.html", {"items": [(i, deadline(i, now)) for i in found], "nav": "incidents"})


def _new(page: PageContext, form: dict[str, str], *, error: str | None = None) -> HTMLResponse:
    page.actor.require(Perm.INCIDENT_MANAGE)
    return page.render(
        "incidents/new.html", {"form": form, "error": error, "nav": "incidents"}, status=422 if error else 200
    )


@router.get("/new", dependencies=[requires(Perm.INCIDENT_MANAGE)])
def new_incident(page: Page) -> HTMLResponse:
    now = utcnow()
    return _new(
        page,
        {
            "title": "",
            "description": "",
            "systems": "",
            "occurred_from": _local(now - timedelta(days=1)),
            "occurred_until": _local(now),
            "detected_at": _local(now),
            "aware_at": "",
        },
    )


@router.post("", dependencies=[requires(Perm.INCIDENT_MANAGE)], response_model=None)
def open_incident(
    page: Page,
    title: Short = "",
    description: Long = "",
    systems: Long = "",
    occurred_from: When = "",
    occurred_until: When = "",
    detected_at: When = "",
    aware_at: When = "",
) -> Response:
    form = {
        "title": title,
        "description": description,
        "systems": systems,
        "occurred_from": occurred_from,
        "occurred_until": occurred_until,
        "detected_at": detected_at,
        "aware_at": aware_at,
    }

    def act() -> Incident:
        draft = svc.IncidentDraft(
            title=title,
            description=description,
            systems=systems,
            occurred_from=_when(occurred_from, "start of the window") or utcnow(),
            occurred_until=_when(occurred_until, "end of the window") or utcnow(),
            detected_at=_when(detected_at, "detection time") or utcnow(),
            aware_at=_when(aware_at, "awareness time", required=False),
        )
        return svc.open_incident(page.uow, page.actor, draft)

    page.actor.require(Perm.INCIDENT_MANAGE)
    incident, error = page.attempt(act)
    if incident is None:
        return _new(page, form, error=error)
    return page.back(f"/incidents/{incident.id}")


# -- detail and actions ---------------------------------------------------------------------------------------
def _detail(
    page: PageContext, incident_id: str, *, error: str | None = None, notice: str | None = None, text: str | None = None
) -> HTMLResponse:
    incident = svc.get_incident(page.uow, page.actor, incident_id)
    contacts = svc.affected_contact_ids(page.uow, page.actor, incident.id)
    return page.render(
        "incidents/detail.html",
        {
            "i": incident,
            "deadline": deadline(incident, utcnow()),
            "events": svc.timeline(page.uow, page.actor, incident.id),
            "contacts": contacts[:MAX_LISTED_CONTACTS],
            "more_contacts": max(0, len(contacts) - MAX_LISTED_CONTACTS),
            "risks": svc.RISKS,
            "error": error,
            "notice": notice,
            "text": text,
            "now": _local(utcnow()),
            "editable": page.actor.can(Perm.INCIDENT_MANAGE) and incident.closed_at is None,
            "nav": "incidents",
        },
        status=422 if error else 200,
    )


@router.get("/{incident_id}", dependencies=[requires(Perm.AUDIT_READ)])
def incident_detail(incident_id: str, page: Page) -> HTMLResponse:
    return _detail(page, incident_id)


@router.post("/{incident_id}/affected", dependencies=[requires(Perm.INCIDENT_MANAGE)])
def recompute(incident_id: str, page: Page) -> HTMLResponse:
    count, error = page.attempt(lambda: svc.compute_affected(page.uow, page.actor, incident_id))
    return _detail(page, incident_id, error=error, notice=None if error else f"{count} affected contact(s) found.")


@router.post("/{incident_id}/assess", dependencies=[requires(Perm.INCIDENT_MANAGE)])
def assess(incident_id: str, page: Page, risk: Short = "", reason: Long = "") -> HTMLResponse:
    _, error = page.attempt(lambda: svc.assess(page.uow, page.actor, incident_id, risk=risk, reason=reason))
    return _detail(page, incident_id, error=error, notice=None if error else "Risk assessed.")


@router.post("/{incident_id}/authority", dependencies=[requires(Perm.INCIDENT_MANAGE)])
def notify_authority(
    incident_id: str, page: Page, at: When = "", reference: Short = "", late_reason: Long = ""
) -> HTMLResponse:
    _, error = page.attempt(
        lambda: svc.notify_authority(
            page.uow,
            page.actor,
            incident_id,
            at=_when(at, "notification time", required=False),
            reference=reference,
            late_reason=late_reason,
        )
    )
    return _detail(page, incident_id, error=error, notice=None if error else "Authority notification recorded.")


@router.post("/{incident_id}/controller", dependencies=[requires(Perm.INCIDENT_MANAGE)])
def notify_controller(incident_id: str, page: Page) -> HTMLResponse:
    text, error = page.attempt(lambda: svc.notify_controller(page.uow, page.actor, incident_id))
    return _detail(
        page,
        incident_id,
        error=error,
        text=text,
        notice=None if error else "Controller notification recorded: send them the text below.",
    )


@router.post("/{incident_id}/no-notification", dependencies=[requires(Perm.INCIDENT_MANAGE)])
def no_notification(incident_id: str, page: Page, reason: Long = "") -> HTMLResponse:
    _, error = page.attempt(lambda: svc.record_no_notification(page.uow, page.actor, incident_id, reason=reason))
    return _detail(page, incident_id, error=error, notice=None if error else "Decision documented.")


@router.post("/{incident_id}/customer-notices", dependencies=[requires(Perm.INCIDENT_MANAGE)])
def customer_notices(incident_id: str, page: Page) -> HTMLResponse:
    drafted, error = page.attempt(lambda: svc.draft_customer_notices(page.uow, page.actor, incident_id))
    notice = None if drafted is None else f"Notice drafted for {len(drafted[1])} affected contact(s)."
    return _detail(page, incident_id, error=error, notice=notice, text=drafted[0] if drafted else None)


@router.post("/{incident_id}/notes", dependencies=[requires(Perm.INCIDENT_MANAGE)])
def add_note(incident_id: str, page: Page, note: Long = "", kind: Short = "note") -> HTMLResponse:
    measure = kind == "measure"
    _, error = page.attempt(lambda: svc.add_note(page.uow, page.actor, incident_id, note, measure=measure))
    return _detail(
        page, incident_id, error=error, notice=None if error else ("Measure added." if measure else "Note added.")
    )


@router.post("/{incident_id}/close", dependencies=[requires(Perm.INCIDENT_MANAGE)])
def close(incident_id: str, page: Page, summary: Long = "") -> HTMLResponse:
    _, error = page.attempt(lambda: svc.close_incident(page.uow, page.actor, incident_id, summary=summary))
    return _detail(page, incident_id, error=error, notice=None if error else "Incident closed.")


# -- report ---------------------------------------------------------------------------------------------------
def to_markdown(data: dict[str, Any]) -> str:
    """The report for people (the JSON is for tools): the same facts, no customer data beyond contact ids."""
    affected = data["affected"]
    lines = [
        f"# Incident report: {data['title']}",
        "",
        f"- Id: {data['id']}",
        f"- Status: {data['status']}",
        f"- Window: {data['window']['from']} to {data['window']['until']}",
        f"- Detected: {data['detected_at']}",
        f"- Aware: {data['aware_at']}",
        f"- Authority deadline: {data['authority_deadline']}",
        f"- Authority notified: {data['authority_notified_at'] or 'no'}"
        + (f" (reference {data['authority_reference']})" if data["authority_reference"] else ""),
        f"- Controller notified: {data['controller_notified_at'] or 'no'}",
        f"- Risk: {data['risk']}" + (f": {data['risk_reason']}" if data["risk_reason"] else ""),
        f"- Affected contacts: {affected['contacts']} ({affected['reads']} reads)",
    ]
    if data["late_reason"]:
        lines.append(f"- Reasons for the delay: {data['late_reason']}")
    if data["not_notified_reason"]:
        lines.append(f"- Not notified because: {data['not_notified_reason']}")
    if data["closed_at"]:
        lines.append(f"- Closed: {data['closed_at']}")
    lines += [
        "",
        "## Description",
        "",
        data["description"] or "-",
        "",
        "## Systems",
        "",
        data["systems"] or "-",
        "",
        "## Corrective measures",
        "",
        data["corrective_measures"] or "-",
        "",
        "## Timeline",
        "",
    ]
    lines += [
        f"- {e['at']} · {e['kind']} · {e['by']}" + (f": {e['note']}" if e["note"] else "") for e in data["timeline"]
    ]
    lines += ["", "## Affected contact ids", ""] + [f"- {c}" for c in affected["contact_ids"]]
    return "\n".join(lines) + "\n"


def _report(page: PageContext, incident_id: str, fmt: str) -> tuple[dict[str, Any], dict[str, str]]:
    data = svc.report(page.uow, page.actor, incident_id)
    # The report lists affected contact ids: exporting it is recorded like any export.
    record(
        page.uow.session,
        page.actor,
        "incident.exported",
        target_type="incident",
        target_id=incident_id,
        details={"format": fmt},
        request_id=page.uow.request_id,
    )
    return data, {
        "content-disposition": f'attachment; filename="incident-{incident_id}.{fmt}"',
        "cache-control": "no-store",
    }


@router.get("/{incident_id}/report.json", dependencies=[requires(Perm.AUDIT_READ)])
def report_json(incident_id: str, page: Page) -> Response:
    data, headers = _report(page, incident_id, "json")
    return Response(json.dumps(data, indent=2, ensure_ascii=False), media_type="application/json", headers=headers)


@router.get("/{incident_id}/report.md", dependencies=[requires(Perm.AUDIT_READ)])
def report_markdown(incident_id: str, page: Page) -> Response:
    data, headers = _report(page, incident_id, "md")
    return Response(to_markdown(data), media_type="text/markdown; charset=utf-8", headers=headers)
