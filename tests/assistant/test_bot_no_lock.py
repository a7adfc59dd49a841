"""The web-chat bot holds no database transaction while the provider answers: another writer commits within a
fraction of a second, and the answer is still sent (and logged) exactly once."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

from hushdesk.assistant.bot import answer_visitor_unlocked
from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.inbox import repository as repo
from hushdesk.inbox.service import receive_message
from hushdesk.models import AiCall
from tests.assistant.conftest import configure, plant_article
from tests.assistant.fake_openai import FakeOpenAI
from tests.assistant.test_features import REFUND
from tests.support.factories import World

DELAY = 1.0  # below the tests' provider timeout


def test_bot_does_not_block_writers_while_the_provider_answers(world: World, fake: FakeOpenAI) -> None:
    fake.reply = lambda _req: "Refunds go back to your card within 5 working days."
    configure(world, fake, bot_enabled=True)
    plant_article(world, *REFUND)
    with world.ctx.unit_of_work() as uow:
        got = receive_message(uow, world.workspace_id, InboundMessage(
            channel="webchat", sender=ContactHint("webchat", "v-nolock"), body="How long does a refund take?",
            thread_ref="nolock"))
        conv_id, msg_id = got.conversation.id, got.message.id
    fake.delay = DELAY
    outcome: dict[str, str] = {}
    worker = threading.Thread(target=lambda: outcome.setdefault(
        "action", answer_visitor_unlocked(world.ctx, msg_id).action))
    worker.start()
    deadline = time.monotonic() + 5
    while not fake.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fake.requests, "the provider was never called"
    started = time.monotonic()
    with world.ctx.unit_of_work() as uow:
        receive_message(uow, world.workspace_id, InboundMessage(
            channel="api", sender=ContactHint("email", "writer@example.com", email="writer@example.com"),
            body="Hello there"))
    took = time.monotonic() - started
    worker.join(10)
    assert not worker.is_alive()
    assert took < 0.5, f"a writer waited {took:.2f} s behind the bot's provider call"
    assert outcome["action"] == "answered"
    with world.ctx.unit_of_work() as uow:
        bot_replies = [m for m in repo.conversation_messages(uow.session, world.workspace_id, conv_id)
                       if m.author_type == "bot"]
        calls = uow.session.execute(select(AiCall.id).where(AiCall.conversation_id == conv_id)).all()
    assert len(bot_replies) == 1 and len(calls) == 1
