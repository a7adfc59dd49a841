"""The scheduled audit-chain check: ``hushdesk audit verify`` every few hours inside the job consumer.

A broken chain is an incident: the workspace gets an open incident (once per break) that its owner and
privacy officer see in their incident list, and an error line is logged (ids only)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from huey import crontab
from sqlalchemy import select

from hushdesk.audit.service import SYSTEM_CHAIN, ChainBreak, verify_all
from hushdesk.db import UnitOfWork
from hushdesk.kit.clock import utcnow
from hushdesk.models import Workspace
from hushdesk.models.security import Incident
from hushdesk.security import incidents
from hushdesk.tenancy.actor import system_actor
from hushdesk.worker.jobs import JobQueue, job

log = logging.getLogger(__name__)
TITLE = "Audit log chain broken"


def alert(uow: UnitOfWork, found: ChainBreak) -> bool:
    """Open an incident in the workspace whose chain broke (unless one is already open). Returns True if new."""
    if found.chain == SYSTEM_CHAIN or uow.session.get(Workspace, found.chain) is None:
        log.error("audit chain %s broken at seq %s: %s", found.chain, found.seq, found.reason)
        return False
    already = uow.session.execute(
        select(Incident.id).where(Incident.workspace_id == found.chain, Incident.title == TITLE,
                                  Incident.closed_at.is_(None))
    ).first()
    log.error("audit chain %s broken at seq %s: %s", found.chain, found.seq, found.reason)
    if already:
        return False
    now = utcnow()
    actor = system_actor(found.chain, "audit verify")
    incidents.open_incident(uow, actor, incidents.IncidentDraft(
        title=TITLE, occurred_from=now - timedelta(days=1), occurred_until=now, detected_at=now,
        description=f"The scheduled check found the audit log altered at entry {found.seq}: {found.reason}. "
                    "Someone with database access may have edited or deleted audit entries.",
        systems="database (audit_events)",
    ))
    return True


def verify_and_alert(uow: UnitOfWork) -> list[ChainBreak]:
    breaks = verify_all(uow.session)
    for found in breaks:
        alert(uow, found)
    return breaks


@job("audit.verify")
def verify_job(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    breaks = verify_and_alert(uow)
    log.info("audit verify: %d broken chain(s)", len(breaks))


def register_periodic(jobs: JobQueue) -> None:
    """Every six hours (at :17) the consumer queues the check; it runs like any other job."""

    def enqueue_verify() -> None:
        jobs.enqueue("audit.verify")

    jobs.huey.periodic_task(crontab(minute="17", hour="*/6"), name="hushdesk.audit_verify")(enqueue_verify)
