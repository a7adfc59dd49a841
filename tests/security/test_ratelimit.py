"""Rate limits on the public surfaces: 429 with Retry-After past the limit, per address (API: per token),
other addresses and other surfaces unaffected."""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient

from hushdesk.app import create_app
from hushdesk.context import AppContext
from hushdesk.kit.errors import RateLimited
from hushdesk.security.limit_store import LimitStore
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


# -- shared counts in Redis (ADR 0009): the real Redis at 127.0.0.1:6379, a key prefix of each test's own ----
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379 (start one: see /work/shared/STACK.md)")
    prefix = f"hushdesk-test:{uuid.uuid4().hex}:"
    yield prefix
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)
    client.close()


def _redis_client(ctx: AppContext, address: str, prefix: str, **limits: int) -> TestClient:
    settings = ctx.settings.model_copy(
        update={
            "rate_limit_enabled": True,
            "rate_limit_store": "redis",
            "redis_url": REDIS_URL,
            "rate_limit_key_prefix": prefix,
            **limits,
        }
    )
    return TestClient(create_app(settings, ctx), base_url="http://testserver", client=(address, 4000))


def test_two_app_instances_share_one_budget(ctx: AppContext, redis_prefix: str) -> None:
    """Two apps (two server processes, each with its own Redis client) count against one limit."""
    world = make_world(ctx)
    one = _redis_client(ctx, "10.201.0.1", redis_prefix, rate_limit_privacy=4)
    two = _redis_client(ctx, "10.201.0.1", redis_prefix, rate_limit_privacy=4)
    assert one.app is not two.app
    statuses = [c.get(f"/privacy/{world.slug}").status_code for c in (one, two, one, two)]
    assert statuses == [200, 200, 200, 200]
    assert two.get(f"/privacy/{world.slug}").status_code == 429
    assert one.get(f"/privacy/{world.slug}").status_code == 429
    # Another address has a budget of its own, in both apps.
    other = TestClient(two.app, base_url="http://testserver", client=("10.201.0.2", 4000))
    assert other.get(f"/privacy/{world.slug}").status_code == 200
    # Memory windows (the old behaviour) would have given each app its own 4.
    assert LimitStore.from_settings(ctx.settings).shared is False


def test_retry_after_counts_down_from_the_oldest_request(ctx: AppContext, redis_prefix: str) -> None:
    world = make_world(ctx)
    one = _redis_client(ctx, "10.201.1.1", redis_prefix, rate_limit_privacy=2)
    two = _redis_client(ctx, "10.201.1.1", redis_prefix, rate_limit_privacy=2)
    before_first = time.monotonic()
    assert one.get(f"/privacy/{world.slug}").status_code == 200
    after_first = time.monotonic()
    time.sleep(1.2)
    assert two.get(f"/privacy/{world.slug}").status_code == 200
    before_limited = time.monotonic()
    limited = one.get(f"/api/v1/privacy/{world.slug}/requests/x")
    after_limited = time.monotonic()
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
    # One more request is allowed when the first leaves the 60 s window: 60 s minus its age, rounded up.
    oldest_age = (before_limited - after_first, after_limited - before_first)
    retry_after = int(limited.headers["retry-after"])
    assert math.floor(60 - oldest_age[1]) <= retry_after <= math.ceil(60 - oldest_age[0]) <= 59


def test_the_redis_window_slides(redis_prefix: str) -> None:
    store = LimitStore("redis", redis_url=REDIS_URL, prefix=redis_prefix)
    window = store.window("slide", 2, 1.0)
    window.check("k")
    window.check("k")
    with pytest.raises(RateLimited) as caught:
        window.check("k")
    assert caught.value.retry_after == 1
    time.sleep(1.05)
    window.check("k")  # the first two have left the one-second window
    store.close()


def test_concurrent_requests_never_exceed_the_limit(redis_prefix: str) -> None:
    """The count-check-add is one Lua script: 8 threads x 2 stores racing for 25 slots get exactly 25."""
    stores = [LimitStore("redis", redis_url=REDIS_URL, prefix=redis_prefix) for _ in range(2)]
    windows = [s.window("race", 25, 60) for s in stores]
    granted: list[int] = []

    def hammer(n: int) -> None:
        for _ in range(10):
            try:
                windows[n % 2].check("same-key")
                granted.append(1)
            except RateLimited:
                pass

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(granted) == 25
    for s in stores:
        s.close()


def test_without_redis_each_process_keeps_its_own_limit(caplog: pytest.LogCaptureFixture) -> None:
    """Redis down: neither fail-open (no limit) nor fail-closed (every request refused), but per-process
    memory windows, with one warning; Redis is retried after a pause."""
    store = LimitStore("redis", redis_url="redis://127.0.0.1:1/0", prefix="unused:")
    window = store.window("down", 2, 60)
    started = time.monotonic()
    window.check("k")
    window.check("k")
    with pytest.raises(RateLimited):
        window.check("k")
    assert time.monotonic() - started < 2  # one failed connect, then memory until the retry pause ends
    assert sum("Redis unavailable" in r.message for r in caplog.records) == 1
    store.close()


def test_widget_session_throttle_is_shared_too(ctx: AppContext, redis_prefix: str) -> None:
    world = make_world(ctx)
    one = _redis_client(ctx, "10.201.2.1", redis_prefix)
    two = _redis_client(ctx, "10.201.2.1", redis_prefix)
    statuses = [
        c.post("/widget/api/session", json={"key": world.widget_key}).status_code for _ in range(16) for c in (one, two)
    ]
    assert statuses[:30] == [201] * 30 and statuses[30:] == [429, 429]
