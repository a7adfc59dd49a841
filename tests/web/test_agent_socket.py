"""The agents' socket: same-origin only, signed-in only, live inbox events, live messages per role."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from hushdesk.inbox.service import add_note
from hushdesk.tenancy.permissions import Role
from tests.support.factories import World
from tests.web.conftest import customer_writes, session_csrf, sign_in

pytestmark = pytest.mark.timeout(60)
OWN = {"origin": "http://testserver"}


def _closed_with(ws: WebSocketTestSession) -> int:
    with pytest.raises(WebSocketDisconnect) as info:
        ws.receive_json()
    return info.value.code


def _until(ws: WebSocketTestSession, kind: str, limit: int = 10) -> dict[str, Any]:
    for _ in range(limit):
        frame: dict[str, Any] = ws.receive_json()
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


def test_other_origins_and_anonymous_peers_are_refused(web: TestClient, world: World) -> None:
    with web.websocket_connect("/ws/agent", headers=OWN) as ws:
        assert _closed_with(ws) == 4401  # not signed in
    sign_in(web, world.owner)
    with web.websocket_connect("/ws/agent", headers={"origin": "https://evil.example"}) as ws:
        assert _closed_with(ws) == 4403
    with web.websocket_connect("/ws/agent") as ws:  # browsers always send Origin; no Origin = not our page
        assert _closed_with(ws) == 4403
    with web.websocket_connect("/ws/agent", headers=OWN) as ws:
        assert ws.receive_json() == {"type": "ready"}


def test_inbox_events_and_live_plaintext_for_agents(web: TestClient, world: World) -> None:
    conv_id = customer_writes(world, "first message")
    agent = world.member(Role.AGENT)
    sign_in(web, agent)
    with web.websocket_connect("/ws/agent", headers=OWN) as ws:
        assert ws.receive_json()["type"] == "ready"
        ws.send_json({"type": "watch", "conversation_id": conv_id})
        assert ws.receive_json() == {"type": "watching", "conversation_id": conv_id}
        customer_writes(world, "call me at +44 20 7946 0958", email=None)  # another conversation: inbox event only
        updated = _until(ws, "conversation.updated")
        assert updated["conversation_id"] != conv_id and "body" not in updated
        with world.ctx.unit_of_work() as uow:
            add_note(uow, world.owner.actor, conv_id, "note: <b>check</b> with billing")
        message = _until(ws, "message")
    assert message["conversation_id"] == conv_id and message["kind"] == "note"
    assert message["body"] == "note: <b>check</b> with billing" and message["redacted"] is False
    assert message["author"] == "Olivia Owner"


def test_roles_without_raw_access_get_redacted_live_messages(web: TestClient, world: World) -> None:
    conv_id = customer_writes(world, "hello")
    auditor = world.member(Role.AUDITOR)
    sign_in(web, auditor)
    with web.websocket_connect("/ws/agent", headers=OWN) as ws:
        assert ws.receive_json()["type"] == "ready"
        ws.send_json({"type": "watch", "conversation_id": conv_id})
        assert ws.receive_json()["type"] == "watching"
        with world.ctx.unit_of_work() as uow:
            add_note(uow, world.owner.actor, conv_id, "the card is 4111 1111 1111 1111")
        message = _until(ws, "message")
    assert "4111" not in message["body"] and message["redacted"] is True
    assert "<CREDIT_CARD_1>" in message["body"]


def test_watching_a_foreign_conversation_is_404(web: TestClient, world: World, other_world: World) -> None:
    foreign = customer_writes(other_world, "not yours")
    sign_in(web, world.owner)
    with web.websocket_connect("/ws/agent", headers=OWN) as ws:
        assert ws.receive_json()["type"] == "ready"
        ws.send_json({"type": "watch", "conversation_id": foreign})
        error = ws.receive_json()
        assert error["type"] == "error" and error["code"] == "not_found" and error["status"] == 404
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}


def test_signing_out_stops_the_stream(web: TestClient, world: World) -> None:
    conv_id = customer_writes(world, "hello")
    agent = world.member(Role.AGENT)
    sign_in(web, agent)
    csrf = session_csrf(web.get("/", headers={"accept": "text/html"}).text)
    with web.websocket_connect("/ws/agent", headers=OWN) as ws:
        assert ws.receive_json()["type"] == "ready"
        ws.send_json({"type": "watch", "conversation_id": conv_id})
        assert ws.receive_json()["type"] == "watching"
        web.post("/logout", data={"csrf_token": csrf}, headers={"accept": "text/html"})
        with world.ctx.unit_of_work() as uow:
            add_note(uow, world.owner.actor, conv_id, "secret after logout")
        frames: list[dict[str, Any]] = []
        with pytest.raises(WebSocketDisconnect) as info:
            while True:
                frames.append(ws.receive_json())
    assert info.value.code == 4401
    assert all("secret after logout" not in str(f) for f in frames)
