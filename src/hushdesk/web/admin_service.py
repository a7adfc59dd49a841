"""Admin rules the settings pages need that no domain service covered yet: adding a member in one step,
and the web-chat widget's settings (allowed origins become a CSP header, so they are validated strictly)."""

from __future__ import annotations

from dataclasses import dataclass

from hushdesk.accounts.service import change_role, create_user, find_user_by_email, list_members
from hushdesk.audit.service import record
from hushdesk.db import UnitOfWork
from hushdesk.inbox.canned import list_canned
from hushdesk.kit.errors import NotFound, ValidationFailed
from hushdesk.kit.repository import scoped
from hushdesk.models import CannedReply, Membership, User, Widget, Workspace
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm, Role
from hushdesk.tenancy.service import add_member
from hushdesk.web.origins import ORIGIN_RE

MAX_ORIGINS = 50


def members(uow: UnitOfWork, actor: Actor) -> list[tuple[User, Role]]:
    actor.require(Perm.USERS_MANAGE)
    return list_members(uow, actor)


def invite_member(uow: UnitOfWork, actor: Actor, *, email: str, name: str, role: Role, password: str) -> User:
    """Add someone to the workspace: an existing account joins as is (its password is left alone), a new
    one is created with the given initial password."""
    actor.require(Perm.USERS_MANAGE)
    user = find_user_by_email(uow, email)
    if user is None:
        user = create_user(uow, email=email, name=name, password=password, actor=actor)
    add_member(uow, actor, workspace_id=actor.workspace_id, user=user, role=role)
    return user


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        raise ValidationFailed(f"role must be one of {', '.join(r.value for r in Role)}") from exc


def set_role(uow: UnitOfWork, actor: Actor, *, user_id: str, role: str) -> None:
    actor.require(Perm.USERS_MANAGE)
    member = uow.session.execute(
        scoped(Membership, workspace_id=actor.workspace_id).where(Membership.user_id == user_id)
    ).scalar_one_or_none()
    if member is None:  # someone outside this workspace is 404, whatever the requested role
        raise NotFound("user not found")
    change_role(uow, actor, user_id=user_id, role=parse_role(role))


def canned_replies(uow: UnitOfWork, actor: Actor) -> list[CannedReply]:
    """The management list (the composer's picker uses ``canned.list_canned``, open to every agent)."""
    actor.require(Perm.CANNED_MANAGE)
    return list_canned(uow, actor)


@dataclass(frozen=True)
class WidgetSettings:
    widget: Widget
    workspace: Workspace


def widget_settings(uow: UnitOfWork, actor: Actor) -> WidgetSettings:
    actor.require(Perm.SETTINGS_MANAGE)
    widget = uow.session.execute(
        scoped(Widget, workspace_id=actor.workspace_id).order_by(Widget.created_at).limit(1)
    ).scalar_one_or_none()
    workspace = uow.session.get(Workspace, actor.workspace_id)
    if widget is None or workspace is None:
        raise NotFound("this workspace has no chat widget")
    return WidgetSettings(widget, workspace)


def parse_origins(raw: str) -> list[str]:
    origins: list[str] = []
    for item in raw.replace(",", " ").split():
        value = item.strip().rstrip("/")
        if value != "*" and not ORIGIN_RE.match(value):
            raise ValidationFailed(f"{value[:80]!r} is not an origin like https://shop.example.com",
                                   code="invalid_origin")
        if value not in origins:
            origins.append(value)
    if len(origins) > MAX_ORIGINS:
        raise ValidationFailed(f"at most {MAX_ORIGINS} allowed origins", code="invalid_origin")
    return origins


def _policy_url(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if len(value) > 500 or not (value.startswith(("https://", "http://")) or
                                (value.startswith("/") and not value.startswith("//"))):
        raise ValidationFailed("privacy policy URL must start with https:// (or be a path on this site)")
    return value


def update_widget_settings(uow: UnitOfWork, actor: Actor, *, allowed_origins: str, greeting: str,
                           prechat_form: bool, privacy_policy_url: str, privacy_contact: str) -> WidgetSettings:
    current = widget_settings(uow, actor)
    origins = parse_origins(allowed_origins)
    greeting = greeting.strip()
    if len(greeting) > 300:
        raise ValidationFailed("greeting must be at most 300 characters")
    if len(privacy_contact.strip()) > 300:
        raise ValidationFailed("privacy contact must be at most 300 characters")
    widget, workspace = current.widget, current.workspace
    widget.allowed_origins = " ".join(origins)
    widget.greeting = greeting
    widget.prechat_form = prechat_form
    workspace.privacy_policy_url = _policy_url(privacy_policy_url)
    workspace.privacy_contact = privacy_contact.strip() or None
    record(uow.session, actor, "widget.updated", target_type="widget", target_id=widget.id,
           details={"origins": len(origins), "prechat_form": prechat_form}, request_id=uow.request_id)
    return current
