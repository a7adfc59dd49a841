"""Spam handling: score inbound messages, keep suspect conversations in a Spam folder, let agents decide.

Nothing is dropped. A suspect conversation is stored like any other (encrypted, redacted, audited); it is only
flagged, so the normal inbox views, counts and live "new conversation" pushes leave it out and the AI bot does
not answer it. The visitor is never told: their message is acknowledged exactly as any other.

``screen`` is the one hook the ingestion pipeline calls (inbox.service.receive_message), for every channel: it
costs no database query for a message that scores zero, and one primary-key read of the workspace (its
threshold) otherwise. Repetition is checked against in-memory fingerprints (spam.window), not the database.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

from hushdesk.audit.service import record
from hushdesk.db import UnitOfWork
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import NotFound, ValidationFailed
from hushdesk.kit.repository import get_scoped
from hushdesk.models import Conversation, Workspace
from hushdesk.realtime.bus import workspace_topic
from hushdesk.spam.scoring import DEFAULT_THRESHOLD, score
from hushdesk.spam.window import RECENT
from hushdesk.tenancy.actor import Actor, system_actor
from hushdesk.tenancy.permissions import Perm

if TYPE_CHECKING:
    from hushdesk.channels.base import InboundMessage

SETTING = "spam_threshold"  # key in the workspace's settings_json; 0 turns automatic marking off
MAX_THRESHOLD = 100.0
# Conversations opened through the workspace's own authenticated API are the business's input, not a visitor's.
UNSCREENED_CHANNELS = frozenset({"api"})


def threshold_of(ws: Workspace) -> float:
    try:
        settings = json.loads(ws.settings_json or "{}")
    except ValueError:
        return DEFAULT_THRESHOLD
    value = settings.get(SETTING) if isinstance(settings, dict) else None
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= MAX_THRESHOLD:
        return float(value)
    return DEFAULT_THRESHOLD


def screen(uow: UnitOfWork, conv: Conversation, inbound: InboundMessage, body: str) -> None:
    """Score one inbound message of ``conv`` and flag the conversation as spam when it crosses the threshold.

    Left alone: conversations an agent cleared ("not spam") or took ownership of (assigned), and channels the
    workspace itself feeds. The score and reasons kept are signal names and numbers, never text.
    """
    if inbound.channel in UNSCREENED_CHANNELS or conv.spam_source == "cleared" or conv.assignee_id is not None:
        return
    fp = RECENT.fingerprint(body)
    repeats, crowd = RECENT.counts(conv.workspace_id, conv.id, fp)
    workspace_id, conversation_id = conv.workspace_id, conv.id
    uow.after_commit(lambda: RECENT.remember(workspace_id, conversation_id, fp))
    verdict = score(body, repeats=repeats, crowd=crowd, hints=inbound.spam_hints)
    # The conversation keeps its highest score and those reasons; only a new highest score can flag it, so an
    # ordinary follow-up costs nothing more.
    if verdict.score <= 0 or verdict.score <= (conv.spam_score or 0.0):
        return
    conv.spam_score, conv.spam_reasons = verdict.score, verdict.reasons or None
    if conv.spam:
        return
    with uow.session.no_autoflush:  # the score change stays pending: the ingest writes it with its own UPDATE
        ws = uow.session.get(Workspace, conv.workspace_id)
    limit = threshold_of(ws) if ws is not None else DEFAULT_THRESHOLD
    if limit <= 0 or verdict.score < limit:
        return
    conv.spam, conv.spam_source = True, "auto"
    record(
        uow.session,
        system_actor(conv.workspace_id, "spam-filter"),
        "conversation.marked_spam",
        target_type="conversation",
        target_id=conv.id,
        details={"source": "auto", "score": verdict.score, "reasons": verdict.reasons},
        request_id=uow.request_id,
    )


def _publish(uow: UnitOfWork, conv: Conversation) -> None:
    event = {"type": "conversation.updated", "conversation_id": conv.id, "status": conv.status}
    bus = uow.app.events
    uow.after_commit(lambda: bus.publish(workspace_topic(conv.workspace_id), event))


def _conversation(uow: UnitOfWork, actor: Actor, conversation_id: str) -> Conversation:
    actor.require(Perm.CONVERSATION_UPDATE)
    return get_scoped(uow.session, Conversation, conversation_id, workspace_id=actor.workspace_id, what="conversation")


def mark_spam(uow: UnitOfWork, actor: Actor, conversation_id: str) -> Conversation:
    """An agent moves a conversation to the Spam folder (audited)."""
    conv = _conversation(uow, actor, conversation_id)
    if not conv.spam:
        conv.spam, conv.spam_source, conv.updated_at = True, "agent", utcnow()
        record(
            uow.session,
            actor,
            "conversation.marked_spam",
            target_type="conversation",
            target_id=conv.id,
            details={"source": "agent"},
            request_id=uow.request_id,
        )
        _publish(uow, conv)
    return conv


def mark_not_spam(uow: UnitOfWork, actor: Actor, conversation_id: str) -> Conversation:
    """Not spam: back to the open inbox, and automatic scoring leaves this conversation alone from now on."""
    conv = _conversation(uow, actor, conversation_id)
    if conv.spam or conv.spam_source != "cleared":
        was = conv.spam
        conv.spam, conv.spam_source, conv.updated_at = False, "cleared", utcnow()
        if was:
            conv.status, conv.resolved_at = "open", None
        record(
            uow.session,
            actor,
            "conversation.marked_not_spam",
            target_type="conversation",
            target_id=conv.id,
            details={"was_spam": was, "score": conv.spam_score, "reasons": conv.spam_reasons},
            request_id=uow.request_id,
        )
        RECENT.forget(conv.id)
        _publish(uow, conv)
    return conv


def delete_spam(uow: UnitOfWork, actor: Actor, conversation_id: str) -> None:
    """Delete a conversation that is in the Spam folder, with its messages and attachments (audited).

    Only spam can be deleted this way, so this adds no way to destroy a real conversation; the contact record
    stays (a privacy request erases a person).
    """
    conv = _conversation(uow, actor, conversation_id)
    if not conv.spam:
        raise ValidationFailed("only a conversation in the Spam folder can be deleted", code="not_spam")
    remove_spam(uow, actor, conv, {"reason": "spam"})


def remove_spam(uow: UnitOfWork, actor: Actor, conv: Conversation, details: dict[str, object]) -> None:
    """Delete a spam conversation (an agent's "Delete" or the retention purge), audited with ``details``."""
    record(uow.session, actor, "conversation.deleted", target_type="conversation", target_id=conv.id,
           details={**details, "messages": conv.message_count, "source": conv.spam_source},
           request_id=uow.request_id)
    uow.session.delete(conv)  # messages, attachments, tags and drafts go with it (ON DELETE CASCADE)
    uow.session.flush()
    _publish(uow, conv)


def get_threshold(uow: UnitOfWork, actor: Actor) -> float:
    actor.require(Perm.CONVERSATION_READ)
    ws = uow.session.get(Workspace, actor.workspace_id)
    if ws is None:
        raise NotFound("workspace not found")
    return threshold_of(ws)


def set_threshold(uow: UnitOfWork, actor: Actor, value: float) -> float:
    """Per-workspace threshold (settings manage permission, audited); 0 turns automatic marking off."""
    actor.require(Perm.SETTINGS_MANAGE)
    if not math.isfinite(value) or not 0 <= value <= MAX_THRESHOLD:
        raise ValidationFailed(f"the spam threshold must be between 0 and {MAX_THRESHOLD:g}")
    ws = uow.session.get(Workspace, actor.workspace_id)
    if ws is None:
        raise NotFound("workspace not found")
    try:
        settings = json.loads(ws.settings_json or "{}")
    except ValueError:
        settings = {}
    settings = settings if isinstance(settings, dict) else {}
    old = threshold_of(ws)
    settings[SETTING] = value
    ws.settings_json = json.dumps(settings, sort_keys=True)
    record(
        uow.session,
        actor,
        "settings.spam_threshold_changed",
        target_type="workspace",
        target_id=ws.id,
        details={"from": old, "to": value},
        request_id=uow.request_id,
    )
    return value
