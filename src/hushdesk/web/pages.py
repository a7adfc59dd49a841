"""HTML pages for agents and admins (Jinja2 + htmx), grouped by area in ``pages_*`` modules."""

from __future__ import annotations

from fastapi import APIRouter

from hushdesk.assistant import pages as assistant_pages
from hushdesk.audit import pages as audit_pages
from hushdesk.security import pages_incidents, pages_invitations
from hushdesk.web import (
    pages_account,
    pages_admin,
    pages_auth,
    pages_conversation,
    pages_inbox,
    pages_public,
    pages_public_audio,
)

router = APIRouter(include_in_schema=False)
for _area in (
    pages_auth,
    pages_inbox,
    pages_conversation,
    pages_admin,
    pages_public,
    assistant_pages,
    audit_pages,
    pages_public_audio,
    pages_account,
    pages_invitations,
    pages_incidents,
):
    router.include_router(_area.router)
