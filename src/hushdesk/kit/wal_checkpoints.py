"""SQLite WAL checkpoints on a thread of their own, off the request path.

In WAL mode a commit appends pages to the write-ahead log; a checkpoint copies them back into the database file
and, with ``synchronous=NORMAL``, is the only step that waits for the disk (two fsyncs). SQLite runs it inside
the COMMIT of whichever writer crosses ``wal_autocheckpoint`` pages, so every ~40th ingested message paid a
1,000-page copy plus the fsyncs on the event loop (measured: ~0.1 ms of wall time per message on average, none
of it useful to the request). The server instead checkpoints from this thread every ``interval`` seconds
(PASSIVE: it never blocks readers or writers, and sqlite3 releases the GIL while it works). Pool connections keep
a much higher automatic threshold (``FALLBACK_PAGES``) as a backstop should this thread fall behind or stop, so
the log stays bounded either way.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from typing import Any

log = logging.getLogger(__name__)

FALLBACK_PAGES = 8000  # ~32 MB of log before a writer checkpoints by itself (SQLite's default is 1,000)


def raise_autocheckpoint(dbapi_connection: Any) -> None:
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={FALLBACK_PAGES}")


class BackgroundCheckpoints:
    def __init__(self, database_path: str, interval: float = 0.25) -> None:
        self.database_path = database_path
        self.interval = interval
        self.runs = 0  # completed checkpoint calls (for tests and diagnostics)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="hushdesk-wal-checkpoints", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            thread.join(timeout=10)

    def checkpoint_once(self, conn: sqlite3.Connection) -> tuple[int, int, int]:
        """(busy, frames in the log, frames copied): PASSIVE copies what no reader still needs, without waiting."""
        busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self.runs += 1
        return int(busy), int(frames), int(copied)

    def _loop(self) -> None:
        try:
            conn = sqlite3.connect(self.database_path, timeout=1.0, check_same_thread=True, isolation_level=None)
        except sqlite3.Error:
            log.exception("WAL checkpoints: cannot open %s; writers checkpoint by themselves", self.database_path)
            return
        try:
            while not self._stop.wait(self.interval):
                try:
                    self.checkpoint_once(conn)
                except sqlite3.Error as exc:  # e.g. a migration holding an exclusive lock: try again next time
                    log.warning("WAL checkpoint failed: %s", exc)
            self.checkpoint_once(conn)  # leave a short log behind at shutdown
        except sqlite3.Error as exc:
            log.warning("final WAL checkpoint failed: %s", exc)
        finally:
            conn.close()
