"""Conversations and messages: the ingestion pipeline and agent actions.

``receive_message`` is the one path every channel's inbound message takes (DESIGN section 1): contact by
blind index, body encrypted under the contact's key, redacted copy with conversation-wide placeholders, anonymous
analytics event, audit row; live push and jobs only after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, inspect, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from hushdesk.audit.service import record
from hushdesk.channels.base import InboundMessage, adapter_for
from hushdesk.crypto.keyring import ContactCipher
from hushdesk.db import UnitOfWork, autoflush
from hushdesk.inbox import contacts as contact_svc
from hushdesk.inbox.redacting import redact_for_conversation, redact_with_new_state
from hushdesk.kit.clock import utcnow
from hushdesk.kit.direct_sql import DirectStatement
from hushdesk.kit.errors import NotFound, TooLarge, ValidationFailed
from hushdesk.kit.ids import new_id
from hushdesk.kit.repository import get_scoped, scoped
from hushdesk.models import AnalyticsEvent, Attachment, Contact, Conversation, ConversationCounter, Message
from hushdesk.privacy.service import processing_allowed
from hushdesk.realtime.bus import conversation_topic, visitor_topic, workspace_topic
from hushdesk.spam.service import screen as screen_spam
from hushdesk.tenancy.actor import Actor, system_actor
from hushdesk.tenancy.permissions import Perm

STATUSES = ("open", "pending", "resolved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")


@dataclass(frozen=True)
class Received:
    message: Message
    conversation: Conversation
    created: bool  # False when an idempotent retry returned the stored message


def _hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


_INSERT_ANALYTICS = DirectStatement(insert(AnalyticsEvent))  # built once; skips the ORM's flush work


def analytics(uow: UnitOfWork, workspace_id: str, kind: str, channel: str | None, *,
              contact_id: str | None = None) -> None:
    """Anonymous by construction: no contact, no conversation, no text, hour resolution. The contact is only
    asked about, never stored: a restricted or objecting contact (privacy.service) emits nothing."""
    if not processing_allowed(uow, contact_id, "analytics"):
        return
    _INSERT_ANALYTICS.execute(uow.session.connection(), {
        "id": new_id("ae"), "workspace_id": workspace_id, "kind": kind, "channel": channel,
        "hour": _hour(utcnow())})


def _validate_body(uow: UnitOfWork, body: str) -> str:
    if not isinstance(body, str):
        raise ValidationFailed("message body must be text")
    body = body.replace("\x00", "")
    if not body.strip():
        raise ValidationFailed("message body is empty", code="empty_message")
    limit = uow.app.settings.max_message_chars
    if len(body) > limit:
        raise TooLarge(f"message is longer than {limit} characters", code="message_too_long")
    return body


def _next_number(uow: UnitOfWork, workspace_id: str) -> int:
    uow.session.execute(
        update(ConversationCounter).where(ConversationCounter.workspace_id == workspace_id)
        .values(value=ConversationCounter.value + 1)
    )
    return int(uow.session.execute(
        select(ConversationCounter.value).where(ConversationCounter.workspace_id == workspace_id)
    ).scalar_one())


def _open_conversation(uow: UnitOfWork, contact: Contact, inbound: InboundMessage, cipher: ContactCipher,
                       known_names: list[str]) -> Conversation:
    now = utcnow()
    conv = Conversation(
        id=new_id("cv"), workspace_id=contact.workspace_id, number=_next_number(uow, contact.workspace_id),
        contact_id=contact.id, channel=inbound.channel, channel_ref=inbound.thread_ref, status="open",
        priority="normal", updated_at=now, last_message_at=now, message_count=0,
    )
    uow.session.add(conv)
    uow.session.flush()
    if inbound.subject:
        subject = inbound.subject[:300]
        conv.subject_ct = cipher.encrypt(subject, f"conversations.subject:{conv.id}")
        conv.subject_redacted = redact_for_conversation(uow, conv, cipher, subject, known_names)[:300]
    record(uow.session, None, "conversation.created", workspace_id=contact.workspace_id,
           target_type="conversation", target_id=conv.id, details={"channel": inbound.channel},
           request_id=uow.request_id)
    analytics(uow, contact.workspace_id, "conversation.created", inbound.channel, contact_id=contact.id)
    return conv


def _find_conversation(uow: UnitOfWork, workspace_id: str, contact: Contact,
                       inbound: InboundMessage) -> Conversation | None:
    if inbound.conversation_id:
        conv = get_scoped(uow.session, Conversation, inbound.conversation_id, workspace_id=workspace_id,
                          what="conversation")
        if conv.contact_id != contact.id:
            raise NotFound("conversation not found")
        return conv
    if inbound.thread_ref:
        stmt = scoped(Conversation, workspace_id=workspace_id).where(
            Conversation.channel == inbound.channel, Conversation.channel_ref == inbound.thread_ref,
            Conversation.contact_id == contact.id,
        )
        return uow.session.execute(stmt.order_by(Conversation.created_at.desc()).limit(1)).scalar_one_or_none()
    return None


_BY_CLIENT_ID = DirectStatement(select(Message.id).where(Message.conversation_id == bindparam("conv"),
                                                         Message.client_message_id == bindparam("client_id")))


def _existing_message(uow: UnitOfWork, conv: Conversation, client_message_id: str | None) -> Message | None:
    """The message an earlier try with this client message id stored. Asked before every new message, almost
    always in vain: the id alone, on the connection (no ORM query), and the row only when there is one. A
    message added earlier in this unit of work (one job storing several emails) is flushed first, as the ORM
    query's autoflush did, so it is found too."""
    if not client_message_id:
        return None
    autoflush(uow.session)
    params = {"conv": conv.id, "client_id": client_message_id}
    found = _BY_CLIENT_ID.first(uow.session.connection(), params)
    return None if found is None else uow.session.get(Message, found[0])


_INSERT_MESSAGE = DirectStatement(insert(Message))  # built once, like the statement below
_TOUCH_CONVERSATION = DirectStatement(
    update(Conversation).where(Conversation.id == bindparam("b_id"))
    .values(placeholders_ct=bindparam("b_placeholders_ct"), message_count=bindparam("b_message_count"),
            last_message_at=bindparam("b_last_message_at"), updated_at=bindparam("b_updated_at"))
)


def _store_message(uow: UnitOfWork, conv: Conversation, cipher: ContactCipher, *, kind: str, author_type: str,
                   author_user_id: str | None, body: str, client_message_id: str | None,
                   known_names: list[str]) -> Message:
    msg_id = new_id("m")
    now = utcnow()
    redacted, placeholders_ct = redact_with_new_state(uow, conv, cipher, body, known_names)
    values: dict[str, Any] = {
        "id": msg_id, "workspace_id": conv.workspace_id, "conversation_id": conv.id, "kind": kind,
        "author_type": author_type, "author_user_id": author_user_id, "key_id": cipher.key_id,
        "body_ct": cipher.encrypt(body, f"messages.body:{msg_id}"), "body_redacted": redacted,
        "client_message_id": client_message_id, "created_at": now,
    }
    touched = {"placeholders_ct": placeholders_ct, "message_count": conv.message_count + 1,
               "last_message_at": now, "updated_at": now}
    msg = Message(**values)
    conv_state = inspect(conv)
    if not conv_state.persistent or conv_state.modified:
        # A conversation opened (or changed) in this unit of work: the ORM writes it, so it writes the
        # message too, in dependency order.
        for attr, value in touched.items():
            setattr(conv, attr, value)
    else:
        # The common case, a message in a stored conversation: two Core statements instead of the ORM's unit
        # of work (ADR 0010: the flush was ~15 % of an ingest). The objects are told the written values as
        # their committed state, so they read them and have nothing left to flush.
        conn = uow.session.connection()
        _INSERT_MESSAGE.execute(conn, values)
        _TOUCH_CONVERSATION.execute(conn, {"b_id": conv.id, **{f"b_{k}": v for k, v in touched.items()}})
        for attr, value in touched.items():
            set_committed_value(conv, attr, value)
        make_transient_to_detached(msg)  # the row is written: the object joins the session as stored, not new
    uow.session.add(msg)
    return msg


def _publish_message(uow: UnitOfWork, conv: Conversation, msg: Message, body: str) -> None:
    """After commit: the conversation topic (visitor widget, open agent views) and the inbox topic."""
    bus = uow.app.events
    event: dict[str, Any] = {
        "type": "message.created", "conversation_id": conv.id, "message_id": msg.id, "kind": msg.kind,
        "author_type": msg.author_type, "created_at": msg.created_at.isoformat(),
        "client_message_id": msg.client_message_id,
        # Plaintext travels only through the in-process bus to sockets that are already authorised
        # (the contact's own widget, agent views whose opening was audited); it is never persisted.
        "body": body,
    }
    inbox_event = {"type": "conversation.updated", "conversation_id": conv.id, "status": conv.status}
    uow.after_commit(lambda: bus.publish(conversation_topic(conv.id), event))
    if msg.kind != "note":
        uow.after_commit(lambda: bus.publish(visitor_topic(conv.id), event))
    if not conv.spam:  # spam stays out of agents' live inbox (it waits in the Spam folder)
        uow.after_commit(lambda: bus.publish(workspace_topic(conv.workspace_id), inbox_event))


def receive_message(uow: UnitOfWork, workspace_id: str, inbound: InboundMessage) -> Received:
    body = _validate_body(uow, inbound.body)
    if inbound.client_message_id is not None and not 1 <= len(inbound.client_message_id) <= 64:
        raise ValidationFailed("client message id must be 1-64 characters")
    contact = contact_svc.find_or_create(uow, workspace_id, inbound.sender, None)
    cipher = contact_svc.cipher_for(uow, contact)
    known = [n for n in (inbound.sender.name,) if n]
    conv = _find_conversation(uow, workspace_id, contact, inbound)
    if conv is not None:
        existing = _existing_message(uow, conv, inbound.client_message_id)
        if existing is not None:
            return Received(existing, conv, created=False)
    else:
        conv = _open_conversation(uow, contact, inbound, cipher, known)
    if conv.status in ("resolved", "closed", "pending"):
        conv.status = "open"
        conv.resolved_at = None
    screen_spam(uow, conv, inbound, body)  # may flag the conversation as spam; the message is kept either way
    # After the changes above, so that a conversation they touched is written in one UPDATE with the message's.
    msg = _store_message(uow, conv, cipher, kind="inbound", author_type="contact", author_user_id=None,
                         body=body, client_message_id=inbound.client_message_id, known_names=known)
    for att in inbound.attachments:
        _store_attachment(uow, msg, cipher, att.filename, att.content_type, att.data)
    analytics(uow, workspace_id, "message.inbound", inbound.channel, contact_id=contact.id)
    record(uow.session, system_actor(workspace_id, f"channel:{inbound.channel}"), "message.received",
           target_type="message", target_id=msg.id, details={"conversation_id": conv.id},
           request_id=uow.request_id)
    _publish_message(uow, conv, msg, body)
    return Received(msg, conv, created=True)


def _store_attachment(uow: UnitOfWork, msg: Message, cipher: ContactCipher, filename: str, content_type: str,
                      data: bytes) -> Attachment:
    if len(data) > uow.app.settings.max_attachment_bytes:
        raise TooLarge("attachment is too large", code="attachment_too_large")
    uow.session.flush()  # the message row must exist before its attachment (no ORM relationships to order them)
    att_id = new_id("at")
    att = Attachment(
        id=att_id, workspace_id=msg.workspace_id, message_id=msg.id, key_id=cipher.key_id,
        filename_ct=cipher.encrypt(filename[:255] or "file", f"attachments.filename:{att_id}"),
        content_type=(content_type or "application/octet-stream")[:100], size=len(data),
        data_ct=cipher.encrypt(data, f"attachments.data:{att_id}"),
    )
    uow.session.add(att)
    return att


def access_conversation(uow: UnitOfWork, actor: Actor, conversation_id: str) -> Conversation:
    """Fetch inside the actor's workspace and check read permission (404 for foreign ids)."""
    actor.require(Perm.CONVERSATION_READ)
    return get_scoped(uow.session, Conversation, conversation_id, workspace_id=actor.workspace_id,
                      what="conversation")


def _contact_cipher(uow: UnitOfWork, conv: Conversation) -> tuple[Contact, ContactCipher]:
    if conv.contact_id is None:
        raise ValidationFailed("this conversation's contact was erased", code="contact_erased")
    contact = uow.session.get(Contact, conv.contact_id)
    if contact is None:
        raise ValidationFailed("this conversation's contact was erased", code="contact_erased")
    return contact, contact_svc.cipher_for(uow, contact)


def _agent_write(uow: UnitOfWork, actor: Actor, conversation_id: str, body: str, *, kind: str,
                 client_message_id: str | None) -> Received:
    conv = access_conversation(uow, actor, conversation_id)
    body = _validate_body(uow, body)
    existing = _existing_message(uow, conv, client_message_id)
    if existing is not None:
        return Received(existing, conv, created=False)
    _, cipher = _contact_cipher(uow, conv)
    msg = _store_message(uow, conv, cipher, kind=kind, author_type="user" if actor.kind == "user" else "bot",
                         author_user_id=actor.user_id, body=body, client_message_id=client_message_id,
                         known_names=[actor.name])
    if kind == "outbound":
        if conv.first_response_at is None:
            conv.first_response_at = msg.created_at
        analytics(uow, conv.workspace_id, "message.outbound", conv.channel, contact_id=conv.contact_id)
        adapter = adapter_for(conv.channel)
        if adapter is not None:
            uow.after_commit(lambda: uow.app.jobs.enqueue("channel.deliver", {"message_id": msg.id}))
    record(uow.session, actor, f"message.{'sent' if kind == 'outbound' else 'noted'}", target_type="message",
           target_id=msg.id, details={"conversation_id": conv.id}, request_id=uow.request_id)
    _publish_message(uow, conv, msg, body)
    return Received(msg, conv, created=True)


def send_reply(uow: UnitOfWork, actor: Actor, conversation_id: str, body: str,
               client_message_id: str | None = None) -> Received:
    actor.require(Perm.CONVERSATION_REPLY)
    return _agent_write(uow, actor, conversation_id, body, kind="outbound", client_message_id=client_message_id)


def add_note(uow: UnitOfWork, actor: Actor, conversation_id: str, body: str,
             client_message_id: str | None = None) -> Received:
    actor.require(Perm.CONVERSATION_NOTE)
    return _agent_write(uow, actor, conversation_id, body, kind="note", client_message_id=client_message_id)
