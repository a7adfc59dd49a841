"""Account security for every signed-in user (two-factor, password, sessions) and the owner's two-factor
policy. Rules and permission checks live in ``security.*`` and ``web.account_service``; these handlers parse
the form, call one function and render."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import pyotp
from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hushdesk.kit.errors import Conflict, ValidationFailed
from hushdesk.security import sessions, twofactor
from hushdesk.tenancy.permissions import ROLE_DESCRIPTIONS, Perm, Role
from hushdesk.web import account_service as svc
from hushdesk.web import auth_flow
from hushdesk.web.access import requires, signed_in
from hushdesk.web.deps import app_context
from hushdesk.web.page import Page, PageContext

router = APIRouter()
T = TypeVar("T")
Short = Annotated[str, Form(max_length=1000)]
Code = Annotated[str, Form(max_length=64)]
BASE32 = re.compile(r"^[A-Z2-7]{16,64}$")
HOME = "/account/security"


def _client_ip(page: PageContext) -> str:
    return page.request.client.host if page.request.client else "unknown"


def _attempt(page: PageContext, action: Callable[[], T]) -> tuple[T | None, ValidationFailed | Conflict | None]:
    """Like ``PageContext.attempt`` but hands back the error itself: a failed re-authentication is recorded
    (outside the savepoint, so it counts towards the sign-in lockout)."""
    try:
        with page.uow.session.begin_nested():
            return action(), None
    except (ValidationFailed, Conflict) as exc:
        if exc.code in ("reauth_failed", "bad_password"):
            svc.record_failed_reauth(page.uow, page.actor, _client_ip(page))
        return None, exc


def grouped(secret: str) -> str:
    """The key in groups of four, as authenticator apps show it when typed in by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _security(
    page: PageContext,
    *,
    error: str | None = None,
    notice: str | None = None,
    enrolment: twofactor.Enrolment | None = None,
    status: int | None = None,
) -> HTMLResponse:
    view = svc.overview(page.uow, page.actor, page.session.session_id)
    context: dict[str, Any] = {
        "view": view,
        "error": error,
        "notice": notice,
        "enrolment": enrolment,
        "grouped": grouped,
        "nav": "account",
    }
    return page.render("account/security.html", context, status=status or (422 if error else 200))


@router.get(HOME, dependencies=[signed_in()])
def security(page: Page) -> HTMLResponse:
    return _security(page)


# -- two-factor -------------------------------------------------------------------------------------------
@router.post(HOME + "/2fa/start", dependencies=[signed_in()])
def start_two_factor(page: Page) -> HTMLResponse:
    enrolment, error = page.attempt(lambda: twofactor.begin_enrolment(page.uow, svc.own_user(page.uow, page.actor)))
    return _security(page, error=error, enrolment=enrolment)


@router.post(HOME + "/2fa/confirm", dependencies=[signed_in()])
def confirm_two_factor(page: Page, code: Code = "", secret: Annotated[str, Form(max_length=64)] = "") -> HTMLResponse:
    user = svc.own_user(page.uow, page.actor)
    codes, error = page.attempt(lambda: twofactor.confirm_enrolment(page.uow, page.actor, user, code))
    if codes:
        return page.render("account/recovery_codes.html", {"codes": codes, "first": True, "nav": "account"})
    # The key was shown by the previous response; the hidden field only brings it back on screen so the user
    # can retry. It is never trusted: the code is checked against the stored (wrapped) secret.
    shown = None
    if BASE32.match(secret):
        shown = twofactor.Enrolment(
            secret, pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=twofactor.ISSUER)
        )
    return _security(page, error=error, enrolment=shown)


@router.post(HOME + "/2fa/disable", dependencies=[signed_in()])
def disable_two_factor(page: Page, password: Short = "", code: Code = "") -> HTMLResponse:
    svc.check_reauth_allowed(page.uow, page.actor, _client_ip(page))
    _, error = _attempt(page, lambda: svc.disable_second_factor(page.uow, page.actor, password=password, code=code))
    return _security(
        page, error=error.message if error else None, notice=None if error else "Two-factor authentication is off."
    )


@router.post(HOME + "/2fa/recovery-codes", dependencies=[signed_in()])
def new_recovery_codes(page: Page, password: Short = "", code: Code = "") -> HTMLResponse:
    svc.check_reauth_allowed(page.uow, page.actor, _client_ip(page))
    codes, error = _attempt(
        page, lambda: svc.regenerate_recovery_codes(page.uow, page.actor, password=password, code=code)
    )
    if codes:
        return page.render("account/recovery_codes.html", {"codes": codes, "first": False, "nav": "account"})
    return _security(page, error=error.message if error else None)


# -- password -----------------------------------------------------------------------------------------------
@router.post(HOME + "/password", dependencies=[signed_in()])
def change_password(
    page: Page, current_password: Short = "", new_password: Short = "", repeat_password: Short = ""
) -> HTMLResponse:
    if new_password != repeat_password:
        return _security(page, error="The new password and its repetition do not match.")
    svc.check_reauth_allowed(page.uow, page.actor, _client_ip(page))
    ended, error = _attempt(
        page,
        lambda: sessions.change_password(
            page.uow,
            page.actor,
            current_session_id=page.session.session_id,
            old_password=current_password,
            new_password=new_password,
        ),
    )
    if error:
        return _security(page, error=error.message[:1].upper() + error.message[1:] + ".")
    return _security(page, notice=f"Password changed. {ended} other session(s) were signed out.")


# -- sessions -----------------------------------------------------------------------------------------------
@router.post(HOME + "/sessions/{session_id}/revoke", dependencies=[signed_in()], response_model=None)
def revoke_session(session_id: str, page: Page) -> Response:
    sessions.revoke_session(page.uow, page.actor, session_id)
    if session_id == page.session.session_id:  # revoking this very session is signing out
        response = RedirectResponse("/login", status_code=303)
        auth_flow.clear_session_cookie(response, app_context(page.request).settings)
        return response
    return _security(page, notice="The session was signed out.")


@router.post(HOME + "/sessions/others", dependencies=[signed_in()])
def revoke_other_sessions(page: Page) -> HTMLResponse:
    count = sessions.sign_out_everywhere(page.uow, page.actor, keep_session_id=page.session.session_id)
    return _security(page, notice=f"Signed out of {count} other session(s).")


# -- the owner's policy: which roles must use a second factor ----------------------------------------------
def _policy(page: PageContext, *, error: str | None = None, notice: str | None = None) -> HTMLResponse:
    required = svc.two_factor_policy(page.uow, page.actor)
    return page.render(
        "account/policy.html",
        {
            "roles": list(Role),
            "required": required,
            "role_descriptions": ROLE_DESCRIPTIONS,
            "error": error,
            "notice": notice,
            "nav": "security_policy",
        },
        status=422 if error else 200,
    )


@router.get("/admin/security", dependencies=[requires(Perm.SETTINGS_MANAGE, owner_only=True)])
def policy(page: Page) -> HTMLResponse:
    return _policy(page)


@router.post("/admin/security", dependencies=[requires(Perm.SETTINGS_MANAGE, owner_only=True)])
def save_policy(page: Page, roles: Annotated[list[str] | None, Form()] = None) -> HTMLResponse:
    chosen = (roles or [])[:10]
    revoked, error = page.attempt(lambda: svc.set_two_factor_policy(page.uow, page.actor, chosen))
    notice = None if error else f"Two-factor policy saved; {revoked or 0} session(s) without a second factor ended."
    return _policy(page, error=error, notice=notice)
