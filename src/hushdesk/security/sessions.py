"""A user's own sessions: list, revoke one, sign out everywhere; a password change ends every other session.

Revocation takes effect on the next request: ``resolve_session`` refuses a session with ``revoked_at`` set.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hushdesk.accounts.passwords import check_password_rules, hash_password, verify_password
from hushdesk.audit.service import record
from hushdesk.db import UnitOfWork
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import NotFound, Unauthenticated, ValidationFailed
from hushdesk.models import User, UserSession
from hushdesk.tenancy.actor import Actor


@dataclass(frozen=True)
class SessionView:
    id: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    user_agent: str
    current: bool
    network: str = ""


def network_of(client_ip: str | None) -> str | None:
    """The network a session was opened from, never the address itself: IPv4 /24, IPv6 /48. Enough to notice
    "that was not my office or my phone's network", too coarse to point at one household (data minimisation).
    None for anything that is not an IP address (a test client, a missing peer)."""
    try:
        address = ipaddress.ip_address((client_ip or "").strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _user_id(actor: Actor) -> str:
    if actor.user_id is None:
        raise Unauthenticated("sessions belong to signed-in users", code="no_session")
    return actor.user_id


def list_sessions(uow: UnitOfWork, actor: Actor, current_session_id: str | None) -> list[SessionView]:
    now = utcnow()
    rows = uow.session.execute(
        select(UserSession).where(UserSession.user_id == _user_id(actor), UserSession.revoked_at.is_(None),
                                  UserSession.expires_at > now)
        .order_by(UserSession.last_seen_at.desc())
    ).scalars()
    return [SessionView(s.id, s.created_at, s.last_seen_at, s.expires_at, s.user_agent or "unknown device",
                        s.id == current_session_id, s.client_network or "") for s in rows]


def revoke_session(uow: UnitOfWork, actor: Actor, session_id: str) -> None:
    """Revoke one of the caller's own sessions; anybody else's session id is 'not found'."""
    sess = uow.session.execute(
        select(UserSession).where(UserSession.id == session_id, UserSession.user_id == _user_id(actor))
    ).scalar_one_or_none()
    if sess is None:
        raise NotFound("session not found")
    if sess.revoked_at is None:
        sess.revoked_at = utcnow()
        record(uow.session, actor, "user.session_revoked", target_type="session", target_id=sess.id,
               request_id=uow.request_id)


def revoke_other_sessions(uow: UnitOfWork, user_id: str, keep_session_id: str | None) -> int:
    now = utcnow()
    count = 0
    for sess in uow.session.execute(
        select(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    ).scalars():
        if sess.id != keep_session_id:
            sess.revoked_at = now
            count += 1
    return count


def sign_out_everywhere(uow: UnitOfWork, actor: Actor, *, keep_session_id: str | None = None) -> int:
    """Revoke every session of the caller (all of them, or all but the current one)."""
    count = revoke_other_sessions(uow, _user_id(actor), keep_session_id)
    record(uow.session, actor, "user.signed_out_everywhere", target_type="user", target_id=actor.user_id,
           details={"sessions": count}, request_id=uow.request_id)
    return count


def change_password(uow: UnitOfWork, actor: Actor, *, current_session_id: str | None, old_password: str,
                    new_password: str) -> int:
    """Check the old password, apply the rules to the new one, and end every other session."""
    user = uow.session.get(User, _user_id(actor))
    if user is None:
        raise NotFound("user not found")
    fast = uow.app.settings.password_hash_fast
    if not verify_password(user.password_hash, old_password, fast=fast):
        raise ValidationFailed("the current password is not correct", code="bad_password")
    try:
        check_password_rules(new_password, personal=(user.email.split("@")[0],))
    except ValueError as exc:
        raise ValidationFailed(str(exc), code="weak_password") from exc
    user.password_hash = hash_password(new_password, fast=fast)
    ended = revoke_other_sessions(uow, user.id, current_session_id)
    record(uow.session, actor, "user.password_changed", target_type="user", target_id=user.id,
           details={"other_sessions_ended": ended}, request_id=uow.request_id)
    return ended
