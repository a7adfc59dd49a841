"""The agent always sees which answers came from AI, live as well as after a reload."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from hushdesk.inbox.service import send_reply
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Role
from tests.support.factories import World
from tests.web.conftest import customer_writes, sign_in

pytestmark = pytest.mark.timeout(60)
OWN = {"origin": "http://testserver"}


def _message(ws: Any, limit: int = 10) -> dict[str, Any]:
    for _ in range(limit):
        frame: dict[str, Any] = ws.receive_json()
        if frame["type"] == "message":
            return frame
    raise AssertionError("no message frame")


def test_bot_reply_is_labelled_ai_in_the_live_stream(web: TestClient, world: World) -> None:
    conv_id = customer_writes(world, "where is my parcel?")
    agent = world.member(Role.AGENT)
    sign_in(web, agent)
    bot = Actor(workspace_id=world.workspace_id, kind="system", id=None, name="Assistant")
    with web.websocket_connect("/ws/agent", headers=OWN) as ws:
        assert ws.receive_json()["type"] == "ready"
        ws.send_json({"type": "watch", "conversation_id": conv_id})
        assert ws.receive_json()["type"] == "watching"
        with world.ctx.unit_of_work() as uow:
            send_reply(uow, bot, conv_id, "It left our warehouse yesterday.")
        bot_frame = _message(ws)
        with world.ctx.unit_of_work() as uow:
            send_reply(uow, agent.actor, conv_id, "Anything else I can do?")
        human_frame = _message(ws)
    assert bot_frame["ai"] is True
    assert human_frame["ai"] is False
