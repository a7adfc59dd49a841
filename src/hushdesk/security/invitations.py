"""Invitations by signed, expiring link.

The link carries ``[invitation id, nonce]`` signed with the app secret (itsdangerous, max age = the
invitation's lifetime); the database stores only the nonce's hash. A link works once, until it expires or is
revoked, and only for the role it was issued for. Only an owner can invite an owner."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from hushdesk.accounts.passwords import verify_password
from hushdesk.accounts.service import EMAIL_RE, create_user, find_user_by_email
from hushdesk.audit.service import record
from hushdesk.db import UnitOfWork
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hushdesk.kit.ids import new_id, new_token
from hushdesk.kit.repository import get_scoped
from hushdesk.models import Membership
from hushdesk.models.security import Invitation
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm, Role

INVITE_DAYS = 7
SALT = "hushdesk-invitation"


@dataclass(frozen=True)
class Issued:
    invitation: Invitation
    link: str  # shown once to the inviter (and sent by mail when mail is configured)


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _serializer(uow: UnitOfWork) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(uow.app.settings.secret_key, salt=SALT)


def invite(uow: UnitOfWork, actor: Actor, *, email: str, role: Role) -> Issued:
    actor.require(Perm.USERS_MANAGE)
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise Forbidden("only an owner can invite an owner", code="owner_only")
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise ValidationFailed("a valid email address is required")
    nonce = new_token(24)
    inv = Invitation(id=new_id("inv"), workspace_id=actor.workspace_id, email=email, role=role.value,
                     nonce_hash=_hash(nonce), invited_by=actor.user_id,
                     expires_at=utcnow() + timedelta(days=INVITE_DAYS))
    uow.session.add(inv)
    uow.session.flush()
    record(uow.session, actor, "member.invited", target_type="invitation", target_id=inv.id,
           details={"role": role.value}, request_id=uow.request_id)
    token = _serializer(uow).dumps([inv.id, nonce])
    return Issued(inv, f"{uow.app.settings.base_url.rstrip('/')}/invite/{token}")


def open_link(uow: UnitOfWork, token: str) -> Invitation:
    """The invitation a link names, if the link is authentic, unused, unrevoked and unexpired."""
    try:
        inv_id, nonce = _serializer(uow).loads(token, max_age=INVITE_DAYS * 86400)
    except (BadSignature, ValueError, TypeError) as exc:
        raise NotFound("this invitation link is not valid", code="invitation_invalid") from exc
    inv = uow.session.execute(select(Invitation).where(Invitation.id == str(inv_id))).scalar_one_or_none()
    if inv is None or not hmac.compare_digest(inv.nonce_hash, _hash(str(nonce))):
        raise NotFound("this invitation link is not valid", code="invitation_invalid")
    if inv.accepted_at is not None or inv.revoked_at is not None or inv.expires_at <= utcnow():
        raise Conflict("this invitation was already used, revoked or has expired", code="invitation_used")
    return inv


def accept(uow: UnitOfWork, token: str, *, name: str, password: str) -> str:
    """Join the workspace: a new account (password rules apply) or, for an existing account, its password.
    Returns the user id."""
    inv = open_link(uow, token)
    user = find_user_by_email(uow, inv.email)
    if user is None:
        user = create_user(uow, email=inv.email, name=name, password=password)
    elif not verify_password(user.password_hash, password, fast=uow.app.settings.password_hash_fast):
        raise ValidationFailed("enter the password of your existing account", code="bad_password")
    member = uow.session.execute(select(Membership).where(Membership.workspace_id == inv.workspace_id,
                                                          Membership.user_id == user.id)).scalar_one_or_none()
    if member is None:
        uow.session.add(Membership(id=new_id("m"), workspace_id=inv.workspace_id, user_id=user.id, role=inv.role))
    inv.accepted_at = utcnow()
    joined = Actor(workspace_id=inv.workspace_id, kind="user", id=user.id, name=user.name, role=Role(inv.role))
    record(uow.session, joined, "member.joined", target_type="invitation", target_id=inv.id,
           details={"role": inv.role}, request_id=uow.request_id)
    return user.id


def revoke(uow: UnitOfWork, actor: Actor, invitation_id: str) -> None:
    actor.require(Perm.USERS_MANAGE)
    inv = get_scoped(uow.session, Invitation, invitation_id, workspace_id=actor.workspace_id, what="invitation")
    if inv.revoked_at is None and inv.accepted_at is None:
        inv.revoked_at = utcnow()
        record(uow.session, actor, "member.invitation_revoked", target_type="invitation", target_id=inv.id,
               request_id=uow.request_id)
