"""Sessions keep the network they signed in from (IPv4 /24, IPv6 /48), never the client address."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from hushdesk.models import UserSession
from hushdesk.security.sessions import network_of
from hushdesk.tenancy.permissions import Role
from tests.support.factories import World
from tests.web.conftest import HTML, sign_in


@pytest.mark.parametrize(("address", "network"), [
    ("203.0.113.77", "203.0.113.0/24"),
    (" 198.51.100.9 ", "198.51.100.0/24"),
    ("2001:db8:1234:5678::1", "2001:db8:1234::/48"),
    ("::ffff:198.51.100.9", "198.51.100.0/24"),  # an IPv4 client seen through an IPv6 socket
    ("testclient", None),
    ("unknown", None),
    ("", None),
    (None, None),
    ("203.0.113.77:443", None),
])
def test_network_of(address: str | None, network: str | None) -> None:
    assert network_of(address) == network


@pytest.fixture
def web_from(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver", client=("203.0.113.77", 50000),
                    follow_redirects=False) as client:
        yield client


def test_the_session_list_shows_the_network_and_the_address_is_stored_nowhere(web_from: TestClient,
                                                                             world: World) -> None:
    member = world.member(Role.AGENT)
    sign_in(web_from, member)
    page = web_from.get("/account/security", headers=HTML).text
    assert "203.0.113.0/24" in page and "203.0.113.77" not in page
    with world.ctx.db.session() as s:
        row = s.execute(select(UserSession).where(UserSession.user_id == member.user_id)).scalar_one()
        values = [str(getattr(row, c.key)) for c in UserSession.__table__.columns]
    assert row.client_network == "203.0.113.0/24"
    assert not any("203.0.113.77" in v for v in values)
