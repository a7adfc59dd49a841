"""The ingest path's memos (kept for speed) never serve stale answers: each test fails if its memo is not dropped."""

from __future__ import annotations

import json

from sqlalchemy import select

from hushdesk.audit.service import record, verify_chain
from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.inbox.service import receive_message
from hushdesk.models import Contact, Message, Workspace
from hushdesk.privacy.service import processing_allowed, set_flag
from hushdesk.tenancy.actor import system_actor
from tests.support.factories import World


def _say(world: World, body: str, conversation_id: str | None = None) -> tuple[str, str]:
    inbound = InboundMessage(channel="api", sender=ContactHint("email", "memo@example.com", email="memo@example.com"),
                             body=body, conversation_id=conversation_id)
    with world.ctx.unit_of_work() as uow:
        got = receive_message(uow, world.workspace_id, inbound)
        return got.conversation.id, got.message.id


def _redacted(world: World, message_id: str) -> str:
    with world.ctx.db.session() as s:
        msg = s.get(Message, message_id)
        assert msg is not None
        return msg.body_redacted


def test_a_new_deny_list_term_applies_to_the_very_next_message(world: World) -> None:
    conv_id, first = _say(world, "my locker code word is umbrella")
    assert "umbrella" in _redacted(world, first)  # not personal data yet: the memo now holds the old config
    with world.ctx.unit_of_work() as uow:
        ws = uow.session.get(Workspace, world.workspace_id)
        assert ws is not None
        settings = json.loads(ws.settings_json or "{}")
        settings["redaction"] = {"deny_list": [["umbrella", "ACCOUNT_ID"]]}
        ws.settings_json = json.dumps(settings)
    _, second = _say(world, "again: umbrella", conv_id)
    redacted = _redacted(world, second)
    assert "umbrella" not in redacted and "<ACCOUNT_ID_1>" in redacted


def test_a_new_agent_name_is_known_to_the_next_message(world: World) -> None:
    conv_id, first = _say(world, "the teapot is broken again")
    assert "teapot" in _redacted(world, first)
    world.member(world.owner.role, name="Marble Teapot")
    _, second = _say(world, "the teapot is broken again", conv_id)
    assert "teapot" not in _redacted(world, second)


def test_a_flag_raised_in_the_transaction_is_seen_by_the_next_check(world: World) -> None:
    _say(world, "hello")
    with world.ctx.unit_of_work() as uow:
        contact = uow.session.execute(
            select(Contact).where(Contact.workspace_id == world.workspace_id)).scalar_one()
        assert processing_allowed(uow, contact.id, "analytics")  # memoised now
        set_flag(uow, None, contact, "restricted")
        assert not processing_allowed(uow, contact.id, "analytics")


def test_audit_rows_after_a_rolled_back_savepoint_keep_the_chain_intact(world: World) -> None:
    actor = system_actor(world.workspace_id, "test")
    with world.ctx.unit_of_work() as uow:
        record(uow.session, actor, "test.before", target_type="test")
        nested = uow.session.begin_nested()
        record(uow.session, actor, "test.undone", target_type="test")
        nested.rollback()
        record(uow.session, actor, "test.after", target_type="test")
    _say(world, "and one more row from another transaction")
    with world.ctx.db.session() as s:
        assert verify_chain(s, world.workspace_id) is None
