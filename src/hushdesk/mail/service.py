"""queue_email(): one encrypted outbox row in the caller's transaction; the ``mail.send`` job sends it after
commit. Optional messages (surveys, marketing) ask ``privacy.service`` first, at queueing AND at sending time.
Every email carries the link to the workspace's privacy center."""

from __future__ import annotations

from dataclasses import dataclass

from hushdesk.audit.service import record
from hushdesk.crypto.keyring import ContactCipher
from hushdesk.db import UnitOfWork
from hushdesk.kit.ids import new_id
from hushdesk.models import OutboundEmail, Workspace
from hushdesk.privacy.service import privacy_center_url, processing_allowed

# Messages the law or the customer's own request requires: never stopped by a privacy flag.
REQUIRED = ("dsr", "support")
# Purposes of optional messages, each a processing purpose in privacy.purposes.
OPTIONAL = ("optional_messages", "marketing")


@dataclass(frozen=True)
class Queued:
    email: OutboundEmail | None  # None when a privacy flag or missing consent suppressed it
    suppressed_reason: str | None = None


def place(email_id: str, column: str) -> str:
    return f"outbound_emails.{column}:{email_id}"


def with_footer(uow: UnitOfWork, workspace_id: str, body: str) -> str:
    ws = uow.session.get(Workspace, workspace_id)
    if ws is None:
        return body
    url = privacy_center_url(uow.app.settings.base_url, ws.slug)
    return f"{body.rstrip()}\n\n--\n{ws.name}\nYour privacy choices and requests: {url}\n"


def queue_email(uow: UnitOfWork, *, workspace_id: str, cipher: ContactCipher, to: str, subject: str, body: str,
                purpose: str, contact_id: str | None = None, request_id: str | None = None) -> Queued:
    if purpose not in REQUIRED + OPTIONAL:
        raise ValueError(f"unknown email purpose {purpose!r}")
    if purpose in OPTIONAL and not processing_allowed(uow, contact_id, purpose):
        record(uow.session, None, "mail.suppressed", workspace_id=workspace_id, target_type="contact",
               target_id=contact_id, details={"purpose": purpose}, request_id=uow.request_id)
        return Queued(None, "privacy")
    email_id = new_id("em")
    row = OutboundEmail(
        id=email_id, workspace_id=workspace_id, contact_id=contact_id, request_id=request_id,
        key_id=cipher.key_id, purpose=purpose, status="pending", attempts=0,
        to_ct=cipher.encrypt(to, place(email_id, "to")),
        subject_ct=cipher.encrypt(subject, place(email_id, "subject")),
        body_ct=cipher.encrypt(with_footer(uow, workspace_id, body), place(email_id, "body")),
    )
    uow.session.add(row)
    record(uow.session, None, "mail.queued", workspace_id=workspace_id, target_type="outbound_email",
           target_id=email_id, details={"purpose": purpose, "contact_id": contact_id, "request_id": request_id},
           request_id=uow.request_id)
    jobs = uow.app.jobs
    uow.after_commit(lambda: jobs.enqueue("mail.send", {"email_id": email_id}))
    return Queued(row)
