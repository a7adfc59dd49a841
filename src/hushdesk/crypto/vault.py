"""The key vault: wrapped workspace and contact keys, stored APART from the data database.

Why apart: crypto-shredding only works if a backup of the data database does not also hold the key that was
destroyed. Data backups never contain the vault; the vault has its own (short) backup policy. See ADR 0004.
The vault's schema is tiny and versioned by ``SCHEMA_VERSION``; it is created on first use.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.engine import make_url

from hushdesk.db import READONLY_OPTION, make_engine
from hushdesk.kit.clock import utcnow

SCHEMA_VERSION = 1

vault_metadata = MetaData()

vault_keys = Table(
    "vault_keys",
    vault_metadata,
    Column("id", String(40), primary_key=True),
    Column("workspace_id", String(32), nullable=False, index=True),
    Column("kind", String(20), nullable=False),  # workspace_kek | workspace_index | workspace_secrets | contact
    Column("version", Integer, nullable=False, default=1),
    Column("wrapped", LargeBinary, nullable=False),
    Column("wrapped_by", String(40), nullable=False),  # master key id or workspace KEK id
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("rotated_at", DateTime(timezone=True)),
)

vault_meta = Table(
    "vault_meta",
    vault_metadata,
    Column("name", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
)


@dataclass(frozen=True)
class WrappedKey:
    id: str
    workspace_id: str
    kind: str
    version: int
    wrapped: bytes
    wrapped_by: str


_BY_ID = select(vault_keys).where(vault_keys.c.id == bindparam("key_id"))  # built once: every message asks


class _SQLiteKeyReader:
    """The per-message key lookup on a SQLite vault, on plain sqlite3 connections of its own.

    Every ingested message looks up its contact's wrapped key. Through SQLAlchemy (pool checkout, a deferred
    BEGIN, the statement, ROLLBACK) that was ~0.2 ms of CPU per message; one autocommit SELECT on an idle
    connection of this small pool is ~0.03 ms. Each SELECT is its own read transaction, so it never waits for
    a writer (WAL) and always sees committed state: a destroyed key is gone for the next lookup."""

    SQL = "SELECT id, workspace_id, kind, version, wrapped, wrapped_by FROM vault_keys WHERE id = ?"

    def __init__(self, path: str) -> None:
        self._path = path
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            conn = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None, timeout=10)
            with self._lock:
                self._opened.append(conn)
            return conn

    def get(self, key_id: str) -> WrappedKey | None:
        conn = self._connection()
        try:
            cursor = conn.execute(self.SQL, (key_id,))
            rows = cursor.fetchall()  # run to the end and close: an unfinished statement would hold a read
            cursor.close()  # snapshot open and keep a checkpoint from purging a destroyed key from the WAL
        finally:
            self._idle.put(conn)
        row = rows[0] if rows else None
        return None if row is None else WrappedKey(row[0], row[1], row[2], int(row[3]), bytes(row[4]), row[5])

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()


class KeyVault:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        parsed = make_url(url)
        on_file = parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")
        self._fast = _SQLiteKeyReader(str(parsed.database)) if on_file else None
        # Lookups begin a deferred (read) transaction: BEGIN IMMEDIATE would take the vault's write lock for
        # every message's key lookup and queue readers behind key creation.
        self._reader = self.engine.execution_options(**{READONLY_OPTION: True})
        self._ready = False

    def ensure_schema(self) -> None:
        if self._ready:
            return
        # The vault is not part of the Alembic-managed data schema on purpose (it is a different store);
        # its two tables are created idempotently and stamped with a version.
        vault_metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            row = conn.execute(select(vault_meta.c.value).where(vault_meta.c.name == "schema_version")).first()
            if row is None:
                conn.execute(insert(vault_meta).values(name="schema_version", value=str(SCHEMA_VERSION)))
            elif int(row[0]) > SCHEMA_VERSION:
                raise RuntimeError("the key vault was written by a newer hushdesk")
        self._ready = True

    def put(self, key: WrappedKey) -> None:
        self.ensure_schema()
        with self.engine.begin() as conn:
            conn.execute(
                insert(vault_keys).values(
                    id=key.id,
                    workspace_id=key.workspace_id,
                    kind=key.kind,
                    version=key.version,
                    wrapped=key.wrapped,
                    wrapped_by=key.wrapped_by,
                    created_at=utcnow(),
                )
            )

    def get(self, key_id: str) -> WrappedKey | None:
        self.ensure_schema()
        if self._fast is not None:
            return self._fast.get(key_id)
        with self._reader.connect() as conn:
            row = conn.execute(_BY_ID, {"key_id": key_id}).first()
        if row is None:
            return None
        return WrappedKey(row.id, row.workspace_id, row.kind, row.version, row.wrapped, row.wrapped_by)

    def find(self, workspace_id: str, kind: str) -> list[WrappedKey]:
        self.ensure_schema()
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(vault_keys)
                .where(vault_keys.c.workspace_id == workspace_id, vault_keys.c.kind == kind)
                .order_by(vault_keys.c.version.desc())
            ).all()
        return [WrappedKey(r.id, r.workspace_id, r.kind, r.version, r.wrapped, r.wrapped_by) for r in rows]

    def rewrap(self, key_id: str, wrapped: bytes, wrapped_by: str, rotated_at: datetime) -> None:
        self.ensure_schema()
        with self.engine.begin() as conn:
            conn.execute(
                update(vault_keys)
                .where(vault_keys.c.id == key_id)
                .values(wrapped=wrapped, wrapped_by=wrapped_by, rotated_at=rotated_at)
            )

    def destroy(self, key_id: str) -> bool:
        """Crypto-shred: the row is deleted (SQLite secure_delete overwrites the page)."""
        self.ensure_schema()
        with self.engine.begin() as conn:
            result = conn.execute(delete(vault_keys).where(vault_keys.c.id == key_id))
        return bool(result.rowcount)

    def dispose(self) -> None:
        if self._fast is not None:
            self._fast.close()
        self.engine.dispose()
