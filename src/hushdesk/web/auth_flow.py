"""Signing in from the browser: login CSRF (double-submit cookie), throttled login, session cookies.

Before sign-in there is no session to carry a CSRF token, so the login form uses a double-submit cookie:
``hd_csrf`` holds a random value and the form carries an HMAC of it under the app secret. A site that can toss
a cookie onto our domain still cannot compute the matching form value.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from hushdesk.accounts.service import (
    LoginResult,
    SecondFactorRequired,
    login,
    login_enrolled,
    login_second_factor,
    record_failed_login,
)
from hushdesk.config import Settings
from hushdesk.context import AppContext
from hushdesk.kit.errors import Unauthenticated
from hushdesk.kit.ids import new_token
from hushdesk.models import User
from hushdesk.web.deps import PRECSRF_COOKIE, SESSION_COOKIE

PENDING_COOKIE = "hd_2fa"
PENDING_SECONDS = 300


def precsrf_field(settings: Settings, cookie_value: str) -> str:
    mac = hmac.new(settings.secret_key.encode(), b"login-csrf:" + cookie_value.encode(), hashlib.sha256)
    return mac.hexdigest()


def new_precsrf_cookie() -> str:
    return new_token(24)


def precsrf_ok(settings: Settings, cookie_value: str | None, field_value: str | None) -> bool:
    if not cookie_value or not field_value:
        return False
    return hmac.compare_digest(precsrf_field(settings, cookie_value), field_value)


def set_precsrf_cookie(response: Response, settings: Settings, value: str) -> None:
    response.set_cookie(PRECSRF_COOKIE, value, max_age=3600 * 12, httponly=True, samesite="lax",
                        secure=settings.secure_cookies, path="/")


@dataclass(frozen=True)
class SignInAttempt:
    email: str
    password: str
    client_ip: str
    user_agent: str | None


def sign_in(ctx: AppContext, attempt: SignInAttempt, request_id: str | None) -> LoginResult:
    """Log in in one unit of work; a bad password is recorded in a second one, which commits even though the
    first rolled back, so throttling counts every failure. Raises Unauthenticated or RateLimited."""
    try:
        with ctx.unit_of_work(request_id) as uow:
            return login(uow, email=attempt.email, password=attempt.password, client_ip=attempt.client_ip,
                         user_agent=attempt.user_agent)
    except SecondFactorRequired:
        raise
    except Unauthenticated as exc:
        if exc.code == "bad_credentials":
            with ctx.unit_of_work(request_id) as uow:
                record_failed_login(uow, email=attempt.email, client_ip=attempt.client_ip)
        raise


# -- the second step: a signed, short-lived cookie says whose password was just checked ---------------------
@dataclass(frozen=True)
class Pending:
    user_id: str
    fingerprint: str
    enrol: bool


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="hushdesk-login-2fa")


def set_pending_cookie(response: Response, settings: Settings, pending: SecondFactorRequired) -> None:
    value = _serializer(settings).dumps([pending.user_id, pending.password_fingerprint, pending.enrol])
    response.set_cookie(PENDING_COOKIE, value, max_age=PENDING_SECONDS, httponly=True, samesite="strict",
                        secure=settings.secure_cookies, path="/login")


def read_pending(settings: Settings, value: str | None) -> Pending | None:
    if not value:
        return None
    try:
        user_id, fingerprint, enrol = _serializer(settings).loads(value, max_age=PENDING_SECONDS)
    except (BadSignature, ValueError, TypeError):
        return None
    return Pending(str(user_id), str(fingerprint), bool(enrol))


def second_step(ctx: AppContext, pending: Pending, code: str, attempt: SignInAttempt,
                request_id: str | None) -> tuple[LoginResult, list[str]]:
    """Finish sign-in with a code (or confirm a new factor); failures count towards the lockout."""
    try:
        with ctx.unit_of_work(request_id) as uow:
            if pending.enrol:
                return login_enrolled(uow, user_id=pending.user_id, fingerprint=pending.fingerprint, code=code,
                                      client_ip=attempt.client_ip, user_agent=attempt.user_agent)
            result = login_second_factor(uow, user_id=pending.user_id, fingerprint=pending.fingerprint,
                                         code=code, client_ip=attempt.client_ip, user_agent=attempt.user_agent)
            return result, []
    except Unauthenticated as exc:
        if exc.code == "bad_second_factor":
            with ctx.unit_of_work(request_id) as uow:
                user = uow.session.get(User, pending.user_id)
                if user is not None:
                    record_failed_login(uow, email=user.email, client_ip=attempt.client_ip)
        raise


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=settings.session_hours * 3600, httponly=True,
                        samesite="lax", secure=settings.secure_cookies, path="/")
    response.delete_cookie(PRECSRF_COOKIE, path="/")
    response.delete_cookie(PENDING_COOKIE, path="/login")


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=settings.secure_cookies)


def safe_next(target: str | None) -> str:
    """Only local paths: never an open redirect to another site."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target
