"""The AI-call log (what left the server, redacted, for the privacy officer) and the privacy gate."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hushdesk.assistant.providers import Completion
from hushdesk.db import UnitOfWork
from hushdesk.kit.errors import DomainError
from hushdesk.kit.ids import new_id
from hushdesk.kit.repository import get_scoped, scoped
from hushdesk.metering.service import record_usage
from hushdesk.models import AiCall, Conversation, User
from hushdesk.privacy.service import check_processing
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm

AI_PURPOSE = "ai_drafting"


class AiNotAllowed(DomainError):
    status = 403
    code = "ai_not_allowed"


def require_ai_allowed(uow: UnitOfWork, conv: Conversation) -> None:
    """Restricted, objecting, deactivated or consent-withdrawn contacts get no AI processing at all."""
    decision = check_processing(uow, conv.contact_id, AI_PURPOSE)
    if not decision.allowed:
        raise AiNotAllowed(
            f"AI features are off for this customer ({(decision.reason or 'not allowed').replace('_', ' ')}): "
            "their data is not processed by the assistant. Please write the reply yourself.")


def ai_allowed(uow: UnitOfWork, conv: Conversation) -> bool:
    return check_processing(uow, conv.contact_id, AI_PURPOSE).allowed


def log_call(uow: UnitOfWork, workspace_id: str, *, feature: str, provider: str, model: str | None, prompt: str,
             actor: Actor | None = None, conversation_id: str | None = None, completion: Completion | None = None,
             error: str | None = None, unknown_placeholders: int = 0, speech_chars: int = 0,
             latency_ms: int = 0) -> AiCall:
    """Record one provider call; ``prompt`` must be exactly the redacted text that was sent."""
    call = AiCall(
        id=new_id("aic"), workspace_id=workspace_id, conversation_id=conversation_id, feature=feature,
        provider=provider, model=(completion.model if completion else model), prompt_redacted=prompt,
        response_redacted=completion.text if completion else None, status="error" if error else "ok",
        error_code=error, tokens_in=completion.tokens_in if completion else 0,
        tokens_out=completion.tokens_out if completion else 0, speech_chars=speech_chars,
        latency_ms=completion.latency_ms if completion else latency_ms, unknown_placeholders=unknown_placeholders,
        actor_user_id=actor.user_id if actor else None,
    )
    uow.session.add(call)
    record_usage(uow, workspace_id, ai_calls=1, tokens_in=call.tokens_in, tokens_out=call.tokens_out,
                 speech_chars=speech_chars)
    return call


@dataclass(frozen=True)
class CallPage:
    calls: list[AiCall]
    offset: int
    more: bool


CALL_STATUSES = ("ok", "error", "limited")


def list_calls(uow: UnitOfWork, actor: Actor, *, limit: int = 50, offset: int = 0, status: str | None = None,
               since: datetime | None = None, until: datetime | None = None) -> CallPage:
    """For the privacy officer and auditors: every call, with the redacted prompt that was sent."""
    actor.require(Perm.AUDIT_READ)
    query = scoped(AiCall, workspace_id=actor.workspace_id)
    if status:
        query = query.where(AiCall.status == status)
    if since is not None:
        query = query.where(AiCall.created_at >= since)
    if until is not None:
        query = query.where(AiCall.created_at < until)
    rows = list(uow.session.execute(
        query.order_by(AiCall.created_at.desc(), AiCall.id.desc()).limit(limit + 1).offset(offset)
    ).scalars())
    return CallPage(rows[:limit], offset, len(rows) > limit)


def get_call(uow: UnitOfWork, actor: Actor, call_id: str) -> AiCall:
    """One call of this workspace (a foreign or unknown id is a 404)."""
    actor.require(Perm.AUDIT_READ)
    return get_scoped(uow.session, AiCall, call_id, workspace_id=actor.workspace_id, what="AI call")


def askers(uow: UnitOfWork, calls: list[AiCall]) -> dict[str, str]:
    """user id -> display name of whoever asked for these calls."""
    ids = {c.actor_user_id for c in calls if c.actor_user_id}
    if not ids:
        return {}
    rows = uow.session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


CSV_COLUMNS = ("id", "at", "feature", "provider", "model", "tokens_in", "tokens_out", "speech_chars",
               "latency_ms", "status", "error_code", "unknown_placeholders", "conversation_id", "asked_by_id",
               "asked_by")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def calls_csv(calls: list[AiCall], names: dict[str, str]) -> str:
    """Metadata only: the redacted prompts and answers stay on the detail page."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for c in calls:
        writer.writerow([_cell(v) for v in (
            c.id, c.created_at.isoformat(timespec="seconds"), c.feature, c.provider, c.model, c.tokens_in,
            c.tokens_out, c.speech_chars, c.latency_ms, c.status, c.error_code, c.unknown_placeholders,
            c.conversation_id, c.actor_user_id, names.get(c.actor_user_id or "", ""))])
    return out.getvalue()


def conversation_calls(uow: UnitOfWork, workspace_id: str, conversation_id: str) -> list[AiCall]:
    return list(uow.session.execute(
        select(AiCall).where(AiCall.workspace_id == workspace_id, AiCall.conversation_id == conversation_id)
        .order_by(AiCall.created_at)
    ).scalars())
