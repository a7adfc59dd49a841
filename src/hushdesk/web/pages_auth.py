"""Sign in and sign out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hushdesk.accounts.service import SecondFactorRequired, logout
from hushdesk.kit.errors import RateLimited, Unauthenticated
from hushdesk.models import User
from hushdesk.security import twofactor
from hushdesk.web import auth_flow
from hushdesk.web.access import public, signed_in
from hushdesk.web.deps import PRECSRF_COOKIE, SESSION_COOKIE, app_context
from hushdesk.web.page import Page, render

router = APIRouter()


def _login_page(request: Request, *, error: str | None = None, status: int = 200, email: str = "",
                next_url: str = "/", headers: dict[str, str] | None = None) -> HTMLResponse:
    settings = app_context(request).settings
    cookie = request.cookies.get(PRECSRF_COOKIE) or auth_flow.new_precsrf_cookie()
    response = render(request, "login.html", {
        "error": error, "email": email, "next": auth_flow.safe_next(next_url),
        "login_csrf": auth_flow.precsrf_field(settings, cookie),
    }, status=status, headers=headers)
    auth_flow.set_precsrf_cookie(response, settings, cookie)
    return response


@router.get("/login", dependencies=[public("signing in")])
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return _login_page(request, next_url=next)


@router.post("/login", dependencies=[public("signing in")], response_model=None)
def login_submit(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    ctx = app_context(request)
    if not auth_flow.precsrf_ok(ctx.settings, request.cookies.get(PRECSRF_COOKIE), csrf_token):
        return _login_page(request, error="The sign-in form expired. Please try again.", status=403,
                           email=email, next_url=next)
    attempt = auth_flow.SignInAttempt(email=email, password=password,
                                      client_ip=request.client.host if request.client else "unknown",
                                      user_agent=request.headers.get("user-agent"))
    try:
        result = auth_flow.sign_in(ctx, attempt, getattr(request.state, "request_id", None))
    except SecondFactorRequired as pending:
        return second_factor_page(request, pending, next_url=next)
    except RateLimited as exc:
        minutes = max(1, exc.retry_after // 60)
        return _login_page(request, status=429, email=email, next_url=next,
                           error=f"Too many failed sign-in attempts. Try again in about {minutes} minutes.",
                           headers={"Retry-After": str(exc.retry_after)})
    except Unauthenticated as exc:
        message = "Email or password is incorrect." if exc.code == "bad_credentials" else exc.message
        return _login_page(request, error=message, status=401, email=email, next_url=next)
    response = RedirectResponse(auth_flow.safe_next(next), status_code=303)
    auth_flow.set_session_cookie(response, ctx.settings, result.session_token)
    return response


def _code_page(request: Request, *, enrol: bool, next_url: str, error: str | None = None, status: int = 200,
               enrolment: twofactor.Enrolment | None = None,
               headers: dict[str, str] | None = None) -> HTMLResponse:
    settings = app_context(request).settings
    cookie = request.cookies.get(PRECSRF_COOKIE) or auth_flow.new_precsrf_cookie()
    response = render(request, "security/login_2fa.html", {
        "error": error, "enrol": enrol, "enrolment": enrolment, "next": auth_flow.safe_next(next_url),
        "login_csrf": auth_flow.precsrf_field(settings, cookie),
    }, status=status, headers=headers)
    auth_flow.set_precsrf_cookie(response, settings, cookie)
    return response


def second_factor_page(request: Request, pending: SecondFactorRequired, *, next_url: str) -> HTMLResponse:
    ctx = app_context(request)
    enrolment = None
    if pending.enrol:
        with ctx.unit_of_work(getattr(request.state, "request_id", None)) as uow:
            user = uow.session.get(User, pending.user_id)
            if user is not None:
                enrolment = twofactor.begin_enrolment(uow, user)
    response = _code_page(request, enrol=pending.enrol, next_url=next_url, enrolment=enrolment)
    auth_flow.set_pending_cookie(response, ctx.settings, pending)
    return response


@router.post("/login/2fa", dependencies=[public("signing in")], response_model=None)
def login_second_factor_submit(
    request: Request,
    code: Annotated[str, Form(max_length=64)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    ctx = app_context(request)
    pending = auth_flow.read_pending(ctx.settings, request.cookies.get(auth_flow.PENDING_COOKIE))
    if pending is None or not auth_flow.precsrf_ok(ctx.settings, request.cookies.get(PRECSRF_COOKIE), csrf_token):
        return _login_page(request, error="The sign-in expired. Please sign in again.", status=403, next_url=next)
    attempt = auth_flow.SignInAttempt(email="", password="",
                                      client_ip=request.client.host if request.client else "unknown",
                                      user_agent=request.headers.get("user-agent"))
    try:
        result, codes = auth_flow.second_step(ctx, pending, code, attempt, getattr(request.state, "request_id", None))
    except RateLimited as exc:
        minutes = max(1, exc.retry_after // 60)
        return _login_page(request, status=429, next_url=next,
                           error=f"Too many failed sign-in attempts. Try again in about {minutes} minutes.",
                           headers={"Retry-After": str(exc.retry_after)})
    except Unauthenticated as exc:
        if exc.code != "bad_second_factor":
            return _login_page(request, error=exc.message, status=401, next_url=next)
        return _code_page(request, enrol=pending.enrol, next_url=next, status=401,
                          error="That code is not valid. Check the time on your device, or use a recovery code.")
    response: Response
    if codes:
        response = render(request, "security/recovery_codes.html", {"codes": codes, "next": auth_flow.safe_next(next)})
    else:
        response = RedirectResponse(auth_flow.safe_next(next), status_code=303)
    auth_flow.set_session_cookie(response, ctx.settings, result.session_token)
    return response


@router.post("/logout", dependencies=[signed_in()])
def logout_submit(page: Page) -> Response:
    token = page.request.cookies.get(SESSION_COOKIE, "")
    logout(page.uow, token)
    response = RedirectResponse("/login", status_code=303)
    auth_flow.clear_session_cookie(response, app_context(page.request).settings)
    return response
