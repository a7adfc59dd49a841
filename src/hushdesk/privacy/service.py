"""Flags every processing path checks, and the consent ledger.

``processing_allowed(uow, contact_id, purpose)`` is the one question the AI assistant, analytics, optional
outbound messages and any future processing ask before touching a contact's data. It answers from the
contact's active flags (restriction, objection, deactivation, CCPA opt-outs) and the latest consent event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select, String, bindparam, exists, literal, select, union_all
from sqlalchemy.orm import InstrumentedAttribute

from hushdesk.audit.service import record
from hushdesk.db import UnitOfWork, autoflush, transaction_memo
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import ValidationFailed
from hushdesk.kit.ids import new_id
from hushdesk.kit.repository import get_scoped, scoped
from hushdesk.models import ConsentEvent, Contact, ProcessingFlag
from hushdesk.privacy.purposes import PURPOSES, get_purpose
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm

ALL = "*"
FLAG_KINDS = ("restricted", "objected", "deactivated", "opt_out_sale", "limit_sensitive")
# Which purposes each flag stops, besides the purpose-specific objection.
_OPT_OUT_STOPS = {"opt_out_sale": ("sale_sharing",), "limit_sensitive": ("sensitive_use",)}
NEVER_BLOCKED = ("compliance",)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str | None = None  # the flag or consent state that stops it


@dataclass(frozen=True)
class PrivacyState:
    contact_id: str
    flags: list[tuple[str, str, datetime]]  # (kind, purpose, since)
    consents: dict[str, tuple[bool, datetime]]  # purpose -> (granted, at)


def _active_flags(uow: UnitOfWork, contact_id: str) -> list[ProcessingFlag]:
    return list(uow.session.execute(
        select(ProcessingFlag).where(ProcessingFlag.contact_id == contact_id, ProcessingFlag.lifted_at.is_(None))
    ).scalars())


@dataclass(frozen=True)
class _Facts:
    flags: tuple[tuple[str, str], ...]  # active (kind, purpose)
    consent: dict[str, bool]  # purpose -> latest granted


_FACTS_KEY = "privacy.facts"
_NO_FACTS = _Facts((), {})


def _facts_query() -> Select[Any]:
    flags = select(ProcessingFlag.kind, ProcessingFlag.purpose, literal(None, Boolean).label("granted"),
                   ProcessingFlag.created_at, ProcessingFlag.id).where(
        ProcessingFlag.contact_id == bindparam("contact_id"), ProcessingFlag.lifted_at.is_(None))
    consents = select(literal("consent", String).label("kind"), ConsentEvent.purpose, ConsentEvent.granted,
                      ConsentEvent.created_at, ConsentEvent.id).where(
        ConsentEvent.contact_id == bindparam("contact_id"))
    both = union_all(flags, consents).subquery()
    return select(both).order_by(both.c.created_at, both.c.id)


_FACTS_QUERY = _facts_query()  # built once: construction cost more than running it


def _facts(uow: UnitOfWork, contact_id: str) -> _Facts:
    """The contact's active flags and latest consents in ONE query, remembered for the rest of the transaction.

    Every ingested message asks this (analytics, then the bot, then optional mail), so the per-message cost
    matters; the memo is dropped by every writer below and never outlives the transaction it was read in."""
    known: dict[str, _Facts] = transaction_memo(uow.session, _FACTS_KEY)
    if contact_id in known:
        return known[contact_id]
    # Through the session on purpose (autoflush): callers add rows without ORM relationships and rely on the
    # flush order this query's flush gives (a message before the rows that point at it); skipping it saved
    # ~1 % of an ingest and broke sending an AI draft.
    rows = uow.session.execute(_FACTS_QUERY, {"contact_id": contact_id}).all()
    flags: list[tuple[str, str]] = []
    consent: dict[str, bool] = {}
    for kind, purpose, granted, _, _ in rows:
        if kind == "consent":
            consent[purpose] = bool(granted)  # ordered oldest first: the last one wins
        else:
            flags.append((kind, purpose))
    facts = _Facts(tuple(flags), consent)
    known[contact_id] = facts
    return facts


def _forget_facts(uow: UnitOfWork) -> None:
    uow.session.info.pop(_FACTS_KEY, None)


def check_processing(uow: UnitOfWork, contact_id: str | None, purpose: str) -> Decision:
    """May ``purpose`` process this contact's data now? Anonymous processing (no contact) is allowed."""
    spec = get_purpose(purpose)
    if contact_id is None or purpose in NEVER_BLOCKED:
        return Decision(True)
    contact = uow.session.get(Contact, contact_id)
    if contact is None:
        return Decision(False, "erased")
    if contact.privacy_facts:
        facts = _facts(uow, contact_id)
    else:
        autoflush(uow.session)  # no flag or consent was ever recorded: the defaults answer, flushed as the query was
        facts = _NO_FACTS
    for kind, flag_purpose in facts.flags:
        if kind == "deactivated":
            return Decision(False, "deactivated")
        if kind == "restricted" and spec.restrictable:
            return Decision(False, "restricted")
        if kind == "objected" and flag_purpose in (ALL, purpose) and spec.objectable:
            return Decision(False, "objected")
        if purpose in _OPT_OUT_STOPS.get(kind, ()):
            return Decision(False, kind)
    granted = facts.consent.get(purpose)
    if granted is False:
        return Decision(False, "consent_withdrawn")
    if spec.needs_consent and granted is None:
        return Decision(False, "no_consent")
    return Decision(True)


def processing_allowed(uow: UnitOfWork, contact_id: str | None, purpose: str) -> bool:
    return check_processing(uow, contact_id, purpose).allowed


def set_flag(uow: UnitOfWork, actor: Actor | None, contact: Contact, kind: str, purpose: str = ALL, *,
             request_id: str | None = None) -> ProcessingFlag:
    """Raise a flag (idempotent: an existing flag is re-activated). Audited in the caller's transaction."""
    if kind not in FLAG_KINDS:
        raise ValidationFailed(f"unknown privacy flag {kind!r}")
    if purpose != ALL:
        get_purpose(purpose)
    _forget_facts(uow)
    contact.privacy_facts = True
    flag = uow.session.execute(
        select(ProcessingFlag).where(ProcessingFlag.contact_id == contact.id, ProcessingFlag.kind == kind,
                                     ProcessingFlag.purpose == purpose)
    ).scalar_one_or_none()
    if flag is None:
        flag = ProcessingFlag(id=new_id("pf"), workspace_id=contact.workspace_id, contact_id=contact.id, kind=kind,
                              purpose=purpose, request_id=request_id)
        uow.session.add(flag)
    else:
        flag.lifted_at = None
        flag.request_id = request_id or flag.request_id
    record(uow.session, actor, "privacy.flag.set", workspace_id=contact.workspace_id, target_type="contact",
           target_id=contact.id, details={"kind": kind, "purpose": purpose, "request_id": request_id},
           request_id=uow.request_id)
    return flag


def lift_flag(uow: UnitOfWork, actor: Actor, contact_id: str, kind: str, purpose: str = ALL) -> bool:
    """Lift a flag (e.g. the restriction ends once accuracy is settled); the requester is told separately."""
    actor.require(Perm.DSR_MANAGE)
    contact = get_scoped(uow.session, Contact, contact_id, workspace_id=actor.workspace_id, what="contact")
    flag = uow.session.execute(
        scoped(ProcessingFlag, workspace_id=actor.workspace_id).where(
            ProcessingFlag.contact_id == contact.id, ProcessingFlag.kind == kind, ProcessingFlag.purpose == purpose,
            ProcessingFlag.lifted_at.is_(None))
    ).scalar_one_or_none()
    if flag is None:
        return False
    _forget_facts(uow)
    flag.lifted_at = utcnow()
    record(uow.session, actor, "privacy.flag.lifted", target_type="contact", target_id=contact.id,
           details={"kind": kind, "purpose": purpose}, request_id=uow.request_id)
    return True


def record_consent(uow: UnitOfWork, actor: Actor | None, contact: Contact, purpose: str, granted: bool, *,
                   source: str, request_id: str | None = None) -> ConsentEvent:
    if purpose not in PURPOSES or purpose in NEVER_BLOCKED or purpose == "support":
        raise ValidationFailed(f"consent does not apply to purpose {purpose!r}", code="invalid_purpose")
    _forget_facts(uow)
    contact.privacy_facts = True
    event = ConsentEvent(id=new_id("ce"), workspace_id=contact.workspace_id, contact_id=contact.id, purpose=purpose,
                         granted=granted, source=source, request_id=request_id, created_at=utcnow())
    uow.session.add(event)
    record(uow.session, actor, f"privacy.consent.{'granted' if granted else 'withdrawn'}",
           workspace_id=contact.workspace_id, target_type="contact", target_id=contact.id,
           details={"purpose": purpose, "source": source, "request_id": request_id}, request_id=uow.request_id)
    return event


def privacy_state(uow: UnitOfWork, contact: Contact) -> PrivacyState:
    flags = [(f.kind, f.purpose, f.created_at) for f in _active_flags(uow, contact.id)]
    events = uow.session.execute(
        select(ConsentEvent).where(ConsentEvent.contact_id == contact.id)
        .order_by(ConsentEvent.created_at, ConsentEvent.id)
    ).scalars()
    consents: dict[str, tuple[bool, datetime]] = {}
    for event in events:
        consents[event.purpose] = (event.granted, event.created_at)
    return PrivacyState(contact.id, sorted(flags), consents)


def contact_privacy(uow: UnitOfWork, actor: Actor, contact_id: str) -> PrivacyState:
    """For the contact view: which flags are up (no values, so plain contact read permission)."""
    actor.require(Perm.CONTACT_READ)
    contact = get_scoped(uow.session, Contact, contact_id, workspace_id=actor.workspace_id, what="contact")
    return privacy_state(uow, contact)


def hidden_contact(contact_id: ColumnElement[str] | InstrumentedAttribute[str]) -> ColumnElement[bool]:
    """SQL condition: the contact is deactivated (for lists that must hide it)."""
    return exists().where(ProcessingFlag.contact_id == contact_id, ProcessingFlag.kind == "deactivated",
                          ProcessingFlag.lifted_at.is_(None))


def is_hidden(uow: UnitOfWork, contact_id: str) -> bool:
    """Deactivated contacts are hidden from agent lists and stop all processing; their data is kept."""
    return any(f.kind == "deactivated" for f in _active_flags(uow, contact_id))


def privacy_center_path(slug: str) -> str:
    return f"/privacy/{slug}"


def privacy_center_url(base_url: str, slug: str) -> str:
    """The stable public URL the widget and every outgoing email link to."""
    return base_url.rstrip("/") + privacy_center_path(slug)
