"""SQLite's full-text index of redacted message text, filled in batches off the request path.

Inserting into FTS5 inside every ingest's transaction cost ~0.1 ms of its ~1.6 ms: each transaction wrote a new
index segment and merged older ones. A new message now only queues its rowid (``message_search_pending``, by the
insert trigger of migration d5e7f9a1b3c6); ``index_pending`` moves queued messages into the index, many per
transaction, from a task on the server's event loop (``BackgroundSearchIndex``, every ``interval`` seconds).
Until then a search still finds a queued message (``inbox.repository.search_message_ids`` matches queued
messages' redacted text directly), so no message is ever unsearchable. PostgreSQL's GIN expression index follows
every write by itself: nothing here runs there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import Connection, text

from hushdesk.db import Database, WriterBusy, impatient_writes

log = logging.getLogger(__name__)

BATCH = 500  # messages per transaction: a few milliseconds of the write lock
_OLDEST = text("SELECT message_rowid FROM message_search_pending ORDER BY message_rowid LIMIT :n")
_INDEX_UP_TO = text(
    "INSERT INTO message_search(rowid, body_redacted) SELECT m.rowid, m.body_redacted FROM messages m "
    "JOIN message_search_pending p ON p.message_rowid = m.rowid WHERE p.message_rowid <= :last"
)
_DEQUEUE_UP_TO = text("DELETE FROM message_search_pending WHERE message_rowid <= :last")
_ANY_QUEUED = text("SELECT 1 FROM message_search_pending LIMIT 1")


def index_pending(conn: Connection) -> int:
    """Index up to ``BATCH`` queued messages, oldest first, in the caller's write transaction; returns how many.
    (Inside a write transaction nobody else adds to the queue, so the two statements see the same rows.)"""
    if conn.dialect.name != "sqlite":
        return 0
    queued = conn.execute(_OLDEST, {"n": BATCH}).scalars().all()
    if not queued:
        return 0
    conn.execute(_INDEX_UP_TO, {"last": queued[-1]})
    conn.execute(_DEQUEUE_UP_TO, {"last": queued[-1]})
    return len(queued)


def _index_if_gate_free(db: Database) -> int:
    gate = db.writer_gate
    if gate is None or db.read_inline(_ANY_QUEUED, {}) is None:
        return 0
    with gate.turn_if_free() as ours:
        if not ours:
            return 0  # another writer's turn: next round
        try:
            with impatient_writes(), db.engine.begin() as conn:  # adopts the gate taken above
                return index_pending(conn)
        except WriterBusy:  # another process holds SQLite's lock: next round
            return 0


class BackgroundSearchIndex:
    """The server's indexing, run by the app's lifespan as a task **on the event loop**, like the ingest fast path
    (web/fast_ingest): it takes the writer gate only when free and never waits for it. From a thread of its own
    it had to wait for the gate, and ingest requests that met it held by the indexer went to worker threads,
    each holding the gate while the next ones arrived: ~65 % of requests ran in that slower mode (+0.5 ms CPU
    per ingest). On the loop, while it indexes (a batch is ~1-2 ms) no request is in between."""

    def __init__(self, db: Database, interval: float = 0.25) -> None:
        self.db = db
        self.interval = interval
        self.indexed = 0  # messages indexed so far (for tests and diagnostics)

    def start(self) -> asyncio.Task[None] | None:
        """A task on the running loop (one per lifespan: an app may be served by several loops in turn)."""
        if self.db.dialect != "sqlite":
            return None
        return asyncio.get_running_loop().create_task(self._loop(), name="hushdesk-search-index")

    @staticmethod
    async def stop(task: asyncio.Task[None] | None) -> None:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run_round(self) -> int:
        """Index what is queued while the gate is free; a full batch means more may be queued, so it goes on,
        letting requests in between batches."""
        done = 0
        while True:
            indexed = _index_if_gate_free(self.db)
            done += indexed
            if indexed < BATCH:
                self.indexed += done
                return done
            await asyncio.sleep(0)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.run_round()
            except Exception:  # e.g. the database went away: the next round tries again
                log.exception("search indexing failed; retrying")
