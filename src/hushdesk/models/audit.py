"""The append-only, hash-chained audit log (one chain per workspace; system events chain under ``-``)."""

from __future__ import annotations

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hushdesk.models.base import Base, IdPk, Timestamped, pii, plain


class AuditEvent(IdPk, Timestamped, Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        UniqueConstraint("chain", "seq"),
        Index("ix_audit_events_target", "chain", "target_type", "target_id"),
        Index("ix_audit_events_actor", "chain", "actor_id"),
    )

    # Not a foreign key: audit rows outlive what they describe (a deleted workspace's log stays verifiable).
    chain: Mapped[str] = mapped_column(String(32), nullable=False, info=plain())
    seq: Mapped[int] = mapped_column(Integer, nullable=False, info=plain())
    actor_type: Mapped[str] = mapped_column(String(20), nullable=False, info=plain())
    actor_id: Mapped[str | None] = mapped_column(String(32), info=plain())
    actor_name: Mapped[str | None] = mapped_column(
        String(200),
        info=pii("user.name", subject="user", erasure="retain:legal", purpose="accountability", legal_basis="legal"),
    )
    action: Mapped[str] = mapped_column(String(80), nullable=False, info=plain())
    target_type: Mapped[str | None] = mapped_column(String(40), info=plain())
    target_id: Mapped[str | None] = mapped_column(String(32), info=plain())
    request_id: Mapped[str | None] = mapped_column(String(40), info=plain())
    # Ids and counts only, never values: the audit log must not become a second copy of personal data.
    details_json: Mapped[str] = mapped_column(Text, nullable=False, default="{}", info=plain())
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False, info=plain())
    hash: Mapped[str] = mapped_column(String(64), nullable=False, info=plain())


class AuditHead(Base):
    """Latest (seq, hash) per chain: a row lock on it serialises appends to one chain."""

    __tablename__ = "audit_heads"

    chain: Mapped[str] = mapped_column(String(32), primary_key=True, info=plain())
    seq: Mapped[int] = mapped_column(Integer, nullable=False, info=plain())
    hash: Mapped[str] = mapped_column(String(64), nullable=False, info=plain())
