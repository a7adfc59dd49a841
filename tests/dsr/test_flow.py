"""The request lifecycle end to end on the service layer: submit, verify, process, approve, complete."""

from __future__ import annotations

from sqlalchemy import select

from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.dsr import officer, requester
from hushdesk.dsr.service import SubmitInput, submit
from hushdesk.inbox.service import receive_message
from hushdesk.models import AuditEvent, DataSubjectRequest, Workspace
from hushdesk.tenancy.permissions import Role
from tests.dsr.conftest import Mailbox
from tests.support.factories import World


def _customer(world: World, email: str, name: str = "Rita Canary", body: str = "hello there") -> str:
    with world.ctx.unit_of_work() as uow:
        got = receive_message(uow, world.workspace_id, InboundMessage(
            channel="api", sender=ContactHint("email", email, name=name, email=email), body=body))
        assert got.conversation.contact_id
        return got.conversation.contact_id


def _ws(uow: object, world: World) -> Workspace:
    ws = uow.session.get(Workspace, world.workspace_id)  # type: ignore[attr-defined]
    assert ws is not None
    return ws


def test_restriction_request_runs_through_every_state(world: World, mailbox: Mailbox) -> None:
    _customer(world, "rita@example.com")
    with world.ctx.unit_of_work() as uow:
        got = submit(uow, _ws(uow, world), SubmitInput(kind="restriction", email="rita@example.com"),
                     via="privacy_center")
        req_id, token = got.request.id, got.token
        assert got.request.status == "awaiting_verification"
    receipt = mailbox.body(mailbox.last_to("rita@example.com"))
    assert "We will answer by" in receipt and "/privacy/" in receipt
    code = mailbox.code_for("rita@example.com")
    with world.ctx.unit_of_work() as uow:
        outcome = requester.verify(uow, world.slug, req_id, token, code)
    assert outcome.ok
    with world.ctx.db.session() as s:
        req = s.get(DataSubjectRequest, req_id)
        assert req is not None and req.status == "completed" and req.contact_id is not None
        actions = [a for a in s.execute(select(AuditEvent.action).where(
            AuditEvent.target_id == req_id).order_by(AuditEvent.seq)).scalars()]
    assert actions[:4] == ["dsr.received", "dsr.awaiting_verification", "dsr.verified", "dsr.in_progress"]
    assert actions[-1] == "dsr.completed"


def test_erasure_waits_for_approval_then_completes(world: World, mailbox: Mailbox) -> None:
    _customer(world, "eve@example.com", name="Eve Canary")
    officer_member = world.member(Role.PRIVACY_OFFICER)
    with world.ctx.unit_of_work() as uow:
        got = submit(uow, _ws(uow, world), SubmitInput(kind="erasure", email="eve@example.com"),
                     via="privacy_center")
        req_id, token = got.request.id, got.token
    with world.ctx.unit_of_work() as uow:
        first = requester.verify(uow, world.slug, req_id, token, mailbox.code_for("eve@example.com"))
    assert first.ok and first.next_step == "step_up"
    with world.ctx.unit_of_work() as uow:
        second = requester.verify(uow, world.slug, req_id, token, mailbox.code_for("eve@example.com"))
    assert second.ok and second.next_step is None
    with world.ctx.db.session() as s:
        req = s.get(DataSubjectRequest, req_id)
        assert req is not None and req.status == "awaiting_approval"
    with world.ctx.unit_of_work() as uow:
        officer.approve(uow, officer_member.actor, req_id)
    with world.ctx.db.session() as s:
        req = s.get(DataSubjectRequest, req_id)
        assert req is not None and req.status == "completed" and req.key_id is None
        assert req.requester_email_ct is None
