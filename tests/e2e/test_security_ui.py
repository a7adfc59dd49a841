"""Account security and incidents in a real browser: enrol two-factor from the account page (the code computed
from the key the page shows, with the service's own TOTP), sign out, sign in with a code; revoke another
session and see its next request sent to sign-in; open an incident and see its 72-hour deadline. No CSP
violations on any of these pages."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from hushdesk.security import twofactor
from tests.e2e.conftest import NO_CHROMIUM, Stack, agent_page
from tests.e2e.stack import CHROMIUM
from tests.support.factories import Member

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=NO_CHROMIUM),
    pytest.mark.timeout(240),
]


def totp(secret: str, *, steps_ahead: int = 0) -> str:
    """The code the service accepts (``twofactor`` checks pyotp's TOTP at 30-second steps, +-1 step)."""
    return pyotp.TOTP(secret, interval=twofactor.STEP_SECONDS).at(time.time() + steps_ahead * twofactor.STEP_SECONDS)


def password_step(page: Page, stack: Stack, member: Member) -> None:
    page.goto(stack.base + "/login")
    page.locator("input[name=email]").fill(member.email)
    page.locator("input[name=password]").fill(member.password)
    page.locator("button[type=submit]").click()


def test_enrol_sign_in_with_a_code_and_revoke_another_session(browser: Browser, stack: Stack) -> None:
    laptop_ctx, phone_ctx = browser.new_context(), browser.new_context()
    phone = agent_page(phone_ctx, stack)  # a second session of the same user, to be revoked later
    page = agent_page(laptop_ctx, stack)

    page.locator('a.nav-link[href="/account/security"]').click()
    page.wait_for_url("**/account/security")
    expect(page.locator("#sessions tbody tr")).to_have_count(2)
    page.get_by_role("button", name="Set up two-factor authentication").click()
    secret = page.locator("[data-totp-secret]").get_attribute("data-totp-secret")
    assert secret and re.fullmatch(r"[A-Z2-7]{32}", secret)
    expect(page.locator("a.totp-uri")).to_have_attribute("href", re.compile(r"^otpauth://totp/.*secret=" + secret))
    page.locator("#two-factor input[name=code]").fill(totp(secret))
    page.get_by_role("button", name="Turn on two-factor").click()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have stored them").click()
    expect(page.locator('[data-2fa="on"]')).to_be_visible()

    page.locator('form[action="/logout"] button').click()
    page.wait_for_url("**/login")
    password_step(page, stack, stack.agent)
    expect(page.locator("h1")).to_have_text("Two-factor sign-in")
    page.locator("input[name=code]").fill(totp(secret, steps_ahead=1))  # the enrolment's step is used up
    page.locator("button[type=submit]").click()
    page.wait_for_url(stack.base + "/")

    page.goto(stack.base + "/account/security")
    others = page.locator("#sessions tbody tr:not([data-current])")
    expect(others).to_have_count(1)  # the phone; the laptop's first session ended at sign-out
    others.get_by_role("button", name="Revoke").click()
    expect(page.locator(".alert-ok")).to_have_text("The session was signed out.")
    expect(page.locator("#sessions tbody tr")).to_have_count(1)

    phone.reload()
    phone.wait_for_url(re.compile(r".*/login\?next=/$"))
    expect(phone.locator("h1")).to_have_text("Sign in")
    assert stack.csp_violations() == []
    laptop_ctx.close()
    phone_ctx.close()


def test_open_an_incident_and_see_the_deadline(browser: Browser, stack: Stack) -> None:
    context = browser.new_context()
    stack.agent = stack.world.owner
    page = agent_page(context, stack)
    page.locator('a.nav-link[href="/incidents"]').click()
    page.get_by_role("link", name="Open an incident").click()
    page.locator("input[name=title]").fill("Support laptop stolen")
    page.locator("textarea[name=systems]").fill("agent UI, exports")
    page.get_by_role("button", name="Open incident").click()
    page.wait_for_url(re.compile(r".*/incidents/inc[0-9a-z]+$"))
    expect(page.locator("#deadline .deadline-text")).to_have_text(re.compile(r"^7[12] h \d\d min left$"))
    expect(page.locator("#timeline li")).to_have_count(2)  # opened, affected contacts computed

    page.locator('a.nav-link[href="/incidents"]').click()
    row = page.locator("tr[data-incident-id]", has_text="Support laptop stolen")
    expect(row.locator(".deadline-text")).to_have_text(re.compile(r"^7[12] h \d\d min left$"))
    # The countdown keeps running in an open page: 80 hours later the same row reads overdue, in red.
    page.clock.install(time=datetime.now(UTC) + timedelta(hours=80))
    page.reload()
    row = page.locator("tr[data-incident-id]", has_text="Support laptop stolen")
    expect(row.locator(".deadline-text")).to_have_text(re.compile(r"^overdue by [78] h \d\d min$"))
    expect(row).to_have_class(re.compile(r"\bis-overdue\b"))
    expect(row.locator("td.deadline")).to_have_class(re.compile(r"\bdeadline-overdue\b"))
    for path in ("/account/security", "/admin/security", "/admin/invitations", "/incidents/new"):
        page.goto(stack.base + path)
        page.wait_for_load_state("networkidle")
    assert stack.csp_violations() == []
    context.close()
