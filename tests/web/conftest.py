"""Fixtures for the HTML pages and sockets: a browser-like client with its own address, signing in, data."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.inbox.service import receive_message
from tests.support.factories import Member, World

HTML = {"accept": "text/html,application/xhtml+xml"}
HTMX = {"accept": "*/*", "hx-request": "true"}


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    """Each test gets its own client address: login throttling counts failures per address."""
    address = "10." + ".".join(str(secrets.randbelow(250) + 1) for _ in range(3))
    with TestClient(app, base_url="http://testserver", client=(address, 50000), follow_redirects=False) as client:
        yield client


def login_form_token(client: TestClient) -> str:
    page = client.get("/login", headers=HTML)
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert found, "login form has no CSRF field"
    return found.group(1)


def session_csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, member: Member) -> str:
    """Sign in through the login form; returns the session's CSRF token."""
    token = login_form_token(client)
    res = client.post("/login", data={"email": member.email, "password": member.password, "csrf_token": token},
                      headers=HTML)
    assert res.status_code == 303, res.text
    home = client.get("/", headers=HTML)
    assert home.status_code == 200, home.text
    return session_csrf(home.text)


def customer_writes(world: World, body: str, *, email: str | None = None, name: str = "Casey Customer",
                    subject: str | None = None) -> str:
    """A customer message arriving through the API channel; returns the conversation id."""
    email = email or f"casey.{secrets.token_hex(3)}@example.com"
    inbound = InboundMessage(channel="api", sender=ContactHint("email", email, name=name, email=email), body=body,
                             subject=subject)
    with world.ctx.unit_of_work() as uow:
        return receive_message(uow, world.workspace_id, inbound).conversation.id
