"""Where rate-limit windows live: process memory (one server process) or Redis (shared by every process).

``LimitStore.from_settings`` picks the store (``HUSHDESK_RATE_LIMIT_STORE``: ``auto`` = Redis when the job queue
is Redis, i.e. a deployment that already runs several processes around one Redis; memory otherwise). ADR 0009.

The Redis window is a sliding log per key (a sorted set of request times), updated by one Lua script, so the
count-check-add is atomic across processes. Time comes from the Redis server's clock (``TIME``), so servers
with drifting clocks still share one window.

When Redis cannot be reached the store degrades instead of failing: each process falls back to its own memory
window (the limits still hold per process, as before shared limits existed) and retries Redis after a short
pause, so a Redis outage neither takes the site down (fail-closed) nor removes every limit (fail-open).
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections import deque
from typing import Literal, Protocol

import redis

from hushdesk.config import Settings
from hushdesk.kit.errors import RateLimited

log = logging.getLogger(__name__)

StoreKind = Literal["memory", "redis"]
RETRY_REDIS_AFTER_SECONDS = 5.0  # after a Redis failure, use memory windows this long before trying again
REDIS_TIMEOUT_SECONDS = 0.25  # a slow Redis must not slow every request down

# KEYS[1]: the window's key. ARGV: limit, window in ms, a unique member. Returns {1, 0} when the request is
# counted, {0, ms until the oldest counted request leaves the window} when it is over the limit.
SLIDING_LOG = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window - now}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}
"""


class Window(Protocol):
    def check(self, key: str) -> None:
        """Count one request for ``key``, or raise ``RateLimited`` (with ``retry_after``) over the limit."""


class SlidingWindow:
    """In process memory: exact, free, and private to this process."""

    def __init__(self, limit: int, seconds: float, message: str = "too many requests; try again shortly") -> None:
        self.limit = limit
        self.seconds = seconds
        self.message = message
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] > self.seconds:
                hits.popleft()
            if len(hits) >= self.limit:
                raise RateLimited(self.message, retry_after=max(1, math.ceil(self.seconds - (now - hits[0]))))
            hits.append(now)
            if len(self._hits) > 50_000:  # forget idle keys
                for stale in [k for k, v in self._hits.items() if not v or now - v[-1] > self.seconds]:
                    del self._hits[stale]


class RedisWindow:
    def __init__(
        self, store: LimitStore, client: redis.Redis, *, name: str, limit: int, seconds: float, message: str
    ) -> None:
        self.store = store
        self.name = name
        self.limit = limit
        self.window_ms = int(seconds * 1000)
        self.message = message
        self.fallback = SlidingWindow(limit, seconds, message=message)
        self._script = client.register_script(SLIDING_LOG)

    def check(self, key: str) -> None:
        if not self.store.redis_usable():
            self.fallback.check(key)
            return
        try:
            counted, wait_ms = self._script(
                keys=[f"{self.store.prefix}{self.name}:{key}"], args=[self.limit, self.window_ms, uuid.uuid4().hex]
            )
        except redis.RedisError as exc:
            self.store.redis_failed(exc)
            self.fallback.check(key)
            return
        if not int(counted):
            raise RateLimited(self.message, retry_after=max(1, math.ceil(int(wait_ms) / 1000)))


class LimitStore:
    """Makes windows of one kind; holds the Redis client (a connection pool, no I/O until first used)."""

    def __init__(self, kind: StoreKind, *, redis_url: str = "", prefix: str = "hushdesk:ratelimit:") -> None:
        self.kind = kind
        self.prefix = prefix
        self._client = (
            redis.Redis.from_url(
                redis_url,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            )
            if kind == "redis"
            else None
        )
        self._lock = threading.Lock()
        self._down_until = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> LimitStore:
        kind: StoreKind = "memory"
        if settings.rate_limit_store == "redis" or (settings.rate_limit_store == "auto" and settings.queue == "redis"):
            kind = "redis"
        return cls(kind, redis_url=settings.redis_url, prefix=settings.rate_limit_key_prefix)

    @property
    def shared(self) -> bool:
        """True when every process sees the same counts: a synchronous Redis round trip per check."""
        return self._client is not None

    def window(
        self, name: str, limit: int, seconds: float, message: str = "too many requests; try again shortly"
    ) -> Window:
        if self._client is None:
            return SlidingWindow(limit, seconds, message=message)
        return RedisWindow(self, self._client, name=name, limit=limit, seconds=seconds, message=message)

    def redis_usable(self) -> bool:
        return time.monotonic() >= self._down_until

    def redis_failed(self, exc: Exception) -> None:
        with self._lock:
            if time.monotonic() < self._down_until:
                return
            self._down_until = time.monotonic() + RETRY_REDIS_AFTER_SECONDS
        log.warning(
            "rate limits: Redis unavailable (%s); using per-process limits for %.0f s",
            type(exc).__name__,
            RETRY_REDIS_AFTER_SECONDS,
        )

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
