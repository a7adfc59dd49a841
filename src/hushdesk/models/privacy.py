"""Per-contact privacy state every processing path checks: flags (restriction, objection, deactivation,
CCPA opt-outs) and the consent ledger (append-only: the latest event per purpose is the current answer)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hushdesk.models.base import Base, IdPk, PiiOptions, Timestamped, UTCDateTime, WorkspaceOwned, pii, plain

_COMPLIANCE: PiiOptions = {"purpose": "compliance", "legal_basis": "legal_obligation"}


class ProcessingFlag(IdPk, Timestamped, WorkspaceOwned, Base):
    """One active-or-lifted flag: ``restricted``, ``objected`` (per purpose), ``deactivated``,
    ``opt_out_sale`` or ``limit_sensitive``. ``purpose`` is ``*`` when the flag covers every purpose."""

    __tablename__ = "processing_flags"
    __table_args__ = (
        UniqueConstraint("contact_id", "kind", "purpose"),
        Index("ix_processing_flags_ws_contact", "workspace_id", "contact_id"),
    )

    contact_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("contacts.id", ondelete="CASCADE"), index=True, nullable=False, info=plain()
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False,
                                      info=pii("user.privacy.preference", **_COMPLIANCE))
    purpose: Mapped[str] = mapped_column(String(40), nullable=False,
                                         info=pii("user.privacy.preference", **_COMPLIANCE))
    request_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("dsr_requests.id", ondelete="SET NULL"), info=plain()
    )
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())


class ConsentEvent(IdPk, Timestamped, WorkspaceOwned, Base):
    """Consent given or withdrawn for one purpose; never updated, so the history proves what was asked."""

    __tablename__ = "consent_events"
    __table_args__ = (
        Index("ix_consent_events_contact_purpose", "contact_id", "purpose", "created_at"),
        Index("ix_consent_events_ws_contact", "workspace_id", "contact_id"),
    )

    contact_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False, info=plain()
    )
    purpose: Mapped[str] = mapped_column(String(40), nullable=False,
                                         info=pii("user.privacy.consent", **_COMPLIANCE))
    granted: Mapped[bool] = mapped_column(Boolean, nullable=False, info=pii("user.privacy.consent", **_COMPLIANCE))
    source: Mapped[str] = mapped_column(String(20), nullable=False, info=plain())  # privacy_center|agent|api|dsr
    request_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("dsr_requests.id", ondelete="SET NULL"), info=plain()
    )
