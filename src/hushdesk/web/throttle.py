"""In-process request throttling for public endpoints that write (starting a chat session creates rows and,
with a pre-chat form, a contact and its key). Per client address, sliding window, per app instance."""

from __future__ import annotations

import threading
import time
from collections import deque

from fastapi import Request

from hushdesk.kit.errors import RateLimited


class SlidingWindow:
    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] > self.seconds:
                hits.popleft()
            if len(hits) >= self.limit:
                raise RateLimited("too many new chats from your network; try again in a minute",
                                  retry_after=max(1, int(self.seconds - (now - hits[0])) + 1))
            hits.append(now)
            if len(self._hits) > 50_000:  # forget idle addresses
                for stale in [k for k, v in self._hits.items() if not v or now - v[-1] > self.seconds]:
                    del self._hits[stale]


def widget_sessions(request: Request) -> None:
    """Dependency: at most 30 new visitor sessions per minute from one address."""
    state = request.app.state
    limiter: SlidingWindow | None = getattr(state, "widget_session_limiter", None)
    if limiter is None:
        limiter = state.widget_session_limiter = SlidingWindow(limit=30, seconds=60)
    limiter.check(request.client.host if request.client else "unknown")
