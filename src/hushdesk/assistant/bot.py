"""The auto-answer bot on the web chat: answers from the knowledge base, hands off to a human on request, on low
confidence, on topics the workspace lists, on any provider trouble, and for contacts who opted out of AI.

Its replies go through ``inbox.service.send_reply`` with a bot actor (author_type "bot"): encrypted, redacted
and pushed live like every other message. Once a conversation is handed off (tag ``needs-human``), assigned,
or answered by a person, the bot stays silent in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hushdesk.assistant import kb
from hushdesk.assistant.calls import ai_allowed, log_call
from hushdesk.assistant.prompting import bot_prompt, extractive_answer, prompt_text, rehydrate
from hushdesk.assistant.providers import ChatMessage, Completion, Provider, ProviderError
from hushdesk.assistant.settings import ai_settings, provider_for
from hushdesk.audit.service import record
from hushdesk.db import UnitOfWork
from hushdesk.inbox import contacts as contact_svc
from hushdesk.inbox import conversations as conv_svc
from hushdesk.inbox import repository as repo
from hushdesk.inbox.redacting import load_state
from hushdesk.inbox.service import send_reply
from hushdesk.metering.service import UsageLimitReached, check_limits, record_usage
from hushdesk.models import Contact, Conversation, Message, Workspace
from hushdesk.tenancy.actor import Actor

if TYPE_CHECKING:
    from hushdesk.context import AppContext

HANDOFF_TAG = "needs-human"
BOT_NAME = "Assistant"
HUMAN_REQUEST = re.compile(
    r"\b(human|real person|a person|agent|operator|representative|someone|somebody|talk to|speak to|"
    r"support team|staff)\b", re.IGNORECASE)
HANDOFF_TEXT = "Thanks, I'm passing this to a member of our team. Someone will reply here as soon as possible."
BOT_FOOTER = "\n\n— Automatic answer from our assistant. Write “human” to talk to a person."


def bot_actor(workspace_id: str) -> Actor:
    return Actor(workspace_id=workspace_id, kind="system", id=None, name=BOT_NAME)


@dataclass(frozen=True)
class BotOutcome:
    action: str  # answered | handoff | silent
    reason: str


def _silent_reason(uow: UnitOfWork, conv: Conversation, messages: list[Message]) -> str | None:
    if conv.assignee_id is not None:
        return "assigned"
    if any(m.author_type == "user" and m.kind == "outbound" for m in messages):
        return "human_replied"
    tags = repo.tags_of(uow.session, conv.workspace_id, [conv.id]).get(conv.id, [])
    if HANDOFF_TAG in tags:
        return "handed_off"
    return None


def _handoff(uow: UnitOfWork, conv: Conversation, reason: str) -> BotOutcome:
    actor = bot_actor(conv.workspace_id)
    conv_svc.add_tag(uow, actor, conv.id, HANDOFF_TAG)
    send_reply(uow, actor, conv.id, HANDOFF_TEXT)
    record(uow.session, actor, "assistant.bot.handoff", target_type="conversation", target_id=conv.id,
           details={"reason": reason}, request_id=uow.request_id)
    return BotOutcome("handoff", reason)


def _topic(text: str, topics: str) -> str | None:
    lowered = text.lower()
    for topic in topics.splitlines():
        if topic and re.search(rf"\b{re.escape(topic)}", lowered):
            return topic
    return None


@dataclass(frozen=True)
class _ProviderPlan:
    """Everything the provider call needs, gathered in a short unit of work (no transaction during the call)."""

    message_id: str
    conversation_id: str
    prompt: list[ChatMessage]
    provider: Provider
    model: str  # the configured model name, for logging a failed call


def answer_visitor(uow: UnitOfWork, message_id: str) -> BotOutcome:
    """Decide and act on one inbound web-chat message inside the caller's unit of work (tests, tools)."""
    plan = _plan(uow, message_id)
    if isinstance(plan, BotOutcome):
        return plan
    completion, error = _call(plan)
    return _finish(uow, plan, completion, error)


def answer_visitor_unlocked(app: AppContext, message_id: str) -> BotOutcome:
    """Job body: decide in one short unit of work, call the provider with no transaction open (a slow model
    must not hold SQLite's write lock), then act in a second short unit of work."""
    with app.unit_of_work() as uow:
        plan = _plan(uow, message_id)
    if isinstance(plan, BotOutcome):
        return plan
    completion, error = _call(plan)
    with app.unit_of_work() as uow:
        return _finish(uow, plan, completion, error)


def _call(plan: _ProviderPlan) -> tuple[Completion | None, str | None]:
    try:
        return plan.provider.complete(plan.prompt, max_tokens=300), None
    except ProviderError as exc:
        return None, exc.code


def _plan(uow: UnitOfWork, message_id: str) -> BotOutcome | _ProviderPlan:
    msg = uow.session.get(Message, message_id)
    if msg is None or msg.kind != "inbound" or msg.author_type != "contact":
        return BotOutcome("silent", "not_a_visitor_message")
    settings = ai_settings(uow, msg.workspace_id)
    conv = uow.session.get(Conversation, msg.conversation_id)
    if not settings.bot_enabled or conv is None or conv.channel != "webchat":
        return BotOutcome("silent", "bot_off")
    messages = repo.conversation_messages(uow.session, conv.workspace_id, conv.id)
    silent = _silent_reason(uow, conv, messages)
    if silent:
        return BotOutcome("silent", silent)
    if not ai_allowed(uow, conv):
        return _handoff(uow, conv, "ai_not_allowed")  # nothing of theirs is processed: a fixed text only
    question = msg.body_redacted
    if HUMAN_REQUEST.search(question):
        return _handoff(uow, conv, "asked_for_human")
    topic = _topic(question, settings.bot_handoff_topics)
    if topic:
        return _handoff(uow, conv, "topic")
    hits = kb.search(uow, conv.workspace_id, question)
    if not hits or hits[0].score < settings.bot_min_score:
        return _handoff(uow, conv, "low_confidence")
    if settings.provider == "none":
        return _reply(uow, conv, extractive_answer(question, hits), settings.provider)
    try:
        check_limits(uow, conv.workspace_id)
    except UsageLimitReached:
        return _handoff(uow, conv, "provider_failed")
    ws = uow.session.get(Workspace, conv.workspace_id)
    prompt = bot_prompt(ws.name if ws else "this business", messages, hits)
    return _ProviderPlan(msg.id, conv.id, prompt, provider_for(uow, conv.workspace_id), settings.model or "")


def _finish(uow: UnitOfWork, plan: _ProviderPlan, completion: Completion | None, error: str | None) -> BotOutcome:
    conv = uow.session.get(Conversation, plan.conversation_id)
    if conv is None:
        return BotOutcome("silent", "conversation_gone")
    if completion is None:
        log_call(uow, conv.workspace_id, feature="bot", provider="openai", model=plan.model,
                 prompt=prompt_text(plan.prompt), conversation_id=conv.id, error=error or "provider_error")
        return _handoff(uow, conv, "provider_failed")
    contact = uow.session.get(Contact, conv.contact_id) if conv.contact_id else None
    if contact is None:
        return BotOutcome("silent", "contact_erased")  # erased while the provider answered: store nothing
    filled = rehydrate(load_state(conv, contact_svc.cipher_for(uow, contact)), completion.text)
    log_call(uow, conv.workspace_id, feature="bot", provider=plan.provider.name, model=completion.model,
             prompt=prompt_text(plan.prompt), conversation_id=conv.id, completion=completion,
             unknown_placeholders=len(filled.unknown))
    if filled.unknown:
        return _handoff(uow, conv, "provider_failed")  # never send a placeholder we cannot fill
    return _reply(uow, conv, filled.text, plan.provider.name)


def _reply(uow: UnitOfWork, conv: Conversation, answer: str, provider: str) -> BotOutcome:
    if not answer.strip() or answer.strip().upper().startswith("HANDOFF"):
        return _handoff(uow, conv, "model_declined")
    send_reply(uow, bot_actor(conv.workspace_id), conv.id, answer.strip() + BOT_FOOTER)
    record_usage(uow, conv.workspace_id, ai_messages=1)
    return BotOutcome("answered", provider)
