"""Canary erasure: after erasing a contact, no byte of their data remains readable anywhere we can look
(SQLite files and WAL, every PostgreSQL row, the job queue, the log file), their redacted conversation copies
remain and still count, and a backup taken before the erasure no longer decrypts."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from huey import SqliteHuey
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from hushdesk.context import AppContext
from hushdesk.crypto import aead
from hushdesk.dsr import erasure, officer, requester
from hushdesk.dsr.locate import place
from hushdesk.dsr.service import SubmitInput, submit
from hushdesk.inbox.contacts import cipher_for, reveal_contact
from hushdesk.inbox.repository import count_by_status
from hushdesk.logs import configure_logging
from hushdesk.mail.service import queue_email
from hushdesk.models import Base, Contact, Conversation, DsrErasureStep, Message, PersonalData, Workspace
from hushdesk.tenancy.permissions import Role
from hushdesk.worker.jobs import JobQueue
from tests.dsr.canary import Canary, make_canary, populate
from tests.dsr.conftest import Mailbox, use_mailbox
from tests.support.databases import backend
from tests.support.factories import World, make_world


@pytest.fixture
def iso(ctx: AppContext, fresh_ctx: AppContext, smtp_server: tuple[Mailbox, int],
        monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[AppContext, Mailbox, Path]]:
    """A database of our own, mail to the test SMTP server, logging to a file; restored afterwards."""
    box, port = smtp_server
    use_mailbox(fresh_ctx, port, monkeypatch)
    box.clear()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    configure_logging(fresh_ctx.settings)
    yield fresh_ctx, box, fresh_ctx.settings.log_dir / "hushdesk.log"
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])
    ctx.jobs.bind(ctx)  # jobs of later tests run against the shared context again


def _verified_erasure(app: AppContext, world: World, box: Mailbox, c: Canary) -> str:
    with app.unit_of_work() as uow:
        ws = uow.session.get(Workspace, world.workspace_id)
        assert ws is not None
        got = submit(uow, ws, SubmitInput(kind="erasure", email=c.email, name=c.name), via="privacy_center")
        req_id, token = got.request.id, got.token
    for _ in range(2):  # identity, then the step-up (with a second factor: the phone on file)
        with app.unit_of_work() as uow:
            outcome = requester.verify(uow, world.slug, req_id, token, box.code_for(c.email), factor=c.phone)
            assert outcome.ok, outcome
    return req_id


def _snapshot(app: AppContext, tmp: Path) -> dict[str, list[dict[str, Any]]]:
    """A backup taken before the erasure: a file copy on SQLite (backup API), every row on PostgreSQL."""
    if app.db.dialect == "sqlite":
        source = sqlite3.connect(str(make_url(app.db.url).database))
        target = sqlite3.connect(str(tmp / "backup.db"))
        source.backup(target)
        source.close()
        target.row_factory = sqlite3.Row
        rows = {t.name: [dict(r) for r in target.execute(f'SELECT * FROM "{t.name}"')]
                for t in Base.metadata.sorted_tables}
        target.close()
        return rows
    with app.db.engine.connect() as conn:
        return {t.name: [dict(r) for r in conn.execute(select(t)).mappings()] for t in Base.metadata.sorted_tables}


def _plant_pending_jobs(app: AppContext, tmp: Path, c: Canary, other: Canary) -> tuple[JobQueue, str]:
    queue = JobQueue(SqliteHuey("hushdesk-test", filename=str(tmp / "queue.db")))
    app.jobs = queue
    queue.enqueue("channel.deliver", {"message_id": c.message_ids[-1]})
    queue.enqueue("channel.deliver", {"message_id": other.message_ids[-1]})
    with app.unit_of_work() as uow:
        contact = uow.session.get(Contact, c.contact_id)
        assert contact is not None
        queued = queue_email(uow, workspace_id=contact.workspace_id, cipher=cipher_for(uow, contact), to=c.email,
                    subject=f"How did we do, {c.first}?", body="Rate us", purpose="optional_messages",
                    contact_id=c.contact_id)
        assert queued.email is not None
        email_id = queued.email.id
    assert len(queue.huey.pending()) == 3
    return queue, email_id


def _scan_files(paths: list[Path], needles: list[str]) -> list[str]:
    found = []
    for path in paths:
        if not path.exists():
            continue
        data = path.read_bytes().lower()
        found += [f"{n!r} in {path.name}" for n in needles if n.lower().encode() in data]
    return found


def _scan_rows(app: AppContext, needles: list[str]) -> list[str]:
    found = []
    with app.db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                text = " ".join(v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in row).lower()
                found += [f"{n!r} in {table.name}" for n in needles if n.lower() in text]
    return found


def _decryptable_canaries(app: AppContext, backup: dict[str, list[dict[str, Any]]], needles: list[str]) -> tuple[
        list[str], int]:
    """Decrypt every ciphertext of the backup with the keys as they are now: which still yield a canary?"""
    leaks, refused = [], 0
    for table in Base.metadata.sorted_tables:
        encrypted = [c.name for c in table.columns
                     if isinstance(c.info.get("pii"), PersonalData) and c.info["pii"].encrypted]
        for row in backup[table.name]:
            for column in encrypted:
                blob = row.get(column)
                if not blob:
                    continue
                try:
                    cipher = app.keyring.contact_cipher(row["workspace_id"], aead.key_id_of(bytes(blob)))
                    plain = cipher.decrypt_bytes(bytes(blob), place(table.name, column, row["id"])).decode(
                        "utf-8", "replace").lower()
                except aead.DecryptionError:
                    refused += 1
                    continue
                leaks += [f"{n!r} in {table.name}.{column}" for n in needles if n.lower() in plain]
    return leaks, refused


def test_canary_erasure_leaves_nothing_readable(iso: tuple[AppContext, Mailbox, Path], tmp_path: Path) -> None:
    app, box, log_file = iso
    world = make_world(app)
    agent = world.member(Role.AGENT, name="Alex Agent")
    po = world.member(Role.PRIVACY_OFFICER, name="Pat Officer")
    c = populate(app, world.workspace_id, agent.actor, make_canary("a"))
    other = populate(app, world.workspace_id, agent.actor, make_canary("b"))
    logging.getLogger("hushdesk.test").warning("customer %s wrote from %s, phone %s", c.name, c.email, c.phone)
    req_id = _verified_erasure(app, world, box, c)
    with app.db.session() as s:
        stats_before = count_by_status(s, world.workspace_id)
        messages_before = s.execute(select(func.count()).select_from(Message).where(
            Message.id.in_(c.message_ids))).scalar_one()
    backup = _snapshot(app, tmp_path)
    with app.db.session() as s:
        contact = s.get(Contact, c.contact_id)
        assert contact is not None
        wrapped = app.keyring.vault.get(contact.key_id)
        assert wrapped is not None
    immediate = app.jobs
    queue, survey_id = _plant_pending_jobs(app, tmp_path, c, other)
    with app.unit_of_work() as uow:
        officer.approve(uow, po.actor, req_id)
    assert erasure.run(app, req_id)
    with app.db.session() as s:
        purged = s.execute(select(DsrErasureStep.count).where(DsrErasureStep.request_id == req_id,
                                                              DsrErasureStep.step == "purge_index")).scalar_one()
    assert purged >= 1, "the detector-missed value was not scrubbed from the redacted copy"
    pending = {t.args[1].get("message_id") or t.args[1].get("request_id") or t.args[1].get("email_id")
               for t in queue.huey.pending() if not queue.huey.is_revoked(t)}
    app.jobs = immediate
    assert c.message_ids[-1] not in pending, "a queued job for the erased contact was not revoked"
    assert other.message_ids[-1] in pending, "another contact's job was revoked"
    assert survey_id not in pending, "the contact's queued email was not revoked"

    needles = c.strings
    if app.db.dialect == "sqlite":
        db = Path(str(make_url(app.db.url).database))
        files = [db, Path(f"{db}-wal"), tmp_path / "queue.db", log_file]
    else:
        files = [tmp_path / "queue.db", log_file]
        assert _scan_rows(app, needles) == []
    assert log_file.exists() and log_file.stat().st_size > 0
    assert _scan_files(files, needles) == []
    vault = Path(str(make_url(app.keyring.vault.url).database))
    for path in (vault, Path(f"{vault}-wal")):  # the destroyed key is gone from the vault file and its WAL
        assert not path.exists() or wrapped.wrapped not in path.read_bytes(), path.name
    # The bystander's data is untouched and still readable; the erased contact's copies remain, redacted.
    with app.unit_of_work() as uow:
        view = reveal_contact(uow, world.owner.actor, other.contact_id)
        assert view.email == other.email
    with app.db.session() as s:
        assert s.get(Contact, c.contact_id) is None
        convs = s.execute(select(Conversation).where(Conversation.id.in_(c.conversation_ids))).scalars().all()
        assert len(convs) == 2 and all(cv.contact_id is None and cv.placeholders_ct is None for cv in convs)
        msgs = s.execute(select(Message).where(Message.id.in_(c.message_ids))).scalars().all()
        assert len(msgs) == messages_before and all(m.body_ct is None and m.body_redacted for m in msgs)
        assert count_by_status(s, world.workspace_id) == stats_before
    assert "We erased your personal data" in box.body(box.last_to(c.email))
    # A backup taken before the erasure no longer decrypts with the keys as they are now.
    leaks, refused = _decryptable_canaries(app, backup, needles)
    assert leaks == []
    assert refused >= 10
    if backend() == "sqlite":
        assert _scan_files([tmp_path / "backup.db"], [other.email]) == []  # the backup itself is ciphertext
