"""Users (agents, admins, privacy officers...), their sessions, API tokens and login attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hushdesk.models.base import Base, ErasureAction, IdPk, Timestamped, UTCDateTime, WorkspaceOwned, pii, plain


def _user_pii(category: str, erasure: ErasureAction) -> dict[str, Any]:
    return pii(category, subject="user", erasure=erasure, purpose="account", legal_basis="contract")


class User(IdPk, Timestamped, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(
        String(320), unique=True, nullable=False, info=_user_pii("user.contact.email", "anonymize")
    )
    name: Mapped[str] = mapped_column(
        String(200), nullable=False, info=_user_pii("user.name", "anonymize")
    )
    password_hash: Mapped[str] = mapped_column(
        String(300), nullable=False, info=_user_pii("user.credential", "delete")
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False, info=plain())


class UserSession(IdPk, Timestamped, Base):
    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False, info=plain())
    user_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False, info=plain()
    )
    workspace_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, info=plain()
    )
    csrf_token: Mapped[str] = mapped_column(String(64), nullable=False, info=plain())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    user_agent: Mapped[str | None] = mapped_column(
        String(300), info=_user_pii("user.device", "delete")
    )
    # The network signed in from, never the address: IPv4 /24, IPv6 /48 (security.sessions.network_of).
    client_network: Mapped[str | None] = mapped_column(
        String(50), info=_user_pii("user.network", "delete")
    )


class ApiToken(IdPk, Timestamped, WorkspaceOwned, Base):
    __tablename__ = "api_tokens"

    name: Mapped[str] = mapped_column(String(100), nullable=False, info=plain())
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False, info=plain())
    prefix: Mapped[str] = mapped_column(String(16), nullable=False, info=plain())
    scopes: Mapped[str] = mapped_column(Text, nullable=False, info=plain())  # space-separated
    created_by: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL"), info=plain()
    )
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())


class LoginAttempt(IdPk, Timestamped, Base):
    """Failed logins, for throttling per account and per client address; old rows are pruned."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_key_created", "key", "created_at"),)

    # key = "acct:<hmac of email>" or "ip:<hmac of address>": throttling needs equality, not the value.
    key: Mapped[str] = mapped_column(String(80), nullable=False, info=plain())
