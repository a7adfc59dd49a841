"""Jobs of the data-subject request flow (payloads are ids only): process a request, run or resume an
erasure, and the sweep that expires download links, retries unsent emails, resumes stalled erasures and
drops request records past their retention."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from huey import crontab
from sqlalchemy import delete, select

from hushdesk.audit.service import record
from hushdesk.context import AppContext
from hushdesk.db import UnitOfWork
from hushdesk.dsr import erasure, execution
from hushdesk.dsr import export as export_svc
from hushdesk.dsr.service import forget_requester
from hushdesk.kit.clock import utcnow
from hushdesk.kit.repository import unscoped_select
from hushdesk.mail import tasks as _mail_tasks  # noqa: F401  (registers mail.send)
from hushdesk.models import DataSubjectRequest, DsrErasureStep, DsrExport, OutboundEmail
from hushdesk.worker.jobs import JobQueue, job

log = logging.getLogger(__name__)
STALLED_AFTER = timedelta(minutes=15)


@job("dsr.process")
def process_request(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    execution.process(uow, str(payload["request_id"]))


@job("dsr.erase")
def erase(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    # The erasure commits batch by batch in its own units of work; this job's one stays unused.
    erasure.run(uow.app, str(payload["request_id"]))


@dataclass(frozen=True)
class SweepReport:
    exports_deleted: int
    emails_retried: int
    erasures_resumed: int
    requests_purged: int


def sweep(app: AppContext) -> SweepReport:
    """Periodic housekeeping across workspaces (a system job, hence the unscoped queries)."""
    now = utcnow()
    with app.unit_of_work() as uow:
        expired = uow.session.execute(unscoped_select(DsrExport).where(
            DsrExport.deleted_at.is_(None), DsrExport.expires_at <= now)).scalars().all()
        for exp in expired:
            export_svc.destroy(uow, exp)
            record(uow.session, None, "dsr.export.expired", workspace_id=exp.workspace_id, target_type="dsr",
                   target_id=exp.request_id, details={"export_id": exp.id})
        retry: list[str] = [e.id for e in uow.session.execute(unscoped_select(OutboundEmail).where(
            OutboundEmail.status == "pending", OutboundEmail.created_at <= now - timedelta(minutes=5))).scalars()]
        stalled = list(uow.session.execute(
            select(DsrErasureStep.request_id).where(DsrErasureStep.status == "pending",
                                                   DsrErasureStep.updated_at <= now - STALLED_AFTER).distinct()
        ).scalars())
        old = uow.session.execute(unscoped_select(DataSubjectRequest).where(
            DataSubjectRequest.retain_until.is_not(None), DataSubjectRequest.retain_until <= now)).scalars().all()
        for req in old:
            forget_requester(uow, req)
            record(uow.session, None, "dsr.purged", workspace_id=req.workspace_id, target_type="dsr",
                   target_id=req.id, details={"kind": req.kind})
        old_ids = [r.id for r in old]
        if old_ids:
            uow.session.execute(delete(DataSubjectRequest).where(DataSubjectRequest.id.in_(old_ids)))
        uow.after_commit(lambda: _enqueue_mail(app, retry))
    for request_id in stalled:
        erasure.run(app, request_id)
    return SweepReport(len(expired), len(retry), len(stalled), len(old_ids))


def _enqueue_mail(app: AppContext, email_ids: list[str]) -> None:
    for email_id in email_ids:
        app.jobs.enqueue("mail.send", {"email_id": email_id})


@job("dsr.sweep")
def sweep_job(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    report = sweep(uow.app)
    log.info("dsr sweep: %s", report)


def register_periodic(jobs: JobQueue) -> None:
    """Hourly (at :41) the consumer queues the sweep: expired exports shredded, erasures resumed, clocks."""

    def enqueue_sweep() -> None:
        jobs.enqueue("dsr.sweep")

    jobs.huey.periodic_task(crontab(minute="41"), name="hushdesk.dsr_sweep")(enqueue_sweep)
