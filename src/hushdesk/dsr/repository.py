"""Queries on data-subject requests: every one starts from the workspace-scoped base."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select
from sqlalchemy.orm import Session

from hushdesk.kit.repository import get_scoped, scoped
from hushdesk.models import DataSubjectRequest, DsrExport

OPEN = ("received", "awaiting_verification", "verified", "in_progress", "awaiting_approval")
FINAL = ("completed", "denied")
STATUSES = OPEN + FINAL


@dataclass(frozen=True)
class QueueFilter:
    view: str = "open"  # open | due_soon | overdue | waiting | closed | all
    kind: str | None = None
    status: str | None = None
    contact_id: str | None = None
    soon_days: int = 7


def queue_statement(workspace_id: str, flt: QueueFilter, now: datetime) -> Select[DataSubjectRequest]:
    stmt = scoped(DataSubjectRequest, workspace_id=workspace_id)
    if flt.view == "open":
        stmt = stmt.where(DataSubjectRequest.status.in_(OPEN))
    elif flt.view == "due_soon":
        stmt = stmt.where(DataSubjectRequest.status.in_(OPEN), DataSubjectRequest.due_at >= now,
                          DataSubjectRequest.due_at < now + timedelta(days=flt.soon_days))
    elif flt.view == "overdue":
        stmt = stmt.where(DataSubjectRequest.status.in_(OPEN), DataSubjectRequest.due_at < now)
    elif flt.view == "waiting":
        stmt = stmt.where(DataSubjectRequest.status.in_(("awaiting_approval", "awaiting_verification")))
    elif flt.view == "closed":
        stmt = stmt.where(DataSubjectRequest.status.in_(FINAL))
    if flt.kind:
        stmt = stmt.where(DataSubjectRequest.kind == flt.kind)
    if flt.status:
        stmt = stmt.where(DataSubjectRequest.status == flt.status)
    if flt.contact_id:
        stmt = stmt.where(DataSubjectRequest.contact_id == flt.contact_id)
    return stmt.order_by(DataSubjectRequest.due_at, DataSubjectRequest.id)


def list_requests(session: Session, workspace_id: str, flt: QueueFilter, now: datetime, limit: int,
                  offset: int) -> list[DataSubjectRequest]:
    return list(session.execute(queue_statement(workspace_id, flt, now).limit(limit).offset(offset)).scalars())


def get_request(session: Session, workspace_id: str, request_id: str) -> DataSubjectRequest:
    return get_scoped(session, DataSubjectRequest, request_id, workspace_id=workspace_id, what="request")


def open_duplicates(session: Session, workspace_id: str, email_index: str, kind: str,
                    exclude_id: str) -> list[str]:
    rows = session.execute(
        scoped(DataSubjectRequest, workspace_id=workspace_id)
        .where(DataSubjectRequest.email_index == email_index, DataSubjectRequest.kind == kind,
               DataSubjectRequest.status.in_(OPEN), DataSubjectRequest.id != exclude_id)
        .with_only_columns(DataSubjectRequest.id)
    ).scalars()
    return list(rows)


def recent_count(session: Session, workspace_id: str, email_index: str, since: datetime) -> int:
    rows = session.execute(
        scoped(DataSubjectRequest, workspace_id=workspace_id)
        .where(DataSubjectRequest.email_index == email_index, DataSubjectRequest.received_at >= since)
        .with_only_columns(DataSubjectRequest.id)
    ).all()
    return len(rows)


def requests_of_contact(session: Session, workspace_id: str, contact_id: str) -> list[DataSubjectRequest]:
    return list(session.execute(
        scoped(DataSubjectRequest, workspace_id=workspace_id).where(DataSubjectRequest.contact_id == contact_id)
        .order_by(DataSubjectRequest.received_at)
    ).scalars())


def latest_export(session: Session, workspace_id: str, request_id: str) -> DsrExport | None:
    return session.execute(
        scoped(DsrExport, workspace_id=workspace_id).where(DsrExport.request_id == request_id)
        .order_by(DsrExport.created_at.desc(), DsrExport.id.desc()).limit(1)
    ).scalar_one_or_none()
