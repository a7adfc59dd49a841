"""SQLite's full-text index is filled in batches (inbox.search_index): a new message is queued, a search still
finds it, indexing moves it into FTS5, and deletes and edits of queued or indexed messages keep the index exactly
consistent with the messages (FTS5's own integrity check, which compares the index with the table)."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text

from hushdesk.app import create_app
from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.context import AppContext
from hushdesk.db import Database
from hushdesk.inbox import conversations as conv_svc
from hushdesk.inbox.search_index import BackgroundSearchIndex
from hushdesk.inbox.service import receive_message
from hushdesk.migrate import downgrade, upgrade
from hushdesk.models import Message
from hushdesk.tenancy.permissions import Role
from tests.support.factories import World

pytestmark = pytest.mark.skipif(os.environ.get("HUSHDESK_TEST_DB") == "postgres",
                                reason="SQLite's FTS5 index (PostgreSQL's GIN index follows every write)")


def _write(world: World, body: str, email: str = "sam@example.com") -> tuple[str, str]:
    with world.ctx.unit_of_work() as uow:
        got = receive_message(uow, world.workspace_id, InboundMessage(
            channel="api", sender=ContactHint("email", email, email=email), body=body))
        return got.message.id, got.conversation.id


def _found(world: World, query: str) -> list[str]:
    agent = world.member(Role.AGENT)
    with world.ctx.unit_of_work() as uow:
        return [c.id for c in conv_svc.search(uow, agent.actor, query)]


def index_all_pending(db: Database) -> int:
    """What the server's indexing task does each round (with the writer gate free, as in these tests)."""
    return asyncio.run(BackgroundSearchIndex(db).run_round())


def _queued(conn: Connection) -> int:
    return int(conn.execute(text("SELECT count(*) FROM message_search_pending")).scalar_one())


def _in_index(conn: Connection, word: str) -> int:
    return int(conn.execute(text("SELECT count(*) FROM message_search WHERE message_search MATCH :q"),
                            {"q": f'"{word}"'}).scalar_one())


def _assert_index_matches_messages(world: World) -> None:
    assert index_all_pending(world.ctx.db) >= 0
    with world.ctx.db.engine.begin() as conn:
        assert _queued(conn) == 0
        # rank 1: also compare every indexed row with the messages table (raises on any difference)
        conn.execute(text("INSERT INTO message_search(message_search, rank) VALUES ('integrity-check', 1)"))


def test_a_queued_message_is_found_then_indexed(world: World) -> None:
    index_all_pending(world.ctx.db)
    _, conv_id = _write(world, "the trombone teapot cracked")
    with world.ctx.db.engine.connect() as conn:
        assert _queued(conn) == 1 and _in_index(conn, "trombone") == 0
    assert _found(world, "trombone teapot") == [conv_id]  # found while queued
    assert _found(world, "trombone kettle") == []  # every term must be there
    assert index_all_pending(world.ctx.db) == 1
    with world.ctx.db.engine.connect() as conn:
        assert _queued(conn) == 0 and _in_index(conn, "trombone") == 1
    assert _found(world, "trombone") == [conv_id]  # now through the index, once
    _assert_index_matches_messages(world)


def test_like_wildcards_in_a_query_are_literal(world: World) -> None:
    _, conv_id = _write(world, "discount of 100% on the snow_globe")
    _write(world, "the snowyglobe is here", email="other@example.com")
    assert _found(world, "snow_globe") == [conv_id]
    assert _found(world, "%") == [conv_id]  # the literal percent sign, not "anything"
    index_all_pending(world.ctx.db)


def test_deleting_and_editing_queued_or_indexed_messages_keeps_the_index_exact(world: World) -> None:
    indexed_id, _ = _write(world, "spatula indexed then deleted")
    edited_id, _ = _write(world, "spatula indexed then edited")
    index_all_pending(world.ctx.db)
    queued_id, _ = _write(world, "spatula queued then deleted")
    queued_edit_id, _ = _write(world, "spatula queued then edited")
    with world.ctx.unit_of_work() as uow:
        for message_id in (indexed_id, queued_id):
            uow.session.delete(uow.session.get(Message, message_id))
        for message_id in (edited_id, queued_edit_id):
            message = uow.session.get(Message, message_id)
            assert message is not None
            message.body_redacted = message.body_redacted.replace("spatula", "<PERSON_1> scrubbed")
    with world.ctx.db.engine.connect() as conn:
        assert _queued(conn) == 1  # the queued edit waits; the queued delete left the queue
    _assert_index_matches_messages(world)
    with world.ctx.db.engine.connect() as conn:
        assert _in_index(conn, "spatula") == 0 and _in_index(conn, "scrubbed") == 2


def test_a_reused_rowid_is_indexed_with_its_new_text(world: World) -> None:
    """SQLite gives a new row the largest rowid + 1, so deleting the newest message hands its rowid on."""
    old_id, _ = _write(world, "wheelbarrow original text")
    index_all_pending(world.ctx.db)
    with world.ctx.unit_of_work() as uow:
        uow.session.delete(uow.session.get(Message, old_id))
    _write(world, "marmalade replacement text")
    _assert_index_matches_messages(world)
    with world.ctx.db.engine.connect() as conn:
        assert _in_index(conn, "wheelbarrow") == 0 and _in_index(conn, "marmalade") == 1


def test_the_server_indexes_in_the_background(world: World) -> None:
    app = create_app(world.ctx.settings, world.ctx)
    app.state.search_index.interval = 0.05
    with TestClient(app):
        _write(world, "thermos arrives while serving")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with world.ctx.db.engine.connect() as conn:
                if _queued(conn) == 0 and _in_index(conn, "thermos") == 1:
                    break
            time.sleep(0.05)
        else:
            pytest.fail("the background indexer did not index the message")
    assert app.state.search_index.indexed >= 1


def test_a_long_queue_is_drained_batch_by_batch_in_one_round(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from hushdesk.inbox import search_index

    index_all_pending(world.ctx.db)
    monkeypatch.setattr(search_index, "BATCH", 2)
    for n in range(5):
        _write(world, f"ukulele number {n}")
    indexer = search_index.BackgroundSearchIndex(world.ctx.db)
    assert asyncio.run(indexer.run_round()) == 5  # batches of 2, 2 and 1
    _assert_index_matches_messages(world)


def test_upgrade_and_downgrade_keep_every_message_searchable(tmp_path: Path) -> None:
    from tests.conftest import make_settings

    settings = make_settings(tmp_path)
    url = settings.resolved_database_url
    upgrade(url, "c7d2e9f4a1b8")  # the index written by triggers, message by message
    ctx = AppContext.create(settings)
    try:
        from tests.support.factories import make_world

        world = make_world(ctx)
        _, before = _write(world, "harmonica written before the upgrade")
        ctx.db.dispose()
        upgrade(url)
        assert _found(world, "harmonica") == [before]
        _, queued = _write(world, "saxophone queued at the downgrade")
        ctx.db.dispose()
        downgrade(url, "c7d2e9f4a1b8")  # takes queued messages into the index
        with ctx.db.engine.begin() as conn:
            assert _in_index(conn, "saxophone") == 1 and _in_index(conn, "harmonica") == 1
            conn.execute(text("INSERT INTO message_search(message_search, rank) VALUES ('integrity-check', 1)"))
        ctx.db.dispose()
        upgrade(url)
    finally:
        ctx.close()


def test_the_indexer_never_waits_for_the_writer_gate(world: World) -> None:
    """It runs on the event loop: with the gate taken by another writer it skips the round at once (waiting would
    stall the loop; sending it to a thread pushed ingest requests into the slower thread mode, ADR 0010)."""
    from hushdesk.inbox.search_index import _index_if_gate_free
    from tests.inbox.test_writer_gate import _gate_held_by_another_thread

    index_all_pending(world.ctx.db)
    _write(world, "xylophone queued while the gate is taken")
    with _gate_held_by_another_thread(world.ctx):
        started = time.monotonic()
        assert _index_if_gate_free(world.ctx.db) == 0
        assert time.monotonic() - started < 0.5
    assert _index_if_gate_free(world.ctx.db) == 1
    _assert_index_matches_messages(world)
