"""Incident pages over HTTP: open from the form (validation errors shown), the 72-hour deadline on the list and
the detail page (overdue in red), affected contacts from the audit log, every action form, the report
downloads; auditors read only, admins and agents are refused, foreign ids are 404, forms need CSRF."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hushdesk.audit.service import record
from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.inbox.service import receive_message
from hushdesk.kit.clock import utcnow
from hushdesk.models import AuditEvent
from hushdesk.tenancy.permissions import Role
from tests.security.test_security_pages import client
from tests.support.factories import World
from tests.web.conftest import HTML, sign_in


def _at(delta: timedelta) -> str:
    return (utcnow() + delta).strftime("%Y-%m-%dT%H:%M")


def _open(
    web: TestClient,
    csrf: str,
    *,
    title: str = "Laptop stolen",
    aware: timedelta | None = None,
    start: timedelta = timedelta(hours=-5),
) -> str:
    res = web.post(
        "/incidents",
        headers=HTML,
        data={
            "csrf_token": csrf,
            "title": title,
            "description": "An agent's laptop was stolen.",
            "systems": "agent UI",
            "occurred_from": _at(start),
            "occurred_until": _at(timedelta(minutes=5)),
            "detected_at": _at(aware or timedelta(0)),
            "aware_at": "",
        },
    )
    assert res.status_code == 303, res.text
    return res.headers["location"].rsplit("/", 1)[1]


def _contact_read(world: World) -> str:
    with world.ctx.unit_of_work() as uow:
        got = receive_message(
            uow,
            world.workspace_id,
            InboundMessage(
                channel="api", sender=ContactHint("email", "read@example.com", email="read@example.com"), body="hi"
            ),
        )
        contact_id = got.conversation.contact_id or ""
        record(uow.session, world.owner.actor, "contact.viewed", target_type="contact", target_id=contact_id)
    return contact_id


def test_open_an_incident_and_see_the_deadline(web: TestClient, world: World) -> None:
    contact_id = _contact_read(world)
    csrf = sign_in(web, world.member(Role.PRIVACY_OFFICER))
    form = web.get("/incidents/new", headers=HTML)
    assert form.status_code == 200 and 'name="occurred_from"' in form.text
    incident_id = _open(web, csrf, title="Laptop <script>stolen</script>")
    page = web.get(f"/incidents/{incident_id}", headers=HTML)
    assert page.status_code == 200
    assert "Laptop &lt;script&gt;stolen&lt;/script&gt;" in page.text and "<script>stolen" not in page.text
    assert re.search(r'<span class="deadline-text">(71|72) h \d\d min left</span>', page.text)
    assert "deadline-overdue" not in page.text
    assert f'href="/audit/contacts/{contact_id}"' in page.text  # affected, from the audit log
    listing = web.get("/incidents", headers=HTML)
    row = re.search(rf'<tr data-incident-id="{incident_id}">.*?</tr>', listing.text, re.S)
    assert row and re.search(r"(71|72) h \d\d min left", row.group(0))
    assert 'href="/incidents"' in listing.text


def test_overdue_deadlines_are_red(web: TestClient, world: World) -> None:
    csrf = sign_in(web, world.owner)
    incident_id = _open(web, csrf, title="Old breach", aware=timedelta(hours=-80), start=timedelta(hours=-100))
    listing = web.get("/incidents", headers=HTML).text
    row = re.search(rf'<tr data-incident-id="{incident_id}" class="is-overdue">.*?</tr>', listing, re.S)
    assert row and "overdue by 8 h" in row.group(0) and "deadline-overdue" in row.group(0)
    assert "deadline-overdue" in web.get(f"/incidents/{incident_id}", headers=HTML).text


def test_the_open_form_shows_errors(web: TestClient, world: World) -> None:
    csrf = sign_in(web, world.owner)
    base = {
        "csrf_token": csrf,
        "title": "Thing",
        "occurred_from": _at(timedelta(hours=-1)),
        "occurred_until": _at(timedelta(0)),
        "detected_at": _at(timedelta(0)),
    }
    for change, message in (
        ({"title": " "}, "title is required"),
        ({"occurred_until": _at(timedelta(hours=-2))}, "must end after it starts"),
        ({"detected_at": "yesterday"}, "use a date and time"),
        ({"aware_at": _at(timedelta(hours=-3))}, "awareness cannot come before detection"),
    ):
        res = web.post("/incidents", data={**base, **change}, headers=HTML)
        assert res.status_code == 422 and message in res.text, message
        assert 'value="Thing"' in res.text or change.get("title")  # the form keeps what was typed


def test_the_whole_workflow_through_the_forms(web: TestClient, world: World) -> None:
    _contact_read(world)
    csrf = sign_in(web, world.member(Role.PRIVACY_OFFICER))
    incident_id = _open(web, csrf)
    url = f"/incidents/{incident_id}"

    def post(action: str, status: int = 200, **data: str) -> str:
        res = web.post(f"{url}/{action}", data={"csrf_token": csrf, **data}, headers=HTML)
        assert res.status_code == status, (action, res.text[:500])
        return res.text

    assert "1 affected contact(s) found" in post("affected")
    assert "risk must be one of" in post("assess", 422, risk="extreme", reason="x")
    assert "Draft notices" not in post("assess", risk="low", reason="encrypted disk")
    page = post("assess", risk="high", reason="unencrypted exports on the disk")
    assert "Draft notices to affected customers" in page
    assert "a high-risk breach must be notified" in post("no-notification", 422, reason="low impact")
    notices = post("customer-notices")
    assert "Notice drafted for 1 affected contact(s)" in notices and "What happened: Laptop stolen" in notices
    assert "Affected customers: 1" in post("controller")
    notified = post("authority", reference="DPA-2026-17")
    assert "Authority notification recorded" in notified and "authority notified in time" in notified
    assert "(reference DPA-2026-17)" in web.get(url, headers=HTML).text
    assert "Measure added" in post("notes", note="rotated all tokens", kind="measure")
    assert "Note added" in post("notes", note="police report filed", kind="note")
    assert "the note is required" in post("notes", 422, note="  ")
    closed = post("close", summary="handled")
    assert "Incident closed" in closed and 'action="' + url + '/close"' not in closed
    assert "the incident is closed" in post("notes", 422, note="too late")

    report = web.get(f"{url}/report.json", headers=HTML)
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    data = json.loads(report.text)
    kinds = [e["kind"] for e in data["timeline"]]
    assert data["status"] == "closed" and data["affected"]["contacts"] == 1
    assert {
        "opened",
        "assessed",
        "customer_notices_drafted",
        "controller_notified",
        "authority_notified",
        "measure_added",
        "note_added",
        "closed",
    } <= set(kinds)
    md = web.get(f"{url}/report.md", headers=HTML)
    assert md.status_code == 200 and md.text.startswith("# Incident report: Laptop stolen")
    assert "rotated all tokens" in md.text
    with world.ctx.unit_of_work() as uow:
        audited = set(
            uow.session.execute(
                select(AuditEvent.action).where(
                    AuditEvent.chain == world.workspace_id, AuditEvent.target_id == incident_id
                )
            ).scalars()
        )
    assert {"incident.opened", "incident.closed", "incident.exported"} <= audited


def test_a_late_notification_needs_the_reasons(web: TestClient, world: World) -> None:
    csrf = sign_in(web, world.owner)
    incident_id = _open(web, csrf, aware=timedelta(hours=-75), start=timedelta(hours=-90))
    url = f"/incidents/{incident_id}/authority"
    late = web.post(url, data={"csrf_token": csrf, "reference": "R1"}, headers=HTML)
    assert late.status_code == 422 and "after the 72-hour deadline" in late.text
    ok = web.post(url, data={"csrf_token": csrf, "late_reason": "forensics took four days"}, headers=HTML)
    assert ok.status_code == 200 and "authority notified late" in ok.text


def test_auditors_read_only(web: TestClient, world: World) -> None:
    owner_web = client(web.app)  # type: ignore[arg-type]
    incident_id = _open(owner_web, sign_in(owner_web, world.owner))
    csrf = sign_in(web, world.member(Role.AUDITOR))
    assert web.get("/incidents", headers=HTML).status_code == 200
    page = web.get(f"/incidents/{incident_id}", headers=HTML)
    assert page.status_code == 200 and "/assess" not in page.text and "/incidents/new" not in page.text
    assert web.get(f"/incidents/{incident_id}/report.json", headers=HTML).status_code == 200
    assert web.get("/incidents/new", headers=HTML).status_code == 403
    for action in ("assess", "notes", "close", "affected", "authority", "controller"):
        assert (
            web.post(
                f"/incidents/{incident_id}/{action}",
                data={"csrf_token": csrf, "risk": "low", "reason": "x", "note": "x", "summary": "x"},
                headers=HTML,
            ).status_code
            == 403
        ), action
    assert web.post("/incidents", data={"csrf_token": csrf, "title": "x"}, headers=HTML).status_code == 403


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AGENT])
def test_admins_and_agents_are_refused(web: TestClient, world: World, role: Role) -> None:
    owner_web = client(web.app)  # type: ignore[arg-type]
    incident_id = _open(owner_web, sign_in(owner_web, world.owner))
    csrf = sign_in(web, world.member(role))
    assert 'href="/incidents"' not in web.get("/account/security", headers=HTML).text
    for path in ("/incidents", "/incidents/new", f"/incidents/{incident_id}", f"/incidents/{incident_id}/report.md"):
        assert web.get(path, headers=HTML).status_code == 403, path
    assert (
        web.post(f"/incidents/{incident_id}/notes", data={"csrf_token": csrf, "note": "x"}, headers=HTML).status_code
        == 403
    )


def test_foreign_incidents_are_404_and_forms_need_csrf(web: TestClient, world: World, other_world: World) -> None:
    owner_web = client(web.app)  # type: ignore[arg-type]
    owner_csrf = sign_in(owner_web, world.owner)
    incident_id = _open(owner_web, owner_csrf)
    csrf = sign_in(web, other_world.owner)
    assert web.get(f"/incidents/{incident_id}", headers=HTML).status_code == 404
    assert web.get(f"/incidents/{incident_id}/report.json", headers=HTML).status_code == 404
    assert (
        web.post(f"/incidents/{incident_id}/notes", data={"csrf_token": csrf, "note": "x"}, headers=HTML).status_code
        == 404
    )
    for action in (
        "assess",
        "authority",
        "controller",
        "no-notification",
        "customer-notices",
        "notes",
        "close",
        "affected",
    ):
        res = owner_web.post(f"/incidents/{incident_id}/{action}", data={"note": "x"}, headers=HTML)
        assert res.status_code == 403 and "form expired" in res.text, action
    assert owner_web.post("/incidents", data={"title": "x"}, headers=HTML).status_code == 403
