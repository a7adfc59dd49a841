"""Data-subject requests: the request with its clocks, one-time verification codes, export archives and the
erasure ledger.

The requester's own details (email, name, free text, an authorized agent's permission document) are
ciphertexts under the request's own key, so a request outlives the contact it names: when an erasure
completes, that key is destroyed too and only the pseudonymous blind index and the dates stay as the record
the law requires (kept 24 months).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
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

_RECORD: PiiOptions = {"erasure": "retain:legal", "purpose": "accountability", "legal_basis": "legal_obligation"}


class DataSubjectRequest(IdPk, Timestamped, WorkspaceOwned, Base):
    __tablename__ = "dsr_requests"
    __table_args__ = (
        Index("ix_dsr_requests_ws_status_due", "workspace_id", "status", "due_at"),
        Index("ix_dsr_requests_ws_email", "workspace_id", "email_index"),
        Index("ix_dsr_requests_ws_contact", "workspace_id", "contact_id"),
    )

    kind: Mapped[str] = mapped_column(String(30), nullable=False, info=plain())
    regime: Mapped[str] = mapped_column(String(10), nullable=False, info=plain())  # gdpr | ccpa
    status: Mapped[str] = mapped_column(String(30), nullable=False, info=plain())
    via: Mapped[str] = mapped_column(String(20), nullable=False, info=plain())  # privacy_center|agent|api
    contact_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("contacts.id", ondelete="SET NULL"), index=True, info=plain()
    )
    key_id: Mapped[str | None] = mapped_column(String(32), info=plain())  # None once the requester is forgotten
    # HMAC of the normalised email under the workspace index key: finds duplicates and proves, after an
    # erasure, that this address asked for it; no value is recoverable from it.
    email_index: Mapped[str] = mapped_column(String(64), nullable=False,
                                             info=pii("user.identifier.blind_index", **_RECORD))
    requester_email_ct: Mapped[bytes | None] = mapped_column(LargeBinary, info=encrypted_pii("user.contact.email"))
    requester_name_ct: Mapped[bytes | None] = mapped_column(LargeBinary, info=encrypted_pii("user.name"))
    details_ct: Mapped[bytes | None] = mapped_column(LargeBinary, info=encrypted_pii("user.privacy.request"))
    purpose: Mapped[str | None] = mapped_column(String(40), info=pii("user.privacy.preference", **_RECORD))
    authorized_agent: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, info=plain())
    agent_name_ct: Mapped[bytes | None] = mapped_column(LargeBinary, info=encrypted_pii("user.privacy.agent"))
    agent_email_ct: Mapped[bytes | None] = mapped_column(LargeBinary, info=encrypted_pii("user.privacy.agent"))
    agent_permission_ct: Mapped[bytes | None] = mapped_column(LargeBinary,
                                                              info=encrypted_pii("user.privacy.agent"))
    agent_permission_type: Mapped[str | None] = mapped_column(String(100), info=plain())
    subject_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    submitted_by: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL"), info=plain()
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False, info=plain())
    verification_level: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())
    requires_approval: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, info=plain())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    confirm_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    original_due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    extension_reason: Mapped[str | None] = mapped_column(String(40), info=plain())  # a reason code
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    paused_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())
    approved_by: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL"), info=plain()
    )
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    denial_reason: Mapped[str | None] = mapped_column(String(40), info=plain())  # a reason code
    note_ct: Mapped[bytes | None] = mapped_column(LargeBinary, info=encrypted_pii("user.privacy.request"))
    retain_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    # Counts and the legal reasons of retained records: never values.
    result_json: Mapped[str] = mapped_column(Text, nullable=False, default="{}", info=plain())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())


class DsrVerification(IdPk, Timestamped, WorkspaceOwned, Base):
    """A one-time code: 6 digits, 10-minute life, 3 attempts; only its keyed hash is stored."""

    __tablename__ = "dsr_verifications"

    request_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("dsr_requests.id", ondelete="CASCADE"), index=True, nullable=False, info=plain()
    )
    purpose: Mapped[str] = mapped_column(String(20), nullable=False, info=plain())  # identity | step_up
    channel: Mapped[str] = mapped_column(String(20), nullable=False, info=plain())
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False, info=plain())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())


class DsrExport(IdPk, Timestamped, WorkspaceOwned, Base):
    """An access/portability archive: encrypted at rest under its own key, fetched through an expiring link."""

    __tablename__ = "dsr_exports"

    request_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("dsr_requests.id", ondelete="CASCADE"), index=True, nullable=False, info=plain()
    )
    key_id: Mapped[str | None] = mapped_column(String(32), info=plain())
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False, info=plain())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    size: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())
    download_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())


class DsrErasureStep(IdPk, Timestamped, WorkspaceOwned, Base):
    """The erasure ledger: one row per step; a crashed erasure resumes at the first step not done."""

    __tablename__ = "dsr_erasure_steps"
    __table_args__ = (UniqueConstraint("request_id", "step"),)

    request_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("dsr_requests.id", ondelete="CASCADE"), nullable=False, info=plain()
    )
    # Not a foreign key: the contact row is deleted half-way through, the ledger must still know whom.
    contact_id: Mapped[str] = mapped_column(String(32), nullable=False, info=plain())
    step: Mapped[str] = mapped_column(String(30), nullable=False, info=plain())
    status: Mapped[str] = mapped_column(String(10), nullable=False, info=plain())  # pending | done
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())
