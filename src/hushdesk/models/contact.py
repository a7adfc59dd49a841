"""Contacts (the customers who write in), their identities and order history.

Names, addresses and order details are ciphertexts under the contact's own data key; lookups use keyed blind
indexes. Erasing a contact destroys its key in the vault, which makes every ciphertext of theirs noise.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, LargeBinary, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from hushdesk.models.base import Base, IdPk, Timestamped, UTCDateTime, WorkspaceOwned, encrypted_pii, pii, plain


class Contact(IdPk, Timestamped, WorkspaceOwned, Base):
    __tablename__ = "contacts"

    key_id: Mapped[str] = mapped_column(String(32), nullable=False, info=plain())
    name_ct: Mapped[bytes | None] = mapped_column(LargeBinary, info=encrypted_pii("user.name"))
    email_ct: Mapped[bytes | None] = mapped_column(LargeBinary, info=encrypted_pii("user.contact.email"))
    phone_ct: Mapped[bytes | None] = mapped_column(LargeBinary, info=encrypted_pii("user.contact.phone"))
    locale: Mapped[str | None] = mapped_column(String(20), info=pii("user.preference.locale"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=plain())
    # Set once the contact has any privacy flag or consent event (privacy.service sets it with the row, never
    # clears it). Until then every processing check answers from the purposes' defaults without querying
    # those tables: it ran for every ingested message (ADR 0010).
    privacy_facts: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false(),
        info=pii("user.privacy.preference", purpose="compliance", legal_basis="legal_obligation"),
    )


class ContactIdentity(IdPk, Timestamped, WorkspaceOwned, Base):
    """One way to recognise a contact: email, phone, a web-chat visitor, an external id (Messenger, API)."""

    __tablename__ = "contact_identities"
    __table_args__ = (
        UniqueConstraint("workspace_id", "kind", "blind_index"),
        Index("ix_contact_identities_ws_contact", "workspace_id", "contact_id"),
    )

    contact_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("contacts.id", ondelete="CASCADE"), index=True, nullable=False, info=plain()
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False, info=plain())
    # HMAC-SHA256 under the workspace's index key of the normalised value: pseudonymous, so it is personal
    # data and is deleted with the contact.
    blind_index: Mapped[str] = mapped_column(String(64), nullable=False, info=pii("user.identifier.blind_index"))
    value_ct: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, info=encrypted_pii("user.identifier"))


class Order(IdPk, Timestamped, WorkspaceOwned, Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number_index"),
        Index("ix_orders_contact_placed", "contact_id", "placed_at"),
        Index("ix_orders_ws_contact", "workspace_id", "contact_id"),
    )

    contact_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False, info=plain()
    )
    number_index: Mapped[str] = mapped_column(String(64), nullable=False, info=pii("user.financial.order.index"))
    # number, items, amount, currency and status as one JSON document encrypted under the contact key.
    details_ct: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, info=encrypted_pii("user.financial.order"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, info=pii("user.financial.order.date"))
