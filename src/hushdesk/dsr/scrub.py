"""Scrub a contact's known values out of their redacted copies.

The redaction engine may miss a value (an unusual name, an order number it cannot know is one). Before the
contact's key is destroyed, erasure decrypts what we know about them (name and its parts, emails, phones,
identities, order numbers) and replaces any literal occurrence left in their redacted message and subject
copies by the conversation's placeholder for it, so nothing readable about them survives in the copies that
are kept. Rectification uses the same pass for the value being corrected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from hushdesk.crypto.blind_index import normalize_phone
from hushdesk.crypto.keyring import ContactCipher
from hushdesk.db import UnitOfWork
from hushdesk.inbox import contacts as contact_svc
from hushdesk.inbox.orders import decrypt_orders
from hushdesk.inbox.redacting import known_name_terms, load_state
from hushdesk.models import Contact, Conversation, Message
from hushdesk.redaction import PlaceholderState

IDENTITY_LABELS = {"email": "EMAIL", "phone": "PHONE", "messenger": "ACCOUNT_ID", "api": "ACCOUNT_ID",
                   "external": "ACCOUNT_ID"}
MIN_LENGTH = 3


@dataclass(frozen=True)
class KnownValue:
    text: str
    label: str


def known_values(uow: UnitOfWork, contact: Contact) -> list[KnownValue]:
    """Everything identifying we hold in the contact's own fields, decrypted (needs the key: call before
    shredding). Longest first, so a full name is replaced before its parts."""
    view = contact_svc.decrypt_contact(uow, contact)
    found: dict[str, str] = {}
    for term, label in known_name_terms([view.name or ""]):
        found.setdefault(term, label)
    for value, label in ((view.email, "EMAIL"), (view.phone, "PHONE")):
        if value:
            found.setdefault(value, label)
    for kind, value in view.identities:
        if kind in IDENTITY_LABELS:
            found.setdefault(value, IDENTITY_LABELS[kind])
    for order in decrypt_orders(uow, contact):
        found.setdefault(order.data.number, "ACCOUNT_ID")
    for value, label in list(found.items()):
        if label == "PHONE":
            found.setdefault(normalize_phone(value), "PHONE")
            found.setdefault("".join(ch for ch in value if ch.isdigit()), "PHONE")
    values = [KnownValue(text, label) for text, label in found.items() if len(text.strip()) >= MIN_LENGTH]
    return sorted(values, key=lambda v: len(v.text), reverse=True)


def _pattern(value: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(value) + r"(?!\w)", re.IGNORECASE)


class Scrubber:
    """Replaces known values by the conversation's placeholders; one instance per conversation."""

    def __init__(self, values: list[KnownValue], state: PlaceholderState) -> None:
        self.rules = [(_pattern(v.text), v) for v in values]
        self.state = state

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        out = text
        for pattern, value in self.rules:
            if pattern.search(out):
                out = pattern.sub(self.state.placeholder_for(value.label, value.text), out)
        return out


def scrubber_for(conversation: Conversation, cipher: ContactCipher | None, values: list[KnownValue]) -> Scrubber:
    state = load_state(conversation, cipher) if cipher is not None else PlaceholderState()
    return Scrubber(values, state)


def scrub_messages(uow: UnitOfWork, conversation: Conversation, scrub: Scrubber, message_ids: list[str]) -> int:
    """Rewrite the redacted copies of these messages where a known value remains; returns how many changed.
    (On SQLite the full-text index follows through the update trigger.)"""
    changed = 0
    if conversation.subject_redacted:
        new_subject = scrub(conversation.subject_redacted)
        if new_subject != conversation.subject_redacted:
            conversation.subject_redacted = new_subject
            changed += 1
    rows = uow.session.execute(select(Message).where(Message.id.in_(message_ids))).scalars()
    for msg in rows:
        new = scrub(msg.body_redacted)
        if new is not None and new != msg.body_redacted:
            msg.body_redacted = new
            changed += 1
    return changed
