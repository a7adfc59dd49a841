"""Restriction, objection, consent withdrawal and deactivation are flags every processing path checks:
proven here for analytics events, optional outbound messages and the AI-drafting gate."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.db import UnitOfWork
from hushdesk.dsr import tasks as _dsr_tasks  # noqa: F401
from hushdesk.inbox.contacts import cipher_for, list_contacts, reveal_contact
from hushdesk.inbox.service import receive_message, send_reply
from hushdesk.kit.errors import Forbidden
from hushdesk.mail.service import queue_email
from hushdesk.models import AnalyticsEvent, Contact, OutboundEmail
from hushdesk.privacy import service as privacy
from hushdesk.tenancy.permissions import Role
from tests.dsr.conftest import Mailbox
from tests.support.factories import World


def _write(world: World, email: str, body: str = "hello", conversation_id: str | None = None) -> tuple[str, str]:
    with world.ctx.unit_of_work() as uow:
        got = receive_message(uow, world.workspace_id, InboundMessage(
            channel="api", sender=ContactHint("email", email, name="Rhea Stone", email=email), body=body,
            conversation_id=conversation_id))
        return got.conversation.contact_id or "", got.conversation.id


def _events(world: World) -> int:
    with world.ctx.db.session() as s:
        return int(s.execute(select(func.count()).select_from(AnalyticsEvent).where(
            AnalyticsEvent.workspace_id == world.workspace_id)).scalar_one())


def _flag(world: World, contact_id: str, kind: str, purpose: str = privacy.ALL) -> None:
    with world.ctx.unit_of_work() as uow:
        contact = uow.session.get(Contact, contact_id)
        assert contact is not None
        privacy.set_flag(uow, None, contact, kind, purpose)


def _survey(uow: UnitOfWork, contact_id: str, email: str) -> str | None:
    contact = uow.session.get(Contact, contact_id)
    assert contact is not None
    queued = queue_email(uow, workspace_id=contact.workspace_id, cipher=cipher_for(uow, contact), to=email,
                         subject="How did we do?", body="Rate our support from 1 to 5.",
                         purpose="optional_messages", contact_id=contact_id)
    return queued.email.id if queued.email else None


def test_restricted_contact_emits_no_analytics_event(world: World) -> None:
    contact_id, conv_id = _write(world, "rhea@example.com")
    baseline = _events(world)
    assert baseline == 2  # conversation.created + message.inbound
    _flag(world, contact_id, "restricted")
    _write(world, "rhea@example.com", "again", conversation_id=conv_id)
    agent = world.member(Role.AGENT)
    with world.ctx.unit_of_work() as uow:
        send_reply(uow, agent.actor, conv_id, "We are on it")  # outbound events are about the contact too
    assert _events(world) == baseline
    _write(world, "other@example.com")  # another contact still counts
    assert _events(world) == baseline + 2


@pytest.mark.parametrize(("kind", "purpose"), [("objected", "analytics"), ("objected", privacy.ALL),
                                               ("deactivated", privacy.ALL)])
def test_objection_and_deactivation_stop_analytics(world: World, kind: str, purpose: str) -> None:
    contact_id, conv_id = _write(world, f"{kind}-{purpose}@example.com".replace("*", "all"))
    baseline = _events(world)
    _flag(world, contact_id, kind, purpose)
    _write(world, f"{kind}-{purpose}@example.com".replace("*", "all"), "more", conversation_id=conv_id)
    assert _events(world) == baseline


def test_restricted_contact_receives_no_optional_message(world: World, mailbox: Mailbox) -> None:
    contact_id, _ = _write(world, "survey@example.com")
    with world.ctx.unit_of_work() as uow:
        assert _survey(uow, contact_id, "survey@example.com") is not None
    assert len(mailbox.to("survey@example.com")) == 1  # unrestricted: the survey arrives
    _flag(world, contact_id, "restricted")
    with world.ctx.unit_of_work() as uow:
        assert _survey(uow, contact_id, "survey@example.com") is None
    assert len(mailbox.to("survey@example.com")) == 1


def test_restriction_after_queueing_still_stops_the_send(world: World, mailbox: Mailbox,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    contact_id, _ = _write(world, "late@example.com")
    held: list[object] = []
    monkeypatch.setattr(world.ctx.jobs, "enqueue", lambda name, payload=None: held.append((name, payload)))
    with world.ctx.unit_of_work() as uow:
        email_id = _survey(uow, contact_id, "late@example.com")
    monkeypatch.undo()
    _flag(world, contact_id, "restricted")
    world.ctx.jobs.enqueue("mail.send", {"email_id": email_id})
    assert mailbox.to("late@example.com") == []
    with world.ctx.db.session() as s:
        row = s.get(OutboundEmail, email_id)
        assert row is not None and row.status == "suppressed" and row.body_ct is None


def test_withdrawn_consent_stops_that_purpose_only(world: World, mailbox: Mailbox) -> None:
    contact_id, _ = _write(world, "consent@example.com")
    with world.ctx.unit_of_work() as uow:
        contact = uow.session.get(Contact, contact_id)
        assert contact is not None
        assert not privacy.processing_allowed(uow, contact_id, "marketing")  # needs consent first
        privacy.record_consent(uow, None, contact, "marketing", True, source="privacy_center")
        assert privacy.processing_allowed(uow, contact_id, "marketing")
        privacy.record_consent(uow, None, contact, "optional_messages", False, source="privacy_center")
    with world.ctx.unit_of_work() as uow:
        assert _survey(uow, contact_id, "consent@example.com") is None
        assert privacy.processing_allowed(uow, contact_id, "analytics")
        assert privacy.processing_allowed(uow, contact_id, "marketing")
    assert mailbox.to("consent@example.com") == []


@pytest.mark.parametrize(("kind", "purpose", "allowed"), [
    ("restricted", privacy.ALL, False), ("objected", "ai_drafting", False), ("objected", "analytics", True),
    ("deactivated", privacy.ALL, False), ("opt_out_sale", privacy.ALL, True),
])
def test_ai_drafting_gate(world: World, kind: str, purpose: str, allowed: bool) -> None:
    """The AI assistant asks ``processing_allowed(uow, contact_id, "ai_drafting")`` before drafting."""
    contact_id, _ = _write(world, f"ai-{kind}-{purpose}@example.com".replace("*", "all"))
    with world.ctx.unit_of_work() as uow:
        assert privacy.processing_allowed(uow, contact_id, "ai_drafting")
    _flag(world, contact_id, kind, purpose)
    with world.ctx.unit_of_work() as uow:
        decision = privacy.check_processing(uow, contact_id, "ai_drafting")
        assert decision.allowed is allowed
        assert privacy.processing_allowed(uow, contact_id, "compliance")  # answering requests never stops
        assert privacy.processing_allowed(uow, contact_id, "support") is (kind != "deactivated")


def test_lifting_a_restriction_needs_the_privacy_officer(world: World) -> None:
    contact_id, _ = _write(world, "lift@example.com")
    _flag(world, contact_id, "restricted")
    agent, po = world.member(Role.AGENT), world.member(Role.PRIVACY_OFFICER)
    with pytest.raises(Forbidden), world.ctx.unit_of_work() as uow:
        privacy.lift_flag(uow, agent.actor, contact_id, "restricted")
    with world.ctx.unit_of_work() as uow:
        assert privacy.lift_flag(uow, po.actor, contact_id, "restricted")
        assert privacy.processing_allowed(uow, contact_id, "analytics")


def test_a_deactivated_contact_is_hidden_but_kept(world: World) -> None:
    contact_id, _ = _write(world, "hidden@example.com")
    kept_id, _ = _write(world, "visible@example.com")
    _flag(world, contact_id, "deactivated")
    with world.ctx.unit_of_work() as uow:
        listed = {c.id for c in list_contacts(uow, world.owner.actor)}
        assert kept_id in listed and contact_id not in listed
        assert reveal_contact(uow, world.owner.actor, contact_id).email == "hidden@example.com"
        assert privacy.is_hidden(uow, contact_id)
        assert not privacy.processing_allowed(uow, contact_id, "support")
