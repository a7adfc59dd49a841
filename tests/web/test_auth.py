"""Signing in and out: cookies, wrong passwords, throttling, CSRF, expired and revoked sessions."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import Response
from fastapi.testclient import TestClient
from sqlalchemy import update

from hushdesk.config import Settings
from hushdesk.kit.clock import utcnow
from hushdesk.models import UserSession
from hushdesk.tenancy.permissions import Role
from hushdesk.web.auth_flow import safe_next, set_session_cookie
from hushdesk.web.deps import SESSION_COOKIE
from tests.support.factories import World
from tests.web.conftest import HTML, HTMX, customer_writes, login_form_token, session_csrf, sign_in


def _post_login(client: TestClient, email: str, password: str, **extra: str) -> httpx.Response:
    data = {"email": email, "password": password, "csrf_token": login_form_token(client), **extra}
    return client.post("/login", data=data, headers=HTML)


def test_sign_in_sets_a_strict_cookie_and_sign_out_ends_the_session(web: TestClient, world: World) -> None:
    token = login_form_token(web)
    res = web.post("/login", data={"email": world.owner.email, "password": world.owner.password,
                                   "csrf_token": token, "next": "/admin/users"}, headers=HTML)
    assert res.status_code == 303 and res.headers["location"] == "/admin/users"
    cookie = next(c for c in res.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Secure" not in cookie
    home = web.get("/", headers=HTML)
    assert home.status_code == 200 and "Olivia Owner" in home.text

    out = web.post("/logout", data={"csrf_token": session_csrf(home.text)}, headers=HTML)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    again = web.get("/", headers=HTML)
    assert again.status_code == 303 and again.headers["location"].startswith("/login")


def test_cookie_is_secure_behind_https() -> None:
    settings = Settings(env="test", secret_key="x" * 20, base_url="https://support.example.com")
    response = Response()
    set_session_cookie(response, settings, "tok")
    cookie = next(c for c in response.headers.getlist("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_wrong_password_is_refused_with_a_clear_message(web: TestClient, world: World) -> None:
    res = _post_login(web, world.owner.email, "not-the-password")
    assert res.status_code == 401
    assert "Email or password is incorrect." in res.text
    assert SESSION_COOKIE not in web.cookies


def test_repeated_failures_lock_the_account_with_retry_after(web: TestClient, world: World) -> None:
    member = world.member(Role.AGENT)
    limit = world.ctx.settings.login_max_failures
    for _ in range(limit):
        assert _post_login(web, member.email, "wrong-password").status_code == 401
    locked = _post_login(web, member.email, member.password)  # even the right password is refused now
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == str(world.ctx.settings.login_window_seconds)
    assert "Too many failed sign-in attempts" in locked.text
    assert SESSION_COOKIE not in web.cookies


def test_login_form_needs_its_csrf_token(web: TestClient, world: World) -> None:
    login_form_token(web)
    res = web.post("/login", data={"email": world.owner.email, "password": world.owner.password}, headers=HTML)
    assert res.status_code == 403 and SESSION_COOKIE not in web.cookies
    forged = web.post("/login", data={"email": world.owner.email, "password": world.owner.password,
                                      "csrf_token": "0" * 64}, headers=HTML)
    assert forged.status_code == 403 and SESSION_COOKIE not in web.cookies


def test_posts_without_the_session_csrf_token_are_refused(web: TestClient, world: World) -> None:
    conv_id = customer_writes(world, "hello")
    csrf = sign_in(web, world.owner)
    refused = web.post(f"/conversations/{conv_id}/status", data={"status": "resolved"}, headers=HTML)
    assert refused.status_code == 403 and "reload the page" in refused.text
    wrong = web.post(f"/conversations/{conv_id}/status", data={"status": "resolved", "csrf_token": "nope"},
                     headers=HTML)
    assert wrong.status_code == 403
    page = web.get(f"/conversations/{conv_id}", headers=HTML)
    assert 'value="open" selected' in page.text
    by_header = web.post(f"/conversations/{conv_id}/status", data={"status": "resolved"},
                         headers={**HTMX, "X-CSRF-Token": csrf})
    assert by_header.status_code == 200 and 'value="resolved" selected' in by_header.text
    by_form = web.post(f"/conversations/{conv_id}/status", data={"status": "pending", "csrf_token": csrf},
                       headers=HTML)
    assert by_form.status_code == 303


def _age_sessions(world: World, user_id: str, **values: object) -> None:
    with world.ctx.unit_of_work() as uow:
        uow.session.execute(update(UserSession).where(UserSession.user_id == user_id).values(**values))


def test_expired_session_is_sent_back_to_sign_in(web: TestClient, world: World) -> None:
    member = world.member(Role.AGENT)
    sign_in(web, member)
    _age_sessions(world, member.user_id, expires_at=utcnow() - timedelta(minutes=1))
    res = web.get("/admin/users", headers=HTML)
    assert res.status_code == 303 and res.headers["location"] == "/login?next=/admin/users"
    htmx = web.get("/inbox/list", headers=HTMX)
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"] == "/login"


def test_revoked_session_is_sent_back_to_sign_in(web: TestClient, world: World) -> None:
    member = world.member(Role.AGENT)
    sign_in(web, member)
    _age_sessions(world, member.user_id, revoked_at=utcnow())
    res = web.get("/", headers=HTML)
    assert res.status_code == 303 and res.headers["location"].startswith("/login")


def test_next_is_never_an_open_redirect() -> None:
    for target in ("//evil.example", "https://evil.example/x", "/\\evil.example", "javascript:alert(1)", ""):
        assert safe_next(target) == "/"
    assert safe_next("/conversations/cv1?status=open") == "/conversations/cv1?status=open"
