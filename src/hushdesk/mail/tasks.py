"""The ``mail.send`` job: decrypt the outbox row, check privacy flags again, hand it to SMTP, clear it."""

from __future__ import annotations

import logging
from typing import Any

from hushdesk.crypto.aead import DecryptionError
from hushdesk.db import UnitOfWork
from hushdesk.kit.clock import utcnow
from hushdesk.mail.sender import Email, SmtpSender
from hushdesk.mail.service import OPTIONAL, place
from hushdesk.models import OutboundEmail
from hushdesk.privacy.service import processing_allowed
from hushdesk.worker.jobs import job

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def _clear(row: OutboundEmail) -> None:
    row.to_ct = row.subject_ct = row.body_ct = None


def deliver(uow: UnitOfWork, row: OutboundEmail) -> str:
    """Send one outbox row; returns its new status. Never raises for a delivery failure (it is recorded)."""
    if row.status != "pending":
        return row.status
    if row.purpose in OPTIONAL and not processing_allowed(uow, row.contact_id, row.purpose):
        row.status = "suppressed"  # a restriction or objection arrived after it was queued
        _clear(row)
        return row.status
    if row.to_ct is None or row.subject_ct is None or row.body_ct is None:
        row.status = "failed"
        return row.status
    row.attempts += 1
    try:
        cipher = uow.app.keyring.contact_cipher(row.workspace_id, row.key_id)
        email = Email(cipher.decrypt(row.to_ct, place(row.id, "to")),
                      cipher.decrypt(row.subject_ct, place(row.id, "subject")),
                      cipher.decrypt(row.body_ct, place(row.id, "body")), row.id)
    except DecryptionError:
        row.status = "failed"  # the key was destroyed by an erasure: nothing to send to anyone
        row.last_error = "KeyDestroyed"
        _clear(row)
        return row.status
    try:
        SmtpSender(uow.app.settings).send(email)
    except Exception as exc:  # SMTP, DNS, TLS, not configured: recorded, retried by the sweep
        row.last_error = type(exc).__name__[:100]
        log.warning("email %s not sent (%s, attempt %d)", row.id, row.last_error, row.attempts)
        if row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
            _clear(row)
        return row.status
    row.status = "sent"
    row.sent_at = utcnow()
    row.last_error = None
    _clear(row)
    return row.status


@job("mail.send")
def send_email(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    row = uow.session.get(OutboundEmail, str(payload["email_id"]))
    if row is None:
        return  # erased meanwhile
    deliver(uow, row)
