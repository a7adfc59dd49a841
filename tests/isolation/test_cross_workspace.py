"""Workspace isolation, generated from the route table: every route that takes an ``*_id`` path parameter
answers 404 when workspace B asks for workspace A's object, for every method it accepts. A new route is covered
automatically; a new kind of id fails here until it is added to ``seed_ids`` below."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Route, WebSocketRoute

from hushdesk.accounts.service import create_api_token, login, resolve_session
from hushdesk.assistant import kb
from hushdesk.assistant.calls import log_call
from hushdesk.assistant.service import draft_reply
from hushdesk.assistant.tts import speak_message
from hushdesk.channels.base import ContactHint, InboundAttachment, InboundMessage
from hushdesk.channels.webchat import start_session, visitor_send, widget_by_key
from hushdesk.context import AppContext
from hushdesk.dsr.officer import start_for_contact
from hushdesk.inbox import canned, orders
from hushdesk.inbox.service import receive_message, send_reply
from hushdesk.models import ApiToken, Attachment, Widget
from hushdesk.security import incidents, invitations
from hushdesk.tenancy.actor import system_actor
from hushdesk.tenancy.permissions import Role
from hushdesk.web.route_table import iter_routes
from tests.support.factories import PASSWORD, World, make_world

PARAM_RE = re.compile(r"{([a-z_]+_id)(?::[a-z]+)?}")


def seed_ids(ctx: AppContext, world: World) -> dict[str, str]:
    """One object of each kind in workspace A, keyed by the path-parameter name that addresses it."""
    with ctx.unit_of_work() as uow:
        got = receive_message(uow, world.workspace_id, InboundMessage(
            channel="api", sender=ContactHint("email", "iso@example.com", email="iso@example.com"),
            body="How long does shipping take?",
            attachments=(InboundAttachment("a.txt", "text/plain", b"data"),)))
        contact_id = got.conversation.contact_id or ""
        order = orders.create_order(uow, world.owner.actor, contact_id, orders.OrderData(
            "ISO-1", datetime.now(UTC), (), "1", "EUR", "paid"))
        reply = canned.create_canned(uow, world.owner.actor, shortcut="iso", title="t", body="b")
        token, _ = create_api_token(uow, system_actor(world.workspace_id), name="iso", scopes=["contacts:read"])
        widget = uow.session.query(Widget).filter(Widget.workspace_id == world.workspace_id).one()
        att = uow.session.query(Attachment).filter(Attachment.message_id == got.message.id).one()
        dsr = start_for_contact(uow, world.owner.actor, contact_id, "access").request
        article = kb.save_article(uow, world.owner.actor, title="Shipping times", publish=True,
                                  body="Orders ship within 2 business days. Delivery takes 3 to 5 days.")
        uow.session.flush()
        draft = draft_reply(uow, world.owner.actor, got.conversation.id)
        assert draft.draft_id, draft.error
        answer = send_reply(uow, world.owner.actor, got.conversation.id, "They ship within two days.")
        clip = speak_message(uow, world.owner.actor, answer.message.id)
        call = log_call(uow, world.workspace_id, feature="test", provider="none", model=None, prompt="ping",
                        actor=world.owner.actor)
        invitation = invitations.invite(uow, world.owner.actor, email="iso.invitee@example.com", role=Role.AGENT)
        incident = incidents.open_incident(uow, world.owner.actor, incidents.IncidentDraft(
            title="iso", occurred_from=datetime(2026, 1, 1, tzinfo=UTC),
            occurred_until=datetime(2026, 1, 2, tzinfo=UTC), detected_at=datetime(2026, 1, 2, tzinfo=UTC)))
        session = login(uow, email=world.owner.email, password=PASSWORD, client_ip="127.0.0.8", user_agent="iso")
        session_id = resolve_session(uow, session.session_token).session_id
        ids = {
            "session_id": session_id, "invitation_id": invitation.invitation.id, "incident_id": incident.id,
            "article_id": article.id, "draft_id": draft.draft_id, "clip_id": clip.id,
            "conversation_id": got.conversation.id, "contact_id": contact_id, "message_id": got.message.id,
            "order_id": order.id, "canned_id": reply.id, "reply_id": reply.id, "token_id": token.id,
            "widget_id": widget.id, "attachment_id": att.id, "user_id": world.owner.user_id,
            "request_id": dsr.id, "call_id": call.id,
        }
        assert uow.session.get(ApiToken, token.id) is not None
    return ids


def _example(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    if "$ref" in schema:
        return _example(defs[schema["$ref"].split("/")[-1]], defs)
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return _example(options[0], defs) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: _example(v, defs) for k, v in props.items() if k in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date-time":
        return "2026-01-01T00:00:00Z"
    pattern = schema.get("pattern")
    for candidate in ("x", "a@example.com", "1", "EUR", "https://example.com"):
        if pattern is None or re.search(pattern, candidate):
            return candidate
    return "x"


def _body_for(route: APIRoute) -> tuple[dict[str, Any] | None, bool]:
    """(payload, is_form) for the route's body, or (None, False)."""
    field = route.body_field
    if field is None:
        return None, False
    annotation = field.field_info.annotation
    model_schema = getattr(annotation, "model_json_schema", None)
    if model_schema is None:
        return {}, False
    schema = model_schema()
    payload = _example(schema, schema.get("$defs", {}))
    is_form = type(field.field_info).__name__ in ("Form", "File")
    return payload, is_form


def _routes(app: FastAPI) -> list[tuple[str, str, Any]]:
    found = []
    for route in iter_routes(app):
        if isinstance(route, WebSocketRoute) or not isinstance(route, (Route, APIRoute)):
            continue
        if not PARAM_RE.search(route.path):
            continue
        for method in sorted((route.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, route.path, route))
    return found


@pytest.fixture(scope="module")
def setup(ctx: AppContext) -> tuple[dict[str, str], str, dict[str, str]]:
    world_a = make_world(ctx, "Alpha")
    world_b = make_world(ctx, "Beta")
    ids = seed_ids(ctx, world_a)
    token_b = world_b.token()
    with ctx.unit_of_work() as uow:
        result = login(uow, email=world_b.owner.email, password=PASSWORD, client_ip="127.0.0.9", user_agent="t")
        # Widget endpoints authenticate a visitor: B's visitor, with a conversation of their own.
        widget_b = widget_by_key(uow, world_b.widget_key)
        visitor_b = start_session(uow, widget_b, name=None, email=None)
    with ctx.unit_of_work() as uow:
        visitor_send(uow, widget_by_key(uow, world_b.widget_key), visitor_b, "hello from B", "iso-b-1")
    cookies = {"hd_session": result.session_token, "csrf": result.csrf_token, "visitor": visitor_b}
    return ids, token_b, cookies


def test_route_table_has_id_routes(app: FastAPI) -> None:
    assert len(_routes(app)) >= 6


def test_foreign_ids_are_404(app: FastAPI, setup: tuple[dict[str, str], str, dict[str, str]]) -> None:
    ids, token_b, cookies = setup
    failures = []
    with TestClient(app, base_url="http://testserver") as client:
        for method, path, route in _routes(app):
            names = PARAM_RE.findall(path)
            missing = [n for n in names if n not in ids]
            if missing:
                failures.append(f"{method} {path}: no seeded object for {missing}; add it to seed_ids()")
                continue
            url = path
            for name in names:
                url = re.sub(r"{" + name + r"(?::[a-z]+)?}", ids[name], url)
            headers: dict[str, str] = {}
            if path.startswith("/api/"):
                headers["Authorization"] = f"Bearer {token_b}"
            elif path.startswith("/widget/api/"):
                headers["Authorization"] = f"Bearer {cookies['visitor']}"
            else:
                client.cookies.set("hd_session", cookies["hd_session"])
                headers["X-CSRF-Token"] = cookies["csrf"]
                headers["Accept"] = "text/html"
            payload, is_form = _body_for(route) if isinstance(route, APIRoute) else (None, False)
            kwargs: dict[str, Any] = {"headers": headers, "follow_redirects": False}
            if payload is not None:
                kwargs["data" if is_form else "json"] = {**payload, "csrf_token": cookies["csrf"]} if is_form \
                    else payload
            elif method in ("POST", "PUT", "PATCH") and not path.startswith("/api/"):
                kwargs["data"] = {"csrf_token": cookies["csrf"]}
            res = client.request(method, url, **kwargs)
            if res.status_code != 404:
                failures.append(f"{method} {path} -> {res.status_code}: {res.text[:160]}")
    assert failures == [], "\n".join(failures)
