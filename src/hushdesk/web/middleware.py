"""ASGI middleware: request ids, request-size limits (413 even for chunked bodies), security headers."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hushdesk.kit.ids import new_token
from hushdesk.kit.request_context import current_request_id

# Pages load scripts and styles only from our own origin: no inline script anywhere.
ADMIN_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; media-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'"
)


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = "r" + new_token(9)
        scope.setdefault("state", {})["request_id"] = request_id
        token = current_request_id.set(request_id)  # log records carry it (kit/request_context.py)
        try:
            await self.app(scope, receive, send)
        finally:
            current_request_id.reset(token)


class BodyTooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _reject(self, send: Send) -> None:
        body = json.dumps({"error": {"code": "payload_too_large",
                                     "message": f"request body is larger than {self.max_bytes} bytes"}}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.max_bytes + 1
                if declared > self.max_bytes:
                    await self._reject(send)
                    return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._reject(send)


class NulCharacterMiddleware:
    """Refuse NUL characters in the path, the query string and JSON, form, CSV or text bodies (400
    ``invalid_characters``): PostgreSQL text cannot store them and SQLite's full-text parser chokes on them,
    so they would otherwise surface as 500s deep in a service. (Multipart uploads are binary: not scanned.)"""

    # What a NUL looks like in each scanned body type (a JSON escape, a form's percent-encoding, a raw byte).
    MARKERS = {b"application/json": (b"\x00", b"\\u0000"), b"application/x-www-form-urlencoded": (b"\x00", b"%00"),
               b"text/csv": (b"\x00",), b"text/plain": (b"\x00",)}

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    @staticmethod
    async def _reject(send: Send) -> None:
        body = json.dumps({"error": {"code": "invalid_characters",
                                     "message": "the request contains a NUL character"}}).encode()
        await send({"type": "http.response.start", "status": 400,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"") or b""
        if b"%00" in query or b"\x00" in query or "\x00" in scope.get("path", ""):
            await self._reject(send)
            return
        content_type = b""
        for name, value in scope.get("headers", []):
            if name == b"content-type":
                content_type = value.split(b";")[0].strip().lower()
        markers = self.MARKERS.get(content_type)
        if markers is None:
            await self.app(scope, receive, send)
            return
        # The body is already capped by BodySizeLimitMiddleware (outside this one): read it, check, replay.
        body = await read_body(receive)
        if body is None:
            return  # the client went away before sending its body
        if any(marker in body for marker in markers):
            await self._reject(send)
            return
        await self.app(scope, replaying(body, receive), send)


async def read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None if the client went away first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app a body already read, then whatever the client sends next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                # A route may set its own CSP (the chat frame allows the business's site as frame ancestor).
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", ADMIN_CSP.encode()))
                    if b"x-frame-options" not in present:
                        headers.append((b"x-frame-options", b"DENY"))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"same-origin"))
                headers.append((b"permissions-policy", b"camera=(), microphone=(), geolocation=()"))
                if self.hsts:
                    headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
