"""The JSON API: public privacy-center endpoints and the privacy officer's endpoints, end to end over HTTP."""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient

from hushdesk.crypto.blind_index import normalize_email
from hushdesk.dsr import requester
from hushdesk.inbox.contacts import find_by_identity, reveal_contact
from tests.dsr.conftest import Mailbox
from tests.dsr.helpers import customer
from tests.support.factories import World


def _auth(world: World, scopes: tuple[str, ...] = ("dsr:manage", "contacts:read")) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.token(scopes)}"}


def test_public_flow_over_http(world: World, mailbox: Mailbox, client: TestClient) -> None:
    customer(world, "api1@example.com")
    res = client.post(f"/api/v1/privacy/{world.slug}/requests", json={"kind": "restriction",
                                                                       "email": "api1@example.com"})
    assert res.status_code == 202, res.text
    body = res.json()
    req_id, token = body["id"], body["token"]
    assert body["status"] == "awaiting_verification" and body["due_at"]
    wrong = client.post(f"/api/v1/privacy/{world.slug}/requests/{req_id}/verify",
                        json={"token": token, "code": "000000" if mailbox.code_for("api1@example.com") != "000000"
                              else "111111"})
    assert wrong.status_code == 422 and wrong.json()["error"]["details"]["attempts_left"] == 2
    ok = client.post(f"/api/v1/privacy/{world.slug}/requests/{req_id}/verify",
                     json={"token": token, "code": mailbox.code_for("api1@example.com")})
    assert ok.status_code == 200 and ok.json()["ok"]
    status = client.get(f"/api/v1/privacy/{world.slug}/requests/{req_id}", params={"token": token})
    assert status.json()["status"] == "completed"
    assert client.get(f"/api/v1/privacy/{world.slug}/requests/{req_id}").status_code == 404
    assert client.get(f"/api/v1/privacy/{world.slug}/requests/{req_id}",
                      params={"token": "nope"}).status_code == 404


def test_facts_and_openapi(world: World, client: TestClient) -> None:
    facts = client.get(f"/api/v1/privacy/{world.slug}/facts").json()
    assert {c["category"] for c in facts["categories"]} >= {"user.contact.email", "user.content.message"}
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/v1/privacy/{slug}/requests", "/api/v1/privacy/{slug}/requests/{request_id}/verify",
                 "/api/v1/dsr", "/api/v1/dsr/{request_id}/approve", "/api/v1/dsr/{request_id}/deny",
                 "/api/v1/dsr/{request_id}/extend", "/api/v1/contacts/{contact_id}/dsr",
                 "/api/v1/contacts/{contact_id}/privacy"):
        assert path in paths, path


def test_officer_endpoints(world: World, mailbox: Mailbox, client: TestClient) -> None:
    customer(world, "api2@example.com")
    headers = _auth(world)
    sub = client.post(f"/api/v1/privacy/{world.slug}/requests", json={"kind": "access", "email": "api2@example.com"})
    req_id = sub.json()["id"]
    queue = client.get("/api/v1/dsr", params={"view": "waiting"}, headers=headers)
    assert queue.status_code == 200 and req_id in [r["id"] for r in queue.json()]
    detail = client.get(f"/api/v1/dsr/{req_id}", headers=headers).json()
    assert detail["requester_email"] == "api2@example.com" and detail["waiting_on"] == "requester"
    ext = client.post(f"/api/v1/dsr/{req_id}/extend", json={"reason": "complexity"}, headers=headers)
    assert ext.status_code == 200 and ext.json()["extended_at"]
    again = client.post(f"/api/v1/dsr/{req_id}/extend", json={"reason": "complexity"}, headers=headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_extended"
    denied = client.post(f"/api/v1/dsr/{req_id}/deny", json={"reason": "identity_not_verified"}, headers=headers)
    assert denied.json()["status"] == "denied"
    no_scope = client.get("/api/v1/dsr", headers=_auth(world, ("contacts:read",)))
    assert no_scope.status_code == 403


def test_rectification_rederives_the_blind_index(world: World, mailbox: Mailbox, client: TestClient) -> None:
    contact_id = customer(world, "old.address@example.com", name="Jon Smiht")
    headers = _auth(world, ("dsr:manage",))
    started = client.post(f"/api/v1/contacts/{contact_id}/dsr", headers=headers, json={
        "kind": "rectification", "corrections": {"name": "Jon Smith", "email": "new.address@example.com"}})
    assert started.status_code == 202, started.text
    req_id = started.json()["id"]
    token_less = client.get(f"/api/v1/dsr/{req_id}", headers=headers).json()
    assert token_less["status"] == "awaiting_verification"
    # The customer confirms from their email: the code arrived at the address on file.
    link = mailbox.link_for("old.address@example.com", f"/requests/{req_id}")
    token = link.split("?t=")[1]
    with world.ctx.unit_of_work() as uow:
        assert requester.verify(uow, world.slug, req_id, token, mailbox.code_for("old.address@example.com")).ok
    with world.ctx.unit_of_work() as uow:
        assert find_by_identity(uow, world.workspace_id, "email", "old.address@example.com") is None
        found = find_by_identity(uow, world.workspace_id, "email", normalize_email("New.Address@example.com"))
        assert found is not None and found.id == contact_id
        view = reveal_contact(uow, world.owner.actor, contact_id)
    assert view.name == "Jon Smith" and view.email == "new.address@example.com"


def test_agent_upload_over_the_api(world: World, mailbox: Mailbox, client: TestClient) -> None:
    customer(world, "principal2@example.com")
    res = client.post(f"/api/v1/privacy/{world.slug}/requests", json={
        "kind": "erasure", "email": "principal2@example.com",
        "agent": {"name": "Ann Agent", "email": "ann@agents.example",
                  "permission_base64": base64.b64encode(b"%PDF signed").decode()}})
    assert res.status_code == 202
    bad = client.post(f"/api/v1/privacy/{world.slug}/requests", json={
        "kind": "erasure", "email": "principal2@example.com",
        "agent": {"name": "Ann Agent", "email": "ann@agents.example", "permission_base64": "!!not base64!!"}})
    assert bad.status_code == 422


def test_spent_attempts_survive_between_http_requests(world: World, mailbox: Mailbox, client: TestClient) -> None:
    customer(world, "api3@example.com")
    res = client.post(f"/api/v1/privacy/{world.slug}/requests", json={"kind": "access", "email": "api3@example.com"})
    req_id, token = res.json()["id"], res.json()["token"]
    code = mailbox.code_for("api3@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    url = f"/api/v1/privacy/{world.slug}/requests/{req_id}/verify"
    codes = [client.post(url, json={"token": token, "code": wrong}).json()["error"]["code"] for _ in range(3)]
    assert codes == ["wrong", "wrong", "too_many_attempts"]
    assert client.post(url, json={"token": token, "code": code}).status_code == 422
