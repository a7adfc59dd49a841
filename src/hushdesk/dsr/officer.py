"""The privacy officer's side: the queue (due, overdue, waiting), approval, denial, extension, pauses, the
audited view of a request's details, and requests started by staff on a customer's behalf (still verified by
the customer)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from hushdesk.audit.service import list_events, record
from hushdesk.db import UnitOfWork
from hushdesk.dsr import clocks, notices
from hushdesk.dsr import repository as repo
from hushdesk.dsr.execution import execute
from hushdesk.dsr.kinds import EXTENSION_REASONS, get_kind
from hushdesk.dsr.service import SubmitInput, Submitted, deny, holidays, submit, transition
from hushdesk.inbox import contacts as contact_svc
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import Conflict, ValidationFailed
from hushdesk.kit.repository import get_scoped
from hushdesk.models import Contact, DataSubjectRequest, Workspace
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm


@dataclass(frozen=True)
class RequestDetails:
    """Decrypted for the privacy officer (audited as ``dsr.viewed``)."""

    request: DataSubjectRequest
    requester_email: str | None
    requester_name: str | None
    text: str | None
    corrections: dict[str, str]
    agent_name: str | None
    agent_email: str | None
    history: list[tuple[datetime, str, str | None]]  # (at, action, actor name)


def waiting_on(req: DataSubjectRequest) -> str:
    return {"awaiting_verification": "requester", "awaiting_approval": "privacy officer",
            "received": "system", "verified": "system", "in_progress": "system" if req.kind != "complaint"
            else "privacy officer"}.get(req.status, "-")


def list_queue(uow: UnitOfWork, actor: Actor, flt: repo.QueueFilter, *, limit: int = 50,
               offset: int = 0) -> list[DataSubjectRequest]:
    actor.require(Perm.DSR_READ)
    if flt.view not in ("open", "due_soon", "overdue", "waiting", "closed", "all"):
        raise ValidationFailed("view must be open, due_soon, overdue, waiting, closed or all")
    return repo.list_requests(uow.session, actor.workspace_id, flt, utcnow(), limit, offset)


def get_request(uow: UnitOfWork, actor: Actor, request_id: str) -> DataSubjectRequest:
    actor.require(Perm.DSR_READ)
    return repo.get_request(uow.session, actor.workspace_id, request_id)


def reveal_request(uow: UnitOfWork, actor: Actor, request_id: str) -> RequestDetails:
    actor.require(Perm.DSR_MANAGE)
    req = repo.get_request(uow.session, actor.workspace_id, request_id)
    record(uow.session, actor, "dsr.viewed", target_type="dsr", target_id=req.id, request_id=uow.request_id)
    values: dict[str, str | None] = {}
    if req.key_id is not None:
        cipher = notices.request_cipher(uow, req)
        for column in ("requester_email_ct", "requester_name_ct", "details_ct", "agent_name_ct", "agent_email_ct"):
            blob = getattr(req, column)
            values[column] = cipher.decrypt(blob, notices.place(req.id, column)) if blob else None
    details = json.loads(values.get("details_ct") or "{}")
    history = [(e.created_at, e.action, e.actor_name) for e in reversed(list_events(
        uow.session, workspace_id=req.workspace_id, target_type="dsr", target_id=req.id, limit=200))]
    return RequestDetails(req, values.get("requester_email_ct"), values.get("requester_name_ct"),
                          details.get("text") or None, details.get("corrections") or {},
                          values.get("agent_name_ct"), values.get("agent_email_ct"), history)


def permission_document(uow: UnitOfWork, actor: Actor, request_id: str) -> tuple[str, bytes]:
    """The authorized agent's signed permission, for the officer to check before approving (audited)."""
    actor.require(Perm.DSR_MANAGE)
    req = repo.get_request(uow.session, actor.workspace_id, request_id)
    if req.agent_permission_ct is None or req.key_id is None:
        raise ValidationFailed("this request has no permission document", code="no_document")
    record(uow.session, actor, "dsr.permission_viewed", target_type="dsr", target_id=req.id,
           request_id=uow.request_id)
    data = notices.request_cipher(uow, req).decrypt_bytes(req.agent_permission_ct,
                                                          notices.place(req.id, "agent_permission"))
    return req.agent_permission_type or "application/octet-stream", data


def approve(uow: UnitOfWork, actor: Actor, request_id: str) -> DataSubjectRequest:
    actor.require(Perm.DSR_MANAGE)
    req = repo.get_request(uow.session, actor.workspace_id, request_id)
    complaint = req.kind == "complaint" and req.status == "in_progress"
    if req.status != "awaiting_approval" and not complaint:
        raise Conflict(f"a request that is {req.status} cannot be approved", code="invalid_transition")
    if req.authorized_agent and req.subject_confirmed_at is None:
        raise Conflict("the customer has not confirmed the agent's request", code="not_confirmed")
    req.approved_by, req.approved_at = actor.user_id, utcnow()
    if not complaint:
        transition(uow, actor, req, "in_progress", approved=True)
    execute(uow, actor, req)
    return req


def deny_request(uow: UnitOfWork, actor: Actor, request_id: str, reason: str,
                 note: str | None = None) -> DataSubjectRequest:
    actor.require(Perm.DSR_MANAGE)
    req = repo.get_request(uow.session, actor.workspace_id, request_id)
    if req.status in repo.FINAL:
        raise Conflict(f"the request is already {req.status}", code="invalid_transition")
    deny(uow, actor, req, reason, note)
    return req


def _deadline_inputs(uow: UnitOfWork, req: DataSubjectRequest) -> list[date]:
    ws = uow.session.get(Workspace, req.workspace_id)
    return list(holidays(ws)) if ws else []


def extend(uow: UnitOfWork, actor: Actor, request_id: str, reason: str) -> DataSubjectRequest:
    """Use the one extension the regime allows; only inside the first period, and the requester is told."""
    actor.require(Perm.DSR_MANAGE)
    if reason not in EXTENSION_REASONS:
        raise ValidationFailed(f"reason must be one of {', '.join(EXTENSION_REASONS)}", code="invalid_reason")
    req = repo.get_request(uow.session, actor.workspace_id, request_id)
    if req.status in repo.FINAL:
        raise Conflict(f"the request is already {req.status}", code="invalid_transition")
    if req.extended_at is not None:
        raise Conflict("the deadline was already extended once", code="already_extended")
    free = _deadline_inputs(uow, req)
    limits = clocks.deadlines(req.regime, req.kind, req.received_at.date(), holidays=free)
    now = utcnow()
    if limits.extend_notice_by is None:
        raise Conflict("this type of request cannot be extended", code="not_extendable")
    if now > clocks.end_of_day(limits.extend_notice_by):
        raise Conflict("the extension had to be announced within the first period", code="extension_too_late")
    longer = clocks.deadlines(req.regime, req.kind, req.received_at.date(), extended=True,
                              paused_days=req.paused_days, holidays=free)
    req.due_at = clocks.end_of_day(longer.due)
    req.extended_at, req.extension_reason, req.updated_at = now, reason, now
    record(uow.session, actor, "dsr.extended", target_type="dsr", target_id=req.id,
           details={"reason": reason, "due_at": req.due_at.isoformat()}, request_id=uow.request_id)
    notices.extended(uow, req, reason)
    return req


def pause(uow: UnitOfWork, actor: Actor, request_id: str) -> DataSubjectRequest:
    """Stop the clock while we wait for the requester (e.g. a clarification); recorded and audited."""
    actor.require(Perm.DSR_MANAGE)
    req = repo.get_request(uow.session, actor.workspace_id, request_id)
    if req.status in repo.FINAL or req.paused_at is not None:
        raise Conflict("only a running request can be paused", code="invalid_transition")
    req.paused_at = utcnow()
    record(uow.session, actor, "dsr.paused", target_type="dsr", target_id=req.id, request_id=uow.request_id)
    return req


def resume(uow: UnitOfWork, actor: Actor, request_id: str) -> DataSubjectRequest:
    actor.require(Perm.DSR_MANAGE)
    req = repo.get_request(uow.session, actor.workspace_id, request_id)
    if req.paused_at is None:
        raise Conflict("the request is not paused", code="invalid_transition")
    days = clocks.paused_days_between(req.paused_at, utcnow())
    req.paused_days += days
    req.paused_at = None
    limits = clocks.deadlines(req.regime, req.kind, req.received_at.date(), extended=req.extended_at is not None,
                              paused_days=req.paused_days, holidays=_deadline_inputs(uow, req))
    req.due_at = clocks.end_of_day(limits.due)
    record(uow.session, actor, "dsr.resumed", target_type="dsr", target_id=req.id,
           details={"paused_days": days, "due_at": req.due_at.isoformat()}, request_id=uow.request_id)
    return req


def start_for_contact(uow: UnitOfWork, actor: Actor, contact_id: str, kind: str, *, purpose: str | None = None,
                      details: str | None = None, corrections: dict[str, str] | None = None) -> Submitted:
    """An agent or admin records a request for a customer (from the contact view). The one-time code goes
    to the customer's own email on file; nothing happens until the customer enters it."""
    actor.require(Perm.DSR_SUBMIT)
    contact = get_scoped(uow.session, Contact, contact_id, workspace_id=actor.workspace_id, what="contact")
    get_kind(kind)
    view = contact_svc.decrypt_contact(uow, contact)
    email = view.email or next((v for k, v in view.identities if k == "email"), None)
    if email is None:
        raise ValidationFailed("this contact has no email address to verify the request with", code="no_email")
    ws = uow.session.get(Workspace, actor.workspace_id)
    assert ws is not None
    data = SubmitInput(kind=kind, email=email, name=view.name, details=details, purpose=purpose,
                       corrections=corrections)
    return submit(uow, ws, data, via="agent", actor=actor, contact_id=contact.id)
