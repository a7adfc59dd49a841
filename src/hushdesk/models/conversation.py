"""Conversations, messages, attachments, tags and canned replies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from hushdesk.models.base import (
    Base,
    IdPk,
    PiiOptions,
    Timestamped,
    UTCDateTime,
    WorkspaceOwned,
    encrypted_pii,
    pii,
    plain,
)

REDACTED: PiiOptions = {"erasure": "keep_redacted", "purpose": "analytics", "legal_basis": "legitimate_interest"}


class Conversation(IdPk, Timestamped, WorkspaceOwned, Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_ws_status_last", "workspace_id", "status", "last_message_at"),
        Index("ix_conversations_ws_assignee", "workspace_id", "assignee_id"),
        # Tenant-scoped lookups by contact (exports, erasure) must not fall back to the workspace index.
        Index("ix_conversations_ws_contact", "workspace_id", "contact_id"),
        # The Spam folder lists a workspace's spam newest first (the normal views filter spam out).
        Index("ix_conversations_ws_spam_last", "workspace_id", "spam", "last_message_at"),
    )

    number: Mapped[int] = mapped_column(Integer, nullable=False, info=plain())
    # Nullable: erasure unlinks the redacted conversation from the (deleted) contact.
    contact_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("contacts.id", ondelete="SET NULL"), index=True, info=plain()
    )
    channel: Mapped[str] = mapped_column(String(20), nullable=False, info=plain())
    channel_ref: Mapped[str | None] = mapped_column(String(64), info=plain())
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="open", info=plain())
    priority: Mapped[str] = mapped_column(String(20), nullable=False, default="normal", info=plain())
    assignee_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL"), info=plain()
    )
    subject_redacted: Mapped[str | None] = mapped_column(String(300), info=pii("user.content.subject", **REDACTED))
    subject_ct: Mapped[bytes | None] = mapped_column(LargeBinary, info=encrypted_pii("user.content.subject"))
    # Placeholder numbering state for the whole conversation; holds originals, so encrypted.
    placeholders_ct: Mapped[bytes | None] = mapped_column(LargeBinary, info=encrypted_pii("user.content.mapping"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    message_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())
    # Spam (hushdesk.spam): the flag hides the conversation from the normal inbox. Score and reasons are signal
    # names and numbers only ("links=3 phrases=2"), never message text. spam_source: "auto" (scored), "agent"
    # (marked by hand) or "cleared" (an agent said "not spam": automatic scoring leaves it alone from then on).
    spam: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false(),
                                       info=plain())
    spam_score: Mapped[float | None] = mapped_column(Float, info=plain())
    spam_reasons: Mapped[str | None] = mapped_column(String(200), info=plain())
    spam_source: Mapped[str | None] = mapped_column(String(10), info=plain())


class Message(IdPk, Timestamped, WorkspaceOwned, Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "client_message_id"),
        Index("ix_messages_conversation_created", "conversation_id", "created_at"),
        Index("ix_messages_ws_conversation_created", "workspace_id", "conversation_id", "created_at"),
    )

    conversation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, info=plain()
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False, info=plain())  # inbound | outbound | note
    author_type: Mapped[str] = mapped_column(String(20), nullable=False, info=plain())  # contact|user|bot|system
    author_user_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL"), info=plain()
    )
    key_id: Mapped[str | None] = mapped_column(String(32), info=plain())
    body_ct: Mapped[bytes | None] = mapped_column(LargeBinary, info=encrypted_pii("user.content.message"))
    body_redacted: Mapped[str] = mapped_column(Text, nullable=False, info=pii("user.content.message", **REDACTED))
    # Idempotency: a retried send with the same client id returns the stored message.
    client_message_id: Mapped[str | None] = mapped_column(String(64), info=plain())


class Attachment(IdPk, Timestamped, WorkspaceOwned, Base):
    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_ws_message", "workspace_id", "message_id"),)

    message_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("messages.id", ondelete="CASCADE"), index=True, nullable=False, info=plain()
    )
    key_id: Mapped[str] = mapped_column(String(32), nullable=False, info=plain())
    filename_ct: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, info=encrypted_pii("user.content.file"))
    content_type: Mapped[str] = mapped_column(String(100), nullable=False, info=plain())
    size: Mapped[int] = mapped_column(Integer, nullable=False, info=plain())
    data_ct: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, info=encrypted_pii("user.content.file"))


class Tag(IdPk, Timestamped, WorkspaceOwned, Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    name: Mapped[str] = mapped_column(String(50), nullable=False, info=plain())


class ConversationTag(Base):
    __tablename__ = "conversation_tags"

    conversation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True, info=plain()
    )
    tag_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True, info=plain()
    )


class CannedReply(IdPk, Timestamped, WorkspaceOwned, Base):
    __tablename__ = "canned_replies"
    __table_args__ = (UniqueConstraint("workspace_id", "shortcut"),)

    shortcut: Mapped[str] = mapped_column(String(50), nullable=False, info=plain())
    title: Mapped[str] = mapped_column(String(200), nullable=False, info=plain())
    body: Mapped[str] = mapped_column(Text, nullable=False, info=plain())


class ConversationCounter(Base):
    """Per-workspace sequence for human-friendly conversation numbers (#1, #2...)."""

    __tablename__ = "conversation_counters"

    workspace_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True, info=plain()
    )
    value: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())

