"""HTML pages: the public privacy center of each workspace, and the privacy officer's queue.

Public pages need no account: a request is followed with its secret link, codes arrive by email, archives
download through single-purpose expiring links. Staff pages use the signed-in session (CSRF-checked forms).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hushdesk.dsr import export as export_svc
from hushdesk.dsr import officer, requester
from hushdesk.dsr import repository as repo
from hushdesk.dsr import tasks as _tasks  # noqa: F401  (registers the dsr.* and mail.* jobs)
from hushdesk.dsr.kinds import DENIAL_REASONS, EXTENSION_REASONS, KINDS
from hushdesk.dsr.routes import request_out
from hushdesk.dsr.service import MAX_PERMISSION_BYTES, AgentInput, SubmitInput
from hushdesk.kit.errors import DomainError, ValidationFailed
from hushdesk.privacy.facts import right_to_know
from hushdesk.privacy.purposes import CONSENT_PURPOSES, OBJECTABLE, PURPOSES
from hushdesk.tenancy.permissions import Perm
from hushdesk.tenancy.service import get_workspace_by_slug
from hushdesk.web.access import public, requires
from hushdesk.web.deps import Uow
from hushdesk.web.page import Page, PageContext, render

router = APIRouter(include_in_schema=False)
Short = Annotated[str, Form(max_length=320)]
Text = Annotated[str, Form(max_length=5000)]
Token = Annotated[str, Query(max_length=100)]


# -- public: the privacy center ------------------------------------------------------------------------------
def _center(request: Request, uow: Uow, slug: str, *, error: str | None = None, status: int = 200) -> HTMLResponse:
    ws = get_workspace_by_slug(uow, slug)
    return render(request, "privacy/center.html", {
        "workspace": ws, "kinds": list(KINDS.values()), "purposes": PURPOSES, "consent_purposes": CONSENT_PURPOSES,
        "objectable": OBJECTABLE, "facts": right_to_know(ws), "error": error,
    }, status=status)


@router.get("/privacy/{slug}/requests", dependencies=[public("data subjects (privacy center)")])
def center(slug: str, request: Request, uow: Uow) -> HTMLResponse:
    return _center(request, uow, slug)


@router.post("/privacy/{slug}/requests", dependencies=[public("data subjects (privacy center)")], response_model=None)
def submit(slug: str, request: Request, uow: Uow, kind: Short = "", email: Short = "", name: Short = "",
                 details: Text = "", purpose: Short = "", california: Short = "", fix_name: Short = "",
                 fix_email: Short = "", fix_phone: Short = "", agent_name: Short = "", agent_email: Short = "",
                 permission: Annotated[UploadFile | None, File()] = None) -> Response:
    corrections = {k: v for k, v in (("name", fix_name), ("email", fix_email), ("phone", fix_phone)) if v.strip()}
    agent = None
    if agent_name.strip() or agent_email.strip():
        document = permission.file.read(MAX_PERMISSION_BYTES + 1) if permission is not None else b""
        agent = AgentInput(agent_name, agent_email, document,
                           (permission.content_type if permission else None) or "application/octet-stream")
    data = SubmitInput(kind=kind, email=email, name=name or None, details=details or None, purpose=purpose or None,
                       california=california == "on", corrections=corrections or None, agent=agent)
    try:
        got = requester.submit_request(uow, slug, data)
    except (ValidationFailed, ValueError) as exc:
        return _center(request, uow, slug, error=getattr(exc, "message", str(exc)), status=422)
    return RedirectResponse(f"/privacy/{slug}/requests/{got.request.id}?t={got.token}", status_code=303)


def _status_page(request: Request, uow: Uow, slug: str, request_id: str, token: str, *, notice: str | None = None,
                 error: str | None = None, status: int = 200) -> HTMLResponse:
    st = requester.status(uow, slug, request_id, token)
    ws = get_workspace_by_slug(uow, slug)
    return render(request, "privacy/request.html", {"workspace": ws, "st": st, "token": token, "notice": notice,
                                                    "error": error}, status=status)


@router.get("/privacy/{slug}/requests/{request_id}", dependencies=[public("data subjects (privacy center)")])
def follow(slug: str, request_id: str, request: Request, uow: Uow, t: Token = "",
           done: Annotated[str, Query(max_length=20)] = "") -> HTMLResponse:
    notice = {"step_up": "Thank you. We sent a second code to confirm the erasure.",
              "verified": "Thank you, your request is confirmed.",
              "resent": "If a new code could be sent, it is on its way."}.get(done)
    return _status_page(request, uow, slug, request_id, t, notice=notice)


VERIFY_ERRORS = {
    "wrong": "That code is not right. Please check the email and try again.",
    "expired": "That code has expired. Ask for a new one below.",
    "too_many_attempts": "Too many wrong attempts with that code. Ask for a new one below.",
    "no_code": "There is no valid code; ask for a new one below.",
    "not_waiting": "This request does not need a code any more.",
    "factor_mismatch": "That does not match what we have on file. Ask for a new code and try again.",
}


@router.post("/privacy/{slug}/requests/{request_id}/verify",
             dependencies=[public("data subjects (privacy center)")], response_model=None)
def verify(slug: str, request_id: str, request: Request, uow: Uow, t: Short = "", code: Short = "",
           factor: Short = "") -> Response:
    got = requester.verify(uow, slug, request_id, t, code, factor or None)
    if not got.ok:
        message = VERIFY_ERRORS.get(got.reason or "", "The code could not be checked.")
        return _status_page(request, uow, slug, request_id, t, error=message, status=422)
    done = "step_up" if got.next_step == "step_up" else "verified"
    return RedirectResponse(f"/privacy/{slug}/requests/{request_id}?t={t}&done={done}", status_code=303)


@router.post("/privacy/{slug}/requests/{request_id}/resend", dependencies=[public("data subjects (privacy center)")])
def resend(slug: str, request_id: str, uow: Uow, t: Short = "") -> RedirectResponse:
    requester.resend_code(uow, slug, request_id, t)
    return RedirectResponse(f"/privacy/{slug}/requests/{request_id}?t={t}&done=resent", status_code=303)


@router.get("/privacy/{slug}/download/{token}", dependencies=[public("data subjects (privacy center)")])
def download(slug: str, token: str, uow: Uow) -> Response:
    filename, data = export_svc.download(uow, get_workspace_by_slug(uow, slug), token)
    return Response(data, media_type="application/zip", headers={
        "content-disposition": f'attachment; filename="{filename}"', "cache-control": "no-store"})


# -- staff: the privacy officer's queue --------------------------------------------------------------------------
VIEWS = (("due_soon", "Due within 7 days"), ("overdue", "Overdue"), ("waiting", "Waiting"), ("open", "All open"),
         ("closed", "Closed"))


@router.get("/dsr", dependencies=[requires(Perm.DSR_READ)])
def queue(page: Page, view: Annotated[str, Query(max_length=20)] = "open") -> HTMLResponse:
    view = view if view in dict(VIEWS) else "open"
    found = officer.list_queue(page.uow, page.actor, repo.QueueFilter(view=view), limit=200)
    return page.render("dsr/queue.html", {"items": [request_out(r) for r in found], "views": VIEWS, "view": view,
                                          "kinds": KINDS, "nav": "dsr"})


def _detail(page: PageContext, request_id: str, *, error: str | None = None, notice: str | None = None,
            status: int = 200) -> HTMLResponse:
    d = officer.reveal_request(page.uow, page.actor, request_id)
    return page.render("dsr/detail.html", {
        "d": d, "r": request_out(d.request), "kinds": KINDS, "denial_reasons": DENIAL_REASONS,
        "extension_reasons": EXTENSION_REASONS, "error": error, "notice": notice, "nav": "dsr",
    }, status=status)


@router.get("/dsr/{request_id}", dependencies=[requires(Perm.DSR_MANAGE)])
def detail(request_id: str, page: Page) -> HTMLResponse:
    return _detail(page, request_id)


@router.post("/dsr/{request_id}/approve", dependencies=[requires(Perm.DSR_MANAGE)])
def approve(request_id: str, page: Page) -> HTMLResponse:
    _, error = page.attempt(lambda: officer.approve(page.uow, page.actor, request_id))
    return _detail(page, request_id, error=error, notice=None if error else "Approved.",
                   status=409 if error else 200)


@router.post("/dsr/{request_id}/deny", dependencies=[requires(Perm.DSR_MANAGE)])
def deny(request_id: str, page: Page, reason: Short = "", note: Text = "") -> HTMLResponse:
    _, error = page.attempt(lambda: officer.deny_request(page.uow, page.actor, request_id, reason, note or None))
    return _detail(page, request_id, error=error, notice=None if error else "Denied; the requester was told why.",
                   status=422 if error else 200)


@router.post("/dsr/{request_id}/extend", dependencies=[requires(Perm.DSR_MANAGE)])
def extend(request_id: str, page: Page, reason: Short = "") -> HTMLResponse:
    _, error = page.attempt(lambda: officer.extend(page.uow, page.actor, request_id, reason))
    return _detail(page, request_id, error=error, notice=None if error else "Extended; the requester was told.",
                   status=422 if error else 200)


@router.post("/dsr/{request_id}/pause", dependencies=[requires(Perm.DSR_MANAGE)])
def pause(request_id: str, page: Page) -> HTMLResponse:
    _, error = page.attempt(lambda: officer.pause(page.uow, page.actor, request_id))
    return _detail(page, request_id, error=error, notice=None if error else "Clock paused.")


@router.post("/dsr/{request_id}/resume", dependencies=[requires(Perm.DSR_MANAGE)])
def resume(request_id: str, page: Page) -> HTMLResponse:
    _, error = page.attempt(lambda: officer.resume(page.uow, page.actor, request_id))
    return _detail(page, request_id, error=error, notice=None if error else "Clock running again.")


@router.get("/dsr/{request_id}/permission", dependencies=[requires(Perm.DSR_MANAGE)])
def permission(request_id: str, page: Page) -> Response:
    content_type, data = officer.permission_document(page.uow, page.actor, request_id)
    return Response(data, media_type=content_type, headers={
        "content-disposition": f'attachment; filename="permission-{request_id}"', "cache-control": "no-store"})


@router.get("/dsr-new", dependencies=[requires(Perm.DSR_SUBMIT)])
def new_for_contact(page: Page, contact_id: Annotated[str, Query(max_length=32)] = "") -> HTMLResponse:
    return page.render("dsr/new.html", {"contact_id": contact_id, "kinds": list(KINDS.values()),
                                        "purposes": PURPOSES, "error": None, "nav": "dsr"})


@router.post("/dsr-new", dependencies=[requires(Perm.DSR_SUBMIT)], response_model=None)
def start_for_contact(page: Page, contact_id: Short = "", kind: Short = "", purpose: Short = "",
                      details: Text = "") -> Response:
    try:
        with page.uow.session.begin_nested():
            got = officer.start_for_contact(page.uow, page.actor, contact_id, kind, purpose=purpose or None,
                                            details=details or None)
    except (ValidationFailed, ValueError) as exc:
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        return page.render("dsr/new.html", {"contact_id": contact_id, "kinds": list(KINDS.values()),
                                            "purposes": PURPOSES, "error": message, "nav": "dsr"}, status=422)
    return RedirectResponse(f"/dsr/{got.request.id}", status_code=303)
