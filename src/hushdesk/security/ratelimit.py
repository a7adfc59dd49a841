"""Rate limits for the public surfaces: 429 with ``Retry-After`` before any work is done.

Rules match by path prefix (first match wins) and count requests per client address (the API: per token, or
per address without one) in a sliding one-minute window. The windows live in the app's ``LimitStore``
(security/limit_store.py, ADR 0009): in Redis when the deployment runs on Redis, so every server process
counts against one budget; in process memory for the single-process default. The limits are settings
(``HUSHDESK_RATE_LIMIT_*``, requests per minute; 0 turns a rule off). The widget's per-address chat session
throttle (web/throttle.py) stays in front of session creation as a stricter rule.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import anyio.to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from hushdesk.config import Settings
from hushdesk.kit.errors import RateLimited
from hushdesk.security.limit_store import LimitStore

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
    def __init__(self, app: ASGIApp, *, rules: list[Rule], store: LimitStore | None = None) -> None:
        self.app = app
        self.rules = rules
        self.store = store or LimitStore("memory")
        self.windows = {rule.name: self.store.window(rule.name, rule.per_minute, WINDOW_SECONDS) for rule in rules}

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
        window, key = self.windows[rule.name], self._key(scope, rule)
        try:
            if self.store.shared:  # a network round trip: not on the event loop
                await anyio.to_thread.run_sync(window.check, key)
            else:
                window.check(key)
        except RateLimited as exc:
            body = json.dumps({"error": {"code": "rate_limited",
                                         "message": "too many requests; try again shortly"}}).encode()
            await send({"type": "http.response.start", "status": 429, "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(exc.retry_after).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
