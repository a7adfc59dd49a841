"""Periodic jobs of domains that depend on the application context (so the context cannot import them)."""

from __future__ import annotations

from hushdesk.context import AppContext
from hushdesk.dsr.tasks import register_periodic as register_dsr_sweep
from hushdesk.spam.tasks import register_periodic as register_spam_purge


def register_periodic_jobs(ctx: AppContext) -> None:
    """Idempotent per context: several apps may be built on one context (tests, tools)."""
    if getattr(ctx.jobs, "periodic_registered", False):
        return
    register_dsr_sweep(ctx.jobs)  # hourly: expired exports shredded, interrupted erasures resumed
    register_spam_purge(ctx.jobs)  # daily: spam past its workspace's retention deleted
    ctx.jobs.periodic_registered = True
