"""JSON API /api/v1: thin handlers that resolve the actor and call one service function each."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from hushdesk.channels import api as api_channel
from hushdesk.channels.base import ContactHint
from hushdesk.db import UnitOfWork
from hushdesk.inbox import canned as canned_svc
from hushdesk.inbox import contacts as contact_svc
from hushdesk.inbox import conversations as conv_svc
from hushdesk.inbox import orders as order_svc
from hushdesk.inbox import repository as repo
from hushdesk.inbox import schemas as s
from hushdesk.inbox import service as inbox_svc
from hushdesk.kit.errors import ValidationFailed
from hushdesk.models import Conversation, Message
from hushdesk.spam import service as spam_svc
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm
from hushdesk.web.access import requires
from hushdesk.web.deps import ApiActor, Uow
from hushdesk.web.fast_ingest import FastRoute
from hushdesk.web.responses import model_response

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": s.ErrorOut} for code in (400, 401, 403, 404, 409, 413, 422, 429)
}

router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERRORS)


def _conv_out(conv: Conversation, tags: list[str]) -> s.ConversationOut:
    return s.ConversationOut(
        id=conv.id, number=conv.number, contact_id=conv.contact_id, channel=conv.channel, status=conv.status,
        priority=conv.priority, assignee_id=conv.assignee_id, subject=conv.subject_redacted, tags=tags,
        message_count=conv.message_count, created_at=conv.created_at, last_message_at=conv.last_message_at,
        first_response_at=conv.first_response_at, resolved_at=conv.resolved_at, spam=bool(conv.spam),
        spam_score=conv.spam_score, spam_reasons=conv.spam_reasons, spam_source=conv.spam_source,
    )


def _msg_out(msg: Message, body: str, redacted: bool) -> s.MessageOut:
    return s.MessageOut(id=msg.id, conversation_id=msg.conversation_id, kind=msg.kind, author_type=msg.author_type,
                        body=body, redacted=redacted, created_at=msg.created_at,
                        client_message_id=msg.client_message_id)


def _contact_out(uow: Uow, actor: ApiActor, contact_id: str) -> s.ContactOut:
    view = contact_svc.reveal_contact(uow, actor, contact_id)
    return s.ContactOut(id=view.id, name=view.name, email=view.email, phone=view.phone, locale=view.locale,
                        created_at=view.created_at)


# -- contacts --------------------------------------------------------------------------------------------
@router.post("/contacts",
             dependencies=[requires(Perm.CONTACT_WRITE, Perm.CONTACT_READ_RAW)],
             status_code=201, response_model=s.ContactOut)
def create_contact(body: s.ContactIn, uow: Uow, actor: ApiActor) -> s.ContactOut:
    actor.require(Perm.CONTACT_WRITE)
    hint = ContactHint("email", body.email, name=body.name, email=body.email, phone=body.phone, locale=body.locale)
    contact = contact_svc.find_or_create(uow, actor.workspace_id, hint, actor)
    uow.session.flush()
    return _contact_out(uow, actor, contact.id)


@router.get("/contacts",
            dependencies=[requires(Perm.CONTACT_READ, Perm.CONTACT_READ_RAW)], response_model=list[s.ContactOut])
def list_contacts(uow: Uow, actor: ApiActor, limit: Annotated[int, Query(ge=1, le=200)] = 50,
                  offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                  email: Annotated[str | None, Query(max_length=320)] = None) -> list[s.ContactOut]:
    if email:
        found = contact_svc.contact_by_email(uow, actor, email)
        return [_contact_out(uow, actor, found.id)] if found else []
    return [_contact_out(uow, actor, c.id) for c in contact_svc.list_contacts(uow, actor, limit=limit, offset=offset)]


@router.get("/contacts/{contact_id}",
            dependencies=[requires(Perm.CONTACT_READ, Perm.CONTACT_READ_RAW)], response_model=s.ContactOut)
def get_contact(contact_id: str, uow: Uow, actor: ApiActor) -> s.ContactOut:
    return _contact_out(uow, actor, contact_id)


@router.patch("/contacts/{contact_id}",
              dependencies=[requires(Perm.CONTACT_WRITE, Perm.CONTACT_READ_RAW)], response_model=s.ContactOut)
def patch_contact(contact_id: str, body: s.ContactPatch, uow: Uow, actor: ApiActor) -> s.ContactOut:
    contact_svc.update_contact(uow, actor, contact_id, name=body.name, email=body.email, phone=body.phone,
                               locale=body.locale)
    return _contact_out(uow, actor, contact_id)


# -- orders ----------------------------------------------------------------------------------------------
def _order_out(view: order_svc.OrderView) -> s.OrderOut:
    d = view.data
    return s.OrderOut(id=view.id, contact_id=view.contact_id, number=d.number, placed_at=d.placed_at,
                      items=[s.OrderItemIn(name=i.name, quantity=i.quantity, unit_price=i.unit_price)
                             for i in d.items], amount=d.amount, currency=d.currency, status=d.status)


@router.post("/contacts/{contact_id}/orders",
             dependencies=[requires(Perm.CONTACT_READ, Perm.ORDER_WRITE)], status_code=201, response_model=s.OrderOut)
def create_order(contact_id: str, body: s.OrderIn, uow: Uow, actor: ApiActor) -> s.OrderOut:
    data = order_svc.OrderData(
        number=body.number, placed_at=body.placed_at, amount=body.amount, currency=body.currency.upper(),
        status=body.status,
        items=tuple(order_svc.OrderItem(i.name, i.quantity, i.unit_price) for i in body.items),
    )
    order = order_svc.create_order(uow, actor, contact_id, data)
    return _order_out(order_svc.OrderView(order.id, contact_id, data))


@router.get("/contacts/{contact_id}/orders",
            dependencies=[requires(Perm.CONTACT_READ_RAW)], response_model=list[s.OrderOut])
def list_orders(contact_id: str, uow: Uow, actor: ApiActor) -> list[s.OrderOut]:
    return [_order_out(v) for v in order_svc.list_orders(uow, actor, contact_id)]


@router.post("/orders/import",
             dependencies=[requires(Perm.ORDER_WRITE, Perm.CONTACT_WRITE)], response_model=s.ImportResult,
             openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}})
async def import_orders(request: Request, uow: Uow, actor: ApiActor) -> s.ImportResult:
    raw = await request.body()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed("the CSV file must be UTF-8", code="invalid_encoding") from exc
    report = order_svc.import_orders_csv(uow, actor, text)
    return s.ImportResult(created=report.created)


# -- conversations ---------------------------------------------------------------------------------------
@router.post("/conversations",
             dependencies=[requires(Perm.CONVERSATION_CREATE)],
             status_code=201, response_model=s.CreatedConversation, responses={
    200: {"model": s.CreatedConversation,
          "description": "A retry with an earlier client_message_id: the existing conversation, nothing created"}})
def create_conversation(body: s.ConversationCreate, uow: Uow, actor: ApiActor) -> Response:
    out, status = open_conversation(uow, actor, body)
    uow.finish()  # a hot route: commit on this thread (ADR 0010)
    return model_response(out, status)


def open_conversation(uow: UnitOfWork, actor: Actor, body: s.ConversationCreate) -> tuple[BaseModel, int]:
    """The work of ``POST /conversations``, shared with the ingest fast path (web/fast_ingest.py)."""
    got = api_channel.create_conversation(uow, actor, email=body.email, name=body.name, subject=body.subject,
                                          body=body.body, client_message_id=body.client_message_id)
    out = s.CreatedConversation(conversation=_conv_out(got.conversation, []),
                                message=_msg_out(got.message, body.body, False), created=got.created)
    return out, 201 if got.created else 200


@router.get("/conversations", dependencies=[requires(Perm.CONVERSATION_READ)], response_model=list[s.ConversationOut])
def list_conversations(
    uow: Uow, actor: ApiActor,
    status: Annotated[s.Status | None, Query()] = None,
    assignee_id: Annotated[str | None, Query(max_length=32)] = None,
    channel: Annotated[str | None, Query(max_length=20)] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    spam: Annotated[s.SpamQuery, Query(description="false: leave spam out; true: the Spam folder; any")] = "false",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[s.ConversationOut]:
    only_spam = {"false": False, "true": True, "any": None}[spam]
    if q:
        convs = conv_svc.search(uow, actor, q, limit, spam=only_spam)
    else:
        flt = repo.ConversationFilter(status=status, assignee_id=assignee_id, channel=channel, tag=tag,
                                      spam=only_spam)
        convs = conv_svc.list_conversations(uow, actor, flt, limit=limit, offset=offset)
    tags = repo.tags_of(uow.session, actor.workspace_id, [c.id for c in convs])
    return [_conv_out(c, tags.get(c.id, [])) for c in convs]


@router.get("/conversations/{conversation_id}",
            dependencies=[requires(Perm.CONVERSATION_READ)], response_model=s.ConversationDetail)
def get_conversation(conversation_id: str, uow: Uow, actor: ApiActor) -> s.ConversationDetail:
    view = conv_svc.view_conversation(uow, actor, conversation_id)
    base = _conv_out(view.conversation, view.tags)
    msgs = [s.MessageOut(id=m.id, conversation_id=conversation_id, kind=m.kind, author_type=m.author_type,
                         body=m.body, redacted=m.redacted, created_at=m.created_at,
                         client_message_id=m.client_message_id) for m in view.messages]
    return s.ConversationDetail(**base.model_dump(), messages=msgs)


@router.patch("/conversations/{conversation_id}",
              dependencies=[requires(Perm.CONVERSATION_READ, Perm.CONVERSATION_UPDATE)],
              response_model=s.ConversationOut)
def patch_conversation(conversation_id: str, body: s.ConversationPatch, uow: Uow,
                       actor: ApiActor) -> s.ConversationOut:
    conv = inbox_svc.access_conversation(uow, actor, conversation_id)
    if body.status:
        conv_svc.set_status(uow, actor, conversation_id, body.status)
    if body.priority:
        conv_svc.set_priority(uow, actor, conversation_id, body.priority)
    if body.assignee_id or body.unassign:
        conv_svc.assign(uow, actor, conversation_id, None if body.unassign else body.assignee_id)
    for tag in body.add_tags:
        conv_svc.add_tag(uow, actor, conversation_id, tag)
    for tag in body.remove_tags:
        conv_svc.remove_tag(uow, actor, conversation_id, tag)
    if body.spam is not None:
        (spam_svc.mark_spam if body.spam else spam_svc.mark_not_spam)(uow, actor, conversation_id)
    uow.session.flush()
    tags = repo.tags_of(uow.session, actor.workspace_id, [conv.id]).get(conv.id, [])
    return _conv_out(conv, tags)


@router.post("/conversations/{conversation_id}/messages",
             dependencies=[requires(any_of=(Perm.CONVERSATION_REPLY, Perm.CONVERSATION_NOTE,
                                                  Perm.CONVERSATION_CREATE))],
             status_code=201, response_model=s.MessageOut)
def create_message(conversation_id: str, body: s.MessageCreate, uow: Uow, actor: ApiActor) -> Response:
    out, status = add_message(uow, actor, conversation_id, body)
    uow.finish()  # a hot route: commit on this thread (ADR 0010)
    return model_response(out, status)


def add_message(uow: UnitOfWork, actor: Actor, conversation_id: str, body: s.MessageCreate) -> tuple[BaseModel, int]:
    """The work of ``POST /conversations/{id}/messages``, shared with the ingest fast path."""
    if body.kind == "inbound":
        if not body.email:
            raise ValidationFailed("email is required for an inbound message", code="email_required")
        got = api_channel.add_inbound(uow, actor, conversation_id=conversation_id, email=body.email,
                                      body=body.body, client_message_id=body.client_message_id)
    elif body.kind == "note":
        got = inbox_svc.add_note(uow, actor, conversation_id, body.body, body.client_message_id)
    else:
        got = inbox_svc.send_reply(uow, actor, conversation_id, body.body, body.client_message_id)
    return _msg_out(got.message, body.body, False), 201 if got.created else 200


# -- canned replies --------------------------------------------------------------------------------------
@router.get("/canned-replies", dependencies=[requires(Perm.CANNED_USE)], response_model=list[s.CannedOut])
def list_canned(uow: Uow, actor: ApiActor) -> list[s.CannedOut]:
    return [s.CannedOut(id=c.id, shortcut=c.shortcut, title=c.title, body=c.body)
            for c in canned_svc.list_canned(uow, actor)]


# The two hot ingest routes, also answered by the fast path (web/fast_ingest.py, ADR 0010) on their happy path.
FAST_ROUTES = [
    FastRoute("/api/v1/conversations", s.ConversationCreate,
              lambda uow, actor, body, _: open_conversation(uow, actor, body)),
    FastRoute("/api/v1/conversations/{conversation_id}/messages", s.MessageCreate,
              lambda uow, actor, body, params: add_message(uow, actor, params["conversation_id"], body)),
]
