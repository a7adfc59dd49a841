"""Engines, sessions and the unit of work: one transaction per request or job, committed at the edge.

Services receive a ``UnitOfWork`` and never commit. Side effects (jobs, realtime events, mail) are buffered on
it with ``after_commit`` and run only once the transaction is durable; a rollback drops them.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, Executable, Row, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from hushdesk.kit.wal_checkpoints import BackgroundCheckpoints, raise_autocheckpoint

if TYPE_CHECKING:
    from hushdesk.context import AppContext

log = logging.getLogger(__name__)

AfterCommit = Callable[[], None]


SQLITE_BUSY_SECONDS = 10.0


class WriterBusy(Exception):
    """Inside ``impatient_writes``: a write would have had to wait (for this process's gate or SQLite's lock)."""


_IMPATIENT = threading.local()


def _impatient() -> bool:
    return bool(getattr(_IMPATIENT, "on", False))


@contextmanager
def impatient_writes() -> Iterator[None]:
    """On this thread, a SQLite write transaction that cannot begin at once raises ``WriterBusy`` instead of
    waiting: for work on the event loop (``web.fast_ingest``), which must never wait for a writer, whether a
    thread of this process (it may need the loop to reach its commit) or another process (a CLI, a worker)."""
    _IMPATIENT.on = True
    try:
        yield
    finally:
        _IMPATIENT.on = False


class WriterGate:
    """This process's queue for SQLite's single write lock.

    SQLite admits one writer; its busy handler makes the others poll with sleeps of up to 100 ms, so under
    concurrent writes the lock often sat free while every waiter slept (measured: ingest server at ~87 % CPU
    with 4 clients, and a 300 ms tail in live chat). Every write transaction of this process therefore takes
    this lock just before ``BEGIN IMMEDIATE`` and gives it back right after COMMIT or ROLLBACK, so the next
    writer starts the moment the previous one ends. It is held by the *connection*, not the thread: FastAPI may
    begin a request's transaction on one worker thread and commit it on another. Other processes (a CLI, a
    worker) still meet SQLite's own busy handler. A wait longer than SQLite's busy timeout fails the same way
    SQLite does ("database is locked"), so a unit of work nested inside another on one thread errors after the
    timeout instead of hanging.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._taken_ahead = threading.local()  # .held: this thread took the gate for its next transaction

    def acquire(self) -> None:
        if _impatient():
            if not self._lock.acquire(blocking=False):
                raise WriterBusy("another writer of this process holds the gate")
            return
        if not self._lock.acquire(timeout=SQLITE_BUSY_SECONDS):
            raise sqlite3.OperationalError("database is locked")

    def release(self) -> None:
        self._lock.release()

    @contextmanager
    def turn_if_free(self) -> Iterator[bool]:
        """Take the gate now if nobody holds it, never waiting; yields whether it did. The first transaction
        begun on this thread inside the block adopts it (``adopt``) and gives it back at its end as usual; if
        none begins, the block's end gives it back. For work on the event loop (``web.fast_ingest``): the
        loop must never *wait* for a writer, because that writer may need the loop to reach its commit."""
        if not self._lock.acquire(blocking=False):
            yield False
            return
        self._taken_ahead.held = True
        try:
            yield True
        finally:
            if self.adopt():  # no transaction took it over
                self._lock.release()

    def adopt(self) -> bool:
        """Take over a gate this thread took ahead (``turn_if_free``); False if it took none."""
        if getattr(self._taken_ahead, "held", False):
            self._taken_ahead.held = False
            return True
        return False


class GatedSQLiteConnection(sqlite3.Connection):
    """A DB-API connection that gives the process's ``WriterGate`` back when its transaction ends."""

    gate: WriterGate | None = None
    holds_gate = False

    def take_gate(self) -> None:
        """Before BEGIN IMMEDIATE: wait for this process's turn to write (once per transaction)."""
        if self.gate is not None and not self.holds_gate:
            if not self.gate.adopt():
                self.gate.acquire()
            self.holds_gate = True

    def _give_back(self) -> None:
        if self.holds_gate and self.gate is not None:
            self.holds_gate = False
            self.gate.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            if not self.in_transaction:
                self._give_back()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._give_back()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._give_back()

    def __del__(self) -> None:
        # A connection dropped without close() (a pool invalidation) must not keep the other writers waiting.
        self._give_back()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted content is overwritten with zeros so erased plaintext does not linger in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


READONLY_OPTION = "hushdesk_readonly"


def _sqlite_begin_immediate(conn: Any) -> None:
    # Take the write lock at BEGIN: two writers that both read first would otherwise deadlock-upgrade
    # and fail with "database is locked" instead of waiting their turn. Read-only units of work begin
    # deferred, so in WAL mode they never wait for a writer.
    if conn.get_execution_options().get(READONLY_OPTION):
        conn.exec_driver_sql("BEGIN")
        return
    dbapi = conn.connection.dbapi_connection
    if not isinstance(dbapi, GatedSQLiteConnection):  # short-lived CLI and migration engines
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        return
    try:
        dbapi.take_gate()
    except sqlite3.OperationalError as exc:  # as SQLAlchemy would report SQLite's own "locked"
        raise OperationalError("BEGIN IMMEDIATE", None, exc) from exc
    try:
        if _impatient():
            _begin_without_waiting(dbapi)
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        dbapi._give_back()
        raise


def _begin_without_waiting(dbapi: GatedSQLiteConnection) -> None:
    # Another process may hold SQLite's write lock: ask once (busy timeout 0) instead of sleeping in SQLite's
    # busy handler, then put the connection's usual timeout back.
    dbapi.execute("PRAGMA busy_timeout=0")
    try:
        dbapi.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise WriterBusy("another process holds SQLite's write lock") from exc
        raise
    finally:
        dbapi.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")


def _ensure_sqlite_dir(database: str | None) -> None:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _ensure_sqlite_dir(parsed.database)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30, "isolation_level": None,
                          "factory": GatedSQLiteConnection},
            pool_size=8,
            max_overflow=8,
            # Last in, first out: the connection that wrote last still has a valid page cache. Taken in turn
            # (the default), each transaction began on a connection whose cache another one's write had made
            # stale, so SQLite read its pages again (measured: ~0.06 ms of system time per ingested message).
            pool_use_lifo=True,
        )
        gate = _WRITER_GATES[engine] = WriterGate()

        def attach_gate(dbapi_connection: Any, record: Any) -> None:
            dbapi_connection.gate = gate
            _sqlite_pragmas(dbapi_connection, record)
            raise_autocheckpoint(dbapi_connection)  # the server checkpoints off the request path (kit/wal_checkpoints)

        event.listen(engine, "connect", attach_gate)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


_WRITER_GATES: weakref.WeakKeyDictionary[Engine, WriterGate] = weakref.WeakKeyDictionary()


def make_null_pool_engine(url: str) -> Engine:
    """For short-lived CLI and migration runs that must not keep connections open."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _ensure_sqlite_dir(parsed.database)
        engine = create_engine(url, poolclass=NullPool, connect_args={"isolation_level": None})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    if parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, poolclass=NullPool)


def autoflush(session: Session) -> None:
    """Flush pending changes as an ORM query would before it runs (when the session autoflushes): for reads that
    bypass the session's query machinery. Callers add rows without ORM relationships and rely on that order."""
    if session.autoflush:
        session.flush()  # returns at once when nothing is pending


def transaction_memo(session: Session, key: str) -> dict[Any, Any]:
    """A dict that lives as long as the session's innermost transaction: a new transaction or savepoint gets a
    fresh one, because a savepoint's rollback can undo writes and, on PostgreSQL, release its row locks."""
    transaction = session.get_nested_transaction() or session.get_transaction()
    held = session.info.get(key)
    if held is None or held[0] is not transaction:
        held = (transaction, {})
        session.info[key] = held
    memo: dict[Any, Any] = held[1]
    return memo


class UnitOfWork:
    """A session plus the side effects that wait for its commit.

    ``app`` is the application context (keyring, job queue, event bus): services reach shared machinery
    through the unit of work they were handed instead of through globals.
    """

    def __init__(self, session: Session, app: AppContext, request_id: str | None = None) -> None:
        self.session = session
        self.app = app
        self.request_id = request_id
        self._after_commit: list[AfterCommit] = []
        self._pending_effects: list[AfterCommit] = []
        self.finished = False

    def after_commit(self, effect: AfterCommit) -> None:
        self._after_commit.append(effect)

    def commit(self) -> None:
        self.commit_only()
        self.run_effects()

    def commit_only(self) -> list[AfterCommit]:
        self.session.commit()
        self._pending_effects, self._after_commit = self._after_commit, []
        return self._pending_effects

    def run_effects(self) -> None:
        effects, self._pending_effects = self._pending_effects, []
        for effect in effects:
            try:
                effect()
            except Exception:  # an effect failing must not turn a committed request into an error
                log.exception("after-commit effect failed")

    def rollback(self) -> None:
        self._after_commit.clear()
        self.session.rollback()

    def finish(self) -> None:
        """Commit and run the effects now, on the calling thread: for a sync route handler, so that the
        request's commit shares the handler's worker thread instead of taking one more thread hop at the edge
        (``web.deps``). Nothing may be written through this unit of work afterwards."""
        self.commit()
        self.finished = True


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        readonly_engine = self.engine.execution_options(**{READONLY_OPTION: True})
        self._readonly_sessions = sessionmaker(readonly_engine, expire_on_commit=False, autoflush=False)
        # SQLite reads on the event loop get their own pool: they must never wait for a connection held by a
        # worker thread. Other databases never read there (``reads_inline``), so no second pool for them.
        self._loop_engine: Engine | None = make_engine(url) if self.dialect == "sqlite" else None
        self._inline_engine = (
            self._loop_engine.execution_options(**{READONLY_OPTION: True}) if self._loop_engine else readonly_engine
        )
        path = self.engine.url.database if self.dialect == "sqlite" else None
        # Started by the server's lifespan; CLIs and workers leave checkpoints to SQLite (FALLBACK_PAGES).
        self.checkpoints = BackgroundCheckpoints(path) if path and path != ":memory:" else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def writer_gate(self) -> WriterGate | None:
        """The process's SQLite writer gate; None on other databases."""
        return _WRITER_GATES.get(self.engine)

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def unit_of_work(self, app: AppContext, request_id: str | None = None) -> Iterator[UnitOfWork]:
        """Commit on success, roll back on any exception; effects run after commit."""
        # On SQLite, writers of this process queue on the connection's WriterGate (see there).
        session = self._sessions()
        uow = UnitOfWork(session, app, request_id)
        try:
            yield uow
            if not uow.finished:  # a handler that called finish() committed already
                uow.commit_only()
        except BaseException:
            uow.rollback()
            raise
        finally:
            session.close()
        uow.run_effects()  # after the session is released: live pushes and enqueues never hold a connection

    @contextmanager
    def read_only(self, app: AppContext, request_id: str | None = None) -> Iterator[UnitOfWork]:
        """For work that only reads: never waits behind SQLite writers; anything written is rolled back."""
        session = self._readonly_sessions()
        uow = UnitOfWork(session, app, request_id)
        try:
            yield uow
        finally:
            uow.rollback()
            session.close()

    @property
    def reads_inline(self) -> bool:
        """Whether a short indexed read may run on the event loop itself: on SQLite in WAL mode a reader never
        waits for a writer and the pages are local, so one read costs ~70 us, less than the thread hop it saves.
        Never on a networked database, where a round trip would stall every other request."""
        return self.dialect == "sqlite"

    def read_inline(self, statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
        """The first row of ``statement``, read on the calling thread in its own short read-only transaction
        (deferred BEGIN: it never takes the write lock; the connection goes back to the pool at once)."""
        with self._inline_engine.connect() as conn:
            return conn.execute(statement, params).first()

    def dispose(self) -> None:
        if self.checkpoints is not None:
            self.checkpoints.stop()
        if self._loop_engine is not None:
            self._loop_engine.dispose()
        self.engine.dispose()
