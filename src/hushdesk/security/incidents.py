"""Incidents and personal-data breaches, for the privacy officer (GDPR Art. 33/34 shaped).

- Open: what happened, which systems, the time window it covers, when it was detected and when we became
  *aware* of a breach (the 72-hour clock to notify the supervisory authority starts at awareness).
- Affected contacts are computed from the audit log: every contact whose data was read in the window.
- Assess risk (none / low / high). High risk: draft notices to the affected customers.
- Notify the authority (a late notification needs a reason), notify the controller (the business, when the
  operator is its processor), or document why no notification was made. Every incident is documented.
- Timeline of every action, corrective measures, closure, and a report (JSON or Markdown) for export.
Every change writes an audit row in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from hushdesk.audit.access import contacts_read_between
from hushdesk.audit.service import record
from hushdesk.db import UnitOfWork
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import Conflict, ValidationFailed
from hushdesk.kit.ids import new_id
from hushdesk.kit.repository import get_scoped, scoped
from hushdesk.models.security import Incident, IncidentContact, IncidentEvent
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm

AUTHORITY_DEADLINE = timedelta(hours=72)
RISKS = ("none", "low", "high")
MAX_TEXT = 10_000


@dataclass(frozen=True)
class IncidentDraft:
    title: str
    occurred_from: datetime
    occurred_until: datetime
    detected_at: datetime
    aware_at: datetime | None = None
    description: str = ""
    systems: str = ""


def authority_deadline(incident: Incident) -> datetime:
    return incident.aware_at + AUTHORITY_DEADLINE


def hours_left(incident: Incident, now: datetime | None = None) -> float:
    return (authority_deadline(incident) - (now or utcnow())).total_seconds() / 3600


def _text(value: str, what: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationFailed(f"{what} is required", code="invalid_incident")
    if len(value) > limit:
        raise ValidationFailed(f"{what} is longer than {limit} characters", code="invalid_incident")
    return value


def _event(uow: UnitOfWork, actor: Actor, incident: Incident, kind: str, note: str = "",
           details: dict[str, Any] | None = None) -> None:
    uow.session.add(IncidentEvent(id=new_id("ie"), workspace_id=incident.workspace_id, incident_id=incident.id,
                                  kind=kind, note=note, actor_name=actor.name, created_at=utcnow()))
    record(uow.session, actor, f"incident.{kind}", target_type="incident", target_id=incident.id,
           details=details, request_id=uow.request_id)


def get_incident(uow: UnitOfWork, actor: Actor, incident_id: str) -> Incident:
    actor.require(Perm.AUDIT_READ)
    return get_scoped(uow.session, Incident, incident_id, workspace_id=actor.workspace_id, what="incident")


def _editable(uow: UnitOfWork, actor: Actor, incident_id: str) -> Incident:
    actor.require(Perm.INCIDENT_MANAGE)
    incident = get_scoped(uow.session, Incident, incident_id, workspace_id=actor.workspace_id, what="incident")
    if incident.closed_at is not None:
        raise Conflict("the incident is closed", code="incident_closed")
    return incident


def list_incidents(uow: UnitOfWork, actor: Actor) -> list[Incident]:
    actor.require(Perm.AUDIT_READ)
    return list(uow.session.execute(
        scoped(Incident, workspace_id=actor.workspace_id).order_by(Incident.detected_at.desc())).scalars())


def open_incident(uow: UnitOfWork, actor: Actor, draft: IncidentDraft) -> Incident:
    actor.require(Perm.INCIDENT_MANAGE)
    if draft.occurred_until <= draft.occurred_from:
        raise ValidationFailed("the window must end after it starts", code="invalid_window")
    aware = draft.aware_at or draft.detected_at
    if aware < draft.detected_at:
        raise ValidationFailed("awareness cannot come before detection", code="invalid_incident")
    incident = Incident(
        id=new_id("inc"), workspace_id=actor.workspace_id, title=_text(draft.title, "title", required=True, limit=200),
        description=_text(draft.description, "description"), systems=_text(draft.systems, "systems"),
        occurred_from=draft.occurred_from, occurred_until=draft.occurred_until, detected_at=draft.detected_at,
        aware_at=aware, status="open", risk="unassessed", opened_by=actor.user_id,
    )
    uow.session.add(incident)
    uow.session.flush()
    _event(uow, actor, incident, "opened", f"aware at {aware.isoformat()}; authority deadline "
           f"{authority_deadline(incident).isoformat()}")
    compute_affected(uow, actor, incident.id)
    return incident


def compute_affected(uow: UnitOfWork, actor: Actor, incident_id: str) -> int:
    """(Re)compute the contacts whose data was read inside the incident's window, from the audit log."""
    incident = _editable(uow, actor, incident_id)
    counts = contacts_read_between(uow.session, incident.workspace_id, incident.occurred_from,
                                   incident.occurred_until)
    uow.session.execute(delete(IncidentContact).where(IncidentContact.incident_id == incident.id))
    for contact_id, reads in sorted(counts.items()):
        uow.session.add(IncidentContact(id=new_id("ic"), workspace_id=incident.workspace_id,
                                        incident_id=incident.id, contact_id=contact_id, reads=reads))
    incident.affected_contacts = len(counts)
    incident.affected_reads = sum(counts.values())
    uow.session.flush()
    _event(uow, actor, incident, "affected_computed", f"{len(counts)} contacts, {sum(counts.values())} reads",
           details={"contacts": len(counts), "reads": sum(counts.values())})
    return len(counts)


def affected_contact_ids(uow: UnitOfWork, actor: Actor, incident_id: str) -> list[str]:
    incident = get_incident(uow, actor, incident_id)
    return list(uow.session.execute(
        select(IncidentContact.contact_id).where(IncidentContact.incident_id == incident.id,
                                                 IncidentContact.workspace_id == actor.workspace_id)
        .order_by(IncidentContact.contact_id)).scalars())


def assess(uow: UnitOfWork, actor: Actor, incident_id: str, *, risk: str, reason: str) -> Incident:
    incident = _editable(uow, actor, incident_id)
    if risk not in RISKS:
        raise ValidationFailed(f"risk must be one of {', '.join(RISKS)}", code="invalid_risk")
    incident.risk = risk
    incident.risk_reason = _text(reason, "the reason for the assessment", required=True)
    incident.status = "assessed" if incident.status == "open" else incident.status
    _event(uow, actor, incident, "assessed", f"risk {risk}: {incident.risk_reason}", details={"risk": risk})
    return incident


def notify_authority(uow: UnitOfWork, actor: Actor, incident_id: str, *, at: datetime | None = None,
                     reference: str = "", late_reason: str = "") -> Incident:
    incident = _editable(uow, actor, incident_id)
    when = at or utcnow()
    late = when > authority_deadline(incident)
    if late and not late_reason.strip():
        raise ValidationFailed("the notification is after the 72-hour deadline: give the reasons for the delay",
                               code="late_reason_required")
    incident.authority_notified_at = when
    incident.authority_reference = _text(reference, "reference", limit=200)
    incident.late_reason = _text(late_reason, "reason for the delay")
    incident.status = "notified"
    _event(uow, actor, incident, "authority_notified", f"reference {incident.authority_reference or '-'}"
           + (f"; late: {incident.late_reason}" if late else ""), details={"late": late})
    return incident


def notify_controller(uow: UnitOfWork, actor: Actor, incident_id: str) -> str:
    """Processor -> controller notice (without undue delay); returns the text to send to the business."""
    incident = _editable(uow, actor, incident_id)
    incident.controller_notified_at = utcnow()
    _event(uow, actor, incident, "controller_notified")
    return (f"Security incident {incident.id}: {incident.title}\n"
            f"Window: {incident.occurred_from.isoformat()} to {incident.occurred_until.isoformat()}\n"
            f"Detected: {incident.detected_at.isoformat()}; aware: {incident.aware_at.isoformat()}\n"
            f"Systems: {incident.systems or '-'}\nAffected customers: {incident.affected_contacts}\n"
            f"Risk: {incident.risk}\nYour deadline to notify the authority: "
            f"{authority_deadline(incident).isoformat()}\n")


def record_no_notification(uow: UnitOfWork, actor: Actor, incident_id: str, *, reason: str) -> Incident:
    """Document why the authority is not notified (e.g. no risk to people's rights): still an incident."""
    incident = _editable(uow, actor, incident_id)
    if incident.risk == "high":
        raise ValidationFailed("a high-risk breach must be notified", code="notification_required")
    incident.not_notified_reason = _text(reason, "reason", required=True)
    _event(uow, actor, incident, "not_notified", incident.not_notified_reason)
    return incident


CUSTOMER_NOTICE = (
    "We are writing to tell you about a security incident that may have affected your personal data.\n\n"
    "What happened: {title}. It concerned the period {start} to {end}.\n"
    "What it means for you: {risk_reason}\n"
    "What we have done: {measures}\n"
    "Contact: reply to this message or use our privacy page to ask questions or exercise your rights.\n"
)


def draft_customer_notices(uow: UnitOfWork, actor: Actor, incident_id: str) -> tuple[str, list[str]]:
    """High risk only: the notice text (no personal data in it) and the contacts it is for."""
    incident = _editable(uow, actor, incident_id)
    if incident.risk != "high":
        raise ValidationFailed("customer notices are for high-risk breaches; assess the risk first",
                               code="risk_not_high")
    text = CUSTOMER_NOTICE.format(title=incident.title, start=incident.occurred_from.date().isoformat(),
                                  end=incident.occurred_until.date().isoformat(),
                                  risk_reason=incident.risk_reason,
                                  measures=incident.corrective_measures or "(to be completed)")
    rows = list(uow.session.execute(
        select(IncidentContact).where(IncidentContact.incident_id == incident.id)).scalars())
    for row in rows:
        row.notice_drafted = True
    _event(uow, actor, incident, "customer_notices_drafted", f"{len(rows)} notices",
           details={"contacts": len(rows)})
    return text, [r.contact_id for r in rows]


def add_note(uow: UnitOfWork, actor: Actor, incident_id: str, note: str, *, measure: bool = False) -> None:
    incident = _editable(uow, actor, incident_id)
    text = _text(note, "the note", required=True)
    if measure:
        incident.corrective_measures = (incident.corrective_measures + "\n- " + text).strip()
    _event(uow, actor, incident, "measure_added" if measure else "note_added", text)


def close_incident(uow: UnitOfWork, actor: Actor, incident_id: str, *, summary: str) -> Incident:
    incident = _editable(uow, actor, incident_id)
    if incident.risk == "unassessed":
        raise ValidationFailed("assess the risk before closing", code="risk_unassessed")
    if incident.authority_notified_at is None and not incident.not_notified_reason and incident.risk != "none":
        raise ValidationFailed("notify the authority or document why not before closing",
                               code="notification_undecided")
    incident.closed_at = utcnow()
    incident.status = "closed"
    _event(uow, actor, incident, "closed", _text(summary, "summary", required=True))
    return incident


def timeline(uow: UnitOfWork, actor: Actor, incident_id: str) -> list[IncidentEvent]:
    incident = get_incident(uow, actor, incident_id)
    return list(uow.session.execute(
        scoped(IncidentEvent, workspace_id=actor.workspace_id).where(IncidentEvent.incident_id == incident.id)
        .order_by(IncidentEvent.created_at, IncidentEvent.id)).scalars())


def report(uow: UnitOfWork, actor: Actor, incident_id: str) -> dict[str, Any]:
    """Everything documented about the incident (ids and counts, no customer data), for export."""
    incident = get_incident(uow, actor, incident_id)

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": incident.id, "title": incident.title, "description": incident.description,
        "systems": incident.systems, "status": incident.status,
        "window": {"from": iso(incident.occurred_from), "until": iso(incident.occurred_until)},
        "detected_at": iso(incident.detected_at), "aware_at": iso(incident.aware_at),
        "authority_deadline": iso(authority_deadline(incident)),
        "risk": incident.risk, "risk_reason": incident.risk_reason,
        "affected": {"contacts": incident.affected_contacts, "reads": incident.affected_reads,
                     "contact_ids": affected_contact_ids(uow, actor, incident.id)},
        "authority_notified_at": iso(incident.authority_notified_at),
        "authority_reference": incident.authority_reference, "late_reason": incident.late_reason,
        "controller_notified_at": iso(incident.controller_notified_at),
        "not_notified_reason": incident.not_notified_reason,
        "corrective_measures": incident.corrective_measures, "closed_at": iso(incident.closed_at),
        "timeline": [{"at": iso(e.created_at), "kind": e.kind, "by": e.actor_name, "note": e.note}
                     for e in timeline(uow, actor, incident.id)],
    }
