"""The privacy officer's audit view: filters, who-has-seen for a contact, CSV/JSON export (itself audited),
closed to roles without audit.read, 404 for another workspace's contact."""

from __future__ import annotations

import csv
import io
import json

from fastapi.testclient import TestClient

from hushdesk.audit.export import to_csv
from hushdesk.audit.service import record
from hushdesk.models import AuditEvent
from hushdesk.tenancy.permissions import Role
from tests.support.factories import World
from tests.web.conftest import HTML, customer_writes, sign_in


def _contact_of(world: World, conv_id: str) -> str:
    from hushdesk.models import Conversation
    with world.ctx.unit_of_work() as uow:
        conv = uow.session.get(Conversation, conv_id)
        assert conv is not None and conv.contact_id
        return conv.contact_id


def test_officer_sees_who_viewed_a_customer_and_exports(web: TestClient, world: World, other_world: World) -> None:
    conv = customer_writes(world, "Hello, my order is late", email="late@example.com")
    contact = _contact_of(world, conv)
    agent = world.member(Role.AGENT, name="Andy Agent")
    sign_in(web, agent)
    assert web.get(f"/conversations/{conv}", headers=HTML).status_code == 200  # a read of personal data
    assert web.get("/audit", headers=HTML).status_code == 403
    web.cookies.clear()
    officer = world.member(Role.PRIVACY_OFFICER)
    sign_in(web, officer)
    page = web.get(f"/audit/contacts/{contact}", headers=HTML)
    assert page.status_code == 200
    assert "Andy Agent" in page.text and "conversation.viewed" in page.text
    filtered = web.get("/audit", params={"contact": contact, "action": "conversation."}, headers=HTML)
    assert "Andy Agent" in filtered.text
    as_csv = web.get("/audit/export.csv", params={"contact": contact})
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert any(r["action"] == "conversation.viewed" and r["actor_name"] == "Andy Agent" for r in rows)
    as_json = web.get("/audit/export.json", params={"actor": agent.user_id}).json()
    assert as_json["events"] and all(e["actor_id"] == agent.user_id for e in as_json["events"])
    other_conv = customer_writes(other_world, "hi", email="x@example.com")
    assert web.get(f"/audit/contacts/{_contact_of(other_world, other_conv)}", headers=HTML).status_code == 404
    with world.ctx.unit_of_work() as uow:
        exported = uow.session.query(AuditEvent).filter(AuditEvent.chain == world.workspace_id,
                                                        AuditEvent.action == "audit.exported").count()
    assert exported == 2


def test_csv_export_defuses_formulas(world: World) -> None:
    with world.ctx.unit_of_work() as uow:
        record(uow.session, world.owner.actor, "contact.viewed", target_type="contact", target_id="=HYPERLINK(1)")
        event = uow.session.query(AuditEvent).filter(AuditEvent.target_id == "=HYPERLINK(1)").one()
        text = to_csv([event])
    assert "'=HYPERLINK(1)" in text and json.loads('{"ok": 1}')
