"""Every route x every role (pages, with a session) and every API token scope (the JSON API): the route answers
as the permissions matrix says for the permission the route declares (``hushdesk.web.access``).

Generated from the route table, so a new route is covered as soon as it exists, and a route without a
declaration fails here with the line to add. For each route and principal:

- declared and the principal's role/scope grants it -> "allowed": anything but 401/403/404 (a 409 or 422 from
  the example body still proves the door opened), never a 5xx, never a redirect to the sign-in page;
- not granted -> 403 or 404, with the example body AND with an invalid body (the declaration is checked before
  the body is validated, so a denied caller learns nothing about a route's fields).

Every principal works in a workspace of its own with its own seeded objects (the isolation test's ``seed_ids``),
so one role's successful writes (a deleted canned reply, an approved request) never change what another role is
asked about. Reads go first, then writes, then removals, per principal.
"""

from __future__ import annotations

import io
import re
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from hushdesk.accounts.service import login, resolve_session
from hushdesk.assistant import tts
from hushdesk.assistant.settings import set_api_key
from hushdesk.context import AppContext
from hushdesk.kit.errors import Unauthenticated
from hushdesk.tenancy.actor import Actor, system_actor
from hushdesk.tenancy.permissions import ALL_SCOPES, Role
from hushdesk.web import deps, page
from hushdesk.web.access import EXAMPLE, RouteAccess, declared_access
from hushdesk.web.route_table import iter_routes
from tests.isolation.test_cross_workspace import _body_for, seed_ids
from tests.support.factories import PASSWORD, make_world

PARAM_RE = re.compile(r"{([a-z_]+)(?::[a-z]+)?}")
TOKEN_DEPS: frozenset[Callable[..., Any]] = frozenset({deps.api_actor, deps.api_actor_unlocked})
SESSION_DEPS: frozenset[Callable[..., Any]] = frozenset(
    {deps.session_info, deps.session_unlocked, page.page_context, page.unlocked_page}
)
REMOVALS = ("/delete", "/revoke", "/remove", "/logout")
DENIED = (403, 404)


@dataclass
class Principal:
    label: str
    actor: Actor
    ids: dict[str, str]
    token: str = ""  # API principals
    email: str = ""  # page principals
    session: str = ""
    csrf: str = ""
    ip: str = ""


def _auth_kind(route: APIRoute | APIWebSocketRoute) -> str | None:
    """'token' or 'session' from the route's dependency tree (None: it resolves no actor)."""
    stack, seen = list(route.dependant.dependencies), set()
    while stack:
        dep = stack.pop()
        if dep.call in TOKEN_DEPS:
            return "token"
        if dep.call in SESSION_DEPS:
            return "session"
        if id(dep) not in seen:
            seen.add(id(dep))
            stack.extend(dep.dependencies)
    return None


def _declared_routes(app: FastAPI) -> tuple[list[tuple[APIRoute, RouteAccess, str | None]], list[str]]:
    found, problems = [], []
    for route in iter_routes(app):
        if isinstance(route, Mount) or (
            isinstance(route, Route)
            and not isinstance(route, APIRoute)
            and route.endpoint.__module__.startswith("fastapi.")
        ):
            continue  # static files; FastAPI's own OpenAPI/docs pages
        if not isinstance(route, (APIRoute, APIWebSocketRoute)):
            problems.append(f"{route!r}: unknown kind of route; teach tests/security/test_route_roles.py about it")
            continue
        methods = ",".join(sorted(getattr(route, "methods", None) or {"WEBSOCKET"}))
        where = f"{methods} {route.path} ({route.endpoint.__module__}.{route.endpoint.__name__})"
        access = declared_access(route)
        if access is None:
            problems.append(f"{where} declares no access: {EXAMPLE}")
            continue
        kind = _auth_kind(route)
        if access.kind == "public" and kind is not None:
            problems.append(f"{where} is declared public but resolves a signed-in {kind} actor")
        if access.kind != "public" and kind is None and isinstance(route, APIRoute):
            problems.append(
                f"{where} declares {access.describe()} but resolves no actor (ApiActor, Page, ...), "
                "so nothing enforces it"
            )
        if isinstance(route, APIRoute):
            found.append((route, access, kind))
    return found, problems


def test_every_route_declares_who_may_call_it(app: FastAPI) -> None:
    found, problems = _declared_routes(app)
    assert problems == [], "\n".join(problems)
    assert len(found) >= 100


# -- principals --------------------------------------------------------------------------------------------
def _sign_in(ctx: AppContext, who: Principal) -> None:
    with ctx.unit_of_work() as uow:
        result = login(uow, email=who.email, password=PASSWORD, client_ip=who.ip, user_agent="route-roles")
    who.session, who.csrf = result.session_token, result.csrf_token


def _other_session(ctx: AppContext, who: Principal) -> str:
    with ctx.unit_of_work() as uow:
        result = login(uow, email=who.email, password=PASSWORD, client_ip=who.ip, user_agent="second device")
        return resolve_session(uow, result.session_token).session_id


def _still_signed_in(ctx: AppContext, who: Principal) -> bool:
    try:
        with ctx.read_only() as uow:
            resolve_session(uow, who.session)
    except Unauthenticated:
        return False
    return True


@pytest.fixture(scope="module")
def principals(ctx: AppContext) -> dict[str, Principal]:
    """A member of each role and a token of each scope, each in a workspace of its own with seeded objects."""
    found: dict[str, Principal] = {}
    with pytest.MonkeyPatch.context() as patch:
        # Seeding makes a spoken clip per workspace; what it sounds like is not this test's concern, and a
        # neural voice costs ~0.7 s per clip.
        patch.setattr(tts, "synthesize_local", lambda text, settings: (_silence(), "test"))
        _seed_principals(ctx, found)
    for who in found.values():
        with ctx.unit_of_work() as uow:  # something for "delete the AI provider key" to delete
            set_api_key(uow, system_actor(who.actor.workspace_id), "sk-route-roles-0123456789")
    return found


def _silence() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\0\0" * 80)
    return out.getvalue()


def _seed_principals(ctx: AppContext, found: dict[str, Principal]) -> None:
    for n, role in enumerate(Role):
        world = make_world(ctx, f"Roles {role.value}")
        member = world.owner if role == Role.OWNER else world.member(role)
        who = Principal(role.value, member.actor, seed_ids(ctx, world), email=member.email, ip=f"127.0.3.{n + 1}")
        who.ids["slug"] = world.slug
        _sign_in(ctx, who)
        who.ids["session_id"] = _other_session(ctx, who)  # sessions are per user: one of their own to revoke
        found[who.label] = who
    # One token per scope, and one with every scope (routes that need permissions from two scopes).
    for scopes in [(scope,) for scope in ALL_SCOPES] + [ALL_SCOPES]:
        world = make_world(ctx, f"Scope {len(scopes)}")
        token = world.token(scopes)
        actor = Actor(workspace_id=world.workspace_id, kind="token", id=None, name="t", scopes=frozenset(scopes))
        label = "all scopes" if len(scopes) > 1 else scopes[0]
        who = Principal(f"token[{label}]", actor, seed_ids(ctx, world), token=token)
        who.ids["slug"] = world.slug
        found[who.label] = who


# -- requests ----------------------------------------------------------------------------------------------
FIXED_PARAMS = {"fmt": "csv"}


def _url(path: str, ids: dict[str, str]) -> str | None:
    values = {**FIXED_PARAMS, **ids}
    if any(name not in values for name in PARAM_RE.findall(path)):
        return None
    return PARAM_RE.sub(lambda m: values[m.group(1)], path)


def _invalid_body(route: APIRoute) -> dict[str, Any] | None:
    """Kwargs for a body that fails validation, or None when the route takes no body it validates."""
    field = route.body_field
    if field is None:
        return None
    model_schema = getattr(field.field_info.annotation, "model_json_schema", None)
    if model_schema is None:
        return None
    if type(field.field_info).__name__ not in ("Form", "File"):
        return {"json": ["not", "an", "object"]}
    for name, prop in model_schema().get("properties", {}).items():
        limit = prop.get("maxLength") or next(
            (o.get("maxLength") for o in prop.get("anyOf", []) if o.get("maxLength")), None
        )
        if limit and limit < 100_000:
            return {"data": {name: "x" * (limit + 1)}}
    return None


def _body_fields(route: APIRoute) -> list[str]:
    field = route.body_field
    model_schema = getattr(field.field_info.annotation, "model_json_schema", None) if field else None
    return list(model_schema().get("properties", {})) if model_schema else []


def _call(
    client: TestClient, method: str, url: str, route: APIRoute, who: Principal, body: dict[str, Any] | None
) -> tuple[int, str]:
    headers: dict[str, str] = {"Accept": "text/html"}
    client.cookies.clear()
    if who.token:
        headers = {"Authorization": f"Bearer {who.token}"}
    else:
        client.cookies.set("hd_session", who.session)
        headers["X-CSRF-Token"] = who.csrf
    kwargs: dict[str, Any] = {"headers": headers, "follow_redirects": False}
    if body is not None:
        kwargs.update(body)
    else:
        payload, is_form = _body_for(route)
        if payload is not None:
            # Fields that name an object (a form's contact_id) get this principal's seeded object.
            fields = _body_fields(route)
            payload.update({name: who.ids[name] for name in fields if name in who.ids})
            kwargs["data" if is_form else "json"] = payload
    res = client.request(method, url, **kwargs)
    status = res.status_code
    if status in (302, 303, 307) and res.headers.get("location", "").startswith("/login?next="):
        status = 401  # a page's way of saying "sign in first" (web/errors.py)
    return status, res.text[:200].replace("\n", " ")


def _order(route: APIRoute, method: str) -> int:
    if method == "GET":
        return 0
    return 2 if route.path.endswith(REMOVALS) else 1


def _plan(app: FastAPI) -> Iterator[tuple[str, APIRoute, RouteAccess, str]]:
    found, _ = _declared_routes(app)
    calls = [
        (m, r, a, k)
        for r, a, k in found
        if k is not None and a.kind != "public"
        for m in sorted((r.methods or set()) - {"HEAD", "OPTIONS"})
    ]
    calls.sort(key=lambda c: (_order(c[1], c[0]), c[1].path))
    yield from calls


def test_routes_answer_every_role_as_the_matrix_says(
    app: FastAPI, ctx: AppContext, principals: dict[str, Principal]
) -> None:
    failures: list[str] = []
    counts = {"allowed": 0, "denied": 0, "denied_invalid_body": 0}
    with TestClient(app, base_url="http://testserver") as client:
        for method, route, access, kind in _plan(app):
            callers = [p for p in principals.values() if bool(p.token) == (kind == "token")]
            opened = [p.label for p in callers if access.allows(p.actor)]
            if not opened:
                failures.append(f"{method} {route.path}: no role or scope may call it ({access.describe()})")
            for who in callers:
                url = _url(route.path, who.ids)
                if url is None:
                    failures.append(
                        f"{method} {route.path}: no seeded value for a path parameter; add it to "
                        "seed_ids() in tests/isolation/test_cross_workspace.py"
                    )
                    break
                allowed = access.allows(who.actor)
                label = f"{method} {route.path} as {who.label} ({access.describe()})"
                status, text = _call(client, method, url, route, who, None)
                if allowed:
                    counts["allowed"] += 1
                    # One of several permissions opens the door; the body picks which, and the service may
                    # still refuse this example body (e.g. a reply from a role that may only write notes).
                    service_refusal = access.any_of and status == 403
                    # 502: the route got as far as the AI provider, which the test workspace does not have.
                    if (status >= 500 and status != 502) or (status in (401, 403, 404) and not service_refusal):
                        failures.append(f"{label}: should be allowed, got {status}: {text}")
                else:
                    counts["denied"] += 1
                    if status not in DENIED:
                        failures.append(f"{label}: should be refused, got {status}: {text}")
                    invalid = _invalid_body(route)
                    if invalid is not None:
                        counts["denied_invalid_body"] += 1
                        status, text = _call(client, method, url, route, who, invalid)
                        if status not in DENIED:
                            failures.append(
                                f"{label} with an invalid body: should be refused before the body "
                                f"is validated, got {status}: {text}"
                            )
                if who.session and method != "GET" and not _still_signed_in(ctx, who):
                    _sign_in(ctx, who)  # the route ended the session (sign-out): carry on with a new one
    assert failures == [], f"{len(failures)} mismatches:\n" + "\n".join(failures)
    assert counts["allowed"] > 100 and counts["denied"] > 100 and counts["denied_invalid_body"] > 30, counts
