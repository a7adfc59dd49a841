"""The core promise: no personal value ever reaches the provider or the AI-call log; the agent's draft gets the
right real values back; invented placeholders are never filled; restricted contacts trigger no request."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import select

from hushdesk.assistant import service as assistant
from hushdesk.assistant.calls import AiNotAllowed
from hushdesk.kit.errors import ValidationFailed
from hushdesk.models import AiCall, AiDraft, AuditEvent, Contact, Conversation
from hushdesk.privacy.service import record_consent, set_flag
from tests.assistant.conftest import (
    API_KEY,
    PLANTED,
    configure,
    mapping,
    placeholder_of,
    plant_article,
    planted_conversation,
)
from tests.assistant.fake_openai import FakeOpenAI
from tests.support.factories import World

VALUES = [PLANTED["name"], PLANTED["email"], PLANTED["order"], "7700 900123", "Kowalczyk", "Baker Street",
          "zofia.kowalczyk"]


def _assert_clean(text: str) -> None:
    lowered = text.lower()
    for value in VALUES:
        assert value.lower() not in lowered, f"planted value {value!r} leaked"


def _calls(world: World) -> list[AiCall]:
    with world.ctx.unit_of_work() as uow:
        return list(uow.session.execute(select(AiCall).where(AiCall.workspace_id == world.workspace_id)).scalars())


@pytest.mark.parametrize("stream", [False, True])
def test_draft_never_sends_personal_values_and_rehydrates_them(world: World, fake: FakeOpenAI,
                                                               stream: bool) -> None:
    configure(world, fake)
    plant_article(world, "Where is my order?", "Orders ship within 2 days. Tracking links arrive by email.")
    conv_id = planted_conversation(world, messages=6)
    person, order = placeholder_of(world, conv_id, "Zofia"), placeholder_of(world, conv_id, PLANTED["order"])
    fake.reply = lambda _req: f"Hello {person}, your order {order} is on its way."
    with world.ctx.unit_of_work() as uow:
        result = assistant.draft_reply(uow, world.owner.actor, conv_id, stream=stream)
    assert result.error is None, result.error
    assert len(fake.requests) == 1
    sent = fake.requests[0]
    _assert_clean(sent.everything())
    body = sent.json
    assert body["store"] is False
    assert body.get("stream", False) is stream
    prompt = json.dumps(body["messages"])
    assert person in prompt and order in prompt and "Where is my order?" in prompt
    # The draft has the real values in the right places.
    name = mapping(world, conv_id)[person]
    assert PLANTED["name"] in name
    assert result.text == f"Hello {name}, your order {PLANTED['order']} is on its way."
    assert result.unknown == []
    # The AI-call log holds exactly the redacted prompt, and no planted value.
    calls = _calls(world)
    assert len(calls) == 1 and calls[0].status == "ok" and calls[0].feature == "draft"
    _assert_clean(calls[0].prompt_redacted + (calls[0].response_redacted or ""))
    assert calls[0].tokens_in == fake.usage[0][0] and calls[0].tokens_out == fake.usage[0][1]
    # The stored draft is ciphertext.
    with world.ctx.unit_of_work() as uow:
        draft = uow.session.get(AiDraft, result.draft_id)
        assert draft is not None and draft.text_ct is not None
        assert PLANTED["name"].encode() not in draft.text_ct


def test_invented_or_altered_placeholder_is_left_visible_and_blocks_sending(world: World, fake: FakeOpenAI) -> None:
    configure(world, fake)
    conv_id = planted_conversation(world)
    person = placeholder_of(world, conv_id, "Zofia")
    fake.reply = lambda _req: f"Hi {person}, I sent it to <EMAIL_7> and told {person.lower()} about it."
    with world.ctx.unit_of_work() as uow:
        result = assistant.draft_reply(uow, world.owner.actor, conv_id)
    assert result.unknown == ["<EMAIL_7>", person.lower()]
    assert result.text is not None
    assert "<EMAIL_7>" in result.text and person.lower() in result.text
    assert result.text.startswith(f"Hi {mapping(world, conv_id)[person]},")
    # Nobody else's value was put in: the altered placeholder stays as the model wrote it.
    assert result.text.count(PLANTED["name"]) == 1
    with pytest.raises(ValidationFailed, match="placeholders"), world.ctx.unit_of_work() as uow:
        assistant.send_draft(uow, world.owner.actor, conv_id, result.draft_id or "", result.text)
    assert _calls(world)[0].unknown_placeholders == 2


def test_placeholders_of_another_conversation_are_never_filled(world: World, fake: FakeOpenAI) -> None:
    configure(world, fake)
    first = planted_conversation(world)
    fake.reply = lambda _req: "Hello <PERSON_1>, and <PERSON_5>."
    with world.ctx.unit_of_work() as uow:
        result = assistant.draft_reply(uow, world.owner.actor, first)
    assert result.unknown == ["<PERSON_5>"]


@pytest.mark.parametrize("how", ["restricted", "objected", "consent_withdrawn"])
def test_contact_who_opted_out_triggers_no_request_at_all(world: World, fake: FakeOpenAI, how: str) -> None:
    configure(world, fake)
    conv_id = planted_conversation(world)
    with world.ctx.unit_of_work() as uow:
        conv = uow.session.get(Conversation, conv_id)
        assert conv is not None and conv.contact_id
        contact = uow.session.get(Contact, conv.contact_id)
        assert contact is not None
        if how == "consent_withdrawn":
            record_consent(uow, None, contact, "ai_drafting", False, source="test")
        else:
            set_flag(uow, None, contact, how, "*" if how == "restricted" else "ai_drafting")
    for call in (assistant.draft_reply, assistant.summarize):
        with pytest.raises(AiNotAllowed), world.ctx.unit_of_work() as uow:
            call(uow, world.owner.actor, conv_id)
    with world.ctx.unit_of_work() as uow:
        assert assistant.suggest_articles(uow, world.owner.actor, conv_id) == []
    assert fake.requests == []
    assert _calls(world) == []


@pytest.mark.parametrize("mode,code", [("429", "ai_rate_limited"), ("500", "ai_provider_error"),
                                       ("slow", "ai_timeout"), ("malformed", "ai_bad_answer"),
                                       ("down", "ai_unreachable")])
def test_provider_failures_give_a_clear_message_and_leave_the_conversation_alone(
        world: World, fake: FakeOpenAI, mode: str, code: str, caplog: pytest.LogCaptureFixture) -> None:
    configure(world, fake)
    conv_id = planted_conversation(world)
    with world.ctx.unit_of_work() as uow:
        before = uow.session.get(Conversation, conv_id)
        assert before is not None
        count, updated = before.message_count, before.updated_at
    fake.mode = mode
    if mode == "down":
        fake.stop()
    caplog.set_level(logging.DEBUG)
    with world.ctx.unit_of_work() as uow:
        result = assistant.draft_reply(uow, world.owner.actor, conv_id)
    assert result.error_code == code and result.text is None
    assert result.error and "AI provider" in result.error and API_KEY not in result.error
    # Bounded retries: one try plus HUSHDESK_AI_MAX_RETRIES (1), never more.
    assert len(fake.requests) <= 2
    with world.ctx.unit_of_work() as uow:
        after = uow.session.get(Conversation, conv_id)
        assert after is not None and after.message_count == count and after.updated_at == updated
    calls = _calls(world)
    assert [c.status for c in calls] == ["error"] and calls[0].error_code == code
    assert API_KEY not in caplog.text and "SECRET" not in caplog.text


def test_byok_key_never_appears_in_audit_log_or_call_log(world: World, fake: FakeOpenAI) -> None:
    configure(world, fake)
    conv_id = planted_conversation(world)
    with world.ctx.unit_of_work() as uow:
        assistant.draft_reply(uow, world.owner.actor, conv_id)
    assert fake.requests[0].headers.get("authorization") == f"Bearer {API_KEY}"
    with world.ctx.unit_of_work() as uow:
        rows: list[Any] = list(uow.session.execute(
            select(AuditEvent).where(AuditEvent.chain == world.workspace_id)).scalars())
        text = " ".join(f"{r.action} {r.details_json}" for r in rows)
    text += " ".join(f"{c.prompt_redacted} {c.response_redacted}" for c in _calls(world))
    assert API_KEY not in text and API_KEY[-12:] not in text
