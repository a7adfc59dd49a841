"""Where a contact's rows are, table by table: the one map access exports and erasure both walk.

Every query starts from the workspace-scoped base and follows an indexed path from the contact
(conversations.contact_id, messages(conversation_id, ...), attachments.message_id...), so the cost follows the
subject, not the size of the database. A test fails when a table that holds a contact's personal data (per the
data map) has no locator here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, select

from hushdesk.kit.repository import scoped
from hushdesk.models import (
    AiCall,
    AiDraft,
    Attachment,
    AudioClip,
    ConsentEvent,
    Contact,
    ContactIdentity,
    Conversation,
    DataSubjectRequest,
    Message,
    Order,
    OutboundEmail,
    ProcessingFlag,
    VisitorSession,
)

Locator = Callable[[str, str], Select[Any]]


def conversation_ids(workspace_id: str, contact_id: str) -> Select[Any]:
    return select(Conversation.id).where(Conversation.workspace_id == workspace_id,
                                         Conversation.contact_id == contact_id)


def message_ids(workspace_id: str, contact_id: str) -> Select[Any]:
    return select(Message.id).where(Message.workspace_id == workspace_id,
                                    Message.conversation_id.in_(conversation_ids(workspace_id, contact_id)))


LOCATORS: dict[str, Locator] = {
    "contacts": lambda ws, c: scoped(Contact, workspace_id=ws).where(Contact.id == c),
    "contact_identities": lambda ws, c: scoped(ContactIdentity, workspace_id=ws).where(
        ContactIdentity.contact_id == c).order_by(ContactIdentity.created_at),
    "orders": lambda ws, c: scoped(Order, workspace_id=ws).where(Order.contact_id == c).order_by(Order.placed_at),
    "conversations": lambda ws, c: scoped(Conversation, workspace_id=ws).where(
        Conversation.contact_id == c).order_by(Conversation.created_at),
    "messages": lambda ws, c: scoped(Message, workspace_id=ws).where(
        Message.conversation_id.in_(conversation_ids(ws, c))).order_by(Message.conversation_id, Message.created_at),
    "attachments": lambda ws, c: scoped(Attachment, workspace_id=ws).where(
        Attachment.message_id.in_(message_ids(ws, c))),
    "visitor_sessions": lambda ws, c: scoped(VisitorSession, workspace_id=ws).where(VisitorSession.contact_id == c),
    "processing_flags": lambda ws, c: scoped(ProcessingFlag, workspace_id=ws).where(ProcessingFlag.contact_id == c),
    "consent_events": lambda ws, c: scoped(ConsentEvent, workspace_id=ws).where(
        ConsentEvent.contact_id == c).order_by(ConsentEvent.created_at),
    "dsr_requests": lambda ws, c: scoped(DataSubjectRequest, workspace_id=ws).where(
        DataSubjectRequest.contact_id == c).order_by(DataSubjectRequest.received_at),
    "outbound_emails": lambda ws, c: scoped(OutboundEmail, workspace_id=ws).where(OutboundEmail.contact_id == c),
    # AI assistant: the redacted AI-call log, encrypted drafts/summaries and encrypted reply audio.
    "ai_calls": lambda ws, c: scoped(AiCall, workspace_id=ws).where(
        AiCall.conversation_id.in_(conversation_ids(ws, c))).order_by(AiCall.created_at),
    "ai_drafts": lambda ws, c: scoped(AiDraft, workspace_id=ws).where(
        AiDraft.conversation_id.in_(conversation_ids(ws, c))).order_by(AiDraft.created_at),
    "audio_clips": lambda ws, c: scoped(AudioClip, workspace_id=ws).where(
        AudioClip.conversation_id.in_(conversation_ids(ws, c))),
}


def place(table: str, column: str, row_id: str) -> str:
    """The associated-data place string every ciphertext is bound to: ``<table>.<column without _ct>:<id>``."""
    return f"{table}.{column.removesuffix('_ct')}:{row_id}"
