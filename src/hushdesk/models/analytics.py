"""Anonymous analytics events: no contact id, no text, timestamps truncated to the hour."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hushdesk.models.base import Base, IdPk, UTCDateTime, WorkspaceOwned, plain


class AnalyticsEvent(IdPk, WorkspaceOwned, Base):
    __tablename__ = "analytics_events"
    __table_args__ = (Index("ix_analytics_ws_kind_hour", "workspace_id", "kind", "hour"),)

    kind: Mapped[str] = mapped_column(String(40), nullable=False, info=plain())
    channel: Mapped[str | None] = mapped_column(String(20), info=plain())
    hour: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())
