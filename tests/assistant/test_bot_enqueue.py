"""The web-chat bot's job is queued only when the workspace runs the bot (it re-checks when it runs)."""

from __future__ import annotations

from typing import Any

import pytest

from hushdesk.assistant.tasks import BOT_JOB, schedule_bot
from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.inbox.service import receive_message
from tests.assistant.conftest import configure
from tests.support.factories import World


def _visitor_message_queued_jobs(world: World, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    queued: list[str] = []
    jobs = world.ctx.jobs
    real = jobs.enqueue

    def recording(name: str, payload: dict[str, Any] | None = None) -> None:
        queued.append(name)
        if name != BOT_JOB:
            real(name, payload)

    monkeypatch.setattr(jobs, "enqueue", recording)
    inbound = InboundMessage(channel="webchat", body="hello, is anyone there?",
                             sender=ContactHint("email", "bot.q@example.com", email="bot.q@example.com"))
    with world.ctx.unit_of_work() as uow:
        schedule_bot(uow, receive_message(uow, world.workspace_id, inbound))
    return queued


def test_no_job_when_the_bot_is_off(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    assert BOT_JOB not in _visitor_message_queued_jobs(world, monkeypatch)


def test_one_job_when_the_bot_is_on(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    configure(world, None, bot_enabled=True)
    assert _visitor_message_queued_jobs(world, monkeypatch).count(BOT_JOB) == 1
