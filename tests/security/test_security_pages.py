"""Account-security pages over HTTP: two-factor enrolment, turning it off and new recovery codes (password or
code), the password change (policy errors shown), the session list (revoke one, sign out everywhere else), the
owner's two-factor policy; every form refuses a missing CSRF token and the wrong role."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Iterator
from datetime import timedelta

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from hushdesk.kit.clock import set_clock, utcnow
from hushdesk.models import AuditEvent
from hushdesk.security import twofactor
from hushdesk.tenancy.permissions import Role
from tests.support.factories import World
from tests.web.conftest import HTML, login_form_token, session_csrf, sign_in

ACCOUNT = "/account/security"


@pytest.fixture
def clock() -> Iterator[list[timedelta]]:
    """TOTP steps are single-use: move the clock 31 s forward to get a fresh code."""
    offset = [timedelta(0)]
    base = utcnow()
    set_clock(lambda: base + offset[0])
    yield offset
    set_clock(None)


def client(app: FastAPI) -> TestClient:
    address = "10." + ".".join(str(secrets.randbelow(250) + 1) for _ in range(3))
    return TestClient(app, base_url="http://testserver", client=(address, 50000), follow_redirects=False)


def code(secret: str) -> str:
    return pyotp.TOTP(secret).at(utcnow())


def actions(world: World, prefix: str) -> list[str]:
    with world.ctx.unit_of_work() as uow:
        return list(
            uow.session.execute(
                select(AuditEvent.action).where(
                    AuditEvent.chain == world.workspace_id, AuditEvent.action.startswith(prefix)
                )
            ).scalars()
        )


def enrol_through_page(web: TestClient, csrf: str) -> tuple[str, list[str]]:
    started = web.post(ACCOUNT + "/2fa/start", data={"csrf_token": csrf}, headers=HTML)
    assert started.status_code == 200, started.text
    found = re.search(r'data-totp-secret="([A-Z2-7]+)"', started.text)
    assert found, "the key is not on the page"
    secret = found.group(1)
    assert f"secret={secret}" in started.text  # the otpauth:// link carries the same key
    done = web.post(
        ACCOUNT + "/2fa/confirm", data={"csrf_token": csrf, "code": code(secret), "secret": secret}, headers=HTML
    )
    assert done.status_code == 200, done.text
    codes = re.findall(r"<li><code>([a-z2-7]{5}-[a-z2-7]{5})</code></li>", done.text)
    return secret, codes


def test_the_page_is_linked_and_lists_this_session(web: TestClient, world: World) -> None:
    member = world.member(Role.AGENT)
    csrf = sign_in(web, member)
    home = web.get("/", headers=HTML)
    assert 'href="/account/security"' in home.text
    page = web.get(ACCOUNT, headers=HTML)
    assert page.status_code == 200
    assert page.text.count("data-session-id=") == 1 and 'data-current="true"' in page.text
    assert "this session" in page.text and 'data-2fa="off"' in page.text
    assert session_csrf(page.text) == csrf


def test_enrol_confirm_and_sign_in_with_a_code(web: TestClient, world: World, clock: list[timedelta]) -> None:
    member = world.member(Role.AGENT)
    csrf = sign_in(web, member)
    started = web.post(ACCOUNT + "/2fa/start", data={"csrf_token": csrf}, headers=HTML)
    secret = re.search(r'data-totp-secret="([A-Z2-7]+)"', started.text).group(1)  # type: ignore[union-attr]
    wrong = web.post(
        ACCOUNT + "/2fa/confirm", data={"csrf_token": csrf, "code": "123456", "secret": secret}, headers=HTML
    )
    assert wrong.status_code == 422 and "not valid" in wrong.text
    assert f'data-totp-secret="{secret}"' in wrong.text  # shown again to retry with the same app entry
    done = web.post(
        ACCOUNT + "/2fa/confirm", data={"csrf_token": csrf, "code": code(secret), "secret": secret}, headers=HTML
    )
    codes = re.findall(r"<li><code>([a-z2-7]{5}-[a-z2-7]{5})</code></li>", done.text)
    assert done.status_code == 200 and len(set(codes)) == 10
    assert "user.2fa_enabled" in actions(world, "user.2fa")
    again = web.get(ACCOUNT, headers=HTML)
    assert 'data-2fa="on"' in again.text and "10 of 10" in again.text and codes[0] not in again.text

    clock[0] += timedelta(seconds=31)
    other = client(web.app)  # type: ignore[arg-type]
    res = other.post(
        "/login",
        data={"email": member.email, "password": member.password, "csrf_token": login_form_token(other)},
        headers=HTML,
    )
    assert res.status_code == 200 and 'action="/login/2fa"' in res.text
    res = other.post("/login/2fa", data={"code": code(secret), "csrf_token": session_csrf(res.text)}, headers=HTML)
    assert res.status_code == 303
    assert other.get(ACCOUNT, headers=HTML).status_code == 200


def test_turning_off_needs_the_password_or_a_code(web: TestClient, world: World, clock: list[timedelta]) -> None:
    member = world.member(Role.AGENT)
    csrf = sign_in(web, member)
    secret, _ = enrol_through_page(web, csrf)
    clock[0] += timedelta(seconds=31)
    bad = web.post(ACCOUNT + "/2fa/disable", data={"csrf_token": csrf, "password": "not-my-password"}, headers=HTML)
    assert bad.status_code == 422 and "current password" in bad.text and 'data-2fa="on"' in bad.text
    ok = web.post(ACCOUNT + "/2fa/disable", data={"csrf_token": csrf, "code": code(secret)}, headers=HTML)
    assert ok.status_code == 200 and 'data-2fa="off"' in ok.text
    assert "user.2fa_disabled" in actions(world, "user.2fa")


def test_new_recovery_codes_replace_the_old_ones(web: TestClient, world: World, clock: list[timedelta]) -> None:
    member = world.member(Role.AGENT)
    csrf = sign_in(web, member)
    _, old = enrol_through_page(web, csrf)
    refused = web.post(ACCOUNT + "/2fa/recovery-codes", data={"csrf_token": csrf}, headers=HTML)
    assert refused.status_code == 422
    res = web.post(
        ACCOUNT + "/2fa/recovery-codes", data={"csrf_token": csrf, "password": member.password}, headers=HTML
    )
    new = re.findall(r"<li><code>([a-z2-7]{5}-[a-z2-7]{5})</code></li>", res.text)
    assert res.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    with world.ctx.unit_of_work() as uow:
        assert twofactor.verify_second_factor(uow, member.user_id, old[0]) is None
        assert twofactor.verify_second_factor(uow, member.user_id, new[0]) == "recovery"
    assert "user.recovery_codes_replaced" in actions(world, "user.recovery")


def test_a_required_role_cannot_turn_it_off(web: TestClient, world: World, clock: list[timedelta]) -> None:
    member = world.member(Role.AGENT)
    csrf = sign_in(web, member)
    enrol_through_page(web, csrf)
    with world.ctx.unit_of_work() as uow:
        twofactor.set_required_roles(uow, world.owner.actor, {Role.AGENT})
    page = web.get(ACCOUNT, headers=HTML)
    assert "cannot be turned off" in page.text and "/2fa/disable" not in page.text
    res = web.post(ACCOUNT + "/2fa/disable", data={"csrf_token": csrf, "password": member.password}, headers=HTML)
    assert res.status_code == 422 and "requires two-factor" in res.text


def test_password_change_checks_the_policy_and_ends_other_sessions(web: TestClient, world: World) -> None:
    member = world.member(Role.AGENT)
    csrf = sign_in(web, member)
    other = client(web.app)  # type: ignore[arg-type]
    sign_in(other, member)

    def change(current: str, new: str, repeat: str | None = None) -> str:
        res = web.post(
            ACCOUNT + "/password",
            headers=HTML,
            data={
                "csrf_token": csrf,
                "current_password": current,
                "new_password": new,
                "repeat_password": new if repeat is None else repeat,
            },
        )
        assert res.status_code == (200 if "Password changed" in res.text else 422), res.text
        return res.text

    assert "do not match" in change(member.password, "a-fresh-long-phrase", "another-phrase-here")
    assert "too common" in change(member.password, "Password2024!")
    assert "at least 10 characters" in change(member.password, "short")
    assert "must not contain your email" in change(member.password, member.email.split("@")[0] + "-xyz-long")
    assert "current password is not correct" in change("wrong-password-here", "a-fresh-long-phrase")
    assert "1 other session(s) were signed out" in change(member.password, "a-fresh-long-phrase")
    assert other.get(ACCOUNT, headers=HTML).headers["location"].startswith("/login")
    assert web.get(ACCOUNT, headers=HTML).status_code == 200
    assert "user.password_changed" in actions(world, "user.password")


def test_revoke_one_session_and_sign_out_everywhere_else(web: TestClient, world: World, other_world: World) -> None:
    member = world.member(Role.AGENT)
    csrf = sign_in(web, member)
    second, third = client(web.app), client(web.app)  # type: ignore[arg-type]
    sign_in(second, member)
    sign_in(third, member)
    page = web.get(ACCOUNT, headers=HTML).text
    ids = re.findall(r'<tr data-session-id="([^"]+)">', page)  # the other two (not the current one)
    assert len(ids) == 2
    res = web.post(f"{ACCOUNT}/sessions/{ids[0]}/revoke", data={"csrf_token": csrf}, headers=HTML)
    assert res.status_code == 200 and "signed out" in res.text
    gone = [c for c in (second, third) if c.get("/", headers=HTML).headers.get("location", "").startswith("/login")]
    assert len(gone) == 1
    stranger = other_world.member(Role.AGENT)
    with client(web.app) as foreign:  # type: ignore[arg-type]
        sign_in(foreign, stranger)
        foreign_id = re.search(r'data-session-id="([^"]+)" data-current', foreign.get(ACCOUNT, headers=HTML).text)
    assert foreign_id
    assert (
        web.post(
            f"{ACCOUNT}/sessions/{foreign_id.group(1)}/revoke", data={"csrf_token": csrf}, headers=HTML
        ).status_code
        == 404
    )
    res = web.post(ACCOUNT + "/sessions/others", data={"csrf_token": csrf}, headers=HTML)
    assert res.status_code == 200 and "Signed out of 1 other session(s)" in res.text
    assert all(c.get("/", headers=HTML).status_code == 303 for c in (second, third))
    assert web.get("/", headers=HTML).status_code == 200
    assert {"user.session_revoked", "user.signed_out_everywhere"} <= set(actions(world, "user."))


def test_revoking_this_session_signs_out(web: TestClient, world: World) -> None:
    csrf = sign_in(web, world.member(Role.AGENT))
    current = re.search(r'data-session-id="([^"]+)" data-current', web.get(ACCOUNT, headers=HTML).text)
    assert current
    res = web.post(f"{ACCOUNT}/sessions/{current.group(1)}/revoke", data={"csrf_token": csrf}, headers=HTML)
    assert res.status_code == 303 and res.headers["location"] == "/login"
    assert web.get(ACCOUNT, headers=HTML).status_code == 303


def test_owner_sets_the_two_factor_policy(web: TestClient, world: World, clock: list[timedelta]) -> None:
    agent = world.member(Role.AGENT)
    agent_client = client(web.app)  # type: ignore[arg-type]
    sign_in(agent_client, agent)
    csrf = sign_in(web, world.owner)
    page = web.get("/admin/security", headers=HTML)
    assert page.status_code == 200 and 'href="/admin/security"' in page.text
    refused = web.post("/admin/security", data={"csrf_token": csrf, "roles": ["owner"]}, headers=HTML)
    assert refused.status_code == 422 and "your own account" in refused.text
    assert web.post("/admin/security", data={"csrf_token": csrf, "roles": ["boss"]}, headers=HTML).status_code == 422
    res = web.post("/admin/security", data={"csrf_token": csrf, "roles": ["agent"]}, headers=HTML)
    assert res.status_code == 200 and "1 session(s)" in res.text
    assert re.search(r'value="agent" checked', res.text)
    assert agent_client.get("/", headers=HTML).status_code == 303  # sent to sign in ...
    login = agent_client.post(
        "/login",
        data={"email": agent.email, "password": agent.password, "csrf_token": login_form_token(agent_client)},
        headers=HTML,
    )
    assert "Set up two-factor authentication" in login.text  # ... and from there to enrolment
    assert "security.2fa_policy_changed" in actions(world, "security.")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AGENT, Role.AUDITOR])
def test_only_the_owner_sees_the_policy(web: TestClient, world: World, role: Role) -> None:
    csrf = sign_in(web, world.member(role))
    assert web.get("/admin/security", headers=HTML).status_code == 403
    assert web.post("/admin/security", data={"csrf_token": csrf, "roles": []}, headers=HTML).status_code == 403
    assert 'href="/admin/security"' not in web.get(ACCOUNT, headers=HTML).text


FORMS = [
    ACCOUNT + "/2fa/start",
    ACCOUNT + "/2fa/confirm",
    ACCOUNT + "/2fa/disable",
    ACCOUNT + "/2fa/recovery-codes",
    ACCOUNT + "/password",
    ACCOUNT + "/sessions/others",
    "/admin/security",
]


def test_every_form_refuses_a_missing_csrf_token(web: TestClient, world: World) -> None:
    sign_in(web, world.owner)
    member_sessions = re.findall(r'data-session-id="([^"]+)"', web.get(ACCOUNT, headers=HTML).text)
    for path in [*FORMS, f"{ACCOUNT}/sessions/{member_sessions[0]}/revoke"]:
        res = web.post(path, data={"password": world.owner.password, "code": "123456"}, headers=HTML)
        assert res.status_code == 403, path
        assert "form expired" in res.text
    assert web.get(ACCOUNT, headers=HTML).status_code == 200  # still signed in: nothing happened


def test_signed_out_visitors_are_sent_to_sign_in(web: TestClient) -> None:
    for path in (ACCOUNT, "/admin/security"):
        res = web.get(path, headers=HTML)
        assert res.status_code == 303 and res.headers["location"].startswith("/login")


def test_the_setup_shows_a_qr_code_of_the_displayed_link(web: TestClient, world: World) -> None:
    from hushdesk.security.qr import qr_svg

    member = world.member(Role.AGENT)
    csrf = sign_in(web, member)
    drawn = []
    for _ in range(2):
        started = web.post(ACCOUNT + "/2fa/start", data={"csrf_token": csrf}, headers=HTML)
        link = re.search(r'class="totp-uri"><code>([^<]+)</code>', started.text)
        svg = re.search(r"<svg[^>]*totp-qr-code.*?</svg>", started.text, re.S)
        assert link and svg
        uri = html.unescape(link.group(1))
        assert uri.startswith("otpauth://totp/") and svg.group(0) == str(qr_svg(uri))  # the link on the page
        # Drawn on the server as plain SVG: nothing for the CSP to refuse, and the key is not in it as text.
        assert not re.search(r"<script|<style|style=|foreignObject|\son[a-z]+=", svg.group(0))
        assert "secret=" not in svg.group(0)
        drawn.append(svg.group(0))
    assert drawn[0] != drawn[1]  # a new key, a new code
