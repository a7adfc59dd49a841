"""Workspace-provided credentials (BYOK): AI provider keys, later mailbox and Messenger tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hushdesk.models.base import Base, IdPk, Timestamped, UTCDateTime, WorkspaceOwned, plain


class WorkspaceSecret(IdPk, Timestamped, WorkspaceOwned, Base):
    __tablename__ = "workspace_secrets"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    name: Mapped[str] = mapped_column(String(100), nullable=False, info=plain())
    # AES-256-GCM under the workspace's secrets key; a business credential, not a person's data.
    value_ct: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, info=plain())
    last4: Mapped[str] = mapped_column(String(4), nullable=False, info=plain())
    updated_by: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL"), info=plain()
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())
