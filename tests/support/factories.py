"""Test data builders: every test makes its own workspace, so tests never see each other's rows."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from hushdesk.accounts.service import create_api_token, create_user
from hushdesk.context import AppContext
from hushdesk.kit.ids import new_id
from hushdesk.models import Membership, Widget, Workspace
from hushdesk.tenancy.actor import Actor, system_actor
from hushdesk.tenancy.permissions import ALL_SCOPES, Role
from hushdesk.tenancy.service import create_workspace

PASSWORD = "correct-horse-battery"


@dataclass
class Member:
    user_id: str
    email: str
    name: str
    role: Role
    actor: Actor
    password: str = PASSWORD


@dataclass
class World:
    """One workspace with an owner, and helpers to add members and tokens."""

    ctx: AppContext
    workspace_id: str
    slug: str
    owner: Member
    widget_key: str

    def member(self, role: Role, name: str | None = None) -> Member:
        suffix = secrets.token_hex(4)
        email = f"{role.value}-{suffix}@{self.slug}.test"
        name = name or f"{role.value.title()} {suffix}"
        with self.ctx.unit_of_work() as uow:
            user = create_user(uow, email=email, name=name, password=PASSWORD)
            uow.session.add(Membership(id=new_id("m"), workspace_id=self.workspace_id, user_id=user.id,
                                       role=role.value))
            user_id = user.id
        actor = Actor(workspace_id=self.workspace_id, kind="user", id=user_id, name=name, role=role)
        return Member(user_id, email, name, role, actor)

    def token(self, scopes: tuple[str, ...] = ALL_SCOPES) -> str:
        with self.ctx.unit_of_work() as uow:
            _, secret = create_api_token(uow, system_actor(self.workspace_id), name="test", scopes=list(scopes))
        return secret


def make_world(ctx: AppContext, name: str = "Acme") -> World:
    slug = f"ws-{secrets.token_hex(5)}"
    with ctx.unit_of_work() as uow:
        ws: Workspace = create_workspace(uow, name=name, slug=slug)
        ws_id = ws.id
        widget = uow.session.query(Widget).filter(Widget.workspace_id == ws_id).one()
        widget.allowed_origins = "*"
        key = widget.public_key
    placeholder = Actor(workspace_id=ws_id, kind="system", id=None, name="setup")
    world = World(ctx, ws_id, slug, Member("", "", "", Role.OWNER, placeholder), key)
    world.owner = world.member(Role.OWNER, name="Olivia Owner")
    return world
