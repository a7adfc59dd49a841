"""Incidents: the affected contacts are exactly those whose data was read in the window (planted audit rows,
every way a row can name a contact), the authority deadline is 72 hours from awareness, and the workflow
documents every step."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from hushdesk.audit.access import who_has_seen
from hushdesk.audit.service import record
from hushdesk.channels.base import ContactHint, InboundAttachment, InboundMessage
from hushdesk.inbox.service import receive_message
from hushdesk.kit.clock import set_clock
from hushdesk.kit.errors import Forbidden, NotFound, ValidationFailed
from hushdesk.models import Attachment
from hushdesk.security import incidents
from hushdesk.tenancy.permissions import Role
from tests.support.factories import World

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def at() -> Iterator[list[datetime]]:
    now = [T0]
    set_clock(lambda: now[0])
    yield now
    set_clock(None)


def _contact(world: World, email: str) -> tuple[str, str, str]:
    """(contact id, conversation id, attachment id) of a new customer."""
    with world.ctx.unit_of_work() as uow:
        got = receive_message(uow, world.workspace_id, InboundMessage(
            channel="api", sender=ContactHint("email", email, email=email), body="hi",
            attachments=(InboundAttachment("a.txt", "text/plain", b"x"),)))
        att = uow.session.query(Attachment).filter(Attachment.message_id == got.message.id).one()
        return got.conversation.contact_id or "", got.conversation.id, att.id


def _read(world: World, action: str, **kwargs: object) -> None:
    agent = world.owner.actor
    with world.ctx.unit_of_work() as uow:
        record(uow.session, agent, action, **kwargs)  # type: ignore[arg-type]


def test_affected_contacts_are_exactly_those_read_in_the_window(world: World, at: list[datetime]) -> None:
    a, conv_a, _ = _contact(world, "a@example.com")
    b, _, att_b = _contact(world, "b@example.com")
    c, _, _ = _contact(world, "c@example.com")
    d, conv_d, _ = _contact(world, "d@example.com")
    e, _, _ = _contact(world, "e@example.com")
    outside, _, _ = _contact(world, "outside@example.com")
    untouched, _, _ = _contact(world, "untouched@example.com")
    at[0] = T0 + timedelta(hours=1)
    _read(world, "order.listed", target_type="contact", target_id=outside)  # before the window
    at[0] = T0 + timedelta(hours=2)
    _read(world, "contact.viewed", target_type="contact", target_id=a)
    _read(world, "conversation.viewed", target_type="conversation", target_id=conv_a, details={"contact_id": a})
    _read(world, "attachment.downloaded", target_type="attachment", target_id=att_b)
    _read(world, "contact.names_listed", target_type="contact", details={"contact_ids": [c, e]})
    _read(world, "conversation.viewed_redacted", target_type="conversation", target_id=conv_d)
    _read(world, "contact.updated", target_type="contact", target_id=untouched)  # a write, not a read
    at[0] = T0 + timedelta(hours=5)
    _read(world, "contact.viewed", target_type="contact", target_id=outside)  # after the window
    officer = world.member(Role.PRIVACY_OFFICER)
    at[0] = T0 + timedelta(hours=30)
    inc = None
    with world.ctx.unit_of_work() as uow:
        inc = incidents.open_incident(uow, officer.actor, incidents.IncidentDraft(
            title="Agent laptop stolen", occurred_from=T0 + timedelta(hours=1, minutes=30),
            occurred_until=T0 + timedelta(hours=4), detected_at=T0 + timedelta(hours=29),
            aware_at=T0 + timedelta(hours=30), systems="agent UI"))
        inc_id = inc.id
        assert incidents.authority_deadline(inc) == T0 + timedelta(hours=102)
        assert incidents.hours_left(inc) == pytest.approx(72)
    with world.ctx.unit_of_work() as uow:
        ids = incidents.affected_contact_ids(uow, officer.actor, inc_id)
    assert sorted(ids) == sorted([a, b, c, d, e])
    with world.ctx.unit_of_work() as uow:
        report = incidents.report(uow, officer.actor, inc_id)
    assert report["affected"]["contacts"] == 5 and report["affected"]["reads"] == 6
    assert report["authority_deadline"] == (T0 + timedelta(hours=102)).isoformat()


def test_who_has_seen_a_customer_finds_every_kind_of_read(world: World) -> None:
    a, conv_a, att_a = _contact(world, "seen@example.com")
    other, _, _ = _contact(world, "other@example.com")
    _read(world, "contact.viewed", target_type="contact", target_id=a)
    _read(world, "conversation.viewed", target_type="conversation", target_id=conv_a)
    _read(world, "attachment.downloaded", target_type="attachment", target_id=att_a)
    _read(world, "contact.names_listed", target_type="contact", details={"contact_ids": [other, a]})
    _read(world, "order.listed", target_type="contact", target_id=other)
    auditor = world.member(Role.AUDITOR)
    agent = world.member(Role.AGENT)
    with world.ctx.unit_of_work() as uow:
        seen = who_has_seen(uow.session, auditor.actor, a)
        assert [e.action for e in seen] == ["contact.names_listed", "attachment.downloaded",
                                            "conversation.viewed", "contact.viewed"]
        with pytest.raises(Forbidden):
            who_has_seen(uow.session, agent.actor, a)


def test_workflow_deadline_notification_and_closure(world: World, at: list[datetime]) -> None:
    officer = world.member(Role.PRIVACY_OFFICER)
    with world.ctx.unit_of_work() as uow:
        inc = incidents.open_incident(uow, officer.actor, incidents.IncidentDraft(
            title="Misdirected export", occurred_from=T0 - timedelta(days=1), occurred_until=T0,
            detected_at=T0))
        inc_id = inc.id
    with world.ctx.unit_of_work() as uow, pytest.raises(ValidationFailed):
        incidents.close_incident(uow, officer.actor, inc_id, summary="done")
    with world.ctx.unit_of_work() as uow:
        incidents.assess(uow, officer.actor, inc_id, risk="high", reason="order history exposed")
        text, _ = incidents.draft_customer_notices(uow, officer.actor, inc_id)
        assert "Misdirected export" in text
        with pytest.raises(ValidationFailed):
            incidents.record_no_notification(uow, officer.actor, inc_id, reason="none")
    at[0] = T0 + timedelta(hours=73)
    with world.ctx.unit_of_work() as uow, pytest.raises(ValidationFailed):
        incidents.notify_authority(uow, officer.actor, inc_id, reference="DPA-1")
    with world.ctx.unit_of_work() as uow:
        incidents.notify_authority(uow, officer.actor, inc_id, reference="DPA-1", late_reason="weekend")
        incidents.notify_controller(uow, officer.actor, inc_id)
        incidents.add_note(uow, officer.actor, inc_id, "rotated credentials", measure=True)
        incidents.close_incident(uow, officer.actor, inc_id, summary="contained")
    with world.ctx.unit_of_work() as uow:
        report = incidents.report(uow, officer.actor, inc_id)
    kinds = [e["kind"] for e in report["timeline"]]
    assert kinds == ["opened", "affected_computed", "assessed", "customer_notices_drafted", "authority_notified",
                     "controller_notified", "measure_added", "closed"]
    assert report["status"] == "closed" and report["late_reason"] == "weekend"


def test_unnotified_incident_is_still_documented(world: World) -> None:
    officer = world.member(Role.PRIVACY_OFFICER)
    with world.ctx.unit_of_work() as uow:
        inc = incidents.open_incident(uow, officer.actor, incidents.IncidentDraft(
            title="Phishing mail, no click", occurred_from=T0 - timedelta(hours=2), occurred_until=T0,
            detected_at=T0))
        incidents.assess(uow, officer.actor, inc.id, risk="low", reason="no data left the system")
        incidents.record_no_notification(uow, officer.actor, inc.id, reason="unlikely to result in a risk")
        incidents.close_incident(uow, officer.actor, inc.id, summary="training")
        assert [i.id for i in incidents.list_incidents(uow, officer.actor)] == [inc.id]


def test_roles_and_isolation(world: World, other_world: World) -> None:
    officer = world.member(Role.PRIVACY_OFFICER)
    draft = incidents.IncidentDraft(title="x", occurred_from=T0 - timedelta(hours=1), occurred_until=T0,
                                    detected_at=T0)
    for role in (Role.ADMIN, Role.AGENT, Role.AUDITOR):
        member = world.member(role)
        with world.ctx.unit_of_work() as uow, pytest.raises(Forbidden):
            incidents.open_incident(uow, member.actor, draft)
    with world.ctx.unit_of_work() as uow:
        inc_id = incidents.open_incident(uow, officer.actor, draft).id
    auditor = world.member(Role.AUDITOR)
    with world.ctx.unit_of_work() as uow:
        assert incidents.report(uow, auditor.actor, inc_id)["id"] == inc_id
    with world.ctx.unit_of_work() as uow, pytest.raises(NotFound):
        incidents.get_incident(uow, other_world.owner.actor, inc_id)
