"""Access export and erasure of one subject (100 messages) in a database of 10 thousand and of 1 million messages.

The cost must follow the subject, not the database: for each size the same work is timed on several subjects
(median), and the 1M/10k ratio must stay <= 1.5 with every median under 1 second. The background rows are
bulk-inserted (executemany) with realistic shapes (ciphertext blobs, redacted text indexed by the full-text
index, one conversation and 20 messages per background contact); the subjects go through the real pipeline
(find-or-create, encryption, redaction, audit). No statistics (ANALYZE) are gathered: the query planner must
pick the per-subject indexes on its own, as on a fresh install (PostgreSQL gets the ANALYZE autovacuum would run).

    .venv/bin/python bench/dsr.py                     # SQLite, 10k and 1M
    .venv/bin/python bench/dsr.py --sizes 10000,100000 --postgres postgresql+psycopg://postgres@127.0.0.1/postgres
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.config import Settings
from hushdesk.context import AppContext
from hushdesk.dsr import erasure
from hushdesk.dsr import export as export_svc
from hushdesk.dsr import tasks as _tasks  # noqa: F401
from hushdesk.dsr.erasure import checkpoint
from hushdesk.dsr.service import SubmitInput, submit
from hushdesk.inbox import contacts as contact_svc
from hushdesk.inbox import orders as order_svc
from hushdesk.inbox.service import receive_message
from hushdesk.migrate import upgrade
from hushdesk.models import Contact, ContactIdentity, Conversation, DataSubjectRequest, Message, Workspace
from hushdesk.tenancy.actor import system_actor
from hushdesk.tenancy.service import create_workspace

SUBJECTS = int(os.environ.get("BENCH_SUBJECTS", "8"))  # the first warms caches and pools, and is not counted
SUBJECT_MESSAGES = 100
PER_CONTACT = 20
CHUNK = 20_000
TEXT = ("Hello <PERSON_1>, your order <ACCOUNT_ID_1> for the blue mug shipped on Monday; reply to <EMAIL_1> if "
        "anything is wrong with delivery number {i}.")


@contextmanager
def database(kind: str, pg_server: str | None, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{(tmp / 'bench.db').as_posix()}"
        return
    assert pg_server
    server = make_url(pg_server).set(drivername="postgresql+psycopg")
    name = "hushdesk_bench_" + secrets.token_hex(4)
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _context(tmp: Path, url: str) -> AppContext:
    settings = Settings(env="test", data_dir=tmp, database_url=url,  # type: ignore[call-arg]
                        keyvault_url=f"sqlite:///{(tmp / 'vault.db').as_posix()}",
                        secret_key="bench-secret-key-0123456789", queue="immediate")
    upgrade(url)
    return AppContext.create(settings)


def _bulk_background(app: AppContext, ws_id: str, n_messages: int) -> None:
    """n_messages from n_messages/20 other contacts, written straight to the tables in large batches."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    n_contacts = max(1, n_messages // PER_CONTACT)
    blob = os.urandom(120)
    with app.db.engine.begin() as conn:
        for start in range(0, n_contacts, CHUNK):
            stop = min(n_contacts, start + CHUNK)
            conn.execute(insert(Contact.__table__), [
                {"id": f"bc{i:010d}", "workspace_id": ws_id, "key_id": f"ckbg{i}", "name_ct": blob, "email_ct": blob,
                 "phone_ct": None, "locale": None, "updated_at": now, "created_at": now} for i in range(start, stop)])
            conn.execute(insert(ContactIdentity.__table__), [
                {"id": f"bi{i:010d}", "workspace_id": ws_id, "contact_id": f"bc{i:010d}", "kind": "email",
                 "blind_index": f"{i:064x}", "value_ct": blob, "created_at": now} for i in range(start, stop)])
            conn.execute(insert(Conversation.__table__), [
                {"id": f"bv{i:010d}", "workspace_id": ws_id, "number": 1_000_000 + i, "contact_id": f"bc{i:010d}",
                 "channel": "api", "channel_ref": None, "status": "open", "priority": "normal", "assignee_id": None,
                 "subject_redacted": None, "subject_ct": None, "placeholders_ct": blob, "updated_at": now,
                 "last_message_at": now, "first_response_at": None, "resolved_at": None,
                 "message_count": PER_CONTACT, "created_at": now} for i in range(start, stop)])
        for start in range(0, n_messages, CHUNK):
            stop = min(n_messages, start + CHUNK)
            conn.execute(insert(Message.__table__), [
                {"id": f"bm{i:010d}", "workspace_id": ws_id,
                 "conversation_id": f"bv{(i // PER_CONTACT) % n_contacts:010d}", "kind": "inbound",
                 "author_type": "contact", "author_user_id": None, "key_id": "ckbg",
                 "body_ct": blob, "body_redacted": TEXT.format(i=i), "client_message_id": None,
                 "created_at": now + timedelta(seconds=i)} for i in range(start, stop)])
    checkpoint(app)
    if app.db.dialect == "postgresql":
        # What autovacuum does shortly after a bulk load in production; SQLite gets no statistics at all.
        with app.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


def _subject(app: AppContext, ws_id: str, k: int) -> str:
    email, name = f"subject{k}.{secrets.token_hex(3)}@example.com", f"Morgan Subject{chr(65 + k)}"
    contact_id = ""
    conv_id: str | None = None
    for i in range(SUBJECT_MESSAGES):
        with app.unit_of_work() as uow:
            got = receive_message(uow, ws_id, InboundMessage(
                channel="api", sender=ContactHint("email", email, name=name, email=email),
                body=f"Hi, this is {name} ({email}), message {i} about my order.", conversation_id=conv_id,
                thread_ref=None if conv_id else f"bench-{k}"))
            conv_id = got.conversation.id if i < SUBJECT_MESSAGES // 2 else None if i == SUBJECT_MESSAGES // 2 \
                else got.conversation.id
            contact_id = got.conversation.contact_id or ""
    with app.unit_of_work() as uow:
        order_svc.create_order(uow, system_actor(ws_id), contact_id, order_svc.OrderData(
            f"B{k}-{secrets.token_hex(3)}", datetime(2026, 2, 1, tzinfo=UTC),
            (order_svc.OrderItem("Mug", 1, "9.90"),), "9.90", "EUR", "paid"))
    return contact_id


def _request(app: AppContext, ws_id: str, contact_id: str, kind: str) -> str:
    with app.unit_of_work() as uow:
        ws = uow.session.get(Workspace, ws_id)
        assert ws is not None
        got = submit(uow, ws, SubmitInput(kind=kind, email=f"{kind}.{secrets.token_hex(4)}@example.com"),
                     via="privacy_center")
        got.request.contact_id = contact_id
        got.request.status = "in_progress"
        return got.request.id


def _time_export(app: AppContext, request_id: str) -> float:
    start = time.perf_counter()
    with app.unit_of_work() as uow:
        req = uow.session.get(DataSubjectRequest, request_id)
        contact = uow.session.get(Contact, req.contact_id if req else "")
        assert req is not None and contact is not None
        export_svc.build(uow, req, contact)
    return time.perf_counter() - start


def _plant_missed_value(app: AppContext, contact_id: str) -> None:
    """Worst case: the detector missed the subject's name in one redacted copy, so the erasure must scrub it
    and then merge the whole SQLite full-text index (FTS5 keeps deleted terms until its segments merge)."""
    with app.unit_of_work() as uow:
        conv = uow.session.execute(select(Conversation).where(Conversation.contact_id == contact_id)).scalars().first()
        assert conv is not None
        msg = uow.session.execute(select(Message).where(Message.conversation_id == conv.id)).scalars().first()
        contact = uow.session.get(Contact, contact_id)
        assert msg is not None and contact is not None
        name = contact_svc.decrypt_contact(uow, contact).name or ""
        msg.body_redacted += f" (signed {name.split()[-1].lower()})"


def _time_erasure(app: AppContext, request_id: str, contact_id: str) -> float:
    held: list[Any] = []
    real = app.jobs.enqueue
    app.jobs.enqueue = lambda name, payload=None: held.append((name, payload))  # type: ignore[method-assign]
    try:
        with app.unit_of_work() as uow:
            req = uow.session.get(DataSubjectRequest, request_id)
            assert req is not None
            erasure.begin(uow, req, contact_id)
    finally:
        app.jobs.enqueue = real  # type: ignore[method-assign]
    start = time.perf_counter()
    assert erasure.run(app, request_id)
    elapsed = time.perf_counter() - start
    with app.db.session() as s:
        assert s.get(Contact, contact_id) is None
    return elapsed


@dataclass
class Prepared:
    app: AppContext
    ws_id: str
    subjects: list[str]
    load_s: float


def prepare(tmp: Path, url: str, n_messages: int, missed: bool) -> Prepared:
    app = _context(tmp, url)
    with app.unit_of_work() as uow:
        ws_id = create_workspace(uow, name="Bench", slug=f"bench-{secrets.token_hex(3)}").id
    t0 = time.perf_counter()
    _bulk_background(app, ws_id, n_messages - SUBJECTS * SUBJECT_MESSAGES)
    load = time.perf_counter() - t0
    subjects = [_subject(app, ws_id, k) for k in range(SUBJECTS)]
    if missed:
        for c in subjects:
            _plant_missed_value(app, c)
    return Prepared(app, ws_id, subjects, load)


def measure(kind: str, pg: str | None, sizes: list[int], missed: bool) -> dict[int, dict[str, float]]:
    """Both databases are built first, then the measurements alternate between them subject by subject, so
    that load from other processes on the machine falls on both sizes alike."""
    with ExitStack() as stack:
        prepared: dict[int, Prepared] = {}
        for n in sizes:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hd-bench-")))
            url = stack.enter_context(database(kind, pg, tmp))
            prepared[n] = prepare(tmp, url, n, missed)
            stack.callback(prepared[n].app.close)
        times: dict[int, dict[str, list[float]]] = {n: {"export": [], "erasure": []} for n in sizes}
        for what in ("export", "erasure"):
            for k in range(SUBJECTS):
                for n, p in prepared.items():
                    p.app.jobs.bind(p.app)  # immediate jobs (the receipt email) run against this database
                    contact = p.subjects[k]
                    if what == "export":
                        took = _time_export(p.app, _request(p.app, p.ws_id, contact, "access"))
                    else:
                        took = _time_erasure(p.app, _request(p.app, p.ws_id, contact, "erasure"), contact)
                    if k > 0:  # the first subject warms caches and pools
                        times[n][what].append(took)
    return {n: {"load_s": prepared_load, "export": statistics.median(t["export"]), "export_max": max(t["export"]),
                "export_min": min(t["export"]), "erasure": statistics.median(t["erasure"]),
                "erasure_max": max(t["erasure"]), "erasure_min": min(t["erasure"])}
            for (n, t), prepared_load in zip(times.items(), [p.load_s for p in prepared.values()], strict=True)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--only-postgres", action="store_true", help="skip SQLite (with --postgres)")
    parser.add_argument("--postgres", default=None, help="PostgreSQL server URL: also run there")
    parser.add_argument("--missed", action="store_true",
                        help="worst case: a value the detector missed must be scrubbed (SQLite merges its FTS index)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # no SMTP here: the notices' delivery failures are expected
    sizes = [int(s) for s in args.sizes.split(",")]
    backends = ([] if args.only_postgres else ["sqlite"]) + (["postgresql"] if args.postgres else [])
    ok = True
    for kind in backends:
        results = measure(kind, args.postgres, sizes, args.missed)
        print(f"\n{kind}: one subject with {SUBJECT_MESSAGES} messages (+1 order), median of {SUBJECTS - 1} subjects"
              + (" (worst case: a missed value to scrub)" if args.missed else ""))
        print(f"{'messages in db':>15}{'load s':>9}{'export ms':>11}{'(min':>8}{'max)':>8}{'erasure ms':>12}"
              f"{'(min':>8}{'max)':>8}")
        for n, r in results.items():
            print(f"{n:>15,}{r['load_s']:>9.1f}{r['export'] * 1000:>11.1f}{r['export_min'] * 1000:>8.1f}"
                  f"{r['export_max'] * 1000:>8.1f}{r['erasure'] * 1000:>12.1f}{r['erasure_min'] * 1000:>8.1f}"
                  f"{r['erasure_max'] * 1000:>8.1f}")
        small, large = results[sizes[0]], results[sizes[-1]]
        for what in ("export", "erasure"):
            ratio = large[what] / small[what]
            good = ratio <= 1.5 and large[what] < 1.0 and small[what] < 1.0
            ok &= good
            print(f"{what}: {sizes[-1]:,} / {sizes[0]:,} = {ratio:.2f} on medians, "
                  f"{large[what + '_min'] / small[what + '_min']:.2f} on minimums  (target <= 1.5, each < 1 s)  "
                  f"{'OK' if good else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
