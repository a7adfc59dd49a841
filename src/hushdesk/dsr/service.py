"""Data-subject requests: submission, verification and the state machine.

received -> awaiting_verification -> verified -> in_progress -> awaiting_approval (where configured)
-> completed | denied. Every transition is audited in the same transaction; side effects (emails, the
processing job) run after commit. Execution per request type lives in ``dsr.execution``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hushdesk.audit.service import record
from hushdesk.crypto.blind_index import normalize_email
from hushdesk.db import UnitOfWork
from hushdesk.dsr import clocks, notices
from hushdesk.dsr import repository as repo
from hushdesk.dsr.kinds import DENIAL_REASONS, FLAG_KINDS, get_kind, regime_for
from hushdesk.dsr.verification import issue_code, token_digest
from hushdesk.inbox import contacts as contact_svc
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import Conflict, RateLimited, ValidationFailed
from hushdesk.kit.ids import new_id, new_token
from hushdesk.models import DataSubjectRequest, Workspace
from hushdesk.privacy.purposes import PURPOSES
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.service import workspace_settings

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("awaiting_verification", "in_progress", "denied"),
    "awaiting_verification": ("verified", "denied"),
    "verified": ("in_progress", "denied"),
    "in_progress": ("awaiting_approval", "completed", "denied"),
    "awaiting_approval": ("in_progress", "completed", "denied"),
    "completed": (),
    "denied": (),
}
MAX_TEXT = 5000
MAX_PER_ADDRESS_PER_DAY = 5
MAX_PERMISSION_BYTES = 5_000_000


@dataclass(frozen=True)
class AgentInput:
    name: str
    email: str
    permission: bytes  # the signed permission document
    permission_type: str


@dataclass(frozen=True)
class SubmitInput:
    kind: str
    email: str
    name: str | None = None
    details: str | None = None
    purpose: str | None = None
    california: bool = False
    corrections: dict[str, str] | None = None
    agent: AgentInput | None = None


@dataclass(frozen=True)
class Submitted:
    request: DataSubjectRequest
    token: str  # the requester's link secret: shown once, stored hashed


def transition(uow: UnitOfWork, actor: Actor | None, request: DataSubjectRequest, to: str,
               **details: Any) -> None:
    if to not in TRANSITIONS[request.status]:
        raise Conflict(f"a request that is {request.status} cannot become {to}", code="invalid_transition")
    before = request.status
    request.status = to
    request.updated_at = utcnow()
    record(uow.session, actor, f"dsr.{to}", workspace_id=request.workspace_id, target_type="dsr",
           target_id=request.id, details={"from": before, "kind": request.kind, **details},
           request_id=uow.request_id)


def privacy_settings(ws: Workspace) -> dict[str, Any]:
    found = workspace_settings(ws).get("privacy", {})
    return found if isinstance(found, dict) else {}


def holidays(ws: Workspace) -> list[date]:
    return [date.fromisoformat(d) for d in privacy_settings(ws).get("holidays", []) if isinstance(d, str)]


def _needs_approval(ws: Workspace, kind: str, agent: bool) -> bool:
    """Authorized-agent requests always wait for the privacy officer; other types as the workspace says
    (settings ``privacy.approval``: a list of types), erasure by default."""
    if agent:
        return True
    configured = privacy_settings(ws).get("approval")
    if isinstance(configured, list):
        return kind in configured
    return get_kind(kind).approval_by_default


def _validate(data: SubmitInput) -> None:
    kind = get_kind(data.kind) if data.kind else None
    if kind is None:
        raise ValidationFailed("choose a request type")
    email = data.email.strip()
    if "@" not in email or len(email) > 320 or any(ch.isspace() for ch in email):
        raise ValidationFailed("enter the email address you use with us", code="invalid_email")
    if data.name is not None and len(data.name) > 200:
        raise ValidationFailed("name is too long")
    if data.details is not None and len(data.details) > MAX_TEXT:
        raise ValidationFailed(f"please keep the description under {MAX_TEXT} characters")
    if kind.needs_purpose and not data.purpose:
        raise ValidationFailed("choose the purpose this request is about", code="purpose_required")
    if data.purpose and data.purpose not in PURPOSES:
        raise ValidationFailed("unknown purpose", code="invalid_purpose")
    if data.kind == "rectification":
        fields = set((data.corrections or {}).keys())
        if not fields or not fields <= {"name", "email", "phone"}:
            raise ValidationFailed("say what to correct: name, email and/or phone", code="corrections_required")
    if data.agent is not None:
        if not data.agent.permission or len(data.agent.permission) > MAX_PERMISSION_BYTES:
            raise ValidationFailed("upload the signed permission (at most 5 MB)", code="permission_required")
        if "@" not in data.agent.email or not data.agent.name.strip():
            raise ValidationFailed("the agent's name and email are required", code="agent_required")


def submit(uow: UnitOfWork, ws: Workspace, data: SubmitInput, *, via: str, actor: Actor | None = None,
           contact_id: str | None = None) -> Submitted:
    """Record a request, confirm receipt with the due date, and (for most types) send a one-time code to the
    address given. Nothing about the customer is disclosed: the answer is the same whether we know them."""
    _validate(data)
    kind = get_kind(data.kind)
    now = utcnow()
    email_index = uow.app.keyring.blind_index(ws.id, "email", normalize_email(data.email))
    if repo.recent_count(uow.session, ws.id, email_index, now - timedelta(days=1)) >= MAX_PER_ADDRESS_PER_DAY:
        # Stops anyone from flooding an address with codes; says nothing about whether we know it.
        raise RateLimited("too many requests for this address today; please try again tomorrow", retry_after=3600)
    regime = regime_for(data.kind, california=data.california,
                        default=str(privacy_settings(ws).get("regime", clocks.GDPR)))
    limits = clocks.deadlines(regime, data.kind, now.date(), holidays=holidays(ws))
    keyring = uow.app.keyring
    cipher = keyring.create_contact_key(ws.id)
    token = new_token(24)
    request = DataSubjectRequest(
        id=new_id("dsr"), workspace_id=ws.id, kind=data.kind, regime=regime, status="received", via=via,
        contact_id=contact_id, key_id=cipher.key_id,
        email_index=email_index,
        purpose=data.purpose, authorized_agent=data.agent is not None,
        submitted_by=actor.user_id if actor else None, token_hash=token_digest(token), verification_level=0,
        requires_approval=_needs_approval(ws, data.kind, data.agent is not None),
        received_at=now, acknowledged_at=now, created_at=now, updated_at=now,
        confirm_due_at=clocks.end_of_day(limits.confirm_by) if limits.confirm_by else None,
        original_due_at=clocks.end_of_day(limits.due), due_at=clocks.end_of_day(limits.due), paused_days=0,
        result_json="{}",
    )
    place = notices.place
    request.requester_email_ct = cipher.encrypt(data.email.strip(), place(request.id, "requester_email"))
    if data.name:
        request.requester_name_ct = cipher.encrypt(data.name.strip(), place(request.id, "requester_name"))
    payload = {"text": data.details or "", "corrections": data.corrections or {}}
    request.details_ct = cipher.encrypt(json.dumps(payload), place(request.id, "details"))
    if data.agent is not None:
        request.agent_name_ct = cipher.encrypt(data.agent.name.strip(), place(request.id, "agent_name"))
        request.agent_email_ct = cipher.encrypt(data.agent.email.strip(), place(request.id, "agent_email"))
        request.agent_permission_ct = cipher.encrypt(data.agent.permission, place(request.id, "agent_permission"))
        request.agent_permission_type = data.agent.permission_type[:100]
    uow.session.add(request)
    uow.session.flush()
    duplicates = repo.open_duplicates(uow.session, ws.id, request.email_index, request.kind, request.id)
    if duplicates:
        request.result_json = json.dumps({"open_duplicates": duplicates})
    record(uow.session, actor, "dsr.received", workspace_id=ws.id, target_type="dsr", target_id=request.id,
           details={"kind": request.kind, "regime": regime, "via": via, "agent": request.authorized_agent,
                    "duplicates": len(duplicates)}, request_id=uow.request_id)
    if kind.verify or request.authorized_agent:  # an agent's request always needs the customer's own "yes"
        code = issue_code(uow, request, "identity")
        transition(uow, actor, request, "awaiting_verification")
        notices.receipt(uow, request, token, code)
    else:
        notices.receipt(uow, request, token, None)
        start_processing(uow, actor, request)
    return Submitted(request, token)


def start_processing(uow: UnitOfWork, actor: Actor | None, request: DataSubjectRequest) -> None:
    """Move to in_progress and run the request type's work in a job after commit."""
    if request.status in {"verified", "received"}:
        transition(uow, actor, request, "in_progress")
    jobs = uow.app.jobs
    request_id = request.id
    uow.after_commit(lambda: jobs.enqueue("dsr.process", {"request_id": request_id}))


def link_contact(uow: UnitOfWork, request: DataSubjectRequest) -> None:
    """After the email is verified: whose data is this? (Only now may the answer depend on it.)"""
    if request.contact_id is not None:
        return
    email = notices.requester_email(uow, request)
    if email:
        found = contact_svc.find_by_identity(uow, request.workspace_id, "email", email)
        request.contact_id = found.id if found else None


def close(uow: UnitOfWork, actor: Actor | None, request: DataSubjectRequest, to: str,
          result: dict[str, Any] | None = None, **details: Any) -> None:
    now = utcnow()
    transition(uow, actor, request, to, **details)
    request.closed_at = now
    request.retain_until = clocks.retain_until(now)
    if result is not None:
        merged = json.loads(request.result_json or "{}")
        merged.update(result)
        request.result_json = json.dumps(merged, sort_keys=True)


def deny(uow: UnitOfWork, actor: Actor | None, request: DataSubjectRequest, reason: str,
         note: str | None = None) -> None:
    if reason not in DENIAL_REASONS:
        raise ValidationFailed(f"reason must be one of {', '.join(DENIAL_REASONS)}", code="invalid_reason")
    request.denial_reason = reason
    if note and request.key_id:
        request.note_ct = notices.request_cipher(uow, request).encrypt(note[:MAX_TEXT], notices.place(request.id,
                                                                                                     "note"))
    close(uow, actor, request, "denied", reason=reason)
    notices.denied(uow, request, reason)


def is_flag_kind(kind: str) -> bool:
    return kind in FLAG_KINDS


REQUESTER_COLUMNS = ("requester_email_ct", "requester_name_ct", "details_ct", "agent_name_ct", "agent_email_ct",
                     "agent_permission_ct", "note_ct")


def forget_requester(uow: UnitOfWork, request: DataSubjectRequest) -> None:
    """Destroy the request's own key and clear its ciphertexts: what remains is the record the law requires
    (type, dates, outcome, the pseudonymous email index)."""
    if request.key_id is not None:
        uow.app.keyring.destroy_contact_key(request.workspace_id, request.key_id)
    for column in REQUESTER_COLUMNS:
        setattr(request, column, None)
    request.key_id = None
    record(uow.session, None, "dsr.requester_forgotten", workspace_id=request.workspace_id, target_type="dsr",
           target_id=request.id, request_id=uow.request_id)
