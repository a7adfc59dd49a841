"""Declarative base, the data-map vocabulary and the WorkspaceOwned mixin.

Every column says whether it holds personal data (``pii(...)``) or not (``plain()``): access exports, erasure,
records of processing and the privacy policy are driven from that one map, and a test fails on a column that
says neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypedDict

from sqlalchemy import DateTime, ForeignKey, MetaData, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from hushdesk.kit.clock import utcnow

ErasureAction = Literal["delete", "anonymize", "crypto_shred", "retain:legal", "keep_redacted"]
Subject = Literal["contact", "user"]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@dataclass(frozen=True)
class PersonalData:
    category: str  # e.g. "user.contact.email"
    subject: Subject
    erasure: ErasureAction
    purpose: str = "support"
    legal_basis: str = "contract"
    encrypted: bool = False


class PiiOptions(TypedDict, total=False):
    """Shared keyword arguments for ``pii(...)`` (e.g. every redacted-copy column uses the same ones)."""

    subject: Subject
    erasure: ErasureAction
    purpose: str
    legal_basis: str


def pii(
    category: str,
    *,
    subject: Subject = "contact",
    erasure: ErasureAction = "delete",
    purpose: str = "support",
    legal_basis: str = "contract",
    encrypted: bool = False,
) -> dict[str, Any]:
    """Column info for a column holding personal data."""
    return {"pii": PersonalData(category, subject, erasure, purpose, legal_basis, encrypted)}


def encrypted_pii(category: str, *, subject: Subject = "contact") -> dict[str, Any]:
    """Ciphertext under the subject's data key: erasing the key erases the value everywhere."""
    return pii(category, subject=subject, erasure="crypto_shred", encrypted=True)


def plain() -> dict[str, Any]:
    """Column info for a column that holds no personal data."""
    return {"pii": None}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IdPk:
    id: Mapped[str] = mapped_column(String(32), primary_key=True, info=plain())


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False, info=plain())


class WorkspaceOwned:
    """Tenant-owned rows: every query on these starts from a workspace-scoped base (kit.repository)."""

    @declared_attr
    def workspace_id(cls) -> Mapped[str]:
        return mapped_column(
            String(32), ForeignKey("workspaces.id", ondelete="CASCADE"), index=True, nullable=False, info=plain()
        )
