"""SQLite writers of one process queue on the WriterGate (db.py) instead of SQLite's sleeping busy handler."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from hushdesk import db as db_module
from hushdesk.context import AppContext


def _sqlite_only(ctx: AppContext) -> None:
    if ctx.db.dialect != "sqlite":
        pytest.skip("the writer gate exists only for SQLite")


def _touch(ctx: AppContext) -> None:
    with ctx.unit_of_work() as uow:
        uow.session.execute(text("SELECT 1"))


@contextmanager
def _gate_held_by_another_thread(ctx: AppContext) -> Iterator[None]:
    """Another thread's write transaction is open (it holds the writer gate) for the duration of the block."""
    holding, release = threading.Event(), threading.Event()

    def holder() -> None:
        with ctx.unit_of_work() as uow:
            uow.session.execute(text("SELECT 1"))
            holding.set()
            release.wait(5)

    worker = threading.Thread(target=holder)
    worker.start()
    assert holding.wait(5)
    try:
        yield
    finally:
        release.set()
        worker.join(5)


def test_concurrent_writers_all_commit_and_the_gate_is_free_afterwards(ctx: AppContext) -> None:
    _sqlite_only(ctx)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: _touch(ctx), range(200)))
    started = time.perf_counter()
    _touch(ctx)
    assert time.perf_counter() - started < 0.5  # nobody kept it


def test_a_transaction_begun_on_one_thread_and_committed_on_another_gives_the_gate_back(ctx: AppContext) -> None:
    """FastAPI enters the request's unit of work on the event loop and may finish it on a worker thread."""
    _sqlite_only(ctx)
    scope = ctx.unit_of_work()
    uow = scope.__enter__()
    uow.session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the gate is taken here
    other = threading.Thread(target=lambda: scope.__exit__(None, None, None))
    other.start()
    other.join(5)
    _touch(ctx)


def test_a_rollback_gives_the_gate_back(ctx: AppContext) -> None:
    _sqlite_only(ctx)
    with pytest.raises(RuntimeError), ctx.unit_of_work() as uow:
        uow.session.execute(text("SELECT 1"))
        raise RuntimeError("the request failed")
    _touch(ctx)


def test_a_writer_nested_in_another_on_one_thread_fails_like_sqlite_instead_of_hanging(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sqlite_only(ctx)
    monkeypatch.setattr(db_module, "SQLITE_BUSY_SECONDS", 0.2)
    with ctx.unit_of_work() as outer:
        outer.session.execute(text("SELECT 1"))
        with pytest.raises(OperationalError, match="database is locked"), ctx.unit_of_work() as inner:
            inner.session.execute(text("SELECT 1"))
    _touch(ctx)  # both gave the gate back


def test_a_waiting_writer_goes_on_when_the_holder_commits(ctx: AppContext) -> None:
    _sqlite_only(ctx)
    waited: list[float] = []
    release = threading.Event()

    def holder() -> None:
        with ctx.unit_of_work() as uow:
            uow.session.execute(text("SELECT 1"))
            release.wait(5)
            time.sleep(0.15)

    def waiter() -> None:
        release.set()
        time.sleep(0.01)  # the holder has the gate by now
        started = time.perf_counter()
        _touch(ctx)
        waited.append(time.perf_counter() - started)

    first = threading.Thread(target=holder)
    first.start()
    time.sleep(0.05)
    waiter()
    first.join(5)
    assert 0.1 < waited[0] < 0.4


def test_turn_if_free_takes_a_free_gate_and_the_next_transaction_adopts_it(ctx: AppContext) -> None:
    _sqlite_only(ctx)
    gate = ctx.db.writer_gate
    assert gate is not None
    with gate.turn_if_free() as ours:
        assert ours
        _touch(ctx)  # adopts the gate (no wait: it would time out on a plain acquire) and gives it back at COMMIT
        assert not gate._lock.locked()
        _touch(ctx)  # a second transaction in the block takes the gate the usual way
    assert not gate._lock.locked()


def test_turn_if_free_gives_back_a_gate_no_transaction_took(ctx: AppContext) -> None:
    _sqlite_only(ctx)
    gate = ctx.db.writer_gate
    assert gate is not None
    with gate.turn_if_free() as ours:
        assert ours and gate._lock.locked()
    assert not gate._lock.locked()
    _touch(ctx)


def test_turn_if_free_never_waits_for_a_gate_another_thread_holds(ctx: AppContext) -> None:
    _sqlite_only(ctx)
    gate = ctx.db.writer_gate
    assert gate is not None
    with _gate_held_by_another_thread(ctx):
        started = time.perf_counter()
        with gate.turn_if_free() as ours:
            assert not ours
        assert time.perf_counter() - started < 0.1
    assert not gate._lock.locked()


def test_impatient_writes_raise_writer_busy_instead_of_waiting_for_another_thread(ctx: AppContext) -> None:
    _sqlite_only(ctx)
    with _gate_held_by_another_thread(ctx):
        started = time.perf_counter()
        with pytest.raises(db_module.WriterBusy), db_module.impatient_writes():
            _touch(ctx)
        assert time.perf_counter() - started < 0.5
    with db_module.impatient_writes():
        _touch(ctx)  # a free gate and a free database: no difference at all
    with ctx.db.engine.connect() as conn:  # last in, first out: the connection that just wrote
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000  # its usual timeout is back
