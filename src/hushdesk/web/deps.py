"""FastAPI dependencies: the unit of work (commit before the response is sent) and the actor.

``Depends(..., scope="function")`` runs the code after ``yield`` as soon as the endpoint returns and before the
response goes out, so an acknowledged request is always committed.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from hushdesk.accounts.service import SessionInfo, resolve_api_token, resolve_api_token_inline, resolve_session
from hushdesk.context import AppContext
from hushdesk.db import UnitOfWork
from hushdesk.kit.errors import Forbidden, Unauthenticated
from hushdesk.tenancy.actor import Actor
from hushdesk.web.access import enforce_route_access

SESSION_COOKIE = "hd_session"
PRECSRF_COOKIE = "hd_csrf"


def app_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


async def _uow(request: Request) -> AsyncIterator[UnitOfWork]:
    ctx = app_context(request)
    request_id = getattr(request.state, "request_id", None)
    # Entered on the event loop: opening a unit of work does no I/O (the session connects on first use).
    # Commit or rollback (I/O, and on SQLite possibly a wait for the write lock) runs on a worker thread.
    # A sync generator dependency costs two thread hops per request (enter and exit), this one costs one.
    # Any exception (a domain error answered as 4xx included) rolls the whole request back.
    scope = ctx.unit_of_work(request_id)
    uow = scope.__enter__()
    try:
        yield uow
    except BaseException as exc:
        await run_in_threadpool(scope.__exit__, type(exc), exc, exc.__traceback__)
        raise
    if uow.finished:  # the handler committed on its own thread (UnitOfWork.finish): nothing left to write
        scope.__exit__(None, None, None)
    else:
        await run_in_threadpool(scope.__exit__, None, None, None)


Uow = Annotated[UnitOfWork, Depends(_uow, scope="function")]


def bearer_token(scope: Scope) -> str | None:
    """The token of the request's first Authorization header if it says ``Bearer <token>`` (any case)."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


def _token_of(request: Request) -> str:
    token = bearer_token(request.scope)
    if token is None:
        raise Unauthenticated("send an API token as 'Authorization: Bearer <token>'", code="no_token")
    return token


def _admit(request: Request, actor: Actor) -> Actor:
    request.state.actor = actor
    enforce_route_access(request, actor)  # the route's declared permission, before its body is validated
    return actor


def resolve_api_actor(request: Request, uow: UnitOfWork) -> Actor:
    return _admit(request, resolve_api_token(uow, _token_of(request)))


async def api_actor(request: Request, uow: Uow) -> Actor:
    # On SQLite the usual token is read on the event loop (Database.read_inline: ~70 us, less than the thread
    # hop it saves); otherwise, and whenever that read says "ask the unit of work", on a worker thread.
    token = _token_of(request)
    ctx = app_context(request)
    actor = resolve_api_token_inline(ctx.db, token) if ctx.db.reads_inline else None
    if actor is None:
        actor = await run_in_threadpool(resolve_api_token, uow, token)
    return _admit(request, actor)


ApiActor = Annotated[Actor, Depends(api_actor)]


@dataclass(frozen=True)
class Unlocked:
    """For handlers that must not hold the request's transaction (the AI provider path, ADR 0007): the app
    context and the actor, resolved in a short unit of work that is already committed. The handler's service
    opens its own short units of work."""

    ctx: AppContext
    actor: Actor
    request_id: str | None
    csrf_token: str = ""


def _request_id(request: Request) -> str | None:
    rid: str | None = getattr(request.state, "request_id", None)
    return rid


def api_actor_unlocked(request: Request) -> Unlocked:
    ctx = app_context(request)
    with ctx.unit_of_work(_request_id(request)) as uow:
        actor = resolve_api_actor(request, uow)
    return Unlocked(ctx, actor, _request_id(request))


ApiUnlocked = Annotated[Unlocked, Depends(api_actor_unlocked)]


def session_info(request: Request, uow: Uow) -> SessionInfo:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthenticated("please sign in", code="no_session")
    info = resolve_session(uow, token)
    request.state.actor = info.actor
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sent = request.headers.get("x-csrf-token") or getattr(request.state, "form_csrf", None) or ""
        if not hmac.compare_digest(sent, info.csrf_token):
            raise Forbidden("the form expired or came from another site; reload the page", code="csrf_failed")
    enforce_route_access(request, info.actor)  # the route's declared permission, before its body is validated
    return info


Session = Annotated[SessionInfo, Depends(session_info)]


def session_unlocked(request: Request) -> Unlocked:
    """``session_info`` (CSRF check included) in its own short unit of work; see ``Unlocked``."""
    ctx = app_context(request)
    with ctx.unit_of_work(_request_id(request)) as uow:
        info = session_info(request, uow)
    return Unlocked(ctx, info.actor, _request_id(request), info.csrf_token)
