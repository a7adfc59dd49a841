"""The privacy center (public) and the privacy officer's pages, through the browser-facing routes."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from hushdesk.tenancy.permissions import Role
from tests.dsr.conftest import Mailbox
from tests.dsr.helpers import customer, submit
from tests.support.factories import World
from tests.web.conftest import HTML, customer_writes, sign_in


def test_privacy_center_lists_every_right_and_the_facts(world: World, client: TestClient) -> None:
    page = client.get(f"/privacy/{world.slug}/requests", headers=HTML)
    assert page.status_code == 200
    for kind in ("access", "portability", "rectification", "erasure", "restriction", "objection",
                 "withdraw_consent", "deactivation", "ccpa_know", "opt_out_sale", "limit_sensitive", "complaint"):
        assert f'value="{kind}"' in page.text
    assert "What we collect" in page.text and "legitimate interest" in page.text
    assert "<script" not in page.text and "style=" not in page.text  # CSP: no inline script or style
    assert client.get("/privacy/no-such-workspace/requests", headers=HTML).status_code == 404


def test_submit_and_verify_through_the_forms(world: World, mailbox: Mailbox, client: TestClient) -> None:
    customer(world, "form@example.com")
    res = client.post(f"/privacy/{world.slug}/requests", data={"kind": "objection", "email": "form@example.com",
                                                                "purpose": "analytics"},
                      headers=HTML, follow_redirects=False)
    assert res.status_code == 303
    status_url = res.headers["location"]
    token = status_url.split("?t=")[1]
    page = client.get(status_url, headers=HTML)
    assert "Confirm it is you" in page.text
    req_id = re.search(r"/requests/([a-z0-9]+)\?", status_url).group(1)  # type: ignore[union-attr]
    wrong = client.post(f"/privacy/{world.slug}/requests/{req_id}/verify", data={"t": token, "code": "12"},
                        headers=HTML)
    assert wrong.status_code == 422 and "not right" in wrong.text
    ok = client.post(f"/privacy/{world.slug}/requests/{req_id}/verify",
                     data={"t": token, "code": mailbox.code_for("form@example.com")}, headers=HTML)
    assert ok.status_code == 200 and 'data-status="completed"' in ok.text and "confirmed" in ok.text
    bad = client.post(f"/privacy/{world.slug}/requests", data={"kind": "access", "email": "not-an-email"},
                      headers=HTML)
    assert bad.status_code == 422 and "email" in bad.text


def test_officer_queue_and_detail(world: World, mailbox: Mailbox, web: TestClient) -> None:
    client = web
    po = world.member(Role.PRIVACY_OFFICER)
    customer(world, "queue@example.com")
    req_id, _ = submit(world, "access", "queue@example.com")
    csrf = sign_in(client, po)
    queue = client.get("/dsr?view=waiting", headers=HTML)
    assert queue.status_code == 200 and req_id in queue.text
    detail = client.get(f"/dsr/{req_id}", headers=HTML)
    assert "queue@example.com" in detail.text and "recorded in the audit log" in detail.text
    extended = client.post(f"/dsr/{req_id}/extend", data={"reason": "complexity", "csrf_token": csrf}, headers=HTML)
    assert extended.status_code == 200 and "Extended" in extended.text
    no_csrf = client.post(f"/dsr/{req_id}/deny", data={"reason": "excessive"}, headers=HTML)
    assert no_csrf.status_code == 403
    denied = client.post(f"/dsr/{req_id}/deny", data={"reason": "excessive", "csrf_token": csrf}, headers=HTML)
    assert denied.status_code == 200 and 'data-status="denied"' in denied.text


def test_agents_cannot_open_the_queue(world: World, web: TestClient) -> None:
    client = web
    agent = world.member(Role.AGENT)
    sign_in(client, agent)
    assert client.get("/dsr", headers=HTML).status_code == 403


def test_the_contact_view_offers_to_record_a_request(world: World, web: TestClient) -> None:
    conv_id = customer_writes(world, "please delete my data", email="panel@example.com")
    agent = world.member(Role.AGENT)
    sign_in(web, agent)
    page = web.get(f"/conversations/{conv_id}", headers=HTML)
    assert page.status_code == 200
    found = re.search(r'href="/dsr-new\?contact_id=([a-z0-9]+)"', page.text)
    assert found
    form = web.get(f"/dsr-new?contact_id={found.group(1)}", headers=HTML)
    assert form.status_code == 200 and "customer receives a code" in form.text


def test_an_authorized_agent_uploads_the_permission_through_the_form(world: World, mailbox: Mailbox,
                                                                      client: TestClient) -> None:
    customer(world, "principal4@example.com")
    res = client.post(f"/privacy/{world.slug}/requests", headers=HTML, follow_redirects=False,
                      data={"kind": "access", "email": "principal4@example.com", "agent_name": "Ann Agent",
                            "agent_email": "ann@agents.example"},
                      files={"permission": ("permission.pdf", b"%PDF-1.4 signed", "application/pdf")})
    assert res.status_code == 303
    assert mailbox.to("ann@agents.example") == [] and mailbox.code_for("principal4@example.com")
    missing = client.post(f"/privacy/{world.slug}/requests", headers=HTML,
                          data={"kind": "access", "email": "principal4@example.com", "agent_name": "Ann Agent",
                                "agent_email": "ann@agents.example"})
    assert missing.status_code == 422 and "permission" in missing.text
