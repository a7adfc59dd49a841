"""Creating workspaces and memberships."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select

from hushdesk.audit.service import record
from hushdesk.db import UnitOfWork
from hushdesk.kit.errors import Conflict, NotFound, ValidationFailed
from hushdesk.kit.ids import new_id, new_token
from hushdesk.kit.repository import get_scoped, scoped
from hushdesk.models import ConversationCounter, Membership, User, Widget, Workspace
from hushdesk.tenancy.actor import Actor, system_actor
from hushdesk.tenancy.permissions import Perm, Role

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
ORIGIN_RE = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")


def create_workspace(uow: UnitOfWork, *, name: str, slug: str, actor: Actor | None = None) -> Workspace:
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed("workspace name must be 1-200 characters")
    if not SLUG_RE.match(slug):
        raise ValidationFailed("workspace slug must be 2-63 lowercase letters, digits or dashes")
    if uow.session.execute(select(Workspace.id).where(Workspace.slug == slug)).first():
        raise Conflict(f"workspace slug {slug!r} is taken", code="slug_taken")
    ws = Workspace(id=new_id("w"), name=name, slug=slug, settings_json="{}")
    uow.session.add(ws)
    uow.session.flush()  # no ORM relationships: the parent row must exist before dependents are inserted
    uow.session.add(ConversationCounter(workspace_id=ws.id, value=0))
    uow.session.flush()
    uow.app.keyring.ensure_workspace_keys(ws.id)
    create_widget(uow, ws.id, name="Website chat", allowed_origins="")
    record(uow.session, actor or system_actor(ws.id), "workspace.created", workspace_id=ws.id,
           target_type="workspace", target_id=ws.id, request_id=uow.request_id)
    return ws


def create_widget(uow: UnitOfWork, workspace_id: str, *, name: str, allowed_origins: str) -> Widget:
    widget = Widget(
        id=new_id("wg"), workspace_id=workspace_id, name=name, public_key="pk_" + new_token(12),
        allowed_origins=allowed_origins, prechat_form=True, greeting="Hi! How can we help?",
    )
    uow.session.add(widget)
    return widget


def get_workspace_by_slug(uow: UnitOfWork, slug: str) -> Workspace:
    ws = uow.session.execute(select(Workspace).where(Workspace.slug == slug)).scalar_one_or_none()
    if ws is None:
        raise NotFound("workspace not found")
    return ws


def add_member(uow: UnitOfWork, actor: Actor, *, workspace_id: str, user: User, role: Role) -> Membership:
    actor.require(Perm.USERS_MANAGE)
    if role == Role.OWNER and actor.kind == "user" and actor.role != Role.OWNER:
        raise ValidationFailed("only an owner can make someone an owner", code="owner_only")
    existing = uow.session.execute(
        select(Membership).where(Membership.workspace_id == workspace_id, Membership.user_id == user.id)
    ).scalar_one_or_none()
    if existing:
        raise Conflict("that user is already a member of this workspace", code="already_member")
    member = Membership(id=new_id("m"), workspace_id=workspace_id, user_id=user.id, role=role.value)
    uow.session.add(member)
    record(uow.session, actor, "member.added", workspace_id=workspace_id, target_type="user",
           target_id=user.id, details={"role": role.value}, request_id=uow.request_id)
    return member


def workspace_settings(ws: Workspace) -> dict[str, Any]:
    loaded = json.loads(ws.settings_json or "{}")
    return loaded if isinstance(loaded, dict) else {}


def update_widget(uow: UnitOfWork, actor: Actor, widget_id: str, *, allowed_origins: str | None = None,
                  greeting: str | None = None, prechat_form: bool | None = None) -> Widget:
    actor.require(Perm.SETTINGS_MANAGE)
    widget = get_scoped(uow.session, Widget, widget_id, workspace_id=actor.workspace_id, what="widget")
    if allowed_origins is not None:
        origins = allowed_origins.split()
        for origin in origins:
            if origin != "*" and not ORIGIN_RE.match(origin):
                raise ValidationFailed(f"{origin!r} is not an origin like https://shop.example.com",
                                       code="invalid_origin")
        widget.allowed_origins = " ".join(origins)
    if greeting is not None:
        if len(greeting) > 300:
            raise ValidationFailed("greeting must be at most 300 characters")
        widget.greeting = greeting
    if prechat_form is not None:
        widget.prechat_form = prechat_form
    record(uow.session, actor, "widget.updated", target_type="widget", target_id=widget.id,
           request_id=uow.request_id)
    return widget


def list_widgets(uow: UnitOfWork, actor: Actor) -> list[Widget]:
    actor.require(Perm.SETTINGS_MANAGE)
    return list(uow.session.execute(scoped(Widget, workspace_id=actor.workspace_id)).scalars())
