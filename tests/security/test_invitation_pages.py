"""Invitation pages over HTTP: the admin invites by email with a role (link shown once, mailed when SMTP is
configured), lists and revokes pending invitations; the invitee sets name and password on the public page
(policy checked, CSRF checked) and lands signed in; used, revoked and tampered links get a clear error page."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hushdesk.kit.clock import set_clock, utcnow
from hushdesk.models import AuditEvent, Membership
from hushdesk.security import invitations, twofactor
from hushdesk.tenancy.permissions import Role
from tests.dsr.conftest import Mailbox, mailbox, smtp_server  # noqa: F401  (fixtures)
from tests.security.test_security_pages import client
from tests.support.factories import World
from tests.web.conftest import HTML, sign_in

LINK = re.compile(r'<code class="invite-link">(http://testserver/invite/[^<]+)</code>')


def _email() -> str:
    return f"invitee.{secrets.token_hex(4)}@example.com"  # users are global: never reuse an address


def _invite(web: TestClient, csrf: str, email: str, role: str = "agent") -> str:
    res = web.post("/admin/invitations", data={"csrf_token": csrf, "email": email, "role": role}, headers=HTML)
    assert res.status_code == 200, res.text
    found = LINK.search(res.text)
    assert found, res.text
    return found.group(1).removeprefix("http://testserver")


def _form_token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert found
    return found.group(1)


def _accept(invitee: TestClient, path: str, **fields: str) -> object:
    page = invitee.get(path, headers=HTML)
    assert page.status_code == 200, page.text
    return invitee.post(path, data={"csrf_token": _form_token(page.text), **fields}, headers=HTML)


def test_invite_accept_and_land_signed_in(web: TestClient, world: World) -> None:
    admin = world.member(Role.ADMIN)
    csrf = sign_in(web, admin)
    email = _email()
    path = _invite(web, csrf, email)
    listing = web.get("/admin/invitations", headers=HTML)
    assert email in listing.text and "data-invitation-id" in listing.text
    assert (
        "Email is not configured"
        in web.post(
            "/admin/invitations", data={"csrf_token": csrf, "email": _email(), "role": "agent"}, headers=HTML
        ).text
    )
    assert 'href="/admin/invitations"' in listing.text

    invitee = client(web.app)  # type: ignore[arg-type]
    page = invitee.get(path, headers=HTML)
    assert page.status_code == 200 and email in page.text and "Acme" in page.text and "agent" in page.text
    no_csrf = invitee.post(path, data={"name": "Nia New", "password": "x" * 12}, headers=HTML)
    assert no_csrf.status_code == 403 and "form expired" in no_csrf.text
    weak = _accept(invitee, path, name="Nia New", password="Password2024!", repeat_password="Password2024!")
    assert weak.status_code == 422 and "too common" in weak.text  # type: ignore[attr-defined]
    differ = _accept(invitee, path, name="Nia New", password="a-fresh-long-phrase", repeat_password="other-phrase")
    assert differ.status_code == 422 and "do not match" in differ.text  # type: ignore[attr-defined]
    nameless = _accept(invitee, path, name=" ", password="a-fresh-long-phrase", repeat_password="a-fresh-long-phrase")
    assert nameless.status_code == 422 and "Name is required" in nameless.text  # type: ignore[attr-defined]
    done = _accept(
        invitee, path, name="Nia <b>New</b>", password="a-fresh-long-phrase", repeat_password="a-fresh-long-phrase"
    )
    assert done.status_code == 303 and done.headers["location"] == "/"  # type: ignore[attr-defined]
    home = invitee.get("/", headers=HTML)
    assert home.status_code == 200 and "Nia &lt;b&gt;New&lt;/b&gt;" in home.text  # escaped
    with world.ctx.unit_of_work() as uow:
        roles = (
            uow.session.execute(select(Membership.role).where(Membership.workspace_id == world.workspace_id))
            .scalars()
            .all()
        )
        joined = (
            uow.session.execute(
                select(AuditEvent.action).where(
                    AuditEvent.chain == world.workspace_id, AuditEvent.action.startswith("member.")
                )
            )
            .scalars()
            .all()
        )
    assert roles.count("agent") == 1 and {"member.invited", "member.joined"} <= set(joined)
    assert email not in web.get("/admin/invitations", headers=HTML).text  # no longer pending

    used = client(web.app).get(path, headers=HTML)  # type: ignore[arg-type]
    assert used.status_code == 410 and 'data-reason="used"' in used.text


def test_tampered_and_revoked_links_are_refused(web: TestClient, world: World, other_world: World) -> None:
    csrf = sign_in(web, world.owner)
    path = _invite(web, csrf, _email())
    visitor = client(web.app)  # type: ignore[arg-type]
    tampered = visitor.get(path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb"), headers=HTML)
    assert tampered.status_code == 404 and 'data-reason="invalid"' in tampered.text
    assert visitor.get("/invite/not-a-token", headers=HTML).status_code == 404
    inv_id = re.search(r'data-invitation-id="([^"]+)"', web.get("/admin/invitations", headers=HTML).text)
    assert inv_id
    other = client(web.app)  # type: ignore[arg-type]
    other_csrf = sign_in(other, other_world.owner)
    foreign = other.post(f"/admin/invitations/{inv_id.group(1)}/revoke", data={"csrf_token": other_csrf}, headers=HTML)
    assert foreign.status_code == 404
    no_csrf = web.post(f"/admin/invitations/{inv_id.group(1)}/revoke", headers=HTML)
    assert no_csrf.status_code == 403
    res = web.post(f"/admin/invitations/{inv_id.group(1)}/revoke", data={"csrf_token": csrf}, headers=HTML)
    assert res.status_code == 200 and "revoked" in res.text and inv_id.group(1) not in res.text
    revoked = visitor.get(path, headers=HTML)
    assert revoked.status_code == 410 and "already used, was revoked, or has expired" in revoked.text
    posted = visitor.post(path, data={"csrf_token": "x", "password": "a-fresh-long-phrase"}, headers=HTML)
    assert posted.status_code == 410


def test_invite_form_errors_and_roles(web: TestClient, world: World) -> None:
    csrf = sign_in(web, world.member(Role.ADMIN))
    bad = web.post(
        "/admin/invitations", data={"csrf_token": csrf, "email": "not-an-email", "role": "agent"}, headers=HTML
    )
    assert bad.status_code == 422 and "valid email" in bad.text
    assert (
        web.post(
            "/admin/invitations", data={"csrf_token": csrf, "email": _email(), "role": "boss"}, headers=HTML
        ).status_code
        == 422
    )
    owner = web.post("/admin/invitations", data={"csrf_token": csrf, "email": _email(), "role": "owner"}, headers=HTML)
    assert owner.status_code == 403  # only an owner invites an owner
    assert 'value="owner"' not in web.get("/admin/invitations", headers=HTML).text
    assert web.post("/admin/invitations", data={"email": _email(), "role": "agent"}, headers=HTML).status_code == 403


@pytest.mark.parametrize("role", [Role.AGENT, Role.PRIVACY_OFFICER, Role.AUDITOR])
def test_other_roles_cannot_invite(web: TestClient, world: World, role: Role) -> None:
    csrf = sign_in(web, world.member(role))
    assert web.get("/admin/invitations", headers=HTML).status_code == 403
    res = web.post("/admin/invitations", data={"csrf_token": csrf, "email": _email(), "role": "agent"}, headers=HTML)
    assert res.status_code == 403
    assert 'href="/admin/invitations"' not in web.get("/account/security", headers=HTML).text


def test_the_link_is_mailed_when_smtp_is_configured(web: TestClient, world: World, mailbox: Mailbox) -> None:  # noqa: F811
    csrf = sign_in(web, world.owner)
    email = _email()
    res = web.post("/admin/invitations", data={"csrf_token": csrf, "email": email, "role": "auditor"}, headers=HTML)
    assert "The link was emailed to them" in res.text
    shown = LINK.search(res.text)
    assert shown
    assert mailbox.link_for(email, "/invite/") == shown.group(1)
    assert "as auditor" in mailbox.body(mailbox.last_to(email))


def test_an_existing_account_joins_with_its_password(web: TestClient, world: World, other_world: World) -> None:
    person = other_world.member(Role.AGENT)
    path = _invite(web, sign_in(web, world.owner), person.email, role="auditor")
    invitee = client(web.app)  # type: ignore[arg-type]
    page = invitee.get(path, headers=HTML)
    assert "already has a hushdesk account" in page.text and 'name="name"' not in page.text
    wrong = _accept(invitee, path, password="not-the-password")
    assert wrong.status_code == 422 and "existing account" in wrong.text  # type: ignore[attr-defined]
    ok = _accept(invitee, path, password=person.password)
    assert ok.status_code == 303  # type: ignore[attr-defined]


def test_a_role_that_requires_two_factor_enrols_before_the_session(web: TestClient, world: World) -> None:
    with world.ctx.unit_of_work() as uow:
        twofactor.set_required_roles(uow, world.owner.actor, {Role.AGENT})
    path = _invite(web, sign_in(web, world.owner), _email())
    invitee = client(web.app)  # type: ignore[arg-type]
    res = _accept(
        invitee, path, name="Eve Enrol", password="a-fresh-long-phrase", repeat_password="a-fresh-long-phrase"
    )
    assert res.status_code == 200 and "Set up two-factor authentication" in res.text  # type: ignore[attr-defined]
    assert "hd_session" not in res.cookies  # type: ignore[attr-defined]
    assert invitee.get("/", headers=HTML).status_code == 303


def test_an_expired_link_says_so(web: TestClient, world: World) -> None:
    path = _invite(web, sign_in(web, world.owner), _email())
    later = utcnow() + timedelta(days=invitations.INVITE_DAYS, minutes=1)
    set_clock(lambda: later)
    try:
        res = client(web.app).get(path, headers=HTML)  # type: ignore[arg-type]
    finally:
        set_clock(None)
    assert res.status_code == 410 and "has expired" in res.text
