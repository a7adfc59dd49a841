"""Admin pages (owner/admin): members and roles, API tokens, the chat widget, canned replies.

Permissions are enforced by the services; other roles get the 403 page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hushdesk.accounts import service as accounts
from hushdesk.inbox import canned as canned_svc
from hushdesk.tenancy.permissions import ALL_SCOPES, ROLE_DESCRIPTIONS, Perm, Role
from hushdesk.web import admin_service
from hushdesk.web.access import requires, signed_in
from hushdesk.web.page import Page, PageContext

router = APIRouter(prefix="/admin")

Short = Annotated[str, Form(max_length=320)]
Long = Annotated[str, Form(max_length=10_000)]


@router.get("", dependencies=[signed_in()], response_model=None)
def admin_home(page: Page) -> Response:
    return RedirectResponse("/admin/users", status_code=303)


# -- members --------------------------------------------------------------------------------------------
def _users(page: PageContext, *, error: str | None = None, notice: str | None = None) -> HTMLResponse:
    members = admin_service.members(page.uow, page.actor)
    return page.render("admin_users.html", {
        "members": members, "roles": list(Role), "role_descriptions": ROLE_DESCRIPTIONS, "error": error,
        "notice": notice, "nav": "users",
    }, status=422 if error else 200)


@router.get("/users", dependencies=[requires(Perm.USERS_MANAGE)])
def users(page: Page) -> HTMLResponse:
    return _users(page)


@router.post("/users", dependencies=[requires(Perm.USERS_MANAGE)])
def invite(page: Page, email: Short = "", name: Short = "", role: Short = "agent",
           password: Short = "") -> HTMLResponse:
    def act() -> str:
        user = admin_service.invite_member(page.uow, page.actor, email=email, name=name,
                                           role=admin_service.parse_role(role), password=password)
        return user.email

    added, error = page.attempt(act)
    return _users(page, error=error, notice=f"{added} was added." if added else None)


@router.post("/users/{user_id}/role", dependencies=[requires(Perm.USERS_MANAGE)])
def change_role(user_id: str, page: Page, role: Short = "") -> HTMLResponse:
    _, error = page.attempt(lambda: admin_service.set_role(page.uow, page.actor, user_id=user_id, role=role))
    return _users(page, error=error, notice=None if error else "Role changed.")


# -- API tokens -----------------------------------------------------------------------------------------
def _tokens(page: PageContext, *, error: str | None = None, secret: str | None = None) -> HTMLResponse:
    tokens = accounts.list_api_tokens(page.uow, page.actor)
    return page.render("admin_tokens.html", {"tokens": tokens, "scopes": ALL_SCOPES, "error": error,
                                             "secret": secret, "nav": "tokens"},
                       status=422 if error else 200)


@router.get("/tokens", dependencies=[requires(Perm.TOKENS_MANAGE)])
def tokens(page: Page) -> HTMLResponse:
    return _tokens(page)


@router.post("/tokens", dependencies=[requires(Perm.TOKENS_MANAGE)])
def create_token(page: Page, name: Short = "",
                 scopes: Annotated[list[str] | None, Form()] = None) -> HTMLResponse:
    chosen = (scopes or [])[:20]
    created, error = page.attempt(lambda: accounts.create_api_token(page.uow, page.actor, name=name,
                                                                    scopes=chosen))
    return _tokens(page, error=error, secret=created[1] if created else None)


@router.post("/tokens/{token_id}/revoke", dependencies=[requires(Perm.TOKENS_MANAGE)], response_model=None)
def revoke_token(token_id: str, page: Page) -> Response:
    accounts.revoke_api_token(page.uow, page.actor, token_id)
    return page.back("/admin/tokens")


# -- chat widget ----------------------------------------------------------------------------------------
def _widget(page: PageContext, *, error: str | None = None, notice: str | None = None) -> HTMLResponse:
    current = admin_service.widget_settings(page.uow, page.actor)
    base = page.uow.app.settings.base_url.rstrip("/")
    return page.render("admin_widget.html", {
        "widget": current.widget, "workspace": current.workspace, "base_url": base, "error": error,
        "notice": notice, "origins": current.widget.allowed_origins.split(), "nav": "widget",
    }, status=422 if error else 200)


@router.get("/widget", dependencies=[requires(Perm.SETTINGS_MANAGE)])
def widget(page: Page) -> HTMLResponse:
    return _widget(page)


@router.post("/widget", dependencies=[requires(Perm.SETTINGS_MANAGE)])
def save_widget(page: Page, allowed_origins: Long = "", greeting: Long = "", prechat_form: Short = "",
                privacy_policy_url: Long = "", privacy_contact: Short = "") -> HTMLResponse:
    _, error = page.attempt(lambda: admin_service.update_widget_settings(
        page.uow, page.actor, allowed_origins=allowed_origins, greeting=greeting,
        prechat_form=prechat_form == "on", privacy_policy_url=privacy_policy_url,
        privacy_contact=privacy_contact))
    return _widget(page, error=error, notice=None if error else "Widget settings saved.")


# -- canned replies -------------------------------------------------------------------------------------
def _canned(page: PageContext, *, error: str | None = None, notice: str | None = None) -> HTMLResponse:
    replies = admin_service.canned_replies(page.uow, page.actor)
    return page.render("admin_canned.html", {"replies": replies, "error": error, "notice": notice,
                                             "nav": "canned"}, status=422 if error else 200)


@router.get("/canned", dependencies=[requires(Perm.CANNED_MANAGE)])
def canned(page: Page) -> HTMLResponse:
    return _canned(page)


@router.post("/canned", dependencies=[requires(Perm.CANNED_MANAGE)])
def create_canned(page: Page, shortcut: Short = "", title: Short = "", body: Long = "") -> HTMLResponse:
    _, error = page.attempt(lambda: canned_svc.create_canned(page.uow, page.actor, shortcut=shortcut,
                                                             title=title, body=body))
    return _canned(page, error=error, notice=None if error else f"/{shortcut.strip().lower()} was created.")


@router.post("/canned/{reply_id}", dependencies=[requires(Perm.CANNED_MANAGE)])
def update_canned(reply_id: str, page: Page, title: Short = "", body: Long = "") -> HTMLResponse:
    _, error = page.attempt(lambda: canned_svc.update_canned(page.uow, page.actor, reply_id, title=title,
                                                             body=body))
    return _canned(page, error=error, notice=None if error else "Canned reply saved.")


@router.post("/canned/{reply_id}/delete", dependencies=[requires(Perm.CANNED_MANAGE)], response_model=None)
def delete_canned(reply_id: str, page: Page) -> Response:
    canned_svc.delete_canned(page.uow, page.actor, reply_id)
    return page.back("/admin/canned")
