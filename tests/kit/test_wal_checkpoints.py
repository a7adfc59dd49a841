"""Checkpoints leave the request path: writers no longer copy the WAL back at SQLite's 1,000-page default, the
server's background thread does, and the log stays bounded."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from hushdesk.app import create_app
from hushdesk.context import AppContext
from hushdesk.db import Database
from hushdesk.kit.wal_checkpoints import FALLBACK_PAGES
from tests.conftest import make_settings

pytestmark = pytest.mark.skipif(os.environ.get("HUSHDESK_TEST_DB") == "postgres",
                                reason="SQLite's write-ahead log")


def _write_pages(db: Database, rows: int) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS scratch (id INTEGER PRIMARY KEY, blob BLOB)"))
    for _ in range(rows):
        with db.engine.begin() as conn:  # one transaction each, like requests: each commit appends its pages
            conn.execute(text("INSERT INTO scratch (blob) VALUES (randomblob(3000))"))


def _wal_frames(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return (wal.stat().st_size - 32) // (4096 + 24) if wal.exists() and wal.stat().st_size else 0


def test_writers_leave_checkpoints_to_the_background_thread(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    db = Database(f"sqlite:///{path}")
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar_one() == FALLBACK_PAGES
        _write_pages(db, 1500)  # ~1,500+ pages: past SQLite's default threshold of 1,000
        grown = _wal_frames(path)
        assert 1000 < grown < FALLBACK_PAGES  # no writer checkpointed (the default would have restarted the log)
        assert db.checkpoints is not None
        db.checkpoints.interval = 0.05
        db.checkpoints.start()
        deadline = time.monotonic() + 10
        while db.checkpoints.runs < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert db.checkpoints.runs >= 2
        _write_pages(db, 50)  # a writer after a complete checkpoint starts the log again from its beginning
        assert _wal_frames(path) == grown  # the file is reused, not extended
        raw = sqlite3.connect(path, isolation_level=None)
        busy, frames, _ = raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        raw.close()
        assert busy == 0 and frames < 200
    finally:
        db.dispose()
    assert db.checkpoints is not None and db.checkpoints._thread is None  # stopped with the database


def test_the_server_lifespan_runs_the_checkpoints(tmp_path: Path) -> None:
    ctx = AppContext.create(make_settings(tmp_path))
    try:
        assert ctx.db.checkpoints is not None
        ctx.db.checkpoints.interval = 0.05
        with TestClient(create_app(ctx.settings, ctx)) as client:
            assert client.get("/healthz").status_code == 200
            deadline = time.monotonic() + 10
            while ctx.db.checkpoints.runs < 1 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert ctx.db.checkpoints.runs >= 1
            assert ctx.db.checkpoints._thread is not None and ctx.db.checkpoints._thread.is_alive()
        assert ctx.db.checkpoints._thread is None
    finally:
        ctx.close()
