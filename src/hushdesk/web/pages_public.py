"""Public pages: each workspace's privacy notice for chat visitors (linked from the widget)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hushdesk.tenancy.service import get_workspace_by_slug
from hushdesk.web.access import public
from hushdesk.web.deps import Uow
from hushdesk.web.page import render

router = APIRouter()


@router.get("/privacy/{slug}", dependencies=[public("customers (privacy notice)")])
def privacy(slug: str, request: Request, uow: Uow) -> HTMLResponse:
    workspace = get_workspace_by_slug(uow, slug)
    return render(request, "privacy.html", {"workspace": workspace})
