"""One conversation: messages, reply and internal note, status/priority/assignee/tags, contact panel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response

from hushdesk.inbox import conversations as conv_svc
from hushdesk.inbox import service as inbox_svc
from hushdesk.kit.errors import ValidationFailed
from hushdesk.spam import service as spam_svc
from hushdesk.tenancy.permissions import Perm
from hushdesk.web.access import requires
from hushdesk.web.conversation_view import build_conversation_page, controls, message_items, posted_message
from hushdesk.web.inbox_view import InboxFilters, build_inbox
from hushdesk.web.page import Page, PageContext, is_htmx

router = APIRouter()

Str = Annotated[str | None, Query(max_length=200)]
Field = Annotated[str, Form(max_length=200)]


@router.get("/conversations/{conversation_id}", dependencies=[requires(Perm.CONVERSATION_READ)])
def conversation(conversation_id: str, page: Page, status: Str = None, assignee: Str = None,
                 channel: Str = None, tag: Str = None, q: Str = None) -> HTMLResponse:
    detail = build_conversation_page(page.uow, page.actor, conversation_id)
    filters = InboxFilters.parse(status or "all", assignee, channel, tag, q)
    data = build_inbox(page.uow, page.actor, filters)
    return page.render("inbox.html", {"inbox": data, "current_id": conversation_id, "page": detail,
                                      "nav": "inbox"})


@router.get("/conversations/{conversation_id}/messages", dependencies=[requires(Perm.CONVERSATION_READ)])
def messages(conversation_id: str, page: Page) -> HTMLResponse:
    return page.render("_messages.html", {"messages": message_items(page.uow, page.actor, conversation_id)})


@router.post("/conversations/{conversation_id}/messages",
             dependencies=[requires(Perm.CONVERSATION_READ, any_of=(Perm.CONVERSATION_REPLY, Perm.CONVERSATION_NOTE))],
             response_model=None)
def post_message(
    conversation_id: str, page: Page,
    body: Annotated[str, Form(max_length=100_000)] = "",
    kind: Annotated[str, Form(max_length=10)] = "reply",
    client_message_id: Annotated[str | None, Form(max_length=64)] = None,
) -> Response:
    if kind not in ("reply", "note"):
        raise ValidationFailed("kind must be reply or note")
    write = inbox_svc.send_reply if kind == "reply" else inbox_svc.add_note
    received = write(page.uow, page.actor, conversation_id, body, client_message_id or None)
    if not is_htmx(page.request):
        return page.back(f"/conversations/{conversation_id}")
    item = posted_message(page.uow, page.actor, received, body)
    return page.render("_message.html", {"m": item})


def _controls(page: PageContext, conversation_id: str) -> Response:
    if not is_htmx(page.request):
        return page.back(f"/conversations/{conversation_id}")
    page.uow.session.flush()
    conv, tags, members = controls(page.uow, page.actor, conversation_id)
    return page.render("_conversation_controls.html", {"conv": conv, "tags": tags, "members": members,
                                                       "statuses": inbox_svc.STATUSES,
                                                       "priorities": inbox_svc.PRIORITIES})


@router.post("/conversations/{conversation_id}/status",
             dependencies=[requires(Perm.CONVERSATION_UPDATE)], response_model=None)
def set_status(conversation_id: str, page: Page, status: Field = "") -> Response:
    conv_svc.set_status(page.uow, page.actor, conversation_id, status)
    return _controls(page, conversation_id)


@router.post("/conversations/{conversation_id}/priority",
             dependencies=[requires(Perm.CONVERSATION_UPDATE)], response_model=None)
def set_priority(conversation_id: str, page: Page, priority: Field = "") -> Response:
    conv_svc.set_priority(page.uow, page.actor, conversation_id, priority)
    return _controls(page, conversation_id)


@router.post("/conversations/{conversation_id}/assignee",
             dependencies=[requires(Perm.CONVERSATION_UPDATE)], response_model=None)
def set_assignee(conversation_id: str, page: Page, assignee_id: Field = "") -> Response:
    target = page.actor.user_id if assignee_id == "me" else (assignee_id or None)
    conv_svc.assign(page.uow, page.actor, conversation_id, target)
    return _controls(page, conversation_id)


@router.post("/conversations/{conversation_id}/tags",
             dependencies=[requires(Perm.CONVERSATION_UPDATE)], response_model=None)
def add_tag(conversation_id: str, page: Page, tag: Field = "") -> Response:
    conv_svc.add_tag(page.uow, page.actor, conversation_id, tag)
    return _controls(page, conversation_id)


@router.post("/conversations/{conversation_id}/tags/remove",
             dependencies=[requires(Perm.CONVERSATION_UPDATE)], response_model=None)
def remove_tag(conversation_id: str, page: Page, tag: Field = "") -> Response:
    conv_svc.remove_tag(page.uow, page.actor, conversation_id, tag)
    return _controls(page, conversation_id)


@router.post("/conversations/{conversation_id}/spam",
             dependencies=[requires(Perm.CONVERSATION_UPDATE)], response_model=None)
def mark_spam(conversation_id: str, page: Page) -> Response:
    spam_svc.mark_spam(page.uow, page.actor, conversation_id)
    return page.back(f"/conversations/{conversation_id}?status=spam")


@router.post("/conversations/{conversation_id}/not-spam",
             dependencies=[requires(Perm.CONVERSATION_UPDATE)], response_model=None)
def mark_not_spam(conversation_id: str, page: Page) -> Response:
    spam_svc.mark_not_spam(page.uow, page.actor, conversation_id)
    return page.back(f"/conversations/{conversation_id}?status=open")


@router.post("/conversations/{conversation_id}/delete-spam",
             dependencies=[requires(Perm.CONVERSATION_UPDATE)], response_model=None)
def delete_spam(conversation_id: str, page: Page) -> Response:
    spam_svc.delete_spam(page.uow, page.actor, conversation_id)
    return page.back("/?status=spam")


@router.get("/attachments/{attachment_id}", dependencies=[requires(Perm.CONVERSATION_READ_RAW)], response_model=None)
def attachment(attachment_id: str, page: Page) -> Response:
    filename, _content_type, data = conv_svc.download_attachment(page.uow, page.actor, attachment_id)
    safe = "".join(c for c in filename if c.isalnum() or c in "._- ")[:100] or "attachment"
    # Always a download, never rendered in our origin: an uploaded HTML file must not run as our page.
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{safe}"', "Cache-Control": "no-store"})
