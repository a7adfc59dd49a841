"""SQLite: messages enter the full-text index in batches, off the request path

Revision ID: d5e7f9a1b3c6
Revises: c7d2e9f4a1b8
Create Date: 2026-11-22 07:00:00

An FTS5 insert per transaction wrote a new index segment and merged old ones inside every ingest's
transaction (~0.1 ms of its ~1.6 ms). A new message now only queues its rowid; inbox.search_index moves queued
messages into the index in batches. A message still queued is deleted or edited without touching the index
(it was never in it); one already indexed is taken out or re-indexed as before.
"""

from __future__ import annotations

from alembic import op


revision = 'd5e7f9a1b3c6'
down_revision = 'c7d2e9f4a1b8'
branch_labels = None
depends_on = None

_QUEUED = "EXISTS (SELECT 1 FROM message_search_pending WHERE message_rowid = old.rowid)"


def _drop_triggers() -> None:
    for trigger in ("message_search_ai", "message_search_ad", "message_search_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL's GIN expression index follows every write by itself
    op.execute("CREATE TABLE message_search_pending (message_rowid INTEGER PRIMARY KEY)")
    _drop_triggers()
    op.execute(
        "CREATE TRIGGER message_search_ai AFTER INSERT ON messages BEGIN "
        "INSERT INTO message_search_pending(message_rowid) VALUES (new.rowid); END"
    )
    op.execute(
        "CREATE TRIGGER message_search_ad AFTER DELETE ON messages BEGIN "
        "INSERT INTO message_search(message_search, rowid, body_redacted) "
        f"SELECT 'delete', old.rowid, old.body_redacted WHERE NOT {_QUEUED}; "
        "DELETE FROM message_search_pending WHERE message_rowid = old.rowid; END"
    )
    op.execute(
        f"CREATE TRIGGER message_search_au AFTER UPDATE OF body_redacted ON messages WHEN NOT {_QUEUED} BEGIN "
        "INSERT INTO message_search(message_search, rowid, body_redacted) "
        "VALUES ('delete', old.rowid, old.body_redacted); "
        "INSERT INTO message_search(rowid, body_redacted) VALUES (new.rowid, new.body_redacted); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "INSERT INTO message_search(rowid, body_redacted) SELECT m.rowid, m.body_redacted FROM messages m "
        "JOIN message_search_pending p ON p.message_rowid = m.rowid"
    )
    _drop_triggers()
    op.execute("DROP TABLE message_search_pending")
    op.execute(
        "CREATE TRIGGER message_search_ai AFTER INSERT ON messages BEGIN "
        "INSERT INTO message_search(rowid, body_redacted) VALUES (new.rowid, new.body_redacted); END"
    )
    op.execute(
        "CREATE TRIGGER message_search_ad AFTER DELETE ON messages BEGIN "
        "INSERT INTO message_search(message_search, rowid, body_redacted) "
        "VALUES ('delete', old.rowid, old.body_redacted); END"
    )
    op.execute(
        "CREATE TRIGGER message_search_au AFTER UPDATE OF body_redacted ON messages BEGIN "
        "INSERT INTO message_search(message_search, rowid, body_redacted) "
        "VALUES ('delete', old.rowid, old.body_redacted); "
        "INSERT INTO message_search(rowid, body_redacted) VALUES (new.rowid, new.body_redacted); END"
    )
