"""What every signed-in HTML page needs: the session (with CSRF from a form field or header), the unit of
work, and a ``render`` that adds the layout's context.

Plain HTML forms send the session's CSRF token as the form field ``csrf_token``; htmx requests send it as the
``X-CSRF-Token`` header (``hx-headers`` on ``<body>``). ``_form_csrf`` parses the form before the session
dependency checks the token, so both paths go through ``web.deps.session_info``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hushdesk.accounts.service import SessionInfo
from hushdesk.db import UnitOfWork
from hushdesk.kit.errors import Conflict, ValidationFailed
from hushdesk.models import Workspace
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm
from hushdesk.web.deps import Session, Unlocked, Uow, session_unlocked

T = TypeVar("T")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def _form_csrf(request: Request) -> None:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.headers.get("content-type", "").split(";")[0].strip() in FORM_TYPES:
        form = await request.form()
        value = form.get("csrf_token")
        if isinstance(value, str):
            request.state.form_csrf = value


FormCsrf = Annotated[None, Depends(_form_csrf)]


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def fmt_time(value: datetime | None) -> str:
    """Server-side fallback text; app.js rewrites <time> elements into the agent's local time."""
    return value.strftime("%d %b %H:%M") if value else ""


@dataclass
class PageContext:
    request: Request
    uow: UnitOfWork
    session: SessionInfo

    @property
    def actor(self) -> Actor:
        return self.session.actor

    def render(self, template: str, context: dict[str, Any] | None = None, *, status: int = 200,
               headers: dict[str, str] | None = None) -> HTMLResponse:
        ws = self.uow.session.get(Workspace, self.actor.workspace_id)
        return _render_page(self.request, self.actor, self.session.csrf_token, ws.name if ws else "", template,
                            context, status=status, headers=headers)

    def attempt(self, action: Callable[[], T]) -> tuple[T | None, str | None]:
        """Run a form's action in a savepoint: input errors come back as a message to show next to the form
        (and undo whatever the action wrote), everything else propagates as usual."""
        try:
            with self.uow.session.begin_nested():
                return action(), None
        except (ValidationFailed, Conflict) as exc:
            return None, exc.message

    def back(self, url: str) -> Response:
        """After a plain form post: redirect (POST/redirect/GET)."""
        return RedirectResponse(url, status_code=303)


def _render_page(request: Request, actor: Actor, csrf_token: str, workspace_name: str, template: str,
                 context: dict[str, Any] | None, *, status: int = 200,
                 headers: dict[str, str] | None = None) -> HTMLResponse:
    values: dict[str, Any] = {
        "actor": actor, "csrf_token": csrf_token, "Perm": Perm, "workspace_name": workspace_name,
        "fmt_time": fmt_time, "nav": "", "new_client_id": str(uuid.uuid4()),
    }
    values.update(context or {})
    return render(request, template, values, status=status, headers=headers)


def render(request: Request, template: str, context: dict[str, Any], *, status: int = 200,
           headers: dict[str, str] | None = None) -> HTMLResponse:
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(request, template, context, status_code=status,
                                                        headers=headers)
    response.headers.setdefault("cache-control", "no-store")
    return response


def page_context(request: Request, _csrf: FormCsrf, uow: Uow, session: Session) -> PageContext:
    return PageContext(request, uow, session)


Page = Annotated[PageContext, Depends(page_context)]


@dataclass
class UnlockedPage:
    """A signed-in page whose handler holds no transaction of its own (the AI provider path, ADR 0007): the
    session is resolved and committed before the handler runs; the service opens its own short units of work."""

    request: Request
    unlocked: Unlocked

    @property
    def actor(self) -> Actor:
        return self.unlocked.actor

    def render(self, template: str, context: dict[str, Any] | None = None, *,
               status: int = 200) -> HTMLResponse:
        with self.unlocked.ctx.read_only(self.unlocked.request_id) as uow:
            ws = uow.session.get(Workspace, self.actor.workspace_id)
            name = ws.name if ws else ""
        return _render_page(self.request, self.actor, self.unlocked.csrf_token, name, template, context,
                            status=status)


def unlocked_page(request: Request, _csrf: FormCsrf) -> UnlockedPage:
    return UnlockedPage(request, session_unlocked(request))


PageUnlocked = Annotated[UnlockedPage, Depends(unlocked_page)]
