"""Agent-facing conversation reads and updates: audited decryption, status, assignment, tags, search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from hushdesk.audit.service import record
from hushdesk.db import UnitOfWork
from hushdesk.inbox import contacts as contact_svc
from hushdesk.inbox import repository as repo
from hushdesk.inbox.service import PRIORITIES, STATUSES, access_conversation
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import NotFound, ValidationFailed
from hushdesk.kit.ids import new_id
from hushdesk.kit.repository import scoped
from hushdesk.models import Attachment, Contact, Conversation, ConversationTag, Membership, Message, Tag
from hushdesk.realtime.bus import workspace_topic
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm


@dataclass(frozen=True)
class MessageView:
    id: str
    kind: str
    author_type: str
    author_user_id: str | None
    created_at: datetime
    body: str  # raw when revealed, redacted otherwise
    redacted: bool
    client_message_id: str | None
    attachments: list[tuple[str, str, int]]  # (id, filename or placeholder, size)


@dataclass(frozen=True)
class ConversationView:
    conversation: Conversation
    messages: list[MessageView]
    tags: list[str]
    subject: str | None
    revealed: bool


def list_conversations(uow: UnitOfWork, actor: Actor, flt: repo.ConversationFilter, *, limit: int = 50,
                       offset: int = 0) -> list[Conversation]:
    actor.require(Perm.CONVERSATION_READ)
    if flt.status and flt.status not in STATUSES:
        raise ValidationFailed(f"status must be one of {', '.join(STATUSES)}")
    return repo.list_conversations(uow.session, actor.workspace_id, flt, limit, offset)


def view_conversation(uow: UnitOfWork, actor: Actor, conversation_id: str) -> ConversationView:
    """Raw content for those allowed (one ``conversation.viewed`` audit row), redacted text for the rest."""
    conv = access_conversation(uow, actor, conversation_id)
    messages = repo.conversation_messages(uow.session, actor.workspace_id, conv.id)
    attachments = _attachments(uow, actor.workspace_id, [m.id for m in messages])
    reveal = actor.can(Perm.CONVERSATION_READ_RAW) and conv.contact_id is not None
    cipher = None
    if reveal and conv.contact_id:
        contact = uow.session.get(Contact, conv.contact_id)
        cipher = contact_svc.cipher_for(uow, contact) if contact else None
        reveal = cipher is not None
    views = []
    for m in messages:
        body = m.body_redacted
        if cipher is not None and m.body_ct is not None:
            body = cipher.decrypt(m.body_ct, f"messages.body:{m.id}")
        atts = [
            (a.id, cipher.decrypt(a.filename_ct, f"attachments.filename:{a.id}") if cipher else "attachment", a.size)
            for a in attachments.get(m.id, [])
        ]
        views.append(MessageView(m.id, m.kind, m.author_type, m.author_user_id, m.created_at, body,
                                 cipher is None, m.client_message_id, atts))
    subject = conv.subject_redacted
    if cipher is not None and conv.subject_ct is not None:
        subject = cipher.decrypt(conv.subject_ct, f"conversations.subject:{conv.id}")
    record(uow.session, actor, "conversation.viewed" if reveal else "conversation.viewed_redacted",
           target_type="conversation", target_id=conv.id, details={"contact_id": conv.contact_id},
           request_id=uow.request_id)
    tags = repo.tags_of(uow.session, actor.workspace_id, [conv.id]).get(conv.id, [])
    return ConversationView(conv, views, tags, subject, reveal)


def _attachments(uow: UnitOfWork, workspace_id: str, message_ids: list[str]) -> dict[str, list[Attachment]]:
    if not message_ids:
        return {}
    rows = uow.session.execute(
        scoped(Attachment, workspace_id=workspace_id).where(Attachment.message_id.in_(message_ids))
    ).scalars()
    out: dict[str, list[Attachment]] = {}
    for att in rows:
        out.setdefault(att.message_id, []).append(att)
    return out


def download_attachment(uow: UnitOfWork, actor: Actor, attachment_id: str) -> tuple[str, str, bytes]:
    actor.require(Perm.CONVERSATION_READ_RAW)
    att = uow.session.execute(
        scoped(Attachment, workspace_id=actor.workspace_id).where(Attachment.id == attachment_id)
    ).scalar_one_or_none()
    if att is None:
        raise NotFound("attachment not found")
    msg = uow.session.get(Message, att.message_id)
    conv = uow.session.get(Conversation, msg.conversation_id) if msg else None
    contact = uow.session.get(Contact, conv.contact_id) if conv and conv.contact_id else None
    if contact is None:
        raise NotFound("attachment not found")
    cipher = contact_svc.cipher_for(uow, contact)
    record(uow.session, actor, "attachment.downloaded", target_type="attachment", target_id=att.id,
           request_id=uow.request_id)
    return (cipher.decrypt(att.filename_ct, f"attachments.filename:{att.id}"), att.content_type,
            cipher.decrypt_bytes(att.data_ct, f"attachments.data:{att.id}"))


def _changed(uow: UnitOfWork, actor: Actor, conv: Conversation, action: str, details: dict[str, object]) -> None:
    conv.updated_at = utcnow()
    record(uow.session, actor, action, target_type="conversation", target_id=conv.id, details=details,
           request_id=uow.request_id)
    event = {"type": "conversation.updated", "conversation_id": conv.id, "status": conv.status}
    bus = uow.app.events
    uow.after_commit(lambda: bus.publish(workspace_topic(conv.workspace_id), event))


def set_status(uow: UnitOfWork, actor: Actor, conversation_id: str, status: str) -> Conversation:
    actor.require(Perm.CONVERSATION_UPDATE)
    conv = access_conversation(uow, actor, conversation_id)  # a foreign id is 404 whatever the input
    if status not in STATUSES:
        raise ValidationFailed(f"status must be one of {', '.join(STATUSES)}")
    old = conv.status
    conv.status = status
    conv.resolved_at = utcnow() if status in ("resolved", "closed") else None
    _changed(uow, actor, conv, "conversation.status_changed", {"from": old, "to": status})
    return conv


def set_priority(uow: UnitOfWork, actor: Actor, conversation_id: str, priority: str) -> Conversation:
    actor.require(Perm.CONVERSATION_UPDATE)
    conv = access_conversation(uow, actor, conversation_id)
    if priority not in PRIORITIES:
        raise ValidationFailed(f"priority must be one of {', '.join(PRIORITIES)}")
    conv.priority = priority
    _changed(uow, actor, conv, "conversation.priority_changed", {"to": priority})
    return conv


def assign(uow: UnitOfWork, actor: Actor, conversation_id: str, assignee_id: str | None) -> Conversation:
    actor.require(Perm.CONVERSATION_UPDATE)
    conv = access_conversation(uow, actor, conversation_id)
    if assignee_id is not None:
        member = uow.session.execute(
            scoped(Membership, workspace_id=actor.workspace_id).where(Membership.user_id == assignee_id)
        ).scalar_one_or_none()
        if member is None:
            raise NotFound("assignee not found")
    conv.assignee_id = assignee_id
    _changed(uow, actor, conv, "conversation.assigned", {"assignee_id": assignee_id})
    return conv


def _tag(uow: UnitOfWork, workspace_id: str, name: str) -> Tag:
    name = name.strip().lower()
    if not name or len(name) > 50:
        raise ValidationFailed("tag must be 1-50 characters")
    tag = uow.session.execute(
        scoped(Tag, workspace_id=workspace_id).where(Tag.name == name)
    ).scalar_one_or_none()
    if tag is None:
        tag = Tag(id=new_id("tg"), workspace_id=workspace_id, name=name)
        uow.session.add(tag)
        uow.session.flush()
    return tag


def add_tag(uow: UnitOfWork, actor: Actor, conversation_id: str, name: str) -> list[str]:
    actor.require(Perm.CONVERSATION_UPDATE)
    conv = access_conversation(uow, actor, conversation_id)
    tag = _tag(uow, actor.workspace_id, name)
    exists = uow.session.get(ConversationTag, (conv.id, tag.id))
    if exists is None:
        uow.session.add(ConversationTag(conversation_id=conv.id, tag_id=tag.id))
        _changed(uow, actor, conv, "conversation.tagged", {"tag": tag.name})
    uow.session.flush()
    return repo.tags_of(uow.session, actor.workspace_id, [conv.id]).get(conv.id, [])


def remove_tag(uow: UnitOfWork, actor: Actor, conversation_id: str, name: str) -> list[str]:
    actor.require(Perm.CONVERSATION_UPDATE)
    conv = access_conversation(uow, actor, conversation_id)
    tag = uow.session.execute(
        scoped(Tag, workspace_id=actor.workspace_id).where(Tag.name == name.strip().lower())
    ).scalar_one_or_none()
    if tag is not None:
        uow.session.execute(delete(ConversationTag).where(
            ConversationTag.conversation_id == conv.id, ConversationTag.tag_id == tag.id))
        _changed(uow, actor, conv, "conversation.untagged", {"tag": tag.name})
    return repo.tags_of(uow.session, actor.workspace_id, [conv.id]).get(conv.id, [])


def search(uow: UnitOfWork, actor: Actor, query: str, limit: int = 50, *,
           spam: bool | None = None) -> list[Conversation]:
    """Full-text over redacted text, plus exact contact lookup by email/phone through the blind index.
    ``spam``: None finds both, False leaves the Spam folder out, True searches only it."""
    actor.require(Perm.SEARCH)
    query = query.strip()[:200]
    if not query:
        return []
    conv_ids: list[str] = []
    for kind in ("email", "phone"):
        if (kind == "email" and "@" in query) or (kind == "phone" and sum(c.isdigit() for c in query) >= 7):
            contact = contact_svc.find_by_identity(uow, actor.workspace_id, kind, query)
            if contact is not None:
                conv_ids += uow.session.execute(
                    scoped(Conversation, workspace_id=actor.workspace_id)
                    .where(Conversation.contact_id == contact.id).with_only_columns(Conversation.id)
                ).scalars().all()
    conv_ids += [c for _, c in repo.search_message_ids(uow.session, actor.workspace_id, query, limit * 3)]
    ordered = list(dict.fromkeys(conv_ids))[:limit]
    if not ordered:
        return []
    stmt = scoped(Conversation, workspace_id=actor.workspace_id).where(Conversation.id.in_(ordered))
    if spam is not None:
        stmt = stmt.where(Conversation.spam == spam)
    rows = uow.session.execute(stmt).scalars().all()
    by_id = {c.id: c for c in rows}
    return [by_id[c] for c in ordered if c in by_id]


def tag_names(uow: UnitOfWork, actor: Actor) -> list[str]:
    actor.require(Perm.CONVERSATION_READ)
    return list(uow.session.execute(
        select(Tag.name).where(Tag.workspace_id == actor.workspace_id).order_by(Tag.name)).scalars())
