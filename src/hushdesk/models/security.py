"""Security and accountability: second factors, recovery codes, invitations, incidents and their timelines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hushdesk.models.base import Base, IdPk, Timestamped, UTCDateTime, WorkspaceOwned, pii, plain


def _credential() -> dict[str, Any]:
    return pii("user.credential", subject="user", erasure="delete", purpose="account", legal_basis="contract")


class TotpCredential(IdPk, Timestamped, Base):
    """A user's TOTP secret, wrapped by the master key provider (AAD binds it to the user)."""

    __tablename__ = "totp_credentials"

    user_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), unique=True, nullable=False, info=plain()
    )
    secret_ct: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, info=_credential())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    # The last accepted time step: a code is accepted at most once (no replay within its 30 s window).
    last_step: Mapped[int | None] = mapped_column(Integer, info=plain())


class RecoveryCode(IdPk, Timestamped, Base):
    """One-time recovery codes, stored as keyed hashes; a used code keeps its row (used_at) for the audit."""

    __tablename__ = "recovery_codes"
    __table_args__ = (Index("ix_recovery_codes_user", "user_id"),)

    user_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False, info=plain()
    )
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False, info=_credential())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())


class Invitation(IdPk, Timestamped, WorkspaceOwned, Base):
    """An invitation by signed, expiring link; the link carries the id and a nonce whose hash is stored."""

    __tablename__ = "invitations"

    email: Mapped[str] = mapped_column(
        String(320), nullable=False,
        info=pii("user.contact.email", subject="user", erasure="delete", purpose="account", legal_basis="contract"),
    )
    role: Mapped[str] = mapped_column(String(32), nullable=False, info=plain())
    nonce_hash: Mapped[str] = mapped_column(String(64), nullable=False, info=plain())
    invited_by: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL"), info=plain()
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())


class Incident(IdPk, Timestamped, WorkspaceOwned, Base):
    """A security incident or personal-data breach, documented whether or not it was notified.

    The text fields describe systems and events; the officer is told not to paste customers' data into them.
    """

    __tablename__ = "incidents"

    title: Mapped[str] = mapped_column(String(200), nullable=False, info=plain())
    description: Mapped[str] = mapped_column(Text, default="", nullable=False, info=plain())
    systems: Mapped[str] = mapped_column(Text, default="", nullable=False, info=plain())
    occurred_from: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())
    occurred_until: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())
    # "Aware" = reasonably certain a breach of personal data happened: the 72-hour clock starts here.
    aware_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())
    status: Mapped[str] = mapped_column(String(20), default="open", nullable=False, info=plain())
    risk: Mapped[str] = mapped_column(String(20), default="unassessed", nullable=False, info=plain())
    risk_reason: Mapped[str] = mapped_column(Text, default="", nullable=False, info=plain())
    affected_contacts: Mapped[int] = mapped_column(Integer, default=0, nullable=False, info=plain())
    affected_reads: Mapped[int] = mapped_column(Integer, default=0, nullable=False, info=plain())
    authority_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    authority_reference: Mapped[str] = mapped_column(String(200), default="", nullable=False, info=plain())
    late_reason: Mapped[str] = mapped_column(Text, default="", nullable=False, info=plain())
    controller_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    not_notified_reason: Mapped[str] = mapped_column(Text, default="", nullable=False, info=plain())
    corrective_measures: Mapped[str] = mapped_column(Text, default="", nullable=False, info=plain())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    opened_by: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL"), info=plain()
    )


class IncidentEvent(IdPk, Timestamped, WorkspaceOwned, Base):
    """The incident's timeline: every action taken, by whom (a name snapshot), when."""

    __tablename__ = "incident_events"
    __table_args__ = (Index("ix_incident_events_incident", "incident_id", "created_at"),)

    incident_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False, info=plain()
    )
    kind: Mapped[str] = mapped_column(String(40), nullable=False, info=plain())
    note: Mapped[str] = mapped_column(Text, default="", nullable=False, info=plain())
    actor_name: Mapped[str] = mapped_column(
        String(200), nullable=False,
        info=pii("user.name", subject="user", erasure="retain:legal", purpose="accountability", legal_basis="legal"),
    )


class IncidentContact(IdPk, WorkspaceOwned, Base):
    """A contact whose data was read inside the incident's window (computed from the audit log)."""

    __tablename__ = "incident_contacts"
    __table_args__ = (UniqueConstraint("incident_id", "contact_id"),)

    incident_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False, info=plain()
    )
    # Erasing the contact removes the row; the incident keeps its count (affected_contacts).
    contact_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False, info=plain()
    )
    reads: Mapped[int] = mapped_column(Integer, default=0, nullable=False, info=plain())
    notice_drafted: Mapped[bool] = mapped_column(default=False, nullable=False, info=plain())
