"""What the requester does on the privacy center: confirm with codes, step up for erasure, follow the status.

The request id and the requester's link token must both match, inside the workspace whose privacy center is
used (a foreign or guessed id is simply "not found"). Wrong codes return an outcome instead of raising, so
the spent attempt is committed.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hushdesk.crypto.blind_index import normalize_phone
from hushdesk.db import UnitOfWork
from hushdesk.dsr import notices
from hushdesk.dsr import repository as repo
from hushdesk.dsr.kinds import get_kind
from hushdesk.dsr.service import SubmitInput, Submitted, deny, link_contact, start_processing, submit, transition
from hushdesk.dsr.verification import MAX_CODES_PER_REQUEST, check_code, codes_issued, issue_code, token_matches
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import NotFound
from hushdesk.models import ContactIdentity, DataSubjectRequest, Order
from hushdesk.tenancy.service import get_workspace_by_slug


@dataclass(frozen=True)
class VerifyOutcome:
    ok: bool
    reason: str | None = None  # wrong | expired | too_many_attempts | no_code | not_waiting | factor_mismatch
    next_step: str | None = None  # "step_up" when erasure needs the second confirmation
    attempts_left: int = 0
    status: str = ""


@dataclass(frozen=True)
class RequestStatus:
    id: str
    kind: str
    title: str
    status: str
    regime: str
    received_at: datetime
    due_at: datetime
    extended: bool
    step: str | None  # code | step_up | None
    factor_required: bool
    closed_at: datetime | None
    denial_reason: str | None
    result: dict[str, object]


def access_request(uow: UnitOfWork, slug: str, request_id: str, token: str) -> DataSubjectRequest:
    ws = get_workspace_by_slug(uow, slug)
    try:
        request = repo.get_request(uow.session, ws.id, request_id)
    except NotFound:
        raise NotFound("request not found") from None
    if not token or not token_matches(request.token_hash, token):
        raise NotFound("request not found")
    return request


def _factors(uow: UnitOfWork, request: DataSubjectRequest) -> tuple[list[str], list[str]]:
    """Blind indexes of the phone numbers and order numbers on file for the linked contact."""
    if request.contact_id is None:
        return [], []
    phones = uow.session.execute(
        select(ContactIdentity.blind_index).where(ContactIdentity.contact_id == request.contact_id,
                                                  ContactIdentity.kind == "phone")
    ).scalars().all()
    orders = uow.session.execute(
        select(Order.number_index).where(Order.contact_id == request.contact_id)
    ).scalars().all()
    return list(phones), list(orders)


def factor_required(uow: UnitOfWork, request: DataSubjectRequest) -> bool:
    phones, orders = _factors(uow, request)
    return bool(phones or orders)


def _factor_matches(uow: UnitOfWork, request: DataSubjectRequest, factor: str) -> bool:
    phones, orders = _factors(uow, request)
    keyring = uow.app.keyring
    as_phone = keyring.blind_index(request.workspace_id, "phone", normalize_phone(factor))
    as_order = keyring.blind_index(request.workspace_id, "order", factor.strip().upper())
    matched = False
    for known in phones:
        matched |= hmac.compare_digest(known, as_phone)
    for known in orders:
        matched |= hmac.compare_digest(known, as_order)
    return matched


def _verified(uow: UnitOfWork, request: DataSubjectRequest) -> None:
    request.verified_at = utcnow()
    if request.authorized_agent:
        request.subject_confirmed_at = request.verified_at  # the customer confirmed directly, by code
    transition(uow, None, request, "verified", level=request.verification_level)
    start_processing(uow, None, request)


def _give_up_if_exhausted(uow: UnitOfWork, request: DataSubjectRequest, purpose: str, reason: str | None) -> None:
    if reason in ("too_many_attempts", "expired") and codes_issued(uow, request, purpose) >= MAX_CODES_PER_REQUEST:
        deny(uow, None, request, "identity_not_verified")


def verify(uow: UnitOfWork, slug: str, request_id: str, token: str, code: str,
           factor: str | None = None) -> VerifyOutcome:
    request = access_request(uow, slug, request_id, token)
    if request.status != "awaiting_verification":
        return VerifyOutcome(False, "not_waiting", status=request.status)  # a replayed link or code
    purpose = "identity" if request.verification_level == 0 else "step_up"
    needs_factor = purpose == "step_up" and factor_required(uow, request)
    factor_ok = not needs_factor or (factor is not None and _factor_matches(uow, request, factor))
    checked = check_code(uow, request, purpose, code)
    if not checked.ok:
        _give_up_if_exhausted(uow, request, purpose, checked.reason)
        return VerifyOutcome(False, checked.reason, None, checked.attempts_left, request.status)
    if not factor_ok:
        # The code is spent: a new one must be asked for, so guessing the factor costs a code each time.
        _give_up_if_exhausted(uow, request, purpose, "too_many_attempts")
        return VerifyOutcome(False, "factor_mismatch", "step_up", 0, request.status)
    request.verification_level += 1
    if purpose == "identity":
        link_contact(uow, request)
        if get_kind(request.kind).step_up and request.contact_id is not None:
            notices.step_up(uow, request, issue_code(uow, request, "step_up"))
            return VerifyOutcome(True, None, "step_up", status=request.status)
    _verified(uow, request)
    return VerifyOutcome(True, None, None, status=request.status)


def resend_code(uow: UnitOfWork, slug: str, request_id: str, token: str) -> bool:
    """A new code for the current step, up to 5 per request; the same answer whatever happens."""
    request = access_request(uow, slug, request_id, token)
    if request.status != "awaiting_verification":
        return False
    purpose = "identity" if request.verification_level == 0 else "step_up"
    if codes_issued(uow, request, purpose) >= MAX_CODES_PER_REQUEST:
        return False
    code = issue_code(uow, request, purpose)
    notices.new_code(uow, request, code)
    return True


def status(uow: UnitOfWork, slug: str, request_id: str, token: str) -> RequestStatus:
    request = access_request(uow, slug, request_id, token)
    step = None
    if request.status == "awaiting_verification":
        step = "code" if request.verification_level == 0 else "step_up"
    result = json.loads(request.result_json or "{}")
    result.pop("open_duplicates", None)
    return RequestStatus(
        request.id, request.kind, get_kind(request.kind).title, request.status, request.regime,
        request.received_at, request.due_at, request.extended_at is not None, step,
        step == "step_up" and factor_required(uow, request), request.closed_at, request.denial_reason, result,
    )


def submit_request(uow: UnitOfWork, slug: str, data: SubmitInput) -> Submitted:
    """A request from the public privacy center (or its JSON API)."""
    ws = get_workspace_by_slug(uow, slug)
    return submit(uow, ws, data, via="authorized_agent" if data.agent else "privacy_center")
