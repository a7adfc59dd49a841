"""The API channel: a business's own systems open conversations for a contact identified by email."""

from __future__ import annotations

from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.db import UnitOfWork
from hushdesk.inbox.service import Received, receive_message
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm

CHANNEL = "api"


def create_conversation(uow: UnitOfWork, actor: Actor, *, email: str, name: str | None, subject: str | None,
                        body: str, client_message_id: str | None) -> Received:
    actor.require(Perm.CONVERSATION_CREATE)
    hint = ContactHint("email", email, name=name, email=email)
    # With an idempotency key, a retried create returns the conversation it made the first time.
    thread_ref = f"api:{client_message_id}" if client_message_id else None
    inbound = InboundMessage(channel=CHANNEL, sender=hint, body=body, subject=subject,
                             client_message_id=client_message_id, thread_ref=thread_ref)
    return receive_message(uow, actor.workspace_id, inbound)


def add_inbound(uow: UnitOfWork, actor: Actor, *, conversation_id: str, email: str, body: str,
                client_message_id: str | None) -> Received:
    """Append a customer message to an existing API conversation (the customer wrote again)."""
    actor.require(Perm.CONVERSATION_CREATE)
    inbound = InboundMessage(channel=CHANNEL, sender=ContactHint("email", email, email=email), body=body,
                             conversation_id=conversation_id, client_message_id=client_message_id)
    return receive_message(uow, actor.workspace_id, inbound)
