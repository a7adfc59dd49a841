"""Agent-facing assistant: reply drafts, summaries, article suggestions, sending a draft.

Every path: access check, privacy gate (no request at all for a contact who restricted, objected or withdrew),
usage limit, prompt from redacted text, provider call, AI-call log + usage in the same transaction, local
rehydration, draft encrypted under the contact's key. Provider failures come back as a clear message and
leave the conversation untouched. The HTTP endpoints use the ``*_unlocked`` variants: no transaction is open
while the provider answers (ADR 0007).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select

from hushdesk.assistant import kb
from hushdesk.assistant.calls import ai_allowed, log_call, require_ai_allowed
from hushdesk.assistant.prompting import (
    draft_prompt,
    extractive_answer,
    prompt_text,
    rehydrate,
    summary_prompt,
)
from hushdesk.assistant.providers import ChatMessage, Completion, Provider, ProviderError
from hushdesk.assistant.settings import ai_settings, provider_for
from hushdesk.audit.service import record
from hushdesk.crypto.keyring import ContactCipher
from hushdesk.db import UnitOfWork
from hushdesk.inbox import contacts as contact_svc
from hushdesk.inbox import repository as repo
from hushdesk.inbox.redacting import load_state
from hushdesk.inbox.service import Received, access_conversation, send_reply
from hushdesk.kit.errors import ValidationFailed
from hushdesk.kit.ids import new_id
from hushdesk.kit.repository import get_scoped
from hushdesk.metering.service import check_limits, record_usage
from hushdesk.models import AiDraft, Contact, Conversation, Message, Workspace
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm

if TYPE_CHECKING:
    from hushdesk.context import AppContext

PLACEHOLDER_LIKE = re.compile(r"<\s*[A-Za-z][A-Za-z_]*?\s*_\s*\d+\s*>")
DRAFT_TOKENS = 600
SUMMARY_TOKENS = 300


@dataclass(frozen=True)
class AssistResult:
    kind: str  # draft | summary
    text: str | None = None  # rehydrated: personal data, for the requesting agent only
    source: str = "provider"  # provider | retrieval
    unknown: list[str] = field(default_factory=list)
    citations: list[tuple[str, str]] = field(default_factory=list)  # (title, slug)
    error: str | None = None
    error_code: str | None = None
    draft_id: str | None = None
    model: str | None = None


def _cipher(uow: UnitOfWork, conv: Conversation) -> ContactCipher:
    contact = uow.session.get(Contact, conv.contact_id) if conv.contact_id else None
    if contact is None:
        raise ValidationFailed("this conversation's contact was erased; the assistant has nothing to work with",
                               code="contact_erased")
    return contact_svc.cipher_for(uow, contact)


def _business(uow: UnitOfWork, workspace_id: str) -> str:
    ws = uow.session.get(Workspace, workspace_id)
    return ws.name if ws else "this business"


def latest_question(messages: list[Message]) -> str:
    """The customer's latest message(s), redacted: what retrieval searches for."""
    inbound = [m.body_redacted for m in messages if m.kind == "inbound"]
    return " ".join(inbound[-2:])


def _store(uow: UnitOfWork, conv: Conversation, cipher: ContactCipher, actor: Actor, kind: str, text: str,
           source: str, call_id: str | None, unknown: int) -> AiDraft:
    draft_id = new_id("ad")
    draft = AiDraft(id=draft_id, workspace_id=conv.workspace_id, conversation_id=conv.id, kind=kind,
                    ai_call_id=call_id, key_id=cipher.key_id,
                    text_ct=cipher.encrypt(text, f"ai_drafts.text:{draft_id}"),
                    source=source, unknown_placeholders=unknown, created_by=actor.user_id)
    uow.session.add(draft)
    record(uow.session, actor, f"assistant.{kind}.created", target_type="conversation", target_id=conv.id,
           details={"draft_id": draft_id, "ai_call_id": call_id, "source": source, "unknown_placeholders": unknown},
           request_id=uow.request_id)
    return draft


@dataclass(frozen=True)
class _Request:
    """Everything a provider call needs, gathered in a short unit of work: no ORM objects, no session."""

    kind: str
    conversation_id: str
    workspace_id: str
    provider: Provider
    model: str | None
    prompt: list[ChatMessage]
    max_tokens: int
    citations: list[tuple[str, str]]
    stream: bool


@dataclass(frozen=True)
class _Outcome:
    completion: Completion | None = None
    error: ProviderError | None = None


def _prepare(uow: UnitOfWork, actor: Actor, conv: Conversation, kind: str, prompt: list[ChatMessage],
             max_tokens: int, citations: list[tuple[str, str]], stream: bool) -> _Request:
    provider = provider_for(uow, conv.workspace_id)
    check_limits(uow, conv.workspace_id)
    return _Request(kind, conv.id, conv.workspace_id, provider, ai_settings(uow, conv.workspace_id).model, prompt,
                    max_tokens, citations, stream)


def _call(req: _Request) -> _Outcome:
    """The provider round trip: the only slow step, and it runs with no database transaction open."""
    try:
        return _Outcome(completion=req.provider.complete(req.prompt, max_tokens=req.max_tokens, stream=req.stream))
    except ProviderError as exc:
        return _Outcome(error=exc)


def _record(uow: UnitOfWork, actor: Actor, conv: Conversation, req: _Request, outcome: _Outcome) -> AssistResult:
    """AI-call log + usage, local rehydration and the encrypted draft, in one (short) transaction."""
    sent = prompt_text(req.prompt)
    if outcome.completion is None:
        err = outcome.error
        assert err is not None  # _call sets exactly one of the two
        log_call(uow, conv.workspace_id, feature=req.kind, provider=req.provider.name, model=req.model,
                 prompt=sent, actor=actor, conversation_id=conv.id, error=err.code)
        return AssistResult(req.kind, error=err.message, error_code=err.code)
    completion = outcome.completion
    cipher = _cipher(uow, conv)
    filled = rehydrate(load_state(conv, cipher), completion.text)
    call = log_call(uow, conv.workspace_id, feature=req.kind, provider=req.provider.name, model=completion.model,
                    prompt=sent, actor=actor, conversation_id=conv.id, completion=completion,
                    unknown_placeholders=len(filled.unknown))
    draft = _store(uow, conv, cipher, actor, req.kind, filled.text, "provider", call.id, len(filled.unknown))
    return AssistResult(req.kind, filled.text, "provider", filled.unknown, req.citations, draft_id=draft.id,
                        model=completion.model)


def _draft_inputs(uow: UnitOfWork, actor: Actor, conversation_id: str,
                  stream: bool) -> tuple[Conversation, _Request | AssistResult]:
    """Checks and inputs of a draft: either a finished result (retrieval, refusal) or a provider request."""
    actor.require(Perm.CONVERSATION_REPLY)
    actor.require(Perm.CONVERSATION_READ_RAW)  # the draft carries the customer's real details
    conv = access_conversation(uow, actor, conversation_id)
    require_ai_allowed(uow, conv)
    messages = repo.conversation_messages(uow.session, conv.workspace_id, conv.id)
    hits = kb.search(uow, conv.workspace_id, latest_question(messages))
    citations = [(h.article.published_title or "", h.article.slug) for h in hits]
    if ai_settings(uow, conv.workspace_id).provider == "none":
        answer = extractive_answer(latest_question(messages), hits)
        if not answer:
            return conv, AssistResult("draft", source="retrieval", error="No published help article matches this "
                                      "question. Write the reply yourself, or add an article to the knowledge base.",
                                      error_code="no_article")
        draft = _store(uow, conv, _cipher(uow, conv), actor, "draft", answer, "retrieval", None, 0)
        return conv, AssistResult("draft", answer, "retrieval", [], citations[:1], draft_id=draft.id)
    prompt = draft_prompt(_business(uow, conv.workspace_id), messages, hits)
    return conv, _prepare(uow, actor, conv, "draft", prompt, DRAFT_TOKENS, citations, stream)


def _summary_inputs(uow: UnitOfWork, actor: Actor, conversation_id: str) -> tuple[Conversation,
                                                                                  _Request | AssistResult]:
    actor.require(Perm.CONVERSATION_READ_RAW)
    conv = access_conversation(uow, actor, conversation_id)
    require_ai_allowed(uow, conv)
    if ai_settings(uow, conv.workspace_id).provider == "none":
        return conv, AssistResult("summary", source="retrieval", error="Summaries need an AI provider (AI settings).",
                                  error_code="ai_not_configured")
    messages = repo.conversation_messages(uow.session, conv.workspace_id, conv.id)
    prompt = summary_prompt(_business(uow, conv.workspace_id), messages)
    return conv, _prepare(uow, actor, conv, "summary", prompt, SUMMARY_TOKENS, [], False)


def draft_reply(uow: UnitOfWork, actor: Actor, conversation_id: str, *, stream: bool = False) -> AssistResult:
    """In the caller's unit of work (its transaction stays open during the provider call: prefer
    ``draft_reply_unlocked`` wherever the caller does not already hold a unit of work)."""
    conv, req = _draft_inputs(uow, actor, conversation_id, stream)
    if isinstance(req, AssistResult):
        return req
    return _record(uow, actor, conv, req, _call(req))


def summarize(uow: UnitOfWork, actor: Actor, conversation_id: str) -> AssistResult:
    conv, req = _summary_inputs(uow, actor, conversation_id)
    if isinstance(req, AssistResult):
        return req
    return _record(uow, actor, conv, req, _call(req))


def _unlocked(app: AppContext, actor: Actor, request_id: str | None,
              gather: Callable[[UnitOfWork], tuple[Conversation, _Request | AssistResult]]) -> AssistResult:
    """Gather in one short unit of work, call the provider with no transaction open (on SQLite, no write lock
    held for seconds), then log the call and store the draft in a second short unit of work (ADR 0007)."""
    with app.unit_of_work(request_id) as uow:
        _conv, req = gather(uow)
    if isinstance(req, AssistResult):
        return req
    outcome = _call(req)
    with app.unit_of_work(request_id) as uow:
        # Re-read: the conversation may have been erased or moved while the provider answered.
        conv = get_scoped(uow.session, Conversation, req.conversation_id, workspace_id=actor.workspace_id,
                          what="conversation")
        return _record(uow, actor, conv, req, outcome)


def draft_reply_unlocked(app: AppContext, actor: Actor, conversation_id: str, *, stream: bool = False,
                         request_id: str | None = None) -> AssistResult:
    """``draft_reply`` with its own short units of work and no transaction open during the provider call."""
    return _unlocked(app, actor, request_id, lambda uow: _draft_inputs(uow, actor, conversation_id, stream))


def summarize_unlocked(app: AppContext, actor: Actor, conversation_id: str,
                       request_id: str | None = None) -> AssistResult:
    return _unlocked(app, actor, request_id, lambda uow: _summary_inputs(uow, actor, conversation_id))


def suggest_articles(uow: UnitOfWork, actor: Actor, conversation_id: str, typed: str = "") -> list[kb.Hit]:
    """While the agent types: articles matching the typed text, else the customer's latest question (only
    when the customer's data may be processed by the assistant)."""
    actor.require(Perm.CONVERSATION_READ)
    conv = access_conversation(uow, actor, conversation_id)
    query = typed.strip()[:500]
    if not query:
        if not ai_allowed(uow, conv):
            return []
        query = latest_question(repo.conversation_messages(uow.session, conv.workspace_id, conv.id))
    return kb.search(uow, conv.workspace_id, query)


def unfilled_placeholders(text: str) -> list[str]:
    return list(dict.fromkeys(PLACEHOLDER_LIKE.findall(text)))


def send_draft(uow: UnitOfWork, actor: Actor, conversation_id: str, draft_id: str, body: str,
               client_message_id: str | None = None) -> Received:
    """Send the (possibly edited) draft as the agent's reply; refused while a placeholder is left unfilled."""
    conv = access_conversation(uow, actor, conversation_id)
    draft = get_scoped(uow.session, AiDraft, draft_id, workspace_id=actor.workspace_id, what="draft")
    if draft.conversation_id != conv.id or draft.kind != "draft":
        raise ValidationFailed("this draft belongs to another conversation")
    left = unfilled_placeholders(body)
    if left:
        raise ValidationFailed(f"The draft still contains placeholders we cannot fill ({', '.join(left)}): the "
                               "AI invented or altered them. Replace them with the right details before sending.",
                               code="unfilled_placeholders")
    received = send_reply(uow, actor, conv.id, body, client_message_id)
    if received.created:
        # Write the message row first: without ORM relationships the flush may order the draft's UPDATE
        # (which points at the message) before the message's INSERT (FK error, found by test_route_roles).
        uow.session.flush()
        draft.sent_message_id = received.message.id
        record_usage(uow, conv.workspace_id, ai_messages=1)
        record(uow.session, actor, "assistant.draft.sent", target_type="message", target_id=received.message.id,
               details={"draft_id": draft.id, "source": draft.source}, request_id=uow.request_id)
    return received


def ai_message_ids(uow: UnitOfWork, workspace_id: str, message_ids: list[str]) -> set[str]:
    """Which of these messages were sent from an AI draft (the bot's are author_type 'bot')."""
    if not message_ids:
        return set()
    rows = uow.session.execute(select(AiDraft.sent_message_id).where(
        AiDraft.workspace_id == workspace_id, AiDraft.sent_message_id.in_(message_ids))).scalars()
    return {r for r in rows if r is not None}
