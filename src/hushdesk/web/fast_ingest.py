"""The hot ingest routes without FastAPI's per-request machinery (ADR 0010, item 14).

``POST /api/v1/conversations`` and ``POST /api/v1/conversations/{id}/messages`` are what every integration
calls for every customer message. Through FastAPI, routing, dependency solving, its exception and exit-stack
layers and two extra awaits cost more CPU on the event loop than the whole ingest costs on its worker thread.

This innermost middleware answers exactly those two routes itself, but only on the **happy path**: a JSON body
that parses and validates against the route's own schema and a bearer token in the header. Then it does the
route's work in one worker-thread call (unit of work, token, the route's declared access, the same handler
function the FastAPI route calls, commit) and writes the JSON itself. Anything else — no token, another content
type, a body that is not JSON or fails validation, a root path — is replayed untouched to FastAPI, so every
error keeps the exact answer and order of the regular route (401/403 before 422 included: the fast path only
runs when there is no 422 to give). The FastAPI routes stay registered: they document the API (OpenAPI) and
serve every request the fast path hands back. Tests compare both paths answer for answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from hushdesk.accounts.service import resolve_api_token
from hushdesk.context import AppContext
from hushdesk.db import UnitOfWork, WriterBusy, impatient_writes
from hushdesk.kit.errors import DomainError
from hushdesk.tenancy.actor import Actor
from hushdesk.web.access import RouteAccess, check_access, declared_access
from hushdesk.web.deps import bearer_token
from hushdesk.web.errors import domain_error_json
from hushdesk.web.middleware import read_body, replaying
from hushdesk.web.route_table import iter_routes

Handler = Callable[[UnitOfWork, Actor, Any, dict[str, str]], tuple[BaseModel, int]]


@dataclass(frozen=True)
class FastRoute:
    """A POST route the fast path may answer: its FastAPI path template, body schema and handler."""

    template: str  # e.g. "/api/v1/conversations/{conversation_id}/messages", as registered with FastAPI
    schema: type[BaseModel]
    handler: Handler  # (uow, actor, validated body, path parameters) -> (response model, status)

    def pattern(self) -> re.Pattern[str]:
        # A path parameter matches one segment, as Starlette's default "str" convertor does.
        parts = re.split(r"\{(\w+)\}", self.template)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>[^/]+)" for i, p in enumerate(parts))
        return re.compile(f"^{regex}$")


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bool(value.split(b";", 1)[0].strip().lower() == b"application/json")
    return False


class FastIngestMiddleware:
    def __init__(self, app: ASGIApp, *, routes: list[FastRoute], enabled: bool = True) -> None:
        self.app = app
        self.enabled = enabled
        self.routes = [(r, r.pattern()) for r in routes]
        self._access: dict[str, RouteAccess] | None = None  # read from the FastAPI routes on first use

    def _match(self, scope: Scope) -> tuple[FastRoute, dict[str, str]] | None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope.get("root_path"):
            return None
        path: str = scope["path"]
        if not path.startswith("/api/v1/conversations"):
            return None
        for route, pattern in self.routes:
            found = pattern.match(path)
            if found:
                return route, found.groupdict()
        return None

    def _declared(self, scope: Scope, template: str) -> RouteAccess:
        if self._access is None:
            table: dict[str, RouteAccess] = {}
            for route in iter_routes(scope["app"]):
                access = declared_access(route)
                if access is not None and "POST" in (getattr(route, "methods", None) or ()):
                    table[str(getattr(route, "path", ""))] = access
            missing = [r.template for r, _ in self.routes if r.template not in table]
            if missing:  # the fast path must never answer a route that does not exist or declares no access
                raise RuntimeError(f"fast ingest routes without a POST route declaring access: {missing}")
            self._access = table
        return self._access[template]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        matched = self._match(scope) if self.enabled else None
        if matched is None or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        route, params = matched
        body = await read_body(receive)
        if body is None:
            return
        token = bearer_token(scope)
        model = self._validated(route, body) if token is not None else None
        if token is None or model is None:
            await self.app(scope, replaying(body, receive), send)  # FastAPI gives the regular answer
            return
        access = self._declared(scope, route.template)
        ctx: AppContext = scope["app"].state.ctx
        request_id = scope.get("state", {}).get("request_id")
        try:
            status, payload = await _answer(ctx, request_id, token, access, route, model, params)
        except DomainError as exc:
            await domain_error_json(exc)(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-length", str(len(payload)).encode()), (b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": payload})

    @staticmethod
    def _validated(route: FastRoute, body: bytes) -> BaseModel | None:
        # As FastAPI does it: json.loads, then the schema in Python mode (a JSON-mode validation accepts and
        # refuses slightly different inputs). Any failure goes to FastAPI, which builds the 4xx.
        try:
            return route.schema.model_validate(json.loads(body))
        except (ValueError, ValidationError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            return None


async def _answer(ctx: AppContext, request_id: str | None, token: str, access: RouteAccess, route: FastRoute,
                  model: BaseModel, params: dict[str, str]) -> tuple[int, bytes]:
    # On SQLite, when no other writer of this process is mid-transaction, the work runs right here on the event
    # loop: writes are one at a time anyway (the writer gate), and the thread hop (two context switches, the GIL
    # handed back and forth) cost ~15 % of an ingest's CPU. The gate is taken without waiting or not at all:
    # a writer that holds it may need this loop to reach its commit. Otherwise (busy, or PostgreSQL, whose
    # statements wait on the network) the work goes to a worker thread. So does every request when jobs run
    # inside the enqueue call (the test queue): an after-commit job may open a unit of work, and on the loop
    # that would be a wait for the gate.
    # Nor does it wait for another process (a CLI, a worker) holding SQLite's lock, on this database or the key
    # vault: under ``impatient_writes`` such a write raises WriterBusy, the unit of work rolls back whole, and
    # the request is done again on a worker thread, which may wait.
    gate = ctx.db.writer_gate
    if gate is not None and not ctx.jobs.immediate:
        with gate.turn_if_free() as ours:
            if ours:
                try:
                    with impatient_writes():
                        return _run(ctx, request_id, token, access, route, model, params)
                except WriterBusy:
                    pass
    return await run_in_threadpool(_run, ctx, request_id, token, access, route, model, params)


def _run(ctx: AppContext, request_id: str | None, token: str, access: RouteAccess, route: FastRoute,
         model: BaseModel, params: dict[str, str]) -> tuple[int, bytes]:
    """One worker-thread call: token, declared access, the route's handler and the commit, in one transaction."""
    with ctx.unit_of_work(request_id) as uow:
        actor = resolve_api_token(uow, token)
        check_access(access, actor)
        out, status = route.handler(uow, actor, model, params)
    return status, out.model_dump_json().encode()
