"""Invitations: the admin's list (invite by email with a role, pending links, revoke) and the public page
where the invitee chooses a password and lands signed in.

The public form has no session yet, so it carries the login form's double-submit CSRF value
(``web.auth_flow``). Accepting commits first; signing in then goes through the ordinary sign-in, so a role
that requires two-factor authentication enrols before a session exists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hushdesk.accounts.service import SecondFactorRequired, find_user_by_email, record_failed_login
from hushdesk.db import UnitOfWork
from hushdesk.kit.errors import Conflict, NotFound, RateLimited, Unauthenticated, ValidationFailed
from hushdesk.security import invitations
from hushdesk.tenancy.permissions import ROLE_DESCRIPTIONS, Perm, Role
from hushdesk.web import account_service as svc
from hushdesk.web import auth_flow
from hushdesk.web.access import public, requires
from hushdesk.web.deps import PRECSRF_COOKIE, app_context
from hushdesk.web.page import Page, PageContext, render
from hushdesk.web.pages_auth import second_factor_page  # the login step, reused

router = APIRouter()
Short = Annotated[str, Form(max_length=320)]
Secret = Annotated[str, Form(max_length=1000)]
Token = Annotated[str, Path(max_length=600)]


# -- admin: invite, list, revoke ---------------------------------------------------------------------------
def _list(
    page: PageContext, *, error: str | None = None, sent: svc.Sent | None = None, notice: str | None = None
) -> HTMLResponse:
    pending = svc.pending_invitations(page.uow, page.actor)
    roles = [r for r in Role if r != Role.OWNER or page.actor.role == Role.OWNER]
    return page.render(
        "invitations/list.html",
        {
            "pending": pending,
            "roles": roles,
            "role_descriptions": ROLE_DESCRIPTIONS,
            "error": error,
            "sent": sent,
            "notice": notice,
            "days": invitations.INVITE_DAYS,
            "nav": "invitations",
        },
        status=422 if error else 200,
    )


@router.get("/admin/invitations", dependencies=[requires(Perm.USERS_MANAGE)])
def invitation_list(page: Page) -> HTMLResponse:
    return _list(page)


@router.post("/admin/invitations", dependencies=[requires(Perm.USERS_MANAGE)])
def invite(page: Page, email: Short = "", role: Short = "agent") -> HTMLResponse:
    sent, error = page.attempt(lambda: svc.send_invitation(page.uow, page.actor, email=email, role=role))
    return _list(page, error=error, sent=sent)


@router.post("/admin/invitations/{invitation_id}/revoke", dependencies=[requires(Perm.USERS_MANAGE)])
def revoke(invitation_id: str, page: Page) -> HTMLResponse:
    invitations.revoke(page.uow, page.actor, invitation_id)
    return _list(page, notice="The invitation was revoked; its link no longer works.")


# -- public: accept -----------------------------------------------------------------------------------------
def _invalid(request: Request, exc: NotFound | Conflict) -> HTMLResponse:
    used = isinstance(exc, Conflict)
    return render(request, "invitations/invalid.html", {"used": used}, status=410 if used else 404)


def _accept_page(
    request: Request, token: str, *, error: str | None = None, status: int = 200, name: str = ""
) -> HTMLResponse:
    ctx = app_context(request)
    try:
        with ctx.read_only(getattr(request.state, "request_id", None)) as uow:
            inv = invitations.open_link(uow, token)
            workspace, existing = svc.invited_workspace(uow, inv)
            email, role = inv.email, inv.role
    except (NotFound, Conflict) as exc:
        return _invalid(request, exc)
    cookie = request.cookies.get(PRECSRF_COOKIE) or auth_flow.new_precsrf_cookie()
    response = render(
        request,
        "invitations/accept.html",
        {
            "token": token,
            "workspace": workspace,
            "email": email,
            "role": role.replace("_", " "),
            "existing": existing,
            "error": error,
            "name": name,
            "form_csrf": auth_flow.precsrf_field(ctx.settings, cookie),
        },
        status=status,
    )
    auth_flow.set_precsrf_cookie(response, ctx.settings, cookie)
    return response


@router.get("/invite/{token}", dependencies=[public("people accepting an invitation link")])
def accept_form(request: Request, token: Token) -> HTMLResponse:
    return _accept_page(request, token)


@router.post("/invite/{token}", dependencies=[public("people accepting an invitation link")], response_model=None)
def accept(
    request: Request,
    token: Token,
    name: Short = "",
    password: Secret = "",
    repeat_password: Secret = "",
    csrf_token: Short = "",
) -> Response:
    ctx = app_context(request)
    request_id = getattr(request.state, "request_id", None)
    client_ip = request.client.host if request.client else "unknown"
    if not auth_flow.precsrf_ok(ctx.settings, request.cookies.get(PRECSRF_COOKIE), csrf_token):
        return _accept_page(request, token, error="The form expired. Please try again.", status=403, name=name)
    with ctx.read_only(request_id) as uow:
        invited = _email(uow, token)
        existing = invited is not None and find_user_by_email(uow, invited) is not None
    if not existing and password != repeat_password:
        return _accept_page(request, token, error="The two passwords do not match.", status=422, name=name)
    try:
        with ctx.unit_of_work(request_id) as uow:
            email = svc.accept_invitation(uow, token, name=name, password=password, client_ip=client_ip)
    except (NotFound, Conflict) as exc:
        return _invalid(request, exc)
    except RateLimited:
        return _accept_page(
            request, token, status=429, name=name, error="Too many failed attempts. Try again in a few minutes."
        )
    except ValidationFailed as exc:
        if exc.code == "bad_password" and invited:  # a wrong password of an existing account counts
            with ctx.unit_of_work(request_id) as uow:
                record_failed_login(uow, email=invited, client_ip=client_ip)
        return _accept_page(
            request, token, error=exc.message[:1].upper() + exc.message[1:] + ".", status=422, name=name
        )
    attempt = auth_flow.SignInAttempt(
        email=email, password=password, client_ip=client_ip, user_agent=request.headers.get("user-agent")
    )
    try:
        result = auth_flow.sign_in(ctx, attempt, request_id)
    except SecondFactorRequired as pending:
        return second_factor_page(request, pending, next_url="/")
    except (Unauthenticated, RateLimited):  # joined; signing in is left to the sign-in page
        return RedirectResponse("/login", status_code=303)
    response = RedirectResponse("/", status_code=303)
    auth_flow.set_session_cookie(response, ctx.settings, result.session_token)
    return response


def _email(uow: UnitOfWork, token: str) -> str | None:
    try:
        return invitations.open_link(uow, token).email
    except (NotFound, Conflict):
        return None
