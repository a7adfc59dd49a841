"""JSON API for data-subject requests.

Public (the privacy center's API, no account): submit, follow, verify, resend a code, read the right-to-know
facts. Privacy officer (API token with ``dsr:manage``): the queue, details, approve, deny, extend, pause,
resume; staff (``dsr:submit``): start a request for a contact. Thin handlers: one service call each.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from hushdesk.dsr import officer, requester
from hushdesk.dsr import repository as repo
from hushdesk.dsr import schemas as s
from hushdesk.dsr import tasks as _tasks  # noqa: F401  (registers the dsr.* and mail.* jobs)
from hushdesk.dsr.erasure import result_of
from hushdesk.dsr.notices import status_url
from hushdesk.dsr.service import AgentInput, SubmitInput
from hushdesk.inbox.schemas import ErrorOut
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import ValidationFailed
from hushdesk.models import DataSubjectRequest
from hushdesk.privacy import service as privacy
from hushdesk.privacy.facts import right_to_know
from hushdesk.tenancy.permissions import Perm
from hushdesk.tenancy.service import get_workspace_by_slug
from hushdesk.web import access
from hushdesk.web.access import requires
from hushdesk.web.deps import ApiActor, Uow
from hushdesk.web.errors import error_body

ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422, 429)}

public = APIRouter(prefix="/api/v1/privacy/{slug}", tags=["privacy center"], responses=ERRORS)
router = APIRouter(prefix="/api/v1", tags=["data-subject requests"], responses=ERRORS)


def request_out(req: DataSubjectRequest, now: datetime | None = None) -> s.RequestOut:
    now = now or utcnow()
    open_ = req.status in repo.OPEN
    return s.RequestOut(
        id=req.id, kind=req.kind, regime=req.regime, status=req.status, via=req.via, contact_id=req.contact_id,
        authorized_agent=req.authorized_agent, subject_confirmed=req.subject_confirmed_at is not None,
        requires_approval=req.requires_approval, verification_level=req.verification_level,
        received_at=req.received_at, confirm_due_at=req.confirm_due_at, original_due_at=req.original_due_at,
        due_at=req.due_at, overdue=open_ and req.due_at < now, waiting_on=officer.waiting_on(req),
        extended_at=req.extended_at, extension_reason=req.extension_reason, paused=req.paused_at is not None,
        paused_days=req.paused_days, verified_at=req.verified_at, approved_at=req.approved_at,
        closed_at=req.closed_at, denial_reason=req.denial_reason, retain_until=req.retain_until,
        result=result_of(req),
    )


def _submit_input(body: s.SubmitIn) -> SubmitInput:
    agent = None
    if body.agent is not None:
        try:
            document = base64.b64decode(body.agent.permission_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationFailed("permission_base64 is not valid base64", code="invalid_document") from exc
        agent = AgentInput(body.agent.name, body.agent.email, document, body.agent.permission_type)
    corrections = body.corrections.model_dump(exclude_none=True) if body.corrections else None
    return SubmitInput(kind=body.kind, email=body.email, name=body.name, details=body.details, purpose=body.purpose,
                       california=body.california, corrections=corrections, agent=agent)


# -- public: the privacy center ----------------------------------------------------------------------------
@public.get("/facts",
            dependencies=[access.public("data subjects (privacy center)")],
            summary="Right-to-know facts: categories, sources, purposes, recipients, retention")
def facts(slug: str, uow: Uow) -> dict[str, Any]:
    return right_to_know(get_workspace_by_slug(uow, slug)).as_dict()


@public.post("/requests",
             dependencies=[access.public("data subjects (privacy center)")], status_code=202,
             response_model=s.SubmittedOut,
             summary="Submit a request; a one-time code goes to the email address given")
def submit(slug: str, body: s.SubmitIn, uow: Uow) -> s.SubmittedOut:
    got = requester.submit_request(uow, slug, _submit_input(body))
    req = got.request
    return s.SubmittedOut(id=req.id, status=req.status, received_at=req.received_at,
                          due_at=req.due_at, token=got.token, status_url=status_url(uow, req, None))


@public.get("/requests/{request_id}",
            dependencies=[access.public("data subjects (privacy center)")],
            response_model=s.StatusOut, summary="Follow a request (needs its token)")
def follow(slug: str, request_id: str, uow: Uow,
           token: Annotated[str, Query(max_length=100)] = "") -> s.StatusOut:
    st = requester.status(uow, slug, request_id, token)
    return s.StatusOut(**st.__dict__)


@public.post("/requests/{request_id}/verify",
             dependencies=[access.public("data subjects (privacy center)")], response_model=s.VerifyOut,
             summary="Enter the one-time code (and, for erasure, the step-up factor)")
def verify(slug: str, request_id: str, body: s.VerifyIn, uow: Uow) -> Any:
    got = requester.verify(uow, slug, request_id, body.token, body.code, body.factor)
    out = s.VerifyOut(ok=got.ok, reason=got.reason, next_step=got.next_step, attempts_left=got.attempts_left,
                      status=got.status)
    if not got.ok:
        # Not raised: the spent attempt must be committed with the request.
        return JSONResponse(error_body(got.reason or "verification_failed", "the code is not valid",
                                       out.model_dump()), status_code=422)
    return out


@public.post("/requests/{request_id}/resend",
             dependencies=[access.public("data subjects (privacy center)")],
             status_code=202, summary="Send a new code (at most 5 per request)")
def resend(slug: str, request_id: str, body: s.TokenIn, uow: Uow) -> dict[str, str]:
    requester.resend_code(uow, slug, request_id, body.token)
    return {"status": "if a new code could be sent, it is on its way"}


# -- privacy officer and staff --------------------------------------------------------------------------------
@router.get("/dsr",
            dependencies=[requires(Perm.DSR_READ)],
            response_model=list[s.RequestOut], summary="The privacy officer's queue")
def queue(uow: Uow, actor: ApiActor, view: s.QueueView = "open", kind: s.RequestKind | None = None,
          status: s.Status | None = None, limit: Annotated[int, Query(ge=1, le=200)] = 50,
          offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> list[s.RequestOut]:
    found = officer.list_queue(uow, actor, repo.QueueFilter(view=view, kind=kind, status=status), limit=limit,
                               offset=offset)
    return [request_out(r) for r in found]


@router.get("/dsr/{request_id}",
            dependencies=[requires(Perm.DSR_MANAGE)],
            response_model=s.RequestDetailOut, summary="A request with its details (audited)")
def detail(request_id: str, uow: Uow, actor: ApiActor) -> s.RequestDetailOut:
    d = officer.reveal_request(uow, actor, request_id)
    history = [{"at": at.isoformat(), "action": action, "actor": who} for at, action, who in d.history]
    return s.RequestDetailOut(**request_out(d.request).model_dump(), requester_email=d.requester_email,
                              requester_name=d.requester_name, text=d.text, corrections=d.corrections,
                              agent_name=d.agent_name, agent_email=d.agent_email, history=history)


@router.post("/dsr/{request_id}/approve", dependencies=[requires(Perm.DSR_MANAGE)], response_model=s.RequestOut)
def approve(request_id: str, uow: Uow, actor: ApiActor) -> s.RequestOut:
    return request_out(officer.approve(uow, actor, request_id))


@router.post("/dsr/{request_id}/deny", dependencies=[requires(Perm.DSR_MANAGE)], response_model=s.RequestOut)
def deny(request_id: str, body: s.DenyIn, uow: Uow, actor: ApiActor) -> s.RequestOut:
    return request_out(officer.deny_request(uow, actor, request_id, body.reason, body.note))


@router.post("/dsr/{request_id}/extend", dependencies=[requires(Perm.DSR_MANAGE)], response_model=s.RequestOut,
             summary="Use the one extension the regime allows (the requester is told why)")
def extend(request_id: str, body: s.ExtendIn, uow: Uow, actor: ApiActor) -> s.RequestOut:
    return request_out(officer.extend(uow, actor, request_id, body.reason))


@router.post("/dsr/{request_id}/pause", dependencies=[requires(Perm.DSR_MANAGE)], response_model=s.RequestOut)
def pause(request_id: str, uow: Uow, actor: ApiActor) -> s.RequestOut:
    return request_out(officer.pause(uow, actor, request_id))


@router.post("/dsr/{request_id}/resume", dependencies=[requires(Perm.DSR_MANAGE)], response_model=s.RequestOut)
def resume(request_id: str, uow: Uow, actor: ApiActor) -> s.RequestOut:
    return request_out(officer.resume(uow, actor, request_id))


@router.post("/contacts/{contact_id}/dsr",
             dependencies=[requires(Perm.DSR_SUBMIT)], status_code=202, response_model=s.StartedOut,
             summary="Start a request on a customer's behalf (the customer verifies it by email)")
def start_for_contact(contact_id: str, body: s.StartIn, uow: Uow, actor: ApiActor) -> s.StartedOut:
    corrections = body.corrections.model_dump(exclude_none=True) if body.corrections else None
    got = officer.start_for_contact(uow, actor, contact_id, body.kind, purpose=body.purpose, details=body.details,
                                    corrections=corrections)
    return s.StartedOut(id=got.request.id, status=got.request.status,
                        due_at=got.request.due_at)


@router.get("/contacts/{contact_id}/privacy",
            dependencies=[requires(Perm.CONTACT_READ)], response_model=s.PrivacyStateOut,
            summary="Active privacy flags and consents of a contact")
def contact_privacy(contact_id: str, uow: Uow, actor: ApiActor) -> s.PrivacyStateOut:
    st = privacy.contact_privacy(uow, actor, contact_id)
    return s.PrivacyStateOut(
        contact_id=st.contact_id, flags=[s.FlagOut(kind=k, purpose=p, since=at) for k, p, at in st.flags],
        consents=[s.ConsentOut(purpose=p, granted=g, at=at) for p, (g, at) in sorted(st.consents.items())])


@router.post("/contacts/{contact_id}/privacy/lift",
             dependencies=[requires(Perm.DSR_MANAGE, Perm.CONTACT_READ)], response_model=s.PrivacyStateOut,
             summary="Lift a restriction or another flag (privacy officer)")
def lift(contact_id: str, body: s.LiftIn, uow: Uow, actor: ApiActor) -> s.PrivacyStateOut:
    privacy.lift_flag(uow, actor, contact_id, body.kind, body.purpose)
    return contact_privacy(contact_id, uow, actor)
