"""TOTP second factor (RFC 6238, 30-second steps, 6 digits) and one-time recovery codes.

- The TOTP secret is wrapped by the master key provider (AAD binds it to the user) and never shown again after
  enrolment. A code is accepted for the current step +-1, and each step at most once (no replay).
- Recovery codes: ten per user, shown once, stored as HMAC-SHA256 under the app secret; each works once.
- Enforcement: the workspace owner lists the roles that must use a second factor (``require_2fa_roles`` in the
  workspace settings); a member of such a role cannot open a session without one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

import pyotp
from markupsafe import Markup
from sqlalchemy import delete, select

from hushdesk.audit.service import record
from hushdesk.db import UnitOfWork
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import Conflict, ValidationFailed
from hushdesk.kit.ids import new_id
from hushdesk.models import Membership, User, UserSession, Workspace
from hushdesk.models.security import RecoveryCode, TotpCredential
from hushdesk.security.qr import qr_svg
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm, Role

STEP_SECONDS = 30
RECOVERY_CODES = 10
ISSUER = "hushdesk"


@dataclass(frozen=True)
class Enrolment:
    secret: str  # base32, shown once so the user can type it into an authenticator app
    uri: str  # otpauth:// URI (authenticator apps import it)

    @property
    def qr_svg(self) -> Markup:
        """The URI as a QR code for the phone's camera (inline SVG drawn on the server)."""
        return qr_svg(self.uri)


def _aad(user_id: str) -> bytes:
    return f"totp|{user_id}".encode()


def _code_hash(uow: UnitOfWork, user_id: str, code: str) -> str:
    normal = code.strip().lower().replace("-", "").replace(" ", "")
    key = uow.app.settings.secret_key.encode()
    return hmac.new(key, f"recovery:{user_id}:{normal}".encode(), hashlib.sha256).hexdigest()


def _credential(uow: UnitOfWork, user_id: str) -> TotpCredential | None:
    return uow.session.execute(
        select(TotpCredential).where(TotpCredential.user_id == user_id)
    ).scalar_one_or_none()


def has_second_factor(uow: UnitOfWork, user_id: str) -> bool:
    cred = _credential(uow, user_id)
    return cred is not None and cred.confirmed_at is not None


def begin_enrolment(uow: UnitOfWork, user: User) -> Enrolment:
    """Create (or replace an unconfirmed) secret. A confirmed factor must be removed before re-enrolling."""
    cred = _credential(uow, user.id)
    if cred is not None and cred.confirmed_at is not None:
        raise Conflict("two-factor authentication is already on; turn it off first", code="2fa_already_on")
    secret = pyotp.random_base32()
    wrapped = uow.app.keyring.provider.wrap(secret.encode(), _aad(user.id))
    if cred is None:
        uow.session.add(TotpCredential(id=new_id("tf"), user_id=user.id, secret_ct=wrapped))
    else:
        cred.secret_ct = wrapped
        cred.last_step = None
    uow.session.flush()
    return Enrolment(secret, pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER))


def _secret(uow: UnitOfWork, cred: TotpCredential) -> str:
    return uow.app.keyring.provider.unwrap(cred.secret_ct, _aad(cred.user_id)).decode()


def _matching_step(secret: str, code: str, last_step: int | None) -> int | None:
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(utcnow().timestamp()) // STEP_SECONDS
    for step in (now_step, now_step - 1, now_step + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes(uow: UnitOfWork, user_id: str) -> list[str]:
    """Replace the user's recovery codes; the plain codes are returned once and never stored."""
    uow.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(7)).decode().lower().rstrip("=")[:10]
        code = f"{raw[:5]}-{raw[5:]}"
        codes.append(code)
        uow.session.add(RecoveryCode(id=new_id("rc"), user_id=user_id, code_hash=_code_hash(uow, user_id, code)))
    return codes


def confirm_enrolment(uow: UnitOfWork, actor: Actor, user: User, code: str) -> list[str]:
    """Turn the factor on with a first valid code; returns the recovery codes (shown once)."""
    cred = _credential(uow, user.id)
    if cred is None or cred.confirmed_at is not None:
        raise ValidationFailed("start the two-factor setup first", code="2fa_not_started")
    step = _matching_step(_secret(uow, cred), code, None)
    if step is None:
        raise ValidationFailed("that code is not valid; check the time on your device", code="bad_code")
    cred.confirmed_at = utcnow()
    cred.last_step = step
    codes = new_recovery_codes(uow, user.id)
    record(uow.session, actor, "user.2fa_enabled", target_type="user", target_id=user.id,
           request_id=uow.request_id)
    return codes


def verify_second_factor(uow: UnitOfWork, user_id: str, code: str) -> str | None:
    """Check a TOTP code or an unused recovery code; returns "totp" / "recovery" or None. Consumes what it uses."""
    cred = _credential(uow, user_id)
    if cred is None or cred.confirmed_at is None:
        return None
    step = _matching_step(_secret(uow, cred), code, cred.last_step)
    if step is not None:
        cred.last_step = step
        return "totp"
    if len(code.strip()) > 40:
        return None
    found = uow.session.execute(
        select(RecoveryCode).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None),
                                   RecoveryCode.code_hash == _code_hash(uow, user_id, code))
        .with_for_update()
    ).scalar_one_or_none()
    if found is None:
        return None
    found.used_at = utcnow()
    return "recovery"


def remaining_recovery_codes(uow: UnitOfWork, user_id: str) -> int:
    rows = uow.session.execute(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    ).all()
    return len(rows)


def disable(uow: UnitOfWork, actor: Actor, user_id: str) -> None:
    """Turn the factor off (the user themself, after re-authentication at the edge)."""
    uow.session.execute(delete(TotpCredential).where(TotpCredential.user_id == user_id))
    uow.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    record(uow.session, actor, "user.2fa_disabled", target_type="user", target_id=user_id,
           request_id=uow.request_id)


# -- enforcement per role ---------------------------------------------------------------------------------
def _settings(ws: Workspace) -> dict[str, object]:
    loaded = json.loads(ws.settings_json or "{}")
    return loaded if isinstance(loaded, dict) else {}


def required_roles(ws: Workspace) -> frozenset[Role]:
    raw = _settings(ws).get("require_2fa_roles", [])
    values = raw if isinstance(raw, list) else []
    return frozenset(Role(v) for v in values if v in Role.__members__.values())


def requires_second_factor(uow: UnitOfWork, workspace_id: str, role: Role) -> bool:
    ws = uow.session.get(Workspace, workspace_id)
    return ws is not None and role in required_roles(ws)


def end_sessions_without_second_factor(uow: UnitOfWork, workspace_id: str, user_ids: list[str]) -> int:
    """Those of ``user_ids`` without a confirmed second factor lose their open sessions in the workspace, so
    their next sign-in asks them to enrol. Returns how many sessions ended."""
    enrolled = set(uow.session.execute(
        select(TotpCredential.user_id).where(TotpCredential.user_id.in_(user_ids),
                                             TotpCredential.confirmed_at.is_not(None))
    ).scalars())
    revoked = 0
    now = utcnow()
    for sess in uow.session.execute(
        select(UserSession).where(UserSession.workspace_id == workspace_id, UserSession.revoked_at.is_(None),
                                  UserSession.user_id.in_([u for u in user_ids if u not in enrolled]))
    ).scalars():
        sess.revoked_at = now
        revoked += 1
    return revoked


def set_required_roles(uow: UnitOfWork, actor: Actor, roles: set[Role]) -> int:
    """Owner only. Members of those roles without a second factor lose their open sessions (they enrol at the
    next sign-in). Returns how many sessions were revoked."""
    actor.require(Perm.SETTINGS_MANAGE)
    if actor.role != Role.OWNER:
        raise ValidationFailed("only the workspace owner can change the two-factor policy", code="owner_only")
    ws = uow.session.get(Workspace, actor.workspace_id)
    if ws is None:
        raise ValidationFailed("workspace not found")
    settings = _settings(ws)
    settings["require_2fa_roles"] = sorted(r.value for r in roles)
    ws.settings_json = json.dumps(settings, sort_keys=True)
    members = uow.session.execute(
        select(Membership.user_id).where(Membership.workspace_id == ws.id,
                                         Membership.role.in_([r.value for r in roles]))
    ).scalars().all()
    revoked = end_sessions_without_second_factor(uow, ws.id, list(members))
    record(uow.session, actor, "security.2fa_policy_changed", target_type="workspace", target_id=ws.id,
           details={"roles": settings["require_2fa_roles"], "sessions_revoked": revoked},
           request_id=uow.request_id)
    return revoked
