"""The contract between channels and the inbox core.

An adapter parses and validates what its channel delivers, derives an idempotency key (so a webhook retry or
a reconnecting client never duplicates a message), and calls ``inbox.service.receive_message``. Delivering
outbound messages goes the other way through ``deliver``. New channels (email, Gmail, Messenger) implement this
protocol and register themselves; the inbox core does not change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from hushdesk.db import UnitOfWork

IDENTITY_KINDS = ("email", "phone", "webchat", "messenger", "api", "external")


@dataclass(frozen=True)
class ContactHint:
    """How the channel identifies the sender, plus what it tells us about them."""

    identity_kind: str
    identity_value: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    locale: str | None = None


@dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class InboundMessage:
    channel: str
    sender: ContactHint
    body: str
    # Idempotency key, unique per conversation: a client message id, an email Message-ID, a webhook mid.
    client_message_id: str | None = None
    # Set when the channel already knows the conversation (web-chat session, API reply).
    conversation_id: str | None = None
    # A channel-level thread reference (email thread, Messenger thread) used to find the conversation.
    thread_ref: str | None = None
    subject: str | None = None
    attachments: tuple[InboundAttachment, ...] = field(default_factory=tuple)
    # Channel-level spam signals the text cannot show (e.g. "honeypot": a web-chat pre-chat trap was filled).
    spam_hints: tuple[str, ...] = ()


class ChannelAdapter(Protocol):
    name: str

    def deliver(self, uow: UnitOfWork, message_id: str) -> None:
        """Send an outbound message (already stored) to the customer over this channel."""


_ADAPTERS: dict[str, ChannelAdapter] = {}


def register_adapter(adapter: ChannelAdapter) -> None:
    _ADAPTERS[adapter.name] = adapter


def adapter_for(channel: str) -> ChannelAdapter | None:
    return _ADAPTERS.get(channel)
