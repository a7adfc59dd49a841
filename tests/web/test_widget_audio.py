"""Spoken replies in the widget: the visitor hears their own replies; nobody else's token reaches them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hushdesk.assistant import tts
from hushdesk.inbox.service import add_note, send_reply
from tests.support.factories import World

pytestmark = pytest.mark.timeout(120)
OWN = {"origin": "http://testserver"}


def _start(client: TestClient, world: World) -> str:
    res = client.post("/widget/api/session", json={"key": world.widget_key}, headers=OWN)
    assert res.status_code == 201, res.text
    token: str = res.json()["token"]
    return token


def _visitor_writes(client: TestClient, world: World, token: str, body: str) -> str:
    with client.websocket_connect(f"/widget/ws?key={world.widget_key}", headers=OWN) as ws:
        ws.send_json({"type": "auth", "token": token})
        assert ws.receive_json()["type"] == "ready"
        ws.send_json({"type": "message", "client_message_id": str(uuid.uuid4()), "body": body})
        ack: dict[str, Any] = ws.receive_json()
    assert ack["type"] == "ack", ack
    conversation_id: str = ack["conversation_id"]
    return conversation_id


def _spoken_reply(world: World, conversation_id: str, body: str) -> tuple[str, str]:
    with world.ctx.unit_of_work() as uow:
        msg_id = send_reply(uow, world.owner.actor, conversation_id, body).message.id
    with world.ctx.unit_of_work() as uow:
        clip_id = tts.speak_message(uow, world.owner.actor, msg_id).id
    return msg_id, clip_id


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_visitor_plays_their_own_spoken_reply_and_nobody_elses(web: TestClient, world: World) -> None:
    mine = _start(web, world)
    conv_id = _visitor_writes(web, world, mine, "where is my parcel")
    msg_id, clip_id = _spoken_reply(world, conv_id, "Your parcel arrives on Thursday morning.")
    with world.ctx.unit_of_work() as uow:
        add_note(uow, world.owner.actor, conv_id, "INTERNAL: check the courier")

    history = web.get(f"/widget/api/history?key={world.widget_key}", headers=_bearer(mine)).json()
    by_id = {m["message_id"]: m for m in history["messages"]}
    assert by_id[msg_id]["audio_clip_id"] == clip_id
    assert all(m["audio_clip_id"] is None for m in history["messages"] if m["message_id"] != msg_id)

    res = web.get(f"/widget/api/audio/{clip_id}", headers=_bearer(mine))
    assert res.status_code == 200, res.text
    assert res.content[:4] == b"RIFF" and res.content[8:12] == b"WAVE"
    assert res.headers["content-type"] == "audio/wav" and res.headers["cache-control"] == "no-store"
    assert web.get(f"/widget/api/audio/{clip_id}?key={world.widget_key}", headers=_bearer(mine)).status_code == 200

    # Another visitor (fresh, then with a conversation and a spoken reply of their own): 404 both ways.
    theirs = _start(web, world)
    assert web.get(f"/widget/api/audio/{clip_id}", headers=_bearer(theirs)).status_code == 404
    other_conv = _visitor_writes(web, world, theirs, "hello, different question")
    _, other_clip = _spoken_reply(world, other_conv, "Happy to help with that today.")
    assert web.get(f"/widget/api/audio/{clip_id}", headers=_bearer(theirs)).status_code == 404
    assert web.get(f"/widget/api/audio/{other_clip}", headers=_bearer(mine)).status_code == 404
    assert web.get(f"/widget/api/audio/{other_clip}", headers=_bearer(theirs)).status_code == 200
    assert web.get("/widget/api/audio/au_nope", headers=_bearer(mine)).status_code == 404
    assert web.get(f"/widget/api/audio/{clip_id}").status_code == 401
    assert web.get(f"/widget/api/audio/{clip_id}", headers=_bearer("vs_not-a-token")).status_code == 401


def test_spoken_version_reaches_the_open_widget_live(web: TestClient, world: World) -> None:
    token = _start(web, world)
    conv_id = _visitor_writes(web, world, token, "is it in stock")
    with web.websocket_connect(f"/widget/ws?key={world.widget_key}", headers=OWN) as ws:
        ws.send_json({"type": "auth", "token": token})
        assert ws.receive_json()["type"] == "ready"
        msg_id, clip_id = _spoken_reply(world, conv_id, "Yes, we have three left in stock.")
        pushed = ws.receive_json()
        assert pushed["type"] == "message" and pushed["message_id"] == msg_id and pushed["audio_clip_id"] is None
        audio = ws.receive_json()
    assert audio == {"type": "audio", "message_id": msg_id, "audio_clip_id": clip_id}


def test_widget_frame_allows_blob_audio(web: TestClient, world: World) -> None:
    res = web.get(f"/widget/frame?key={world.widget_key}", headers={"accept": "text/html"})
    assert "media-src 'self' blob:" in res.headers["content-security-policy"]
