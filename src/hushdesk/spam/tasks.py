"""Spam jobs: the daily purge of spam past its workspace's retention (spam/retention.py)."""

from __future__ import annotations

import logging
from typing import Any

from huey import crontab

from hushdesk.db import UnitOfWork
from hushdesk.kit.clock import utcnow
from hushdesk.spam.retention import purge_expired_spam
from hushdesk.worker.jobs import JobQueue, job

log = logging.getLogger(__name__)
PURGE_JOB = "spam.purge"


@job(PURGE_JOB)
def purge_job(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    report = purge_expired_spam(uow, utcnow())
    log.info("spam purge: %d conversations deleted", report.deleted)
    if report.more:  # one bounded transaction per batch; the next batch after this one commits
        jobs = uow.app.jobs
        uow.after_commit(lambda: jobs.enqueue(PURGE_JOB))


def register_periodic(jobs: JobQueue) -> None:
    """Daily at 03:23 the consumer queues the purge."""

    def enqueue_purge() -> None:
        jobs.enqueue(PURGE_JOB)

    jobs.huey.periodic_task(crontab(hour="3", minute="23"), name="hushdesk.spam_purge")(enqueue_purge)
