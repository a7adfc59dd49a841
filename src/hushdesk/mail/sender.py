"""SMTP delivery (smtplib): STARTTLS and login when configured. No I/O until ``send`` is called."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from hushdesk.config import Settings


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str
    reference: str  # our outbox id, in a header so bounces can be matched without any personal data


class MailNotConfigured(Exception):
    """HUSHDESK_SMTP_HOST is empty."""


def build_message(settings: Settings, email: Email) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = email.to
    msg["Subject"] = email.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or "hushdesk.local")
    msg["X-Hushdesk-Ref"] = email.reference
    msg.set_content(email.body)
    return msg


class SmtpSender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, email: Email) -> None:
        settings = self.settings
        msg = build_message(settings, email)
        if not settings.smtp_host:
            if settings.env == "dev":
                # Development without a mail server: the message lands in <data_dir>/mail/ to be read.
                folder = settings.data_dir / "mail"
                folder.mkdir(parents=True, exist_ok=True)
                Path(folder / f"{email.reference}.eml").write_bytes(msg.as_bytes())
                return
            raise MailNotConfigured("HUSHDESK_SMTP_HOST is not set")
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(msg)
