"""AI assistant: knowledge base, provider settings, the AI-call log, encrypted drafts, audio, usage records.

Nothing here holds a personal value in the clear: the AI-call log keeps only redacted text (the exact prompt
that left the server), drafts and summaries rehydrated with real values are ciphertext under the contact's
key, and audio made from conversation content is encrypted the same way.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
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

# Redacted by construction (placeholders instead of values), kept like messages.body_redacted.
AI_REDACTED: PiiOptions = {"erasure": "keep_redacted", "purpose": "ai_drafting", "legal_basis": "legitimate_interest"}


class KbCategory(IdPk, Timestamped, WorkspaceOwned, Base):
    __tablename__ = "kb_categories"
    __table_args__ = (UniqueConstraint("workspace_id", "slug"),)

    name: Mapped[str] = mapped_column(String(100), nullable=False, info=plain())
    slug: Mapped[str] = mapped_column(String(100), nullable=False, info=plain())
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())


class KbArticle(IdPk, Timestamped, WorkspaceOwned, Base):
    """The business's own help content (not personal data). The draft fields are edited freely; publishing
    copies them to the published fields, which the help center and retrieval read."""

    __tablename__ = "kb_articles"
    __table_args__ = (
        UniqueConstraint("workspace_id", "slug"),
        Index("ix_kb_articles_ws_published", "workspace_id", "published_at"),
    )

    category_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("kb_categories.id", ondelete="SET NULL"), info=plain()
    )
    slug: Mapped[str] = mapped_column(String(120), nullable=False, info=plain())
    title: Mapped[str] = mapped_column(String(200), nullable=False, info=plain())
    body: Mapped[str] = mapped_column(Text, nullable=False, info=plain())
    published_title: Mapped[str | None] = mapped_column(String(200), info=plain())
    published_body: Mapped[str | None] = mapped_column(Text, info=plain())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())


class AiSettings(Base):
    """One row per workspace. The provider's API key is a BYOK secret (secrets.service), never stored here."""

    __tablename__ = "ai_settings"

    workspace_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True, info=plain()
    )
    provider: Mapped[str] = mapped_column(String(20), nullable=False, default="none", info=plain())
    base_url: Mapped[str | None] = mapped_column(String(500), info=plain())
    model: Mapped[str | None] = mapped_column(String(100), info=plain())
    speech_model: Mapped[str | None] = mapped_column(String(100), info=plain())
    speech_voice: Mapped[str | None] = mapped_column(String(50), info=plain())
    tts_engine: Mapped[str] = mapped_column(String(20), nullable=False, default="local", info=plain())
    bot_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, info=plain())
    bot_handoff_topics: Mapped[str] = mapped_column(Text, nullable=False, default="", info=plain())
    bot_min_score: Mapped[float] = mapped_column(Float, nullable=False, default=0.35, info=plain())
    limit_ai_calls: Mapped[int | None] = mapped_column(Integer, info=plain())
    limit_tokens: Mapped[int | None] = mapped_column(Integer, info=plain())
    limit_speech_chars: Mapped[int | None] = mapped_column(Integer, info=plain())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())


class AiCall(IdPk, Timestamped, WorkspaceOwned, Base):
    """One row per AI call, for the privacy officer: what left the server (redacted), to which model, cost."""

    __tablename__ = "ai_calls"
    __table_args__ = (
        Index("ix_ai_calls_ws_created", "workspace_id", "created_at"),
        Index("ix_ai_calls_ws_conversation", "workspace_id", "conversation_id"),
    )

    conversation_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="SET NULL"), info=plain()
    )
    feature: Mapped[str] = mapped_column(String(20), nullable=False, info=plain())  # draft|summary|bot|speech|test
    provider: Mapped[str] = mapped_column(String(20), nullable=False, info=plain())
    model: Mapped[str | None] = mapped_column(String(100), info=plain())
    actor_user_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL"), info=plain()
    )
    prompt_redacted: Mapped[str] = mapped_column(Text, nullable=False, info=pii("user.content.message", **AI_REDACTED))
    response_redacted: Mapped[str | None] = mapped_column(Text, info=pii("user.content.message", **AI_REDACTED))
    status: Mapped[str] = mapped_column(String(20), nullable=False, info=plain())  # ok | error | limited
    error_code: Mapped[str | None] = mapped_column(String(40), info=plain())
    tokens_in: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())
    tokens_out: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())
    speech_chars: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())
    latency_ms: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())
    unknown_placeholders: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())


class AiDraft(IdPk, Timestamped, WorkspaceOwned, Base):
    """A rehydrated draft or summary: real values, so ciphertext under the contact's key."""

    __tablename__ = "ai_drafts"
    __table_args__ = (Index("ix_ai_drafts_ws_conversation", "workspace_id", "conversation_id"),)

    conversation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, info=plain()
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False, info=plain())  # draft | summary
    ai_call_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("ai_calls.id", ondelete="SET NULL"), info=plain()
    )
    key_id: Mapped[str | None] = mapped_column(String(32), info=plain())
    text_ct: Mapped[bytes | None] = mapped_column(LargeBinary, info=encrypted_pii("user.content.message"))
    source: Mapped[str] = mapped_column(String(20), nullable=False, info=plain())  # provider | retrieval
    unknown_placeholders: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())
    sent_message_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("messages.id", ondelete="SET NULL"), info=plain()
    )
    created_by: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL"), info=plain()
    )


class AudioClip(IdPk, Timestamped, WorkspaceOwned, Base):
    """Spoken version of a reply (encrypted under the contact's key) or of public content (plain)."""

    __tablename__ = "audio_clips"
    __table_args__ = (Index("ix_audio_clips_ws_owner", "workspace_id", "owner_type", "owner_id"),)

    owner_type: Mapped[str] = mapped_column(String(20), nullable=False, info=plain())  # message|article|policy
    owner_id: Mapped[str] = mapped_column(String(64), nullable=False, info=plain())
    conversation_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), info=plain()
    )
    key_id: Mapped[str | None] = mapped_column(String(32), info=plain())
    data_ct: Mapped[bytes | None] = mapped_column(LargeBinary, info=encrypted_pii("user.content.message"))
    public_data: Mapped[bytes | None] = mapped_column(LargeBinary, info=plain())
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False, info=plain())
    content_type: Mapped[str] = mapped_column(String(50), nullable=False, info=plain())
    engine: Mapped[str] = mapped_column(String(20), nullable=False, info=plain())
    duration_ms: Mapped[int] = mapped_column(Integer, nullable=False, info=plain())
    chars: Mapped[int] = mapped_column(Integer, nullable=False, info=plain())


class UsageDaily(Base):
    """Per workspace and day: what the AI features consumed (counts only)."""

    __tablename__ = "usage_daily"

    workspace_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True, info=plain()
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True, info=plain())
    ai_calls: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())
    tokens_in: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())
    tokens_out: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())
    speech_chars: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())
    ai_messages: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())
