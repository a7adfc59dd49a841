"""What the requester is told, when: receipt with the estimated date and the code, step-up code, extension,
result, denial. Every email goes through the encrypted outbox under the request's own key."""

from __future__ import annotations

from datetime import datetime

from hushdesk.crypto.keyring import ContactCipher
from hushdesk.db import UnitOfWork
from hushdesk.dsr.kinds import get_kind
from hushdesk.mail.service import queue_email
from hushdesk.models import DataSubjectRequest, Workspace


def place(request_id: str, column: str) -> str:
    return f"dsr_requests.{column.removesuffix('_ct')}:{request_id}"


def request_cipher(uow: UnitOfWork, request: DataSubjectRequest) -> ContactCipher:
    if request.key_id is None:
        raise ValueError("this request's requester details were erased")
    return uow.app.keyring.contact_cipher(request.workspace_id, request.key_id)


def requester_email(uow: UnitOfWork, request: DataSubjectRequest) -> str | None:
    if request.key_id is None or request.requester_email_ct is None:
        return None
    return request_cipher(uow, request).decrypt(request.requester_email_ct, place(request.id, "requester_email"))


def status_url(uow: UnitOfWork, request: DataSubjectRequest, token: str | None) -> str:
    ws = uow.session.get(Workspace, request.workspace_id)
    slug = ws.slug if ws else "-"
    url = f"{uow.app.settings.base_url.rstrip('/')}/privacy/{slug}/requests/{request.id}"
    return f"{url}?t={token}" if token else url


def _date(at: datetime) -> str:
    return at.strftime("%d %B %Y")


def _send(uow: UnitOfWork, request: DataSubjectRequest, subject: str, body: str) -> None:
    to = requester_email(uow, request)
    if to is None:
        return
    queue_email(uow, workspace_id=request.workspace_id, cipher=request_cipher(uow, request), to=to,
                subject=subject, body=body, purpose="dsr", request_id=request.id)


def receipt(uow: UnitOfWork, request: DataSubjectRequest, token: str, code: str | None) -> None:
    title = get_kind(request.kind).title
    lines = [f"We received your request \u201c{title}\u201d on {_date(request.received_at)} "
             f"(reference {request.id}).",
             f"We will answer by {_date(request.due_at)} at the latest."]
    if code is not None:
        lines += ["", "To confirm that this request comes from you, enter this code within 10 minutes:",
                  "", f"    Your confirmation code: {code}", ""]
        if request.authorized_agent:
            lines.append("Someone says they are acting for you. Enter the code only if you authorised them.")
        lines.append("If you did not make this request, ignore this email: nothing will happen.")
    lines += ["", f"Follow your request: {status_url(uow, request, token)}"]
    _send(uow, request, f"Your privacy request {request.id}", "\n".join(lines))


def step_up(uow: UnitOfWork, request: DataSubjectRequest, code: str) -> None:
    body = ("You asked us to erase your data. Because this cannot be undone, please confirm once more with this "
            f"code (valid 10 minutes):\n\n    Your confirmation code: {code}\n")
    _send(uow, request, f"Confirm the erasure of your data ({request.id})", body)


def new_code(uow: UnitOfWork, request: DataSubjectRequest, code: str) -> None:
    _send(uow, request, f"Your new confirmation code ({request.id})",
          f"Your confirmation code: {code}\n\nIt is valid for 10 minutes.")


def extended(uow: UnitOfWork, request: DataSubjectRequest, reason: str) -> None:
    why = {"complexity": "of the complexity of your request",
           "number_of_requests": "of the number of requests we received"}.get(reason, reason)
    _send(uow, request, f"More time needed for your privacy request {request.id}",
          f"We need more time to answer your request, because {why}. We will answer by "
          f"{_date(request.due_at)} at the latest.")


def export_ready(uow: UnitOfWork, request: DataSubjectRequest, download_url: str, expires_at: datetime) -> None:
    _send(uow, request, f"Your data is ready ({request.id})",
          "Your copy of your data is ready. Download it here (the link works until "
          f"{_date(expires_at)}, then the file is deleted):\n\n{download_url}\n")


def completed(uow: UnitOfWork, request: DataSubjectRequest, summary: str) -> None:
    _send(uow, request, f"Your privacy request {request.id} is complete", summary)


def denied(uow: UnitOfWork, request: DataSubjectRequest, reason: str) -> None:
    text = {
        "identity_not_verified": "we could not confirm that the request comes from you",
        "manifestly_unfounded": "the request is manifestly unfounded",
        "excessive": "the request is excessive",
        "legal_exemption": "a legal exemption applies",
        "agent_not_authorized": "the person acting for you could not show they are authorised",
        "duplicate": "it repeats a request we are already handling",
        "withdrawn_by_requester": "you withdrew it",
        "subject_erased": "your data was erased in the meantime",
    }.get(reason, reason)
    _send(uow, request, f"Your privacy request {request.id} was declined",
          f"We could not carry out your request because {text}. You may complain to a data protection "
          "supervisory authority or seek a judicial remedy.")
