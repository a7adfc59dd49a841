"""Request throttling for public endpoints that write (starting a chat session creates rows and, with a
pre-chat form, a contact and its key): per client address, sliding window, in the app's rate-limit store
(shared by every process when that store is Redis: security/limit_store.py)."""

from __future__ import annotations

from fastapi import Request

from hushdesk.security.limit_store import LimitStore, Window

WIDGET_SESSIONS_PER_MINUTE = 30


def widget_sessions(request: Request) -> None:
    """Dependency: at most 30 new visitor sessions per minute from one address."""
    state = request.app.state
    limiter: Window | None = getattr(state, "widget_session_limiter", None)
    if limiter is None:
        store: LimitStore = getattr(state, "limit_store", None) or LimitStore("memory")
        limiter = state.widget_session_limiter = store.window(
            "widget-sessions",
            WIDGET_SESSIONS_PER_MINUTE,
            60,
            message="too many new chats from your network; try again in a minute",
        )
    limiter.check(request.client.host if request.client else "unknown")
