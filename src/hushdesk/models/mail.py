"""The outbox: emails waiting for the SMTP job. Recipient, subject and body are ciphertexts under the
contact's (or the request's) key, cleared once the message is handed to the mail server."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from hushdesk.models.base import Base, IdPk, Timestamped, UTCDateTime, WorkspaceOwned, encrypted_pii, plain


class OutboundEmail(IdPk, Timestamped, WorkspaceOwned, Base):
    __tablename__ = "outbound_emails"
    __table_args__ = (Index("ix_outbound_emails_ws_contact", "workspace_id", "contact_id"),)

    contact_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("contacts.id", ondelete="CASCADE"), index=True, info=plain()
    )
    request_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("dsr_requests.id", ondelete="CASCADE"), index=True, info=plain()
    )
    key_id: Mapped[str] = mapped_column(String(32), nullable=False, info=plain())
    purpose: Mapped[str] = mapped_column(String(30), nullable=False, info=plain())
    to_ct: Mapped[bytes | None] = mapped_column(LargeBinary, info=encrypted_pii("user.contact.email"))
    subject_ct: Mapped[bytes | None] = mapped_column(LargeBinary, info=encrypted_pii("user.content.email"))
    body_ct: Mapped[bytes | None] = mapped_column(LargeBinary, info=encrypted_pii("user.content.email"))
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="pending", info=plain())
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=plain())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=plain())
    last_error: Mapped[str | None] = mapped_column(String(100), info=plain())  # exception class only
