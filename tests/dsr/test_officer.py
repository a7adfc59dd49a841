"""The privacy officer: queue views, approval, denial with reasons, the one extension (only in time), pauses,
authorized agents (signed permission, the customer confirms, the officer approves), requests started by staff."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hushdesk.dsr import officer
from hushdesk.dsr.repository import QueueFilter
from hushdesk.dsr.service import AgentInput
from hushdesk.kit.clock import set_clock
from hushdesk.kit.errors import Conflict, Forbidden
from hushdesk.models import AuditEvent, DataSubjectRequest
from hushdesk.tenancy.permissions import Role
from tests.dsr.conftest import Mailbox
from tests.dsr.helpers import customer, submit, verified, verify
from tests.support.factories import World


@pytest.fixture
def at() -> Iterator[list[datetime]]:
    now = [datetime(2026, 1, 31, 9, 0, tzinfo=UTC)]  # a Saturday at the end of January
    set_clock(lambda: now[0])
    yield now
    set_clock(None)


def _get(world: World, req_id: str) -> DataSubjectRequest:
    with world.ctx.db.session() as s:
        req = s.get(DataSubjectRequest, req_id)
        assert req is not None
        return req


def test_gdpr_extension_within_the_first_month_only_once(world: World, mailbox: Mailbox,
                                                         at: list[datetime]) -> None:
    po = world.member(Role.PRIVACY_OFFICER)
    customer(world, "x1@example.com")
    req_id, _ = submit(world, "erasure", "x1@example.com")
    assert _get(world, req_id).due_at.date().isoformat() == "2026-03-02"  # 28 Feb is a Saturday
    at[0] = datetime(2026, 2, 20, tzinfo=UTC)
    with world.ctx.unit_of_work() as uow:
        officer.extend(uow, po.actor, req_id, "complexity")
    req = _get(world, req_id)
    assert req.due_at.date().isoformat() == "2026-04-30" and req.original_due_at.date().isoformat() == "2026-03-02"
    assert "More time needed" in str(mailbox.last_to("x1@example.com")["Subject"])
    with pytest.raises(Conflict), world.ctx.unit_of_work() as uow:
        officer.extend(uow, po.actor, req_id, "complexity")


def test_an_extension_after_the_first_period_is_refused(world: World, mailbox: Mailbox, at: list[datetime]) -> None:
    po = world.member(Role.PRIVACY_OFFICER)
    req_id, _ = submit(world, "access", "x2@example.com", california=True)
    assert _get(world, req_id).regime == "ccpa"
    assert _get(world, req_id).due_at.date().isoformat() == "2026-03-17"  # 45 calendar days
    at[0] = datetime(2026, 3, 18, tzinfo=UTC)
    with pytest.raises(Conflict) as err, world.ctx.unit_of_work() as uow:
        officer.extend(uow, po.actor, req_id, "number_of_requests")
    assert err.value.code == "extension_too_late"


def test_opt_outs_cannot_be_extended(world: World, mailbox: Mailbox, at: list[datetime]) -> None:
    po = world.member(Role.PRIVACY_OFFICER)
    req_id, _ = submit(world, "opt_out_sale", "x3@example.com")
    with pytest.raises(Conflict), world.ctx.unit_of_work() as uow:
        officer.extend(uow, po.actor, req_id, "complexity")


def test_a_pause_moves_the_deadline_and_is_recorded(world: World, mailbox: Mailbox, at: list[datetime]) -> None:
    po = world.member(Role.PRIVACY_OFFICER)
    req_id, _ = submit(world, "access", "x4@example.com")
    due = _get(world, req_id).due_at
    with world.ctx.unit_of_work() as uow:
        officer.pause(uow, po.actor, req_id)
    at[0] += timedelta(days=3, hours=2)
    with world.ctx.unit_of_work() as uow:
        officer.resume(uow, po.actor, req_id)
    req = _get(world, req_id)
    assert req.paused_days == 4 and req.due_at > due
    with world.ctx.db.session() as s:
        actions = s.execute(select(AuditEvent.action).where(AuditEvent.target_id == req_id)).scalars().all()
    assert "dsr.paused" in actions and "dsr.resumed" in actions


def test_queue_views(world: World, mailbox: Mailbox, at: list[datetime]) -> None:
    po, auditor, agent = (world.member(r) for r in (Role.PRIVACY_OFFICER, Role.AUDITOR, Role.AGENT))
    early, _ = submit(world, "access", "q1@example.com")
    at[0] = datetime(2026, 2, 25, tzinfo=UTC)
    later, _ = submit(world, "access", "q2@example.com")
    at[0] = datetime(2026, 3, 3, tzinfo=UTC)

    def ids(view: str) -> list[str]:
        with world.ctx.unit_of_work() as uow:
            return [r.id for r in officer.list_queue(uow, auditor.actor, QueueFilter(view=view))]

    assert early in ids("overdue") and later not in ids("overdue")
    assert ids("waiting") == [early, later]  # both wait for the requester's code
    assert later not in ids("due_soon")
    with pytest.raises(Forbidden), world.ctx.unit_of_work() as uow:
        officer.list_queue(uow, agent.actor, QueueFilter())
    with pytest.raises(Forbidden), world.ctx.unit_of_work() as uow:
        officer.reveal_request(uow, auditor.actor, early)
    with world.ctx.unit_of_work() as uow:
        details = officer.reveal_request(uow, po.actor, early)
    assert details.requester_email == "q1@example.com"
    assert [a for _, a, _ in details.history][:2] == ["dsr.received", "dsr.awaiting_verification"]


def test_denial_tells_the_requester_why(world: World, mailbox: Mailbox) -> None:
    po = world.member(Role.PRIVACY_OFFICER)
    req_id, _ = submit(world, "access", "x5@example.com")
    with world.ctx.unit_of_work() as uow:
        officer.deny_request(uow, po.actor, req_id, "manifestly_unfounded", note="third identical request today")
    req = _get(world, req_id)
    assert req.status == "denied" and req.retain_until is not None
    assert req.retain_until >= req.closed_at + timedelta(days=730)  # type: ignore[operator]
    body = mailbox.body(mailbox.last_to("x5@example.com"))
    assert "manifestly unfounded" in body and "supervisory authority" in body


def test_authorized_agent_needs_the_customer_and_the_officer(world: World, mailbox: Mailbox) -> None:
    po = world.member(Role.PRIVACY_OFFICER)
    customer(world, "principal@example.com", name="Paula Principal")
    agent = AgentInput("Alan Agent", "alan@agency.example", b"%PDF-1.4 signed permission", "application/pdf")
    req_id, token = submit(world, "access", "principal@example.com", agent=agent)
    assert mailbox.to("alan@agency.example") == []  # the code goes to the customer, never the agent
    receipt = mailbox.body(mailbox.last_to("principal@example.com"))
    assert "acting for you" in receipt
    assert verify(world, req_id, token, mailbox.code_for("principal@example.com")).ok
    req = _get(world, req_id)
    assert req.status == "awaiting_approval" and req.subject_confirmed_at is not None
    with world.ctx.unit_of_work() as uow:
        kind, doc = officer.permission_document(uow, po.actor, req_id)
    assert doc.startswith(b"%PDF") and kind == "application/pdf"
    with world.ctx.unit_of_work() as uow:
        officer.approve(uow, po.actor, req_id)
    assert _get(world, req_id).status == "completed"
    assert "/download/" in mailbox.body(mailbox.last_to("principal@example.com"))
    assert mailbox.to("alan@agency.example") == []


def test_staff_start_a_request_but_the_customer_confirms(world: World, mailbox: Mailbox) -> None:
    agent = world.member(Role.AGENT)
    contact_id = customer(world, "onbehalf@example.com")
    with world.ctx.unit_of_work() as uow:
        got = officer.start_for_contact(uow, agent.actor, contact_id, "restriction")
        req_id, token = got.request.id, got.token
    req = _get(world, req_id)
    assert req.status == "awaiting_verification" and req.via == "agent" and req.submitted_by == agent.user_id
    assert verify(world, req_id, token, mailbox.code_for("onbehalf@example.com")).ok
    assert _get(world, req_id).status == "completed"


def test_approve_only_what_waits_for_approval(world: World, mailbox: Mailbox) -> None:
    po = world.member(Role.PRIVACY_OFFICER)
    customer(world, "x6@example.com")
    req_id = verified(world, mailbox, "restriction", "x6@example.com")
    with pytest.raises(Conflict), world.ctx.unit_of_work() as uow:
        officer.approve(uow, po.actor, req_id)


def test_complaints_reach_the_officer_without_verification(world: World, mailbox: Mailbox) -> None:
    po = world.member(Role.PRIVACY_OFFICER)
    req_id, _ = submit(world, "complaint", "angry@example.com", details="You kept emailing me.")
    assert _get(world, req_id).status == "in_progress"
    with world.ctx.unit_of_work() as uow:
        assert officer.reveal_request(uow, po.actor, req_id).text == "You kept emailing me."
        officer.approve(uow, po.actor, req_id)
    assert _get(world, req_id).status == "completed"


def test_an_agents_opt_out_still_needs_the_customers_confirmation(world: World, mailbox: Mailbox) -> None:
    po = world.member(Role.PRIVACY_OFFICER)
    customer(world, "principal3@example.com")
    agent = AgentInput("Alan Agent", "alan@agency.example", b"%PDF signed", "application/pdf")
    req_id, token = submit(world, "opt_out_sale", "principal3@example.com", agent=agent)
    assert _get(world, req_id).status == "awaiting_verification"
    assert verify(world, req_id, token, mailbox.code_for("principal3@example.com")).ok
    with world.ctx.unit_of_work() as uow:
        officer.approve(uow, po.actor, req_id)
    assert _get(world, req_id).status == "completed"
