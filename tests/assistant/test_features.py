"""Retrieval-only mode, the bot with handoff, voice, SSRF, metering against the recorded requests."""

from __future__ import annotations

import io
import wave

import pytest
from sqlalchemy import select

from hushdesk.assistant import service as assistant
from hushdesk.assistant import tts
from hushdesk.assistant.bot import HANDOFF_TAG, answer_visitor
from hushdesk.assistant.settings import check_connection
from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.inbox import repository as repo
from hushdesk.inbox.service import receive_message, send_reply
from hushdesk.kit.clock import utcnow
from hushdesk.kit.net import OutboundBlocked, check_outbound_url
from hushdesk.metering.service import UsageLimitReached, month_totals
from hushdesk.models import AiCall, Message
from tests.assistant.conftest import configure, plant_article, planted_conversation
from tests.assistant.fake_openai import FakeOpenAI
from tests.support.factories import World

REFUND = ("How do I get a refund?", "Refunds are paid back to the original card within 5 working days. "
          "Open your order page and press Request refund. Shipping costs are refunded too.")


def test_retrieval_only_answers_from_a_planted_article_and_cites_it(world: World) -> None:
    configure(world, None)
    plant_article(world, "Changing your password", "Open Settings and choose Security to change a password.")
    plant_article(world, *REFUND)
    conv_id = planted_conversation(world, messages=1)
    with world.ctx.unit_of_work() as uow:
        receive = repo.conversation_messages(uow.session, world.workspace_id, conv_id)
        assert receive

    with world.ctx.unit_of_work() as uow:
        receive_message(uow, world.workspace_id, InboundMessage(
            channel="api", sender=ContactHint("email", "zofia.kowalczyk@example.org"),
            body="Can I get a refund for the parcel please?", conversation_id=conv_id))
    with world.ctx.unit_of_work() as uow:
        result = assistant.draft_reply(uow, world.owner.actor, conv_id)
    assert result.source == "retrieval" and result.error is None
    assert result.text is not None and "original card within 5 working days" in result.text
    assert "How do I get a refund?" in result.text  # cited, and labelled as a help-article quote
    assert result.citations[0][0] == "How do I get a refund?"


def test_connection_button_and_ssrf(world: World, fake: FakeOpenAI) -> None:
    configure(world, fake)
    with world.ctx.unit_of_work() as uow:
        outcome = check_connection(uow, world.owner.actor)
    assert outcome.ok and "fake-model" in outcome.message
    with pytest.raises(OutboundBlocked):
        check_outbound_url("http://127.0.0.1:8080/v1", allow_private=False)
    with pytest.raises(OutboundBlocked):
        check_outbound_url("http://169.254.169.254/latest", allow_private=False)
    with pytest.raises(OutboundBlocked):
        check_outbound_url("file:///etc/passwd", allow_private=True)
    assert check_outbound_url("http://127.0.0.1:8080/v1/", allow_private=True) == "http://127.0.0.1:8080/v1"


def _bot_conversation(world: World, body: str) -> tuple[str, str]:

    with world.ctx.unit_of_work() as uow:
        got = receive_message(uow, world.workspace_id, InboundMessage(
            channel="webchat", sender=ContactHint("webchat", f"v-{body[:8]}"), body=body, thread_ref=body[:20]))
        return got.conversation.id, got.message.id


def _last(world: World, conv_id: str) -> Message:
    with world.ctx.unit_of_work() as uow:
        return repo.conversation_messages(uow.session, world.workspace_id, conv_id)[-1]


@pytest.mark.parametrize("provider", [False, True])
def test_bot_answers_from_the_knowledge_base_and_hands_off(world: World, fake: FakeOpenAI, provider: bool) -> None:
    fake.reply = lambda _req: "Refunds go back to your card within 5 working days."
    configure(world, fake if provider else None, bot_enabled=True, bot_handoff_topics="legal, lawsuit")
    plant_article(world, *REFUND)
    conv_id, msg_id = _bot_conversation(world, "How long does a refund take to reach my card?")
    with world.ctx.unit_of_work() as uow:
        assert answer_visitor(uow, msg_id).action == "answered"
    last = _last(world, conv_id)
    assert last.author_type == "bot" and last.kind == "outbound" and "Automatic answer" in last.body_redacted
    # Asking for a human hands off, and the bot then stays silent.
    conv2, msg2 = _bot_conversation(world, "I want to talk to a human please")
    with world.ctx.unit_of_work() as uow:
        assert answer_visitor(uow, msg2).reason == "asked_for_human"
    with world.ctx.unit_of_work() as uow:
        assert HANDOFF_TAG in repo.tags_of(uow.session, world.workspace_id, [conv2])[conv2]
    # A listed topic and low confidence hand off too.
    _, msg3 = _bot_conversation(world, "My lawyer will start a lawsuit about the refund")
    _, msg4 = _bot_conversation(world, "Do you sell purple elephants?")
    with world.ctx.unit_of_work() as uow:
        assert answer_visitor(uow, msg3).reason == "topic"
        assert answer_visitor(uow, msg4).reason == "low_confidence"
    assert len(fake.requests) == (1 if provider else 0)


def test_offline_voice_makes_a_valid_wav_of_plausible_duration(world: World) -> None:
    text = "Your parcel left our warehouse this morning and should arrive on Thursday."
    data, engine = tts.synthesize_local(text, world.ctx.settings)
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    with wave.open(io.BytesIO(data)) as wav:
        assert wav.getframerate() in (16000, 22050, 24000) and wav.getnchannels() == 1
        seconds = wav.getnframes() / wav.getframerate()
    words = len(text.split())
    assert words / 5.0 < seconds < words / 1.0, (engine, seconds)


def test_voice_reply_is_stored_encrypted(world: World) -> None:
    conv_id = planted_conversation(world, messages=1)

    with world.ctx.unit_of_work() as uow:
        msg_id = send_reply(uow, world.owner.actor, conv_id, "Hello Zofia Kowalczyk, it ships today.").message.id
    with world.ctx.unit_of_work() as uow:
        clip = tts.speak_message(uow, world.owner.actor, msg_id)
        assert clip.data_ct is not None and clip.public_data is None and clip.data_ct[:4] != b"RIFF"
        audio = tts.clip_audio(uow, world.owner.actor, clip.id)
    assert audio[:4] == b"RIFF" and clip.duration_ms > 1000


def test_metering_counts_match_the_recorded_requests(world: World, fake: FakeOpenAI) -> None:
    configure(world, fake)
    conv_id = planted_conversation(world)
    for stream in (False, True, False):
        with world.ctx.unit_of_work() as uow:
            assert assistant.draft_reply(uow, world.owner.actor, conv_id, stream=stream).error is None
    with world.ctx.unit_of_work() as uow:
        assert assistant.summarize(uow, world.owner.actor, conv_id).error is None
        now = utcnow()
        totals = month_totals(uow, world.workspace_id, now.year, now.month)
        calls = list(uow.session.execute(select(AiCall).where(AiCall.workspace_id == world.workspace_id)).scalars())
    assert totals["ai_calls"] == len(fake.requests) == len(calls) == 4
    assert totals["tokens_in"] == sum(p for p, _ in fake.usage)
    assert totals["tokens_out"] == sum(c for _, c in fake.usage)


def test_usage_limit_stops_calls_with_a_clear_message(world: World, fake: FakeOpenAI) -> None:
    configure(world, fake, limit_ai_calls=1)
    conv_id = planted_conversation(world)
    with world.ctx.unit_of_work() as uow:
        assistant.draft_reply(uow, world.owner.actor, conv_id)
    with pytest.raises(UsageLimitReached, match="monthly usage limit"), world.ctx.unit_of_work() as uow:
        assistant.draft_reply(uow, world.owner.actor, conv_id)
    assert len(fake.requests) == 1
