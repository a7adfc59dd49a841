"""A draft or summary holds no database transaction while the provider answers: another writer commits
within a fraction of a second (on SQLite the request used to keep BEGIN IMMEDIATE, the write lock, open for
the whole call), and the draft still completes and is logged exactly once."""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.inbox.service import receive_message
from hushdesk.models import AiCall, AiDraft
from tests.assistant.conftest import PLANTED, configure, planted_conversation
from tests.assistant.fake_openai import FakeOpenAI
from tests.support.factories import World
from tests.web.conftest import HTMX, sign_in

DELAY = 1.0  # below the test client's 1.5 s provider timeout


def _write_while_provider_waits(world: World, fake: FakeOpenAI, call: Any) -> tuple[Any, float]:
    fake.delay = DELAY
    outcome: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: outcome.setdefault("result", call()))
    worker.start()
    deadline = time.monotonic() + 5
    while not fake.requests and time.monotonic() < deadline:  # the provider has the request: mid-call
        time.sleep(0.01)
    assert fake.requests, "the provider was never called"
    hint = ContactHint("email", "other.writer@example.com", name="Other Writer", email="other.writer@example.com")
    started = time.monotonic()
    with world.ctx.unit_of_work() as uow:
        receive_message(uow, world.workspace_id, InboundMessage(channel="api", sender=hint, body="Hello there"))
    took = time.monotonic() - started
    worker.join(10)
    assert not worker.is_alive()
    return outcome["result"], took


def _logged(world: World, conv_id: str) -> tuple[int, int]:
    with world.ctx.unit_of_work() as uow:
        calls = len(uow.session.execute(select(AiCall.id).where(AiCall.conversation_id == conv_id)).all())
        drafts = len(uow.session.execute(select(AiDraft.id).where(AiDraft.conversation_id == conv_id)).all())
    return calls, drafts


def test_api_draft_does_not_block_writers(client: TestClient, world: World, fake: FakeOpenAI) -> None:
    configure(world, fake)
    conv_id = planted_conversation(world, messages=2)
    headers = {"authorization": f"Bearer {world.token()}"}
    res, took = _write_while_provider_waits(
        world, fake, lambda: client.post(f"/api/v1/conversations/{conv_id}/assistant/draft", headers=headers))
    assert took < 0.5, f"a writer waited {took:.2f} s behind the provider call"
    assert res.status_code == 200, res.text
    assert res.json()["draft_id"] and PLANTED["name"] not in str(fake.requests[0].everything())
    assert _logged(world, conv_id) == (1, 1)


def test_api_summary_does_not_block_writers(client: TestClient, world: World, fake: FakeOpenAI) -> None:
    configure(world, fake)
    conv_id = planted_conversation(world, messages=2)
    headers = {"authorization": f"Bearer {world.token()}"}
    res, took = _write_while_provider_waits(
        world, fake, lambda: client.post(f"/api/v1/conversations/{conv_id}/assistant/summary", headers=headers))
    assert took < 0.5, f"a writer waited {took:.2f} s behind the provider call"
    assert res.status_code == 200, res.text
    assert _logged(world, conv_id) == (1, 1)


def test_failed_call_is_still_logged_once(client: TestClient, world: World, fake: FakeOpenAI) -> None:
    configure(world, fake)
    conv_id = planted_conversation(world, messages=2)
    fake.mode = "500"
    res = client.post(f"/api/v1/conversations/{conv_id}/assistant/draft",
                      headers={"authorization": f"Bearer {world.token()}"})
    assert res.status_code == 502
    assert _logged(world, conv_id) == (1, 0)


def test_panel_draft_does_not_block_writers(web: TestClient, world: World, fake: FakeOpenAI) -> None:
    configure(world, fake)
    conv_id = planted_conversation(world, messages=2)
    csrf = sign_in(web, world.owner)
    res, took = _write_while_provider_waits(world, fake, lambda: web.post(
        f"/conversations/{conv_id}/assistant/draft", headers={**HTMX, "x-csrf-token": csrf}))
    assert took < 0.5, f"a writer waited {took:.2f} s behind the provider call"
    assert res.status_code == 200, res.text
    assert _logged(world, conv_id) == (1, 1)
    assert web.post(f"/conversations/{conv_id}/assistant/draft", headers=HTMX).status_code == 403  # no CSRF
    assert _logged(world, conv_id) == (1, 1)
