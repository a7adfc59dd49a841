"""Rate limits for the public surfaces: 429 with ``Retry-After`` before any work is done.

Rules match by path prefix (first match wins) and count requests per client address (the API: per token, or
per address without one) in a sliding one-minute window held in process memory — per app instance, so with
several server processes each allows its own share (documented in docs/security.md). The limits are
settings (``HUSHDESK_RATE_LIMIT_*``, requests per minute; 0 turns a rule off). The widget's per-address chat
session throttle (web/throttle.py) stays in front of session creation as a stricter rule.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from hushdesk.config import Settings
from hushdesk.kit.errors import RateLimited
from hushdesk.web.throttle import SlidingWindow

WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class Rule:
    name: str
    prefixes: tuple[str, ...]
    per_minute: int
    methods: frozenset[str] | None = None  # None: every method
    by_token: bool = False


def rules_from(settings: Settings) -> list[Rule]:
    rules = [
        Rule("login", ("/login",), settings.rate_limit_login, frozenset({"POST"})),
        Rule("privacy", ("/privacy/", "/api/v1/privacy/"), settings.rate_limit_privacy),
        Rule("widget", ("/widget/",), settings.rate_limit_widget),
        Rule("api", ("/api/",), settings.rate_limit_api, by_token=True),
    ]
    return [r for r in rules if r.per_minute > 0]


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, rules: list[Rule]) -> None:
        self.app = app
        self.rules = rules
        self.windows = {rule.name: SlidingWindow(rule.per_minute, WINDOW_SECONDS) for rule in rules}

    def _rule(self, scope: Scope) -> Rule | None:
        path: str = scope.get("path", "")
        method: str = scope.get("method", "GET")
        for rule in self.rules:
            if path.startswith(rule.prefixes) and (rule.methods is None or method in rule.methods):
                return rule
        return None

    @staticmethod
    def _key(scope: Scope, rule: Rule) -> str:
        client = scope.get("client")
        address = str(client[0]) if client else "unknown"
        if rule.by_token:
            for name, value in scope.get("headers", []):
                if name == b"authorization" and value.lower().startswith(b"bearer "):
                    return "t:" + hashlib.sha256(value[7:].strip()).hexdigest()[:32]
        return "a:" + address

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rule = self._rule(scope) if scope["type"] == "http" else None
        if rule is None:
            await self.app(scope, receive, send)
            return
        try:
            self.windows[rule.name].check(self._key(scope, rule))
        except RateLimited as exc:
            body = json.dumps({"error": {"code": "rate_limited",
                                         "message": "too many requests; try again shortly"}}).encode()
            await send({"type": "http.response.start", "status": 429, "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(exc.retry_after).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
