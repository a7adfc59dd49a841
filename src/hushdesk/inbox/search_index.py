"""SQLite's full-text index of redacted message text, filled in batches off the request path.

Inserting into FTS5 inside every ingest's transaction cost ~0.1 ms of its ~1.6 ms: each transaction wrote a new
index segment and merged older ones. A new message now only queues its rowid (``message_search_pending``, by the
insert trigger of migration d5e7f9a1b3c6); ``index_pending`` moves queued messages into the index, many per
transaction, from the server's background thread (``BackgroundSearchIndex``, every ``interval`` seconds) or from
whoever calls it. Until then a search still finds a queued message (``inbox.repository.search_message_ids``
matches queued messages' redacted text directly), so no message is ever unsearchable. PostgreSQL's GIN expression
index follows every write by itself: nothing here runs there.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Connection, text

from hushdesk.db import Database

log = logging.getLogger(__name__)

BATCH = 500  # messages per transaction: a few milliseconds of the write lock
_OLDEST = text("SELECT message_rowid FROM message_search_pending ORDER BY message_rowid LIMIT :n")
_INDEX_UP_TO = text(
    "INSERT INTO message_search(rowid, body_redacted) SELECT m.rowid, m.body_redacted FROM messages m "
    "JOIN message_search_pending p ON p.message_rowid = m.rowid WHERE p.message_rowid <= :last"
)
_DEQUEUE_UP_TO = text("DELETE FROM message_search_pending WHERE message_rowid <= :last")
_ANY_QUEUED = text("SELECT 1 FROM message_search_pending LIMIT 1")


def index_pending(conn: Connection, limit: int = BATCH) -> int:
    """Index up to ``limit`` queued messages, oldest first, in the caller's write transaction; returns how many.
    (Inside a write transaction nobody else adds to the queue, so the two statements see the same rows.)"""
    if conn.dialect.name != "sqlite":
        return 0
    queued = conn.execute(_OLDEST, {"n": limit}).scalars().all()
    if not queued:
        return 0
    conn.execute(_INDEX_UP_TO, {"last": queued[-1]})
    conn.execute(_DEQUEUE_UP_TO, {"last": queued[-1]})
    return len(queued)


def index_all_pending(db: Database) -> int:
    """Empty the queue, one batch per transaction (other writers get their turn in between)."""
    done = 0
    while db.dialect == "sqlite" and db.read_inline(_ANY_QUEUED, {}) is not None:
        with db.engine.begin() as conn:  # a write transaction: takes the process's writer gate like any other
            indexed = index_pending(conn)
        done += indexed
        if indexed == 0:
            break
    return done


class BackgroundSearchIndex:
    """The server's indexing thread (started and stopped by the app's lifespan)."""

    def __init__(self, db: Database, interval: float = 0.25) -> None:
        self.db = db
        self.interval = interval
        self.indexed = 0  # messages indexed so far (for tests and diagnostics)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None or self.db.dialect != "sqlite":
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="hushdesk-search-index", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.indexed += index_all_pending(self.db)
            except Exception:  # a locked database, a closed engine at shutdown: the next round tries again
                log.exception("search indexing failed; retrying")
