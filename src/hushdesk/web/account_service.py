"""Rules the account-security and invitation pages need that the security services leave to the edge:
re-authentication (password or a current code) before turning two-factor off or replacing recovery codes, the
owner's two-factor policy, the pending-invitation list, and mailing an invitation link.

Every function checks the actor's permission itself; the pages only resolve who is asking."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from hushdesk.accounts.passwords import verify_password
from hushdesk.accounts.service import _check_throttle, _throttle_keys, record_failed_login  # = sign-in's throttle
from hushdesk.audit.service import record
from hushdesk.db import UnitOfWork
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from hushdesk.kit.repository import scoped
from hushdesk.mail.service import queue_email
from hushdesk.models import User, Workspace
from hushdesk.models.security import Invitation
from hushdesk.security import invitations, sessions, twofactor
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm, Role


@dataclass(frozen=True)
class SecurityOverview:
    user: User
    two_factor_on: bool
    recovery_left: int
    required: bool  # the actor's role must use a second factor in this workspace
    sessions: list[sessions.SessionView]


def own_user(uow: UnitOfWork, actor: Actor) -> User:
    """The signed-in user themself (API tokens and visitors have no account page)."""
    if actor.user_id is None:
        raise Unauthenticated("please sign in", code="no_session")
    user = uow.session.get(User, actor.user_id)
    if user is None:
        raise Unauthenticated("please sign in", code="no_session")
    return user


def overview(uow: UnitOfWork, actor: Actor, current_session_id: str) -> SecurityOverview:
    user = own_user(uow, actor)
    required = actor.role is not None and twofactor.requires_second_factor(uow, actor.workspace_id, actor.role)
    return SecurityOverview(
        user,
        twofactor.has_second_factor(uow, user.id),
        twofactor.remaining_recovery_codes(uow, user.id),
        required,
        sessions.list_sessions(uow, actor, current_session_id),
    )


# -- re-authentication ------------------------------------------------------------------------------------
def check_reauth_allowed(uow: UnitOfWork, actor: Actor, client_ip: str) -> None:
    """Re-entering a password or code on these forms counts like a sign-in attempt: a stolen session cannot
    be used to guess the password. Raises RateLimited while the account or address is locked out."""
    _check_throttle(uow, _throttle_keys(uow, own_user(uow, actor).email, client_ip))


def record_failed_reauth(uow: UnitOfWork, actor: Actor, client_ip: str) -> None:
    """Called outside the form's savepoint, so the failure is committed with the (422) response."""
    record_failed_login(uow, email=own_user(uow, actor).email, client_ip=client_ip)


def reauthenticate(uow: UnitOfWork, actor: Actor, *, password: str, code: str) -> None:
    """The caller proves it is still them: their password, or a current authenticator / unused recovery code
    (which is consumed). Raises ValidationFailed with code ``reauth_failed``."""
    user = own_user(uow, actor)
    if password and verify_password(user.password_hash, password, fast=uow.app.settings.password_hash_fast):
        return
    if code and twofactor.verify_second_factor(uow, user.id, code) is not None:
        return
    raise ValidationFailed("enter your current password, or a code from your authenticator app", code="reauth_failed")


def disable_second_factor(uow: UnitOfWork, actor: Actor, *, password: str, code: str) -> None:
    user = own_user(uow, actor)
    if actor.role is not None and twofactor.requires_second_factor(uow, actor.workspace_id, actor.role):
        raise ValidationFailed("your role in this workspace requires two-factor authentication", code="2fa_required")
    reauthenticate(uow, actor, password=password, code=code)
    twofactor.disable(uow, actor, user.id)


def regenerate_recovery_codes(uow: UnitOfWork, actor: Actor, *, password: str, code: str) -> list[str]:
    user = own_user(uow, actor)
    if not twofactor.has_second_factor(uow, user.id):
        raise ValidationFailed("turn two-factor authentication on first", code="2fa_off")
    reauthenticate(uow, actor, password=password, code=code)
    codes = twofactor.new_recovery_codes(uow, user.id)
    record(
        uow.session,
        actor,
        "user.recovery_codes_replaced",
        target_type="user",
        target_id=user.id,
        request_id=uow.request_id,
    )
    return codes


# -- the owner's two-factor policy --------------------------------------------------------------------------
def two_factor_policy(uow: UnitOfWork, actor: Actor) -> frozenset[Role]:
    actor.require(Perm.SETTINGS_MANAGE)
    if actor.role != Role.OWNER:
        raise Forbidden("only the workspace owner can change the two-factor policy", code="owner_only")
    ws = uow.session.get(Workspace, actor.workspace_id)
    if ws is None:
        raise NotFound("workspace not found")
    return twofactor.required_roles(ws)


def set_two_factor_policy(uow: UnitOfWork, actor: Actor, values: list[str]) -> int:
    """Returns how many sessions were ended. The owner cannot lock themself out: requiring their own role
    needs their own factor first."""
    two_factor_policy(uow, actor)
    roles: set[Role] = set()
    for value in values:
        try:
            roles.add(Role(value))
        except ValueError as exc:
            raise ValidationFailed(f"unknown role {value[:40]!r}", code="bad_role") from exc
    if actor.role in roles and not twofactor.has_second_factor(uow, own_user(uow, actor).id):
        raise ValidationFailed(
            "turn on two-factor authentication for your own account before requiring it for your role",
            code="owner_without_2fa",
        )
    return twofactor.set_required_roles(uow, actor, roles)


# -- invitations ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sent:
    invitation: Invitation
    link: str
    mailed: bool


def pending_invitations(uow: UnitOfWork, actor: Actor) -> list[Invitation]:
    actor.require(Perm.USERS_MANAGE)
    return list(
        uow.session.execute(
            scoped(Invitation, workspace_id=actor.workspace_id)
            .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())
            .order_by(Invitation.created_at.desc())
        ).scalars()
    )


def send_invitation(uow: UnitOfWork, actor: Actor, *, email: str, role: str) -> Sent:
    """Issue the link (shown to the inviter once) and, when SMTP is configured, mail it through the encrypted
    outbox. The outbox encrypts under a per-message key: the invitee is not a contact and has no key yet."""
    try:
        parsed = Role(role)
    except ValueError as exc:
        raise ValidationFailed(f"role must be one of {', '.join(r.value for r in Role)}") from exc
    issued = invitations.invite(uow, actor, email=email, role=parsed)
    if not uow.app.settings.smtp_host:
        return Sent(issued.invitation, issued.link, False)
    ws = uow.session.get(Workspace, actor.workspace_id)
    name = ws.name if ws else "a workspace"
    body = (
        f"{actor.name} invited you to join {name} on hushdesk as {parsed.value.replace('_', ' ')}.\n\n"
        f"Open this link to choose your password and sign in (it works once, for {invitations.INVITE_DAYS} "
        f"days):\n\n{issued.link}\n\nIf you did not expect this invitation, ignore this email.\n"
    )
    queue_email(
        uow,
        workspace_id=actor.workspace_id,
        cipher=uow.app.keyring.create_contact_key(actor.workspace_id),
        to=issued.invitation.email,
        subject=f"You are invited to {name} on hushdesk",
        body=body,
        purpose="support",
    )
    return Sent(issued.invitation, issued.link, True)


def invited_workspace(uow: UnitOfWork, invitation: Invitation) -> tuple[str, bool]:
    """(workspace name, whether the invited email already has an account) for the public accept page."""
    ws = uow.session.get(Workspace, invitation.workspace_id)
    exists = uow.session.execute(select(User.id).where(User.email == invitation.email)).first() is not None
    return (ws.name if ws else ""), exists


def accept_invitation(uow: UnitOfWork, token: str, *, name: str, password: str, client_ip: str) -> str:
    """Join through the link; returns the account's email (the page signs it in next). For an existing
    account the password check is throttled like a sign-in."""
    inv = invitations.open_link(uow, token)
    email = inv.email
    _check_throttle(uow, _throttle_keys(uow, email, client_ip))
    invitations.accept(uow, token, name=name, password=password)
    return email
