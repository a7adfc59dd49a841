"""The ingest fast path (web/fast_ingest.py) answers exactly as the FastAPI routes do, and is really taken.

Every request below goes once through an app with the fast path and once through one without it (same context,
same database); the answers must agree: status, error code and the fields of the JSON."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hushdesk.app import create_app
from hushdesk.context import AppContext
from hushdesk.models import AuditEvent, Message
from hushdesk.web import fast_ingest
from tests.support.factories import World


@pytest.fixture(scope="module")
def plain_app(ctx: AppContext) -> FastAPI:
    return create_app(ctx.settings.model_copy(update={"fast_ingest": False}), ctx)


@pytest.fixture
def plain(plain_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(plain_app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def fast_calls(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per request the fast path answered itself: whether it ran on the event loop."""
    calls: list[bool] = []
    original = fast_ingest._run

    def counting(*args: Any) -> tuple[int, bytes]:
        try:
            asyncio.get_running_loop()
            on_loop = True
        except RuntimeError:
            on_loop = False
        calls.append(on_loop)
        return original(*args)

    monkeypatch.setattr(fast_ingest, "_run", counting)
    return calls


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _shape(res: Any) -> Any:
    """What must agree between the two paths: ids, times and numbers differ between two real requests."""
    try:
        body = res.json()
    except ValueError:
        return res.text
    if "error" in body:
        details = body["error"].get("details")
        return {"code": body["error"]["code"], "message": body["error"]["message"],
                "details": [(d["loc"], d["type"]) for d in details] if isinstance(details, list) else details}
    return _strip(body)


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items()
                if k not in ("id", "created_at", "last_message_at", "number", "contact_id", "conversation_id",
                             "updated_at")}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _both(fast: TestClient, plain: TestClient, path: str, **kwargs: Any) -> tuple[Any, Any]:
    a = fast.post(path, **kwargs)
    b = plain.post(path, **kwargs)
    assert a.status_code == b.status_code, (path, kwargs, a.text, b.text)
    assert _shape(a) == _shape(b), (path, kwargs)
    assert a.headers["content-type"] == b.headers["content-type"]
    return a, b


def test_fast_path_answers_like_the_routes(client: TestClient, plain: TestClient, world: World,
                                           other_world: World, fast_calls: list[bool]) -> None:
    token = world.token()
    reader = world.token(scopes=("conversations:read",))
    create = {"email": "fast@example.com", "name": "Fia Fast", "subject": "Hello", "body": "Card 4111 1111 1111 1111"}
    a, b = _both(client, plain, "/api/v1/conversations", json=create, headers=_auth(token))
    assert a.status_code == 201 and len(fast_calls) == 1
    assert a.json()["message"]["body"] == create["body"]
    conv_a, conv_b = a.json()["conversation"]["id"], b.json()["conversation"]["id"]
    foreign = other_world.token()

    inbound = {"kind": "inbound", "email": "fast@example.com", "body": "again, call +1 415 555 0100"}
    for conv, tc in ((conv_a, client), (conv_b, plain)):
        res = tc.post(f"/api/v1/conversations/{conv}/messages", json=inbound, headers=_auth(token))
        assert res.status_code == 201, res.text
        assert res.json()["body"] == inbound["body"] and res.json()["conversation_id"] == conv
    calls_before = len(fast_calls)
    cases: list[tuple[str, dict[str, Any], bool]] = [
        # (path suffix, request, answered by the fast path?)
        ("messages", {"json": {"body": "an agent reply"}, "headers": _auth(token)}, True),
        ("messages", {"json": {"kind": "note", "body": "a note", "client_message_id": "n-1"},
                      "headers": _auth(token)}, True),
        ("messages", {"json": {"kind": "inbound", "body": "no email"}, "headers": _auth(token)}, True),
        ("messages", {"json": {"kind": "inbound", "email": "someone-else@example.com", "body": "x"},
                      "headers": _auth(token)}, True),
        ("messages", {"json": {"body": "reader may not write"}, "headers": _auth(reader)}, True),
        ("messages", {"json": {"body": "x"}, "headers": _auth(foreign)}, True),
        ("messages", {"json": {"body": "x"}, "headers": _auth("hd_not-a-real-token")}, True),
        ("messages", {"json": {"body": "x"}, "headers": _auth("garbage")}, True),
        # Everything below goes to FastAPI untouched.
        ("messages", {"json": {"body": "x"}}, False),
        ("messages", {"json": {"bodyy": "x"}, "headers": _auth(token)}, False),
        ("messages", {"json": {"body": ""}, "headers": _auth(token)}, False),
        ("messages", {"json": {"body": "x", "kind": "shout"}, "headers": _auth(token)}, False),
        ("messages", {"json": ["body"], "headers": _auth(token)}, False),
        ("messages", {"json": {"body": "x"}, "headers": _auth(reader) | {"Content-Type": "text/plain"}}, False),
        ("messages", {"content": b"{not json", "headers": _auth(token) | {"Content-Type": "application/json"}},
         False),
        ("messages", {"content": b'{"body": "\xff"}', "headers": _auth(token) | {"Content-Type": "application/json"}},
         False),
        ("messages", {"json": {"body": "x" * 20_001}, "headers": _auth(token)}, False),
        ("messages", {"json": {"bodyy": "x"}, "headers": _auth(reader)}, False),  # 403 before 422
    ]
    for suffix, request, answered_fast in cases:
        before = len(fast_calls)
        a_res = client.post(f"/api/v1/conversations/{conv_a}/{suffix}", **request)
        b_res = plain.post(f"/api/v1/conversations/{conv_b}/{suffix}", **request)
        assert a_res.status_code == b_res.status_code, (request, a_res.text, b_res.text)
        assert _shape(a_res) == _shape(b_res), request
        assert (len(fast_calls) > before) == answered_fast, request
    assert len(fast_calls) - calls_before == sum(1 for *_, fast in cases if fast)

    # A retry with the same client message id returns the stored message (200), on both paths.
    retry = {"kind": "note", "body": "a note", "client_message_id": "n-1"}
    again = client.post(f"/api/v1/conversations/{conv_a}/messages", json=retry, headers=_auth(token))
    assert again.status_code == 200
    missing = _both(client, plain, "/api/v1/conversations/cv_missing/messages", json={"body": "x"},
                    headers=_auth(token))[0]
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_fast_path_writes_what_the_route_writes(client: TestClient, ctx: AppContext, world: World,
                                                fast_calls: list[bool]) -> None:
    token = world.token()
    res = client.post("/api/v1/conversations", json={"email": "audit@example.com", "body": "mail audit@example.com"},
                      headers=_auth(token))
    assert res.status_code == 201 and fast_calls
    assert res.headers["content-security-policy"]  # the outer middlewares still wrap the fast path
    assert res.headers["x-content-type-options"] == "nosniff"
    msg_id = res.json()["message"]["id"]
    with ctx.unit_of_work() as uow:
        msg = uow.session.get(Message, msg_id)
        assert msg is not None and msg.body_redacted == "mail <EMAIL_1>"
        actions = [a for (a,) in uow.session.query(AuditEvent.action).filter(
            AuditEvent.target_id == msg_id)]
    assert actions == ["message.received"]


def test_a_failed_fast_request_writes_nothing(client: TestClient, ctx: AppContext, world: World,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    token = world.token()
    conv = client.post("/api/v1/conversations", json={"email": "boom@example.com", "body": "hi"},
                       headers=_auth(token)).json()["conversation"]["id"]

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr("hushdesk.inbox.service.record", explode)
    with TestClient(client.app, raise_server_exceptions=False) as tc:  # type: ignore[arg-type]
        res = tc.post(f"/api/v1/conversations/{conv}/messages",
                      json={"kind": "inbound", "email": "boom@example.com", "body": "lost?"}, headers=_auth(token))
    assert res.status_code == 500 and res.json()["error"]["code"] == "internal_error"
    with ctx.unit_of_work() as uow:
        count = uow.session.query(Message).filter(Message.conversation_id == conv).count()
    assert count == 1  # the first message only: nothing of the failed request was kept


@pytest.fixture
def queued_app(ctx: AppContext) -> Iterator[TestClient]:
    """An app whose jobs do not run inside the enqueue call: the fast path may then work on the event loop."""
    if ctx.db.writer_gate is None:
        pytest.skip("the event-loop path exists on SQLite only")
    app = create_app(ctx.settings, ctx)
    with TestClient(app, base_url="http://testserver") as tc:
        ctx.jobs.immediate = False
        try:
            yield tc
        finally:
            ctx.jobs.immediate = True


def test_on_sqlite_a_free_gate_means_the_event_loop_does_the_work(queued_app: TestClient, world: World,
                                                                  fast_calls: list[bool]) -> None:
    res = queued_app.post("/api/v1/conversations", json={"email": "loop@example.com", "body": "hello"},
                          headers=_auth(world.token()))
    assert res.status_code == 201, res.text
    assert fast_calls == [True]


def test_a_busy_gate_sends_the_work_to_a_thread_instead_of_blocking_the_loop(
        queued_app: TestClient, ctx: AppContext, world: World, fast_calls: list[bool]) -> None:
    token = world.token()
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:  # another request's transaction, mid-way: it holds the writer gate
        with ctx.unit_of_work() as uow:
            uow.session.execute(AuditEvent.__table__.select().limit(1))
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=writer)
    holder.start()
    assert holding.wait(5)
    results: list[int] = []
    sender = threading.Thread(target=lambda: results.append(queued_app.post(
        "/api/v1/conversations", json={"email": "busy@example.com", "body": "hello"}, headers=_auth(token)
    ).status_code))
    sender.start()
    time.sleep(0.3)
    # The event loop is free while the request waits for its turn: another request is answered meanwhile
    # (one that needs no database: /healthz itself would wait for the writer).
    assert queued_app.get("/api/openapi.json").status_code == 200
    assert results == []
    release.set()
    holder.join(5)
    sender.join(10)
    assert results == [201]
    assert fast_calls == [False]


def test_another_process_holding_sqlites_lock_sends_the_work_to_a_thread(
        queued_app: TestClient, ctx: AppContext, world: World, fast_calls: list[bool]) -> None:
    """A CLI or worker process writing: the event loop asks once, rolls back and lets a worker thread wait."""
    token = world.token()
    other_process = sqlite3.connect(str(ctx.db.engine.url.database), isolation_level=None, timeout=1)
    other_process.execute("BEGIN IMMEDIATE")  # SQLite's write lock, outside this process's writer gate
    results: list[int] = []
    sender = threading.Thread(target=lambda: results.append(queued_app.post(
        "/api/v1/conversations", json={"email": "cli@example.com", "body": "hello"}, headers=_auth(token)
    ).status_code))
    try:
        sender.start()
        time.sleep(0.3)
        started = time.perf_counter()
        assert queued_app.get("/api/openapi.json").status_code == 200  # the loop is not stuck in SQLite's wait
        assert time.perf_counter() - started < 1.0
        assert results == []
    finally:
        other_process.execute("COMMIT")
        other_process.close()
    sender.join(15)
    assert results == [201]
    assert fast_calls == [True, False]  # tried on the loop, done on a worker thread
