"""Erasure: batched, resumable, with a ledger (one transaction per batch; a crash resumes at the first step
not done). Order matters and is fixed:

1. scrub   - with the key still alive, replace the contact's known values left in their redacted copies;
2. revoke  - revoke queued jobs that name the contact's rows, drop their unsent emails;
3. shred   - destroy the contact's data key in the vault (every ciphertext of theirs, in every backup, becomes
             noise), the keys of their export archives, and the requester details of their other requests;
4. unlink  - clear ciphertext columns, delete attachments, unlink conversations (keep the redacted copies);
5. delete  - delete the rows that identify them (identities, orders, sessions, flags, consents, the contact);
6. purge_index - merge the full-text index so deleted terms leave it; checkpoint the SQLite WAL;
7. finish  - complete the request (what was kept and why), tell the requester, forget the requester.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import delete, func, select, text, update

from hushdesk.audit.service import record
from hushdesk.context import AppContext
from hushdesk.crypto import aead
from hushdesk.db import UnitOfWork
from hushdesk.dsr import datamap, notices
from hushdesk.dsr import export as export_svc
from hushdesk.dsr.locate import LOCATORS, conversation_ids, message_ids
from hushdesk.dsr.scrub import known_values, scrub_messages, scrubber_for
from hushdesk.dsr.service import close, forget_requester
from hushdesk.kit.clock import utcnow
from hushdesk.kit.ids import new_id
from hushdesk.mail.tasks import deliver
from hushdesk.models import (
    Contact,
    ContactIdentity,
    Conversation,
    DataSubjectRequest,
    DsrErasureStep,
    DsrExport,
    Message,
    OutboundEmail,
)
from hushdesk.privacy.facts import contact_columns

STEPS = ("scrub", "revoke", "shred", "unlink", "delete", "purge_index", "finish")
BATCH = 500


def plan(uow: UnitOfWork, contact: Contact) -> dict[str, Any]:
    """What an erasure will do, for the privacy officer's approval: rows per table, and what is kept, why."""
    counts = {}
    for table, locator in LOCATORS.items():
        stmt = locator(contact.workspace_id, contact.id).order_by(None)
        counts[table] = int(uow.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())
    return {"rows": {t: n for t, n in counts.items() if n}, "retained": retained_records()}


def retained_records() -> list[dict[str, str]]:
    """From the data map: what erasure keeps, with its legal reason."""
    kept: dict[tuple[str, str], dict[str, str]] = {}
    for table, column, info in contact_columns():
        if info.erasure == "retain:legal":
            kept.setdefault((table, "retain:legal"), {
                "table": table, "kept": "record", "columns": "", "purpose": info.purpose,
                "legal_basis": info.legal_basis,
                "why": "records of privacy requests and their answers must be kept (24 months)"})
        elif info.erasure == "keep_redacted":
            kept.setdefault((table, "keep_redacted"), {
                "table": table, "kept": "redacted copy, unlinked from you", "columns": "", "purpose": info.purpose,
                "legal_basis": info.legal_basis,
                "why": "anonymised conversations remain for statistics; your known values were scrubbed"})
        else:
            continue
        entry = kept[(table, info.erasure)]
        entry["columns"] = ",".join(sorted({*filter(None, entry["columns"].split(",")), column}))
    kept[("audit_events", "retain:legal")] = {
        "table": "audit_events", "kept": "audit entries (ids and counts only, no values)", "columns": "",
        "purpose": "accountability", "legal_basis": "legal_obligation",
        "why": "a tamper-evident log of who accessed and changed data; it names only a random id"}
    return list(kept.values())


def begin(uow: UnitOfWork, request: DataSubjectRequest, contact_id: str) -> None:
    existing = {s.step for s in uow.session.execute(
        select(DsrErasureStep).where(DsrErasureStep.request_id == request.id)).scalars()}
    now = utcnow()
    for step in STEPS:
        if step not in existing:
            uow.session.add(DsrErasureStep(id=new_id("es"), workspace_id=request.workspace_id,
                                           request_id=request.id, contact_id=contact_id, step=step,
                                           status="pending", count=0, updated_at=now, created_at=now))
    record(uow.session, None, "dsr.erasure.started", workspace_id=request.workspace_id, target_type="dsr",
           target_id=request.id, details={"contact_id": contact_id}, request_id=uow.request_id)
    jobs = uow.app.jobs
    uow.after_commit(lambda: jobs.enqueue("dsr.erase", {"request_id": request.id}))


def _ledger(uow: UnitOfWork, request_id: str, step: str) -> DsrErasureStep | None:
    return uow.session.execute(
        select(DsrErasureStep).where(DsrErasureStep.request_id == request_id, DsrErasureStep.step == step)
        .with_for_update()
    ).scalar_one_or_none()


def _scrub(uow: UnitOfWork, req: DataSubjectRequest, row: DsrErasureStep, batch: int) -> bool:
    contact = uow.session.get(Contact, row.contact_id)
    if contact is None:
        return False
    cipher = uow.app.keyring.contact_cipher(contact.workspace_id, contact.key_id)
    values = known_values(uow, contact)
    ids = uow.session.execute(
        select(Message.id, Message.conversation_id).where(
            Message.workspace_id == contact.workspace_id,
            Message.conversation_id.in_(conversation_ids(contact.workspace_id, contact.id)))
        .order_by(Message.id).limit(batch).offset(row.count)
    ).all()
    by_conv: dict[str, list[str]] = defaultdict(list)
    for msg_id, conv_id in ids:
        by_conv[conv_id].append(msg_id)
    changed = 0
    for conv_id, msg_ids in by_conv.items():
        conv = uow.session.get(Conversation, conv_id)
        if conv is not None:
            changed += scrub_messages(uow, conv, scrubber_for(conv, cipher, values), msg_ids)
    row.count += len(ids)
    more = len(ids) == batch
    if not more:
        datamap.scrub_other_tables(uow, contact.workspace_id, contact.id, cipher, values)
    purge = _ledger(uow, req.id, "purge_index")
    if purge is not None:
        purge.count += changed
    return more


def _revoke(uow: UnitOfWork, req: DataSubjectRequest, row: DsrErasureStep, batch: int) -> bool:
    ws, cid = req.workspace_id, row.contact_id
    ids = {cid}
    ids |= set(uow.session.execute(conversation_ids(ws, cid)).scalars())
    ids |= set(uow.session.execute(message_ids(ws, cid)).scalars())
    ids |= set(uow.session.execute(select(OutboundEmail.id).where(OutboundEmail.contact_id == cid)).scalars())
    huey = uow.app.jobs.huey
    for task in huey.pending():
        args = task.args if isinstance(task.args, tuple | list) else ()
        payload = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
        if any(str(value) in ids for value in payload.values()):
            huey.revoke_by_id(task.id)
            row.count += 1
    uow.session.execute(delete(OutboundEmail).where(OutboundEmail.workspace_id == ws, OutboundEmail.contact_id == cid))
    return False


def _related_requests(uow: UnitOfWork, req: DataSubjectRequest, contact_id: str) -> list[DataSubjectRequest]:
    """Every other request by this person: linked to the contact, or made with one of their emails."""
    indexes = {req.email_index}
    for ident in uow.session.execute(
        select(ContactIdentity.blind_index).where(ContactIdentity.contact_id == contact_id,
                                                  ContactIdentity.kind == "email")).scalars():
        indexes.add(ident)
    found = uow.session.execute(
        select(DataSubjectRequest).where(
            DataSubjectRequest.workspace_id == req.workspace_id, DataSubjectRequest.id != req.id,
            (DataSubjectRequest.contact_id == contact_id) | DataSubjectRequest.email_index.in_(indexes))
    ).scalars()
    return list(found)


def _shred(uow: UnitOfWork, req: DataSubjectRequest, row: DsrErasureStep, batch: int) -> bool:
    contact = uow.session.get(Contact, row.contact_id)
    if contact is not None and uow.app.keyring.destroy_contact_key(contact.workspace_id, contact.key_id):
        row.count += 1
    others = _related_requests(uow, req, row.contact_id)
    exports = uow.session.execute(select(DsrExport).where(
        DsrExport.request_id.in_([r.id for r in others]), DsrExport.deleted_at.is_(None))).scalars()
    for exp in exports:
        export_svc.destroy(uow, exp)
        row.count += 1
    for other in others:
        if other.status not in ("completed", "denied"):
            other.denial_reason = "subject_erased"
            close(uow, None, other, "denied", reason="subject_erased")
        if other.key_id is not None:
            forget_requester(uow, other)
            row.count += 1
    record(uow.session, None, "dsr.erasure.key_destroyed", workspace_id=req.workspace_id, target_type="dsr",
           target_id=req.id, details={"contact_id": row.contact_id, "keys": row.count}, request_id=uow.request_id)
    return False


def _unlink(uow: UnitOfWork, req: DataSubjectRequest, row: DsrErasureStep, batch: int) -> bool:
    """Per the data map: kept rows lose their ciphertexts, other rows reached from the contact are deleted,
    one batch per transaction; conversations are unlinked last (the others are found through them)."""
    ws, cid = req.workspace_id, row.contact_id
    done, more = datamap.erase_batch(uow, ws, cid, batch)
    row.count += done
    if more:
        return True
    uow.session.execute(update(Conversation).where(Conversation.workspace_id == ws, Conversation.contact_id == cid)
                        .values(contact_id=None, subject_ct=None, placeholders_ct=None))
    return False


def _delete(uow: UnitOfWork, req: DataSubjectRequest, row: DsrErasureStep, batch: int) -> bool:
    """The contact row itself (everything that pointed at it is gone or unlinked by now)."""
    result = uow.session.execute(delete(Contact).where(Contact.workspace_id == req.workspace_id,
                                                       Contact.id == row.contact_id))
    row.count += int(getattr(result, "rowcount", 0) or 0)
    return False


def _purge_index(uow: UnitOfWork, req: DataSubjectRequest, row: DsrErasureStep, batch: int) -> bool:
    if uow.session.get_bind().dialect.name == "sqlite" and row.count > 0:
        # Scrubbed terms were removed through the trigger, but FTS5 keeps old segments until they are merged.
        uow.session.execute(text("INSERT INTO message_search(message_search) VALUES ('optimize')"))
    app = uow.app
    uow.after_commit(lambda: checkpoint(app))
    return False


def _finish(uow: UnitOfWork, req: DataSubjectRequest, row: DsrErasureStep, batch: int) -> bool:
    steps = {s.step: s.count for s in uow.session.execute(
        select(DsrErasureStep).where(DsrErasureStep.request_id == req.id)).scalars()}
    result = {"outcome": "erased", "erased": steps, "retained": retained_records()}
    if req.status != "completed":
        close(uow, None, req, "completed", result)
    notices.completed(uow, req, _summary())
    for email in uow.session.execute(select(OutboundEmail).where(OutboundEmail.request_id == req.id,
                                                                  OutboundEmail.status == "pending")).scalars():
        deliver(uow, email)
    if req.key_id is not None:
        forget_requester(uow, req)
    record(uow.session, None, "dsr.erasure.completed", workspace_id=req.workspace_id, target_type="dsr",
           target_id=req.id, details={"steps": steps}, request_id=uow.request_id)
    app = uow.app
    uow.after_commit(lambda: checkpoint(app))
    return False


def _summary() -> str:
    lines = ["We erased your personal data. What remains, and why:", ""]
    for item in retained_records():
        lines.append(f"- {item['table'].replace('_', ' ')}: {item['kept']} ({item['why']})")
    lines += ["", "This was the last email we send you about this request."]
    return "\n".join(lines)


STEP_FUNCS = {"scrub": _scrub, "revoke": _revoke, "shred": _shred, "unlink": _unlink, "delete": _delete,
              "purge_index": _purge_index, "finish": _finish}


def run(app: AppContext, request_id: str, *, batch: int = BATCH) -> bool:
    """Run (or resume) an erasure to the end; one transaction per batch. True when it is complete."""
    for step in STEPS:
        more = True
        while more:
            with app.unit_of_work() as uow:
                req = uow.session.get(DataSubjectRequest, request_id)
                row = _ledger(uow, request_id, step)
                if req is None or row is None:
                    return False
                if row.status == "done":
                    break
                try:
                    more = STEP_FUNCS[step](uow, req, row, batch)
                except aead.DecryptionError:
                    if step != "scrub":
                        raise
                    more = False  # the key is gone already (an earlier run shredded it): nothing to scrub with
                row.updated_at = utcnow()
                if not more:
                    row.status = "done"
    return True


def checkpoint(app: AppContext) -> None:
    """Move committed pages out of the SQLite write-ahead logs (data database and key vault) and truncate them,
    so erased page versions, and the destroyed key's wrapped bytes, do not linger there (secure_delete already
    zeroes freed pages of the database files)."""
    for engine in (app.db.engine, app.keyring.vault.engine):
        if engine.dialect.name != "sqlite":
            continue
        raw = engine.raw_connection()  # autocommit DBAPI connection: a checkpoint cannot run in a transaction
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()  # type: ignore[union-attr]
        finally:
            raw.close()


def result_of(request: DataSubjectRequest) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(request.result_json or "{}")
    return loaded
