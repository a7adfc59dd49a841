"""The inbox: conversation list with filters, search and counts (live-refreshed by app.js)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response

from hushdesk.kit.errors import ValidationFailed
from hushdesk.spam import retention as spam_retention
from hushdesk.spam import service as spam_svc
from hushdesk.tenancy.permissions import Perm
from hushdesk.web.access import requires
from hushdesk.web.inbox_view import InboxFilters, build_inbox
from hushdesk.web.page import Page

T = TypeVar("T")

router = APIRouter()

Str = Annotated[str | None, Query(max_length=200)]
Offset = Annotated[int, Query(ge=0, le=100_000)]


@router.get("/", dependencies=[requires(Perm.CONVERSATION_READ)])
def inbox(page: Page, status: Str = None, assignee: Str = None, channel: Str = None, tag: Str = None,
          q: Str = None, offset: Offset = 0) -> HTMLResponse:
    filters = InboxFilters.parse(status, assignee, channel, tag, q)
    data = build_inbox(page.uow, page.actor, filters, offset=offset)
    return page.render("inbox.html", {"inbox": data, "current_id": None, "page": None, "nav": "inbox"})


@router.get("/inbox/list", dependencies=[requires(Perm.CONVERSATION_READ)])
def inbox_list(page: Page, status: Str = None, assignee: Str = None, channel: Str = None, tag: Str = None,
               q: Str = None, current: Str = None, offset: Offset = 0) -> HTMLResponse:
    """The list alone, for htmx refreshes when a conversation changes."""
    filters = InboxFilters.parse(status, assignee, channel, tag, q)
    data = build_inbox(page.uow, page.actor, filters, offset=offset)
    return page.render("_conversation_list.html", {"inbox": data, "current_id": current})


def _number(raw: str, parse: Callable[[str], T], message: str) -> T:
    try:
        return parse(raw)
    except ValueError:
        raise ValidationFailed(message) from None


@router.post("/inbox/spam-threshold", dependencies=[requires(Perm.SETTINGS_MANAGE)], response_model=None)
def set_spam_threshold(page: Page, threshold: Annotated[str, Form(max_length=10)] = "") -> Response:
    """The workspace's spam threshold, from the form at the top of the Spam folder (0 turns scoring off)."""
    spam_svc.set_threshold(page.uow, page.actor, _number(threshold, float, "the spam threshold must be a number"))
    return page.back("/?status=spam")


@router.post("/inbox/spam-retention", dependencies=[requires(Perm.SETTINGS_MANAGE)], response_model=None)
def set_spam_retention(page: Page, days: Annotated[str, Form(max_length=10)] = "") -> Response:
    """How many days spam is kept before the daily purge deletes it (0: until deleted by hand)."""
    value = _number(days, int, "the number of days must be a whole number")
    spam_retention.set_retention_days(page.uow, page.actor, value)
    return page.back("/?status=spam")
