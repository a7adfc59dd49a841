"""Logs of a full conversation (widget session, visitor messages with personal data, an agent reading and
replying, API calls, an error) contain none of the planted personal values; every record, including records
from library loggers, passes the redaction filter; JSON lines carry request ids."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hushdesk.context import AppContext
from hushdesk.inbox.service import send_reply
from hushdesk.logs import configure_logging
from hushdesk.tenancy.permissions import Role
from tests.support.factories import World
from tests.web.conftest import HTML, sign_in

OWN = {"origin": "http://testserver"}
NAME = "Priya Raman"
EMAIL = "priya.raman@example.org"
PHONE = "+44 7700 900123"
ORDER = "ORD-99812"
PLANTED = (NAME, EMAIL, PHONE, "7700 900123", "priya.raman")


@pytest.fixture
def log_file(ctx: AppContext, tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    settings = ctx.settings.model_copy(update={"data_dir": tmp_path, "log_json": True, "log_level": "DEBUG"})
    configure_logging(settings)
    yield settings.log_dir / "hushdesk.log"
    for handler in list(root.handlers):
        handler.close()
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])


def test_no_planted_personal_value_reaches_the_logs(web: TestClient, world: World, log_file: Path) -> None:
    res = web.post("/widget/api/session", json={"key": world.widget_key, "name": NAME, "email": EMAIL},
                   headers=OWN)
    assert res.status_code == 201, res.text
    token = res.json()["token"]
    with web.websocket_connect(f"/widget/ws?key={world.widget_key}", headers=OWN) as ws:
        ws.send_json({"type": "auth", "token": token})
        assert ws.receive_json()["type"] == "ready"
        ws.send_json({"type": "message", "client_message_id": str(uuid.uuid4()),
                      "body": f"Hi, I'm {NAME}, order {ORDER} never came. Call me on {PHONE} or {EMAIL}"})
        ack = ws.receive_json()
    conv_id = ack["conversation_id"]
    agent = world.member(Role.AGENT)
    sign_in(web, agent)
    assert web.get(f"/conversations/{conv_id}", headers=HTML).status_code == 200
    with world.ctx.unit_of_work() as uow:
        send_reply(uow, agent.actor, conv_id, f"Sorry {NAME}, we will call {PHONE} today.")
    api = {"Authorization": f"Bearer {world.token()}"}
    assert web.get(f"/api/v1/conversations/{conv_id}", headers=api).status_code == 200
    assert web.post("/api/v1/contacts", content=b'{"email": "' + EMAIL.encode() + b'", oops',
                    headers={**api, "content-type": "application/json"}).status_code in (400, 422)
    # a library logger that carelessly logs a value: the handler-level filter still redacts it
    # (a logger of its own: other tests' uvicorn servers raise uvicorn.error's level to ERROR)
    logging.getLogger("somelib.delivery").warning("could not deliver to %s (%s)", EMAIL, PHONE)
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert text.strip(), "nothing was logged"
    leaked = [value for value in PLANTED if value.lower() in text.lower()]
    assert leaked == [], f"personal values in the log: {leaked}"
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert any(line["logger"] == "somelib.delivery" for line in lines)


def test_records_written_during_a_request_carry_its_id(log_file: Path) -> None:
    from starlette.types import Receive, Scope, Send

    from hushdesk.web.middleware import RequestIdMiddleware

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        logging.getLogger("hushdesk.test").warning("inside the request")
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    client = TestClient(RequestIdMiddleware(app))
    assert client.get("/").status_code == 204
    for handler in logging.getLogger().handlers:
        handler.flush()
    lines = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    inside = [line for line in lines if line["message"] == "inside the request"]
    assert inside and str(inside[0].get("request_id", "")).startswith("r")
