"""Carrying out a verified request, per type: prepare (archive, erasure plan), wait for the privacy officer's
approval where configured, then execute (release the archive, erase, correct, raise a flag) and complete."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, select

from hushdesk.crypto.blind_index import normalize
from hushdesk.db import UnitOfWork
from hushdesk.dsr import erasure, notices
from hushdesk.dsr import export as export_svc
from hushdesk.dsr import repository as repo
from hushdesk.dsr.kinds import FLAG_KINDS, get_kind
from hushdesk.dsr.scrub import KnownValue, scrub_messages, scrubber_for
from hushdesk.dsr.service import close, link_contact, transition
from hushdesk.inbox import contacts as contact_svc
from hushdesk.inbox.redacting import known_name_terms, save_state
from hushdesk.models import Contact, ContactIdentity, Conversation, DataSubjectRequest, Message, Workspace
from hushdesk.privacy import service as privacy
from hushdesk.tenancy.actor import Actor, system_actor

NO_DATA = ("We looked for personal data linked to the email address you gave us and found none, so there is "
           "nothing to {what}.")


def process(uow: UnitOfWork, request_id: str) -> None:
    """The ``dsr.process`` job: runs once a request is in progress (verified, or needing no verification)."""
    req = uow.session.get(DataSubjectRequest, request_id)
    if req is None or req.status != "in_progress" or req.kind == "complaint":
        return  # complaints wait for the privacy officer
    if req.contact_id is None and req.verification_level == 0:
        link_contact(uow, req)  # opt-outs need no verification (CCPA): apply them to the address given
    contact = uow.session.get(Contact, req.contact_id) if req.contact_id else None
    if contact is None:
        close(uow, None, req, "completed", {"outcome": "no_data"})
        notices.completed(uow, req, NO_DATA.format(what="do"))
        return
    prepare(uow, req, contact)
    if req.requires_approval:
        transition(uow, None, req, "awaiting_approval")
        return
    execute(uow, None, req)


def prepare(uow: UnitOfWork, req: DataSubjectRequest, contact: Contact) -> None:
    if get_kind(req.kind).exports:
        export_svc.build(uow, req, contact)
    elif req.kind == "erasure":
        merged = json.loads(req.result_json or "{}")
        merged["plan"] = erasure.plan(uow, contact)
        req.result_json = json.dumps(merged, sort_keys=True)


def execute(uow: UnitOfWork, actor: Actor | None, req: DataSubjectRequest) -> None:
    contact = uow.session.get(Contact, req.contact_id) if req.contact_id else None
    if req.kind == "complaint":
        close(uow, actor, req, "completed", {"outcome": "resolved"})
        notices.completed(uow, req, "Our privacy officer has reviewed and answered your complaint.")
        return
    if contact is None:
        close(uow, actor, req, "completed", {"outcome": "no_data"})
        notices.completed(uow, req, NO_DATA.format(what="do"))
        return
    if get_kind(req.kind).exports:
        _release(uow, actor, req, contact)
    elif req.kind == "erasure":
        erasure.begin(uow, req, contact.id)  # the dsr.erase job completes the request
    elif req.kind == "rectification":
        fields = apply_corrections(uow, req, contact)
        close(uow, actor, req, "completed", {"outcome": "corrected", "fields": fields})
        notices.completed(uow, req, f"We corrected your {', '.join(fields)} as you asked.")
    elif req.kind in FLAG_KINDS:
        flag = FLAG_KINDS[req.kind]
        privacy.set_flag(uow, actor, contact, flag, req.purpose or privacy.ALL, request_id=req.id)
        close(uow, actor, req, "completed", {"outcome": "flag_set", "flag": flag, "purpose": req.purpose or "*"})
        notices.completed(uow, req, _flag_message(req.kind))
    elif req.kind == "withdraw_consent" and req.purpose:
        privacy.record_consent(uow, actor, contact, req.purpose, False, source="dsr", request_id=req.id)
        close(uow, actor, req, "completed", {"outcome": "consent_withdrawn", "purpose": req.purpose})
        notices.completed(uow, req, f"Your consent for \u201c{req.purpose}\u201d is withdrawn.")


def _flag_message(kind: str) -> str:
    return {
        "restriction": "We restricted the processing of your data: we keep it but no longer use it.",
        "objection": "We stopped the processing you objected to.",
        "deactivation": "Your account is deactivated: it is hidden and no longer processed. Your data is kept.",
        "opt_out_sale": "We will not sell or share your personal information.",
        "limit_sensitive": "We limited the use of your sensitive personal information.",
    }[kind]


def _release(uow: UnitOfWork, actor: Actor | None, req: DataSubjectRequest, contact: Contact) -> None:
    exp = repo.latest_export(uow.session, req.workspace_id, req.id)
    if exp is None or exp.deleted_at is not None:
        exp = export_svc.build(uow, req, contact)
    token = export_svc.release(uow, exp)
    ws = uow.session.get(Workspace, req.workspace_id)
    slug = ws.slug if ws else "-"
    url = f"{uow.app.settings.base_url.rstrip('/')}/privacy/{slug}/download/{token}"
    notices.export_ready(uow, req, url, exp.expires_at)
    close(uow, actor, req, "completed", {"outcome": "exported", "export_id": exp.id,
                                          "link_expires_at": exp.expires_at.isoformat()})


def _corrections(uow: UnitOfWork, req: DataSubjectRequest) -> dict[str, str]:
    if req.details_ct is None:
        return {}
    raw: dict[str, Any] = json.loads(notices.request_cipher(uow, req).decrypt(
        req.details_ct, notices.place(req.id, "details")))
    found = raw.get("corrections") or {}
    return {k: str(v) for k, v in found.items() if k in ("name", "email", "phone") and str(v).strip()}


def apply_corrections(uow: UnitOfWork, req: DataSubjectRequest, contact: Contact) -> list[str]:
    """Correct the fields, replace the old identities (their blind indexes are re-derived from the new
    values), and scrub the old values from the contact's redacted copies."""
    fixes = _corrections(uow, req)
    old = contact_svc.decrypt_contact(uow, contact)
    keyring = uow.app.keyring
    stale: list[KnownValue] = []
    for kind in ("email", "phone"):
        before = getattr(old, kind)
        if kind in fixes and before and normalize(kind, before) != normalize(kind, fixes[kind]):
            index = keyring.blind_index(contact.workspace_id, kind, normalize(kind, before))
            uow.session.execute(delete(ContactIdentity).where(
                ContactIdentity.contact_id == contact.id, ContactIdentity.kind == kind,
                ContactIdentity.blind_index == index))
            stale.append(KnownValue(before, kind.upper()))
    if "name" in fixes and old.name and old.name != fixes["name"]:
        stale += [KnownValue(term, label) for term, label in known_name_terms([old.name])
                  if term.casefold() not in fixes["name"].casefold()]
    contact_svc.update_contact(uow, system_actor(contact.workspace_id, "privacy-request"), contact.id,
                               name=fixes.get("name"), email=fixes.get("email"), phone=fixes.get("phone"))
    if stale:
        _rederive_redacted(uow, contact, sorted(stale, key=lambda v: len(v.text), reverse=True))
    return sorted(fixes)


def _rederive_redacted(uow: UnitOfWork, contact: Contact, stale: list[KnownValue]) -> None:
    cipher = contact_svc.cipher_for(uow, contact)
    conversations = uow.session.execute(select(Conversation).where(
        Conversation.workspace_id == contact.workspace_id, Conversation.contact_id == contact.id)).scalars()
    for conv in conversations:
        ids = list(uow.session.execute(select(Message.id).where(Message.conversation_id == conv.id)).scalars())
        scrubber = scrubber_for(conv, cipher, stale)
        if scrub_messages(uow, conv, scrubber, ids):
            save_state(conv, cipher, scrubber.state)  # keep the numbering consistent for later messages
