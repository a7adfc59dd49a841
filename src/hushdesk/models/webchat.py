"""Web-chat widgets (one per site) and visitor sessions (a visitor's browser <-> their conversation)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from hushdesk.models.base import Base, IdPk, Timestamped, UTCDateTime, WorkspaceOwned, plain


class Widget(IdPk, Timestamped, WorkspaceOwned, Base):
    __tablename__ = "widgets"

    public_key: Mapped[str] = mapped_column(String(40), unique=True, nullable=False, info=plain())
    name: Mapped[str] = mapped_column(String(100), nullable=False, info=plain())
    # Space-separated origins allowed to open the chat socket ("*" allows any, for testing only).
    allowed_origins: Mapped[str] = mapped_column(Text, nullable=False, default="", info=plain())
    prechat_form: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, info=plain())
    greeting: Mapped[str] = mapped_column(String(300), nullable=False, default="", info=plain())


class VisitorSession(IdPk, Timestamped, WorkspaceOwned, Base):
    __tablename__ = "visitor_sessions"
    __table_args__ = (Index("ix_visitor_sessions_ws_contact", "workspace_id", "contact_id"),)

    widget_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("widgets.id", ondelete="CASCADE"), nullable=False, info=plain()
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False, info=plain())
    contact_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("contacts.id", ondelete="CASCADE"), index=True, info=plain()
    )
    conversation_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="SET NULL"), info=plain()
    )
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())
    # The pre-chat form's hidden honeypot field was filled in (people never see it, form-filling bots do):
    # a spam signal for this session's messages (hushdesk.spam), never told to the visitor.
    honeypot: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false(),
                                           info=plain())
