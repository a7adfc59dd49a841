"""The scheduled audit verification opens an incident in the workspace whose chain broke (once), and the job
is scheduled on the consumer."""

from __future__ import annotations

from hushdesk.audit.tasks import TITLE, verify_and_alert
from hushdesk.context import AppContext
from hushdesk.models import AuditEvent
from hushdesk.models.security import Incident
from hushdesk.tenancy.permissions import Role
from tests.support.factories import World


def test_a_broken_chain_opens_one_incident(world: World) -> None:
    world.member(Role.AGENT)
    with world.ctx.unit_of_work() as uow:
        row = uow.session.query(AuditEvent).filter(AuditEvent.chain == world.workspace_id).order_by(
            AuditEvent.seq).first()
        assert row is not None
        seq, original = row.seq, row.actor_name
        row.actor_name = "Mallory"  # tampering
    try:
        for _ in range(2):
            with world.ctx.unit_of_work() as uow:
                breaks = verify_and_alert(uow)
                assert any(b.chain == world.workspace_id and b.seq == seq for b in breaks)
        with world.ctx.unit_of_work() as uow:
            found = uow.session.query(Incident).filter(Incident.workspace_id == world.workspace_id,
                                                       Incident.title == TITLE).all()
            assert len(found) == 1 and f"entry {seq}" in found[0].description
    finally:
        with world.ctx.unit_of_work() as uow:
            row = uow.session.query(AuditEvent).filter(AuditEvent.chain == world.workspace_id,
                                                       AuditEvent.seq == seq).one()
            row.actor_name = original


def test_the_check_is_scheduled(ctx: AppContext) -> None:
    names = [task.name for task in ctx.jobs.huey._registry.periodic_tasks]
    assert "hushdesk.audit_verify" in names
