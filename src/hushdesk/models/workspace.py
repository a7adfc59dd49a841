"""Workspaces (each one a business, the data controller of its data) and memberships with roles."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hushdesk.models.base import Base, IdPk, Timestamped, pii, plain


class Workspace(IdPk, Timestamped, Base):
    __tablename__ = "workspaces"

    slug: Mapped[str] = mapped_column(String(64), unique=True, nullable=False, info=plain())
    name: Mapped[str] = mapped_column(String(200), nullable=False, info=plain())
    privacy_policy_url: Mapped[str | None] = mapped_column(String(500), info=plain())
    # The business's privacy contact is published on its privacy page: business data, not a customer's.
    privacy_contact: Mapped[str | None] = mapped_column(
        String(300), info=pii("business.contact", subject="user", erasure="retain:legal", legal_basis="legal")
    )
    settings_json: Mapped[str] = mapped_column(Text, default="{}", nullable=False, info=plain())


class Membership(IdPk, Timestamped, Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    workspace_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.id", ondelete="CASCADE"), index=True, nullable=False, info=plain()
    )
    user_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False, info=plain()
    )
    role: Mapped[str] = mapped_column(String(32), nullable=False, info=plain())
