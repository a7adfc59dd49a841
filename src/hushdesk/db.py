"""Engines, sessions and the unit of work: one transaction per request or job, committed at the edge.

Services receive a ``UnitOfWork`` and never commit. Side effects (jobs, realtime events, mail) are buffered on
it with ``after_commit`` and run only once the transaction is durable; a rollback drops them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from hushdesk.context import AppContext

log = logging.getLogger(__name__)

AfterCommit = Callable[[], None]


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
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


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
            connect_args={"check_same_thread": False, "timeout": 30, "isolation_level": None},
            pool_size=8,
            max_overflow=8,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


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


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        # See writer_gate(). Only for callers that enter and leave on one thread.
        self._writer_gate: AbstractContextManager[Any] = (
            threading.Lock() if self.engine.dialect.name == "sqlite" else nullcontext()
        )
        self._readonly_sessions = sessionmaker(
            self.engine.execution_options(**{READONLY_OPTION: True}), expire_on_commit=False, autoflush=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def unit_of_work(self, app: AppContext, request_id: str | None = None) -> Iterator[UnitOfWork]:
        """Commit on success, roll back on any exception; effects run after commit."""
        # No Python-level write lock here on purpose: FastAPI enters and exits a sync dependency on different
        # threads, so a thread-bound lock cannot be released there, and a plain one would turn a nested unit
        # of work into a deadlock. SQLite's busy timeout queues writers (with polling sleeps).
        session = self._sessions()
        uow = UnitOfWork(session, app, request_id)
        try:
            yield uow
            uow.commit_only()
        except BaseException:
            uow.rollback()
            raise
        finally:
            session.close()
        uow.run_effects()  # after the session is released: live pushes and enqueues never hold a connection

    def writer_gate(self) -> AbstractContextManager[Any]:
        """Queue this process's SQLite writers on a Python lock (a no-op on PostgreSQL).

        SQLite admits one writer; its busy handler makes the others poll with sleeps of up to 100 ms, which
        showed up as a 300 ms tail in live chat. Callers that run a whole unit of work on one thread (the
        WebSocket handlers) hold this gate around it, so the next writer starts the moment the previous one
        commits. Never hold it around code that opens another gated unit of work.
        """
        return self._writer_gate

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

    def dispose(self) -> None:
        self.engine.dispose()
