"""The ingestion pipeline: encrypted raw copy, redacted copy, idempotency, audit, analytics."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.inbox import conversations as conv_svc
from hushdesk.inbox.service import receive_message, send_reply
from hushdesk.kit.errors import NotFound, TooLarge, ValidationFailed
from hushdesk.models import AnalyticsEvent, AuditEvent, Contact, Message
from hushdesk.tenancy.permissions import Role
from tests.support.factories import World


def _inbound(body: str, email: str = "sam.canary@example.com", **kw: object) -> InboundMessage:
    return InboundMessage(channel="api", sender=ContactHint("email", email, name="Sam Canary", email=email),
                          body=body, **kw)  # type: ignore[arg-type]


def test_message_is_stored_encrypted_and_redacted(world: World) -> None:
    body = "Reach me at sam.canary@example.com, card 4111 1111 1111 1111"
    with world.ctx.unit_of_work() as uow:
        got = receive_message(uow, world.workspace_id, _inbound(body, client_message_id="c1"))
        msg_id, conv_id = got.message.id, got.conversation.id
    with world.ctx.db.session() as s:
        msg = s.get(Message, msg_id)
        assert msg is not None and msg.body_ct is not None
        assert b"sam.canary" not in msg.body_ct and b"4111" not in msg.body_ct
        assert "sam.canary@example.com" not in msg.body_redacted
        assert "4111 1111 1111 1111" not in msg.body_redacted
        assert "<EMAIL_1>" in msg.body_redacted and "<CREDIT_CARD_1>" in msg.body_redacted
        contact = s.execute(select(Contact).where(Contact.workspace_id == world.workspace_id)).scalar_one()
        assert contact.email_ct is not None and b"sam.canary" not in contact.email_ct
    with world.ctx.unit_of_work() as uow:
        view = conv_svc.view_conversation(uow, world.owner.actor, conv_id)
    assert view.revealed and view.messages[0].body == body


def test_placeholders_are_consistent_across_the_conversation(world: World) -> None:
    with world.ctx.unit_of_work() as uow:
        first = receive_message(uow, world.workspace_id, _inbound("I am at a@b.example and c@d.example",
                                                                  thread_ref="t1"))
        conv_id = first.conversation.id
    with world.ctx.unit_of_work() as uow:
        second = receive_message(uow, world.workspace_id, _inbound("again: c@d.example", conversation_id=conv_id))
        redacted = second.message.body_redacted
    assert redacted == "again: <EMAIL_2>"


def test_retry_with_same_client_id_does_not_duplicate(world: World) -> None:
    with world.ctx.unit_of_work() as uow:
        first = receive_message(uow, world.workspace_id, _inbound("hello", thread_ref="t", client_message_id="x"))
    with world.ctx.unit_of_work() as uow:
        again = receive_message(uow, world.workspace_id, _inbound("hello", thread_ref="t", client_message_id="x"))
    assert not again.created and again.message.id == first.message.id
    with world.ctx.db.session() as s:
        count = len(s.execute(select(Message).where(Message.conversation_id == first.conversation.id)).all())
    assert count == 1


def test_failed_request_leaves_nothing_half_written(world: World) -> None:
    with world.ctx.db.session() as s:
        before = len(s.execute(select(AuditEvent).where(AuditEvent.chain == world.workspace_id)).all())
    with pytest.raises(TooLarge), world.ctx.unit_of_work() as uow:
        receive_message(uow, world.workspace_id, _inbound("ok", email="late@example.com", thread_ref="q"))
        receive_message(uow, world.workspace_id, _inbound("x" * 50_000, email="late@example.com"))
    with world.ctx.db.session() as s:
        after = len(s.execute(select(AuditEvent).where(AuditEvent.chain == world.workspace_id)).all())
        contacts = s.execute(select(Contact).where(Contact.workspace_id == world.workspace_id)).all()
    assert after == before and contacts == []


def test_empty_and_nul_bodies_are_refused(world: World) -> None:
    with pytest.raises(ValidationFailed), world.ctx.unit_of_work() as uow:
        receive_message(uow, world.workspace_id, _inbound("  \x00 "))


def test_analytics_event_is_anonymous(world: World) -> None:
    with world.ctx.unit_of_work() as uow:
        receive_message(uow, world.workspace_id, _inbound("hi there"))
    with world.ctx.db.session() as s:
        events = s.execute(select(AnalyticsEvent).where(AnalyticsEvent.workspace_id == world.workspace_id)).scalars()
        kinds = sorted(e.kind for e in events)
    assert kinds == ["conversation.created", "message.inbound"]
    assert set(AnalyticsEvent.__table__.columns.keys()) == {"id", "workspace_id", "kind", "channel", "hour"}


def test_reply_sets_first_response_and_auditor_sees_only_redacted(world: World) -> None:
    agent = world.member(Role.AGENT)
    auditor = world.member(Role.AUDITOR)
    with world.ctx.unit_of_work() as uow:
        got = receive_message(uow, world.workspace_id, _inbound("my email is sam.canary@example.com"))
        conv_id = got.conversation.id
    with world.ctx.unit_of_work() as uow:
        send_reply(uow, agent.actor, conv_id, "Thanks Sam, noted")
    with world.ctx.unit_of_work() as uow:
        view = conv_svc.view_conversation(uow, auditor.actor, conv_id)
        assert not view.revealed
        assert all("sam.canary" not in m.body for m in view.messages)
        assert view.conversation.first_response_at is not None


def test_foreign_conversation_is_not_found(world: World, other_world: World) -> None:
    with world.ctx.unit_of_work() as uow:
        conv_id = receive_message(uow, world.workspace_id, _inbound("hello")).conversation.id
    with pytest.raises(NotFound), world.ctx.unit_of_work() as uow:
        conv_svc.view_conversation(uow, other_world.owner.actor, conv_id)
