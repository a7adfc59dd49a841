"""The conversation pane: messages (audited raw view or redacted), controls, contact panel, canned replies,
and the single-message lookups the live socket and the reply form need."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hushdesk.assistant.service import ai_message_ids
from hushdesk.db import UnitOfWork
from hushdesk.inbox import canned as canned_svc
from hushdesk.inbox import contacts as contact_svc
from hushdesk.inbox import conversations as conv_svc
from hushdesk.inbox import orders as order_svc
from hushdesk.inbox import repository as repo
from hushdesk.inbox.service import PRIORITIES, STATUSES, Received, access_conversation
from hushdesk.kit.errors import NotFound
from hushdesk.kit.repository import scoped
from hushdesk.models import CannedReply, Conversation, Message
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm
from hushdesk.web.inbox_view import member_names


@dataclass(frozen=True)
class MessageItem:
    """One message as the agent UI draws it (server template and live socket share this shape)."""

    id: str
    kind: str  # inbound | outbound | note
    author: str
    created_at: datetime
    body: str
    redacted: bool
    attachments: list[tuple[str, str, int]] = field(default_factory=list)
    ai: bool = False  # written by the bot or sent from an AI draft: the agent always sees which answers came from AI

    def as_event(self) -> dict[str, object]:
        return {"type": "message", "id": self.id, "kind": self.kind, "author": self.author,
                "created_at": self.created_at.isoformat(), "body": self.body, "redacted": self.redacted,
                "ai": self.ai}


@dataclass(frozen=True)
class ContactPanel:
    label: str
    revealed: bool
    contact: contact_svc.ContactView | None
    orders: list[order_svc.OrderView]


@dataclass(frozen=True)
class ConversationPage:
    conversation: Conversation
    subject: str | None
    messages: list[MessageItem]
    tags: list[str]
    revealed: bool
    contact: ContactPanel
    members: dict[str, str]
    canned: list[CannedReply]
    statuses: tuple[str, ...] = STATUSES
    priorities: tuple[str, ...] = PRIORITIES


def author_label(kind: str, author_type: str, author_user_id: str | None, members: dict[str, str]) -> str:
    if author_type == "contact":
        return "Customer"
    if author_user_id and author_user_id in members:
        return members[author_user_id]
    return "Assistant" if author_type == "bot" else "Team"


def _contact_panel(uow: UnitOfWork, actor: Actor, conv: Conversation) -> ContactPanel:
    if conv.contact_id is None:
        return ContactPanel("Erased contact", False, None, [])
    if not actor.can(Perm.CONTACT_READ_RAW):
        return ContactPanel(f"Contact {conv.contact_id[-6:]}", False, None, [])
    view = contact_svc.reveal_contact(uow, actor, conv.contact_id)
    orders = order_svc.list_orders(uow, actor, conv.contact_id)
    return ContactPanel(view.name or view.email or f"Visitor {conv.contact_id[-6:]}", True, view, orders)


def _items(uow: UnitOfWork, actor: Actor, view: conv_svc.ConversationView,
           members: dict[str, str]) -> list[MessageItem]:
    from_drafts = ai_message_ids(uow, actor.workspace_id, [m.id for m in view.messages if m.kind == "outbound"])
    return [
        MessageItem(m.id, m.kind, author_label(m.kind, m.author_type, m.author_user_id, members), m.created_at,
                    m.body, m.redacted, m.attachments, ai=m.author_type == "bot" or m.id in from_drafts)
        for m in view.messages
    ]


def message_items(uow: UnitOfWork, actor: Actor, conversation_id: str) -> list[MessageItem]:
    """The message list alone (a live view re-syncing after a reconnect); audited like any view."""
    view = conv_svc.view_conversation(uow, actor, conversation_id)
    return _items(uow, actor, view, member_names(uow, actor))


def build_conversation_page(uow: UnitOfWork, actor: Actor, conversation_id: str) -> ConversationPage:
    view = conv_svc.view_conversation(uow, actor, conversation_id)
    members = member_names(uow, actor)
    items = _items(uow, actor, view, members)
    canned = canned_svc.list_canned(uow, actor) if actor.can(Perm.CANNED_USE) else []
    return ConversationPage(view.conversation, view.subject, items, view.tags, view.revealed,
                            _contact_panel(uow, actor, view.conversation), members, canned)


def controls(uow: UnitOfWork, actor: Actor, conversation_id: str) -> tuple[Conversation, list[str], dict[str, str]]:
    """What the status/priority/assignee/tag controls show (no message content, so no audit)."""
    conv = access_conversation(uow, actor, conversation_id)
    tags = repo.tags_of(uow.session, actor.workspace_id, [conv.id]).get(conv.id, [])
    return conv, tags, member_names(uow, actor)


def live_message(uow: UnitOfWork, actor: Actor, conversation_id: str, message_id: str,
                 plaintext: str | None) -> MessageItem:
    """A message pushed to an agent who has the conversation open.

    The opening of the view was audited (``conversation.viewed``); roles allowed to read raw content get the
    plaintext the bus carried, everyone else the stored redacted text.
    """
    access_conversation(uow, actor, conversation_id)
    msg = uow.session.execute(
        scoped(Message, workspace_id=actor.workspace_id)
        .where(Message.id == message_id, Message.conversation_id == conversation_id)
    ).scalar_one_or_none()
    if msg is None:
        raise NotFound("message not found")
    raw = actor.can(Perm.CONVERSATION_READ_RAW) and plaintext is not None
    members = member_names(uow, actor)
    return MessageItem(msg.id, msg.kind, author_label(msg.kind, msg.author_type, msg.author_user_id, members),
                       msg.created_at, plaintext if raw and plaintext is not None else msg.body_redacted,
                       not raw, ai=msg.author_type == "bot")


def posted_message(uow: UnitOfWork, actor: Actor, received: Received, body: str) -> MessageItem:
    """The agent's own reply or note, echoed back into the pane that sent it."""
    msg = received.message
    raw = actor.can(Perm.CONVERSATION_READ_RAW)
    members = member_names(uow, actor)
    return MessageItem(msg.id, msg.kind, author_label(msg.kind, msg.author_type, msg.author_user_id, members),
                       msg.created_at, body if raw else msg.body_redacted, not raw)
