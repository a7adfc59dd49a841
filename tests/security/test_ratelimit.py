"""Rate limits on the public surfaces: 429 with Retry-After past the limit, per address (API: per token),
other addresses and other surfaces unaffected."""

from __future__ import annotations

from fastapi.testclient import TestClient

from hushdesk.app import create_app
from hushdesk.context import AppContext
from hushdesk.security.ratelimit import rules_from
from tests.support.factories import make_world


def _client(ctx: AppContext, address: str, **limits: int) -> TestClient:
    settings = ctx.settings.model_copy(update={"rate_limit_enabled": True, **limits})
    return TestClient(create_app(settings, ctx), base_url="http://testserver", client=(address, 4000))


def test_privacy_center_and_login_are_limited_per_address(ctx: AppContext) -> None:
    world = make_world(ctx)
    one = _client(ctx, "10.200.0.1", rate_limit_privacy=3, rate_limit_login=2)
    statuses = [one.get(f"/privacy/{world.slug}").status_code for _ in range(4)]
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 429
    limited = one.get(f"/api/v1/privacy/{world.slug}/requests/x")
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert limited.json()["error"]["code"] == "rate_limited"
    other = TestClient(one.app, base_url="http://testserver", client=("10.200.0.2", 4000))
    assert other.get(f"/privacy/{world.slug}").status_code == 200
    assert one.get("/login").status_code == 200  # GET /login is not counted
    posts = [one.post("/login", data={"email": "a@b.c", "password": "x"}).status_code for _ in range(3)]
    assert posts[-1] == 429


def test_api_is_limited_per_token(ctx: AppContext) -> None:
    world = make_world(ctx)
    client = _client(ctx, "10.200.1.1", rate_limit_api=2)
    first, second = world.token(), world.token()
    for _ in range(2):
        assert client.get("/api/v1/contacts", headers={"Authorization": f"Bearer {first}"}).status_code == 200
    assert client.get("/api/v1/contacts", headers={"Authorization": f"Bearer {first}"}).status_code == 429
    assert client.get("/api/v1/contacts", headers={"Authorization": f"Bearer {second}"}).status_code == 200


def test_rules_can_be_turned_off(ctx: AppContext) -> None:
    settings = ctx.settings.model_copy(update={"rate_limit_widget": 0})
    assert "widget" not in {r.name for r in rules_from(settings)}
    assert not ctx.settings.rate_limits_on  # off by default in the test environment
