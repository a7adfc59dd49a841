"""The chat widget: frame CSP, unknown keys, sessions, origins, and the visitor socket's guarantees."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from hushdesk.inbox import contacts as contact_svc
from hushdesk.inbox.service import add_note, send_reply
from hushdesk.models import Conversation, Message, Widget
from tests.support.factories import World
from tests.web.conftest import HTML

pytestmark = pytest.mark.timeout(60)
OWN = {"origin": "http://testserver"}


def _set_origins(world: World, origins: str) -> None:
    with world.ctx.unit_of_work() as uow:
        widget = uow.session.execute(select(Widget).where(Widget.workspace_id == world.workspace_id)).scalar_one()
        widget.allowed_origins = origins


def _start(client: TestClient, world: World, **fields: Any) -> str:
    res = client.post("/widget/api/session", json={"key": world.widget_key, **fields}, headers=OWN)
    assert res.status_code == 201, res.text
    token: str = res.json()["token"]
    return token


def _open(ws: WebSocketTestSession, token: str) -> dict[str, Any]:
    ws.send_json({"type": "auth", "token": token})
    ready: dict[str, Any] = ws.receive_json()
    assert ready["type"] == "ready", ready
    return ready


def _send(ws: WebSocketTestSession, body: str, cmid: str | None = None) -> dict[str, Any]:
    ws.send_json({"type": "message", "client_message_id": cmid or str(uuid.uuid4()), "body": body})
    reply: dict[str, Any] = ws.receive_json()
    return reply


def _closed_with(ws: WebSocketTestSession) -> int:
    with pytest.raises(WebSocketDisconnect) as info:
        ws.receive_json()
    return info.value.code


def test_frame_csp_lists_allowed_origins_as_frame_ancestors(web: TestClient, world: World) -> None:
    _set_origins(world, "https://shop.example.com https://www.shop.example.com")
    res = web.get(f"/widget/frame?key={world.widget_key}", headers=HTML)
    assert res.status_code == 200
    csp = res.headers["content-security-policy"]
    assert "frame-ancestors 'self' https://shop.example.com https://www.shop.example.com;" in csp
    assert "script-src 'self';" in csp and "'unsafe-inline'" not in csp and "connect-src 'self' ws://testserver" in csp
    assert "x-frame-options" not in res.headers
    _set_origins(world, "*")
    assert "frame-ancestors *;" in web.get(f"/widget/frame?key={world.widget_key}").headers["content-security-policy"]
    _set_origins(world, "")
    assert "frame-ancestors 'self';" in web.get(f"/widget/frame?key={world.widget_key}").headers[
        "content-security-policy"]


def test_unknown_widget_key_is_a_clear_404(web: TestClient) -> None:
    assert web.get("/widget/frame?key=pk_nope", headers=HTML).status_code == 404
    assert web.get("/widget/demo?key=pk_nope", headers=HTML).status_code == 404
    res = web.post("/widget/api/session", json={"key": "pk_nope"}, headers=OWN)
    assert res.status_code == 404 and res.json()["error"]["code"] == "unknown_widget"
    with web.websocket_connect("/widget/ws?key=pk_nope", headers=OWN) as ws:
        assert _closed_with(ws) == 4404


def test_loader_script_is_served_for_any_site(web: TestClient) -> None:
    res = web.get("/widget.js")
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/javascript")
    assert res.headers["cross-origin-resource-policy"] == "cross-origin"
    assert "data-hushdesk-key" in res.text and "/widget/frame?key=" in res.text


def test_sessions_and_sockets_refuse_other_sites(web: TestClient, world: World) -> None:
    _set_origins(world, "https://shop.example.com")
    evil = {"origin": "https://evil.example"}
    res = web.post("/widget/api/session", json={"key": world.widget_key}, headers=evil)
    assert res.status_code == 403 and res.json()["error"]["code"] == "origin_not_allowed"
    token = _start(web, world)  # from our own origin (the chat frame)
    assert web.post("/widget/api/session", json={"key": world.widget_key},
                    headers={"origin": "https://shop.example.com"}).status_code == 201
    with web.websocket_connect(f"/widget/ws?key={world.widget_key}", headers=evil) as ws:
        assert _closed_with(ws) == 4403
    with web.websocket_connect(f"/widget/ws?key={world.widget_key}") as ws:  # no Origin: not a listed site
        assert _closed_with(ws) == 4403
    with web.websocket_connect(f"/widget/ws?key={world.widget_key}",
                               headers={"origin": "https://shop.example.com"}) as ws:
        _open(ws, token)
    with web.websocket_connect(f"/widget/ws?key={world.widget_key}", headers=OWN) as ws:
        _open(ws, token)


def test_bad_visitor_token_closes_4401(web: TestClient, world: World) -> None:
    with web.websocket_connect(f"/widget/ws?key={world.widget_key}", headers=OWN) as ws:
        ws.send_json({"type": "auth", "token": "vs_forged"})
        assert _closed_with(ws) == 4401
    with web.websocket_connect(f"/widget/ws?key={world.widget_key}", headers=OWN) as ws:
        ws.send_json({"type": "message", "body": "no auth first", "client_message_id": "x"})
        assert _closed_with(ws) == 4401
    assert web.get(f"/widget/api/history?key={world.widget_key}").status_code == 401
    assert web.get(f"/widget/api/history?key={world.widget_key}",
                   headers={"Authorization": "Bearer vs_forged"}).status_code == 401


def _count(world: World, conversation_id: str) -> int:
    with world.ctx.db.session() as s:
        return int(s.execute(select(func.count()).select_from(Message)
                             .where(Message.conversation_id == conversation_id)).scalar_one())


def test_resending_the_same_client_message_id_stores_one_message(web: TestClient, world: World) -> None:
    token = _start(web, world, name="Rene Resend")
    cmid = str(uuid.uuid4())
    with web.websocket_connect(f"/widget/ws?key={world.widget_key}", headers=OWN) as ws:
        _open(ws, token)
        first = _send(ws, "hello, is anyone there?", cmid)
    assert first["type"] == "ack" and first["client_message_id"] == cmid
    with web.websocket_connect(f"/widget/ws?key={world.widget_key}", headers=OWN) as ws:  # reconnect, resend
        ready = _open(ws, token)
        assert ready["conversation_id"] == first["conversation_id"]
        again = _send(ws, "hello, is anyone there?", cmid)
        twice = _send(ws, "hello, is anyone there?", cmid)
    assert again["type"] == twice["type"] == "ack"
    assert again["message_id"] == twice["message_id"] == first["message_id"]
    assert _count(world, first["conversation_id"]) == 1
    history = web.get(f"/widget/api/history?key={world.widget_key}", headers={"Authorization": f"Bearer {token}"})
    assert [m["message_id"] for m in history.json()["messages"]] == [first["message_id"]]
    assert history.json()["messages"][0]["client_message_id"] == cmid


def test_agent_replies_arrive_live_and_notes_never_do(web: TestClient, world: World) -> None:
    token = _start(web, world)
    with web.websocket_connect(f"/widget/ws?key={world.widget_key}", headers=OWN) as ws:
        _open(ws, token)
        ack = _send(ws, "my order is late")
        conv_id = ack["conversation_id"]
        with world.ctx.unit_of_work() as uow:
            add_note(uow, world.owner.actor, conv_id, "INTERNAL: customer is grumpy")
        with world.ctx.unit_of_work() as uow:
            send_reply(uow, world.owner.actor, conv_id, "Sorry! It ships today.")
        pushed = ws.receive_json()
        while pushed.get("message_id") == ack["message_id"]:  # the echo of the visitor's own message
            pushed = ws.receive_json()
    assert pushed["type"] == "message" and pushed["kind"] == "outbound"
    assert pushed["body"] == "Sorry! It ships today."
    history = web.get(f"/widget/api/history?key={world.widget_key}",
                      headers={"Authorization": f"Bearer {token}"}).json()
    bodies = [m["body"] for m in history["messages"]]
    assert bodies == ["my order is late", "Sorry! It ships today."]
    assert all("INTERNAL" not in m["body"] and m["kind"] != "note" for m in history["messages"])


def test_oversized_and_malformed_messages_are_refused_and_nothing_is_stored(web: TestClient, world: World) -> None:
    token = _start(web, world)
    limit = world.ctx.settings.max_message_chars
    with web.websocket_connect(f"/widget/ws?key={world.widget_key}", headers=OWN) as ws:
        _open(ws, token)
        ack = _send(ws, "first")
        big = _send(ws, "x" * (limit + 1), "big-1")
        assert big == {"type": "error", "code": "message_too_long", "client_message_id": "big-1",
                       "message": f"message is longer than {limit} characters"}
        empty = _send(ws, "   ", "empty-1")
        assert empty["type"] == "error" and empty["code"] == "empty_message"
        ws.send_text("not json")
        assert ws.receive_json()["code"] == "bad_frame"
        bad_id = _send(ws, "hi", "x" * 65)
        assert bad_id["code"] == "invalid_client_message_id"
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}
    assert _count(world, ack["conversation_id"]) == 1


def test_prechat_details_become_the_contact(web: TestClient, world: World) -> None:
    token = _start(web, world, name="Pia Prechat", email="pia.prechat@example.com")
    with web.websocket_connect(f"/widget/ws?key={world.widget_key}", headers=OWN) as ws:
        _open(ws, token)
        ack = _send(ws, "hello from the prechat form")
    with world.ctx.unit_of_work() as uow:
        conv = uow.session.get(Conversation, ack["conversation_id"])
        assert conv is not None and conv.contact_id is not None and conv.channel == "webchat"
        view = contact_svc.reveal_contact(uow, world.owner.actor, conv.contact_id)
    assert view.name == "Pia Prechat" and view.email == "pia.prechat@example.com"
    bad = web.post("/widget/api/session", json={"key": world.widget_key, "email": "not-an-email"}, headers=OWN)
    assert bad.status_code == 422


def test_starting_chats_is_throttled_per_address(web: TestClient, world: World) -> None:
    codes = [web.post("/widget/api/session", json={"key": world.widget_key}, headers=OWN).status_code
             for _ in range(31)]
    assert codes[:30] == [201] * 30 and codes[30] == 429
    res = web.post("/widget/api/session", json={"key": world.widget_key}, headers=OWN)
    assert res.status_code == 429 and int(res.headers["retry-after"]) >= 1
    assert res.json()["error"]["code"] == "rate_limited"
