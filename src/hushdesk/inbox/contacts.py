"""Contacts: find-or-create by blind index, encrypted fields, explicit audited decryption."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select

from hushdesk.audit.service import record
from hushdesk.channels.base import IDENTITY_KINDS, ContactHint
from hushdesk.crypto.blind_index import normalize
from hushdesk.crypto.keyring import ContactCipher
from hushdesk.db import UnitOfWork
from hushdesk.kit.clock import utcnow
from hushdesk.kit.direct_sql import DirectLoader
from hushdesk.kit.errors import Conflict, ValidationFailed
from hushdesk.kit.ids import new_id
from hushdesk.kit.repository import get_scoped, scoped
from hushdesk.models import Contact, ContactIdentity
from hushdesk.privacy.service import hidden_contact
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm


@dataclass(frozen=True)
class ContactView:
    """Decrypted contact data: produced only by ``reveal_contact`` (which audits)."""

    id: str
    name: str | None
    email: str | None
    phone: str | None
    locale: str | None
    identities: list[tuple[str, str]]
    created_at: datetime


def cipher_for(uow: UnitOfWork, contact: Contact) -> ContactCipher:
    return uow.app.keyring.contact_cipher(contact.workspace_id, contact.key_id)


def _place(contact_id: str, column: str) -> str:
    return f"contacts.{column}:{contact_id}"


def _validate_hint(hint: ContactHint) -> None:
    if hint.identity_kind not in IDENTITY_KINDS:
        raise ValidationFailed(f"unknown identity kind {hint.identity_kind!r}")
    if not hint.identity_value.strip() or len(hint.identity_value) > 320:
        raise ValidationFailed("the contact identity must be 1-320 characters")
    if hint.email is not None and ("@" not in hint.email or len(hint.email) > 320):
        raise ValidationFailed("email must be a valid address", code="invalid_email")
    if hint.name is not None and len(hint.name) > 200:
        raise ValidationFailed("name must be at most 200 characters")
    if hint.phone is not None and len(hint.phone) > 40:
        raise ValidationFailed("phone must be at most 40 characters")


# Built once: the inbound path looks every sender up this way.
_BY_IDENTITY = DirectLoader(Contact, lambda contacts: (
    contacts.join(ContactIdentity, ContactIdentity.contact_id == Contact.id)
    .where(Contact.workspace_id == bindparam("ws"), ContactIdentity.kind == bindparam("kind"),
           ContactIdentity.blind_index == bindparam("index"))
))


def find_by_identity(uow: UnitOfWork, workspace_id: str, kind: str, value: str) -> Contact | None:
    index = uow.app.keyring.blind_index(workspace_id, kind, normalize(kind, value))
    return _BY_IDENTITY.one_or_none(uow.session, {"ws": workspace_id, "kind": kind, "index": index})


def add_identity(uow: UnitOfWork, contact: Contact, cipher: ContactCipher, kind: str, value: str) -> None:
    normalized = normalize(kind, value)
    index = uow.app.keyring.blind_index(contact.workspace_id, kind, normalized)
    exists = uow.session.execute(
        scoped(ContactIdentity, workspace_id=contact.workspace_id)
        .where(ContactIdentity.kind == kind, ContactIdentity.blind_index == index)
    ).scalar_one_or_none()
    if exists is not None:
        if exists.contact_id != contact.id:
            raise Conflict(f"another contact already has that {kind}", code="identity_taken")
        return
    ident_id = new_id("ci")
    uow.session.add(ContactIdentity(
        id=ident_id, workspace_id=contact.workspace_id, contact_id=contact.id, kind=kind, blind_index=index,
        value_ct=cipher.encrypt(value.strip(), f"contact_identities.value:{ident_id}"),
    ))


def create_contact(uow: UnitOfWork, workspace_id: str, hint: ContactHint, actor: Actor | None) -> Contact:
    _validate_hint(hint)
    cipher = uow.app.keyring.create_contact_key(workspace_id)
    contact = Contact(id=new_id("c"), workspace_id=workspace_id, key_id=cipher.key_id, locale=hint.locale,
                      updated_at=utcnow())
    _set_fields(contact, cipher, name=hint.name, email=hint.email, phone=hint.phone)
    uow.session.add(contact)
    uow.session.flush()
    add_identity(uow, contact, cipher, hint.identity_kind, hint.identity_value)
    if hint.email and hint.identity_kind != "email":
        add_identity(uow, contact, cipher, "email", hint.email)
    if hint.phone and hint.identity_kind != "phone":
        add_identity(uow, contact, cipher, "phone", hint.phone)
    record(uow.session, actor, "contact.created", workspace_id=workspace_id, target_type="contact",
           target_id=contact.id, details={"via": hint.identity_kind}, request_id=uow.request_id)
    return contact


def _set_fields(contact: Contact, cipher: ContactCipher, *, name: str | None, email: str | None,
                phone: str | None) -> None:
    if name is not None:
        contact.name_ct = cipher.encrypt(name.strip(), _place(contact.id, "name")) if name.strip() else None
    if email is not None:
        contact.email_ct = cipher.encrypt(email.strip(), _place(contact.id, "email")) if email.strip() else None
    if phone is not None:
        contact.phone_ct = cipher.encrypt(phone.strip(), _place(contact.id, "phone")) if phone.strip() else None


def find_or_create(uow: UnitOfWork, workspace_id: str, hint: ContactHint, actor: Actor | None) -> Contact:
    _validate_hint(hint)
    found = find_by_identity(uow, workspace_id, hint.identity_kind, hint.identity_value)
    if found is None and hint.email:
        found = find_by_identity(uow, workspace_id, "email", hint.email)
    if found is None:
        return create_contact(uow, workspace_id, hint, actor)
    # A returning visitor who now tells us their name/email: fill gaps, never overwrite silently.
    if (hint.name and found.name_ct is None) or (hint.email and found.email_ct is None):
        cipher = cipher_for(uow, found)
        _set_fields(found, cipher, name=hint.name if found.name_ct is None else None,
                    email=hint.email if found.email_ct is None else None, phone=None)
        if hint.email and found.email_ct is not None:
            add_identity(uow, found, cipher, "email", hint.email)
        found.updated_at = utcnow()
    return found


def get_contact(uow: UnitOfWork, actor: Actor, contact_id: str) -> Contact:
    actor.require(Perm.CONTACT_READ)
    return get_scoped(uow.session, Contact, contact_id, workspace_id=actor.workspace_id, what="contact")


def decrypt_contact(uow: UnitOfWork, contact: Contact) -> ContactView:
    """Decrypt without auditing: for system paths (exports audit on their own). Prefer reveal_contact."""
    cipher = cipher_for(uow, contact)
    idents = uow.session.execute(
        scoped(ContactIdentity, workspace_id=contact.workspace_id).where(ContactIdentity.contact_id == contact.id)
    ).scalars().all()
    return ContactView(
        id=contact.id,
        name=cipher.decrypt(contact.name_ct, _place(contact.id, "name")) if contact.name_ct else None,
        email=cipher.decrypt(contact.email_ct, _place(contact.id, "email")) if contact.email_ct else None,
        phone=cipher.decrypt(contact.phone_ct, _place(contact.id, "phone")) if contact.phone_ct else None,
        locale=contact.locale,
        identities=[(i.kind, cipher.decrypt(i.value_ct, f"contact_identities.value:{i.id}")) for i in idents],
        created_at=contact.created_at,
    )


def reveal_contact(uow: UnitOfWork, actor: Actor, contact_id: str) -> ContactView:
    """The explicit, authorised, audited way to read a contact's personal data."""
    actor.require(Perm.CONTACT_READ_RAW)
    contact = get_contact(uow, actor, contact_id)
    record(uow.session, actor, "contact.viewed", target_type="contact", target_id=contact.id,
           request_id=uow.request_id)
    return decrypt_contact(uow, contact)


def display_names(uow: UnitOfWork, actor: Actor, contacts: list[Contact]) -> dict[str, str]:
    """Names for an inbox list. Agents with raw access see names (one audit row for the whole list);
    others see a pseudonym."""
    if not actor.can(Perm.CONTACT_READ_RAW):
        return {c.id: f"Contact {c.id[-6:]}" for c in contacts}
    names: dict[str, str] = {}
    for contact in contacts:
        if contact.name_ct is None:
            names[contact.id] = f"Visitor {contact.id[-6:]}"
            continue
        names[contact.id] = cipher_for(uow, contact).decrypt(contact.name_ct, _place(contact.id, "name"))
    if contacts:
        record(uow.session, actor, "contact.names_listed", target_type="contact", target_id=None,
               details={"contact_ids": sorted(names)}, request_id=uow.request_id)
    return names


def update_contact(uow: UnitOfWork, actor: Actor, contact_id: str, *, name: str | None = None,
                   email: str | None = None, phone: str | None = None, locale: str | None = None) -> Contact:
    actor.require(Perm.CONTACT_WRITE)
    contact = get_contact(uow, actor, contact_id)
    cipher = cipher_for(uow, contact)
    if email is not None and email.strip():
        _validate_hint(ContactHint("email", email, email=email))
        add_identity(uow, contact, cipher, "email", email)
    if phone is not None and phone.strip():
        add_identity(uow, contact, cipher, "phone", phone)
    _set_fields(contact, cipher, name=name, email=email, phone=phone)
    if locale is not None:
        contact.locale = locale[:20] or None
    contact.updated_at = utcnow()
    changed = [f for f, v in (("name", name), ("email", email), ("phone", phone), ("locale", locale)) if v is not None]
    record(uow.session, actor, "contact.updated", target_type="contact", target_id=contact.id,
           details={"fields": changed}, request_id=uow.request_id)
    return contact


def list_contacts(uow: UnitOfWork, actor: Actor, *, limit: int = 50, offset: int = 0) -> list[Contact]:
    """Deactivated contacts (a privacy request) are hidden from lists; their data is kept."""
    actor.require(Perm.CONTACT_READ)
    stmt = scoped(Contact, workspace_id=actor.workspace_id).where(~hidden_contact(Contact.id))
    stmt = stmt.order_by(Contact.created_at.desc())
    return list(uow.session.execute(stmt.limit(limit).offset(offset)).scalars())


def contact_by_email(uow: UnitOfWork, actor: Actor, email: str) -> Contact | None:
    actor.require(Perm.CONTACT_READ)
    return find_by_identity(uow, actor.workspace_id, "email", email)


def known_contact_ids(uow: UnitOfWork, workspace_id: str, ids: list[str]) -> set[str]:
    rows = uow.session.execute(
        select(Contact.id).where(Contact.workspace_id == workspace_id, Contact.id.in_(ids))
    ).scalars()
    return set(rows)
