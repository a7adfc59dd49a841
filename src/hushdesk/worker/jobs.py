"""Job registry and queue.

Jobs are plain functions registered by name with ``@job("name")``; they receive a fresh unit of work and
a JSON-serialisable payload of ids (never personal data: queue storage is not encrypted and must not hold
anything an erasure would have to find). One Huey task, ``run_job``, dispatches by name, so the same job code
runs inline (tests), on the embedded SQLite queue, or on Redis with several worker processes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from huey import MemoryHuey, RedisHuey, SqliteHuey
from huey.api import Huey

if TYPE_CHECKING:
    from hushdesk.context import AppContext
    from hushdesk.db import UnitOfWork

log = logging.getLogger(__name__)

JobFn = Callable[["UnitOfWork", dict[str, Any]], None]
_REGISTRY: dict[str, JobFn] = {}
_current_app: AppContext | None = None


def job(name: str) -> Callable[[JobFn], JobFn]:
    def register(fn: JobFn) -> JobFn:
        if name in _REGISTRY and _REGISTRY[name] is not fn:
            raise ValueError(f"job {name!r} registered twice")
        _REGISTRY[name] = fn
        return fn

    return register


def registered_jobs() -> dict[str, JobFn]:
    return dict(_REGISTRY)


def _execute(name: str, payload: dict[str, Any]) -> None:
    app = _current_app
    if app is None:
        raise RuntimeError("no application context for jobs")
    fn = _REGISTRY.get(name)
    if fn is None:
        log.error("unknown job %s dropped", name)
        return
    with app.db.unit_of_work(app) as uow:
        fn(uow, payload)


class JobQueue:
    def __init__(self, huey: Huey) -> None:
        self.huey = huey
        self._task = huey.task(retries=3, retry_delay=5, name="hushdesk.run_job")(_execute)
        self.immediate = bool(getattr(huey, "immediate", False))
        self.periodic_registered = False

    def bind(self, app: AppContext) -> None:
        global _current_app
        _current_app = app

    def enqueue(self, name: str, payload: dict[str, Any] | None = None) -> None:
        """Call only after commit (``uow.after_commit``): a rolled-back request must enqueue nothing."""
        if name not in _REGISTRY:
            raise ValueError(f"unknown job {name!r}")
        self._task(name, payload or {})

    def pending_payloads(self) -> list[Any]:
        return [task.args for task in self.huey.pending()]

    def flush_pending(self) -> None:
        self.huey.flush()


def make_huey(kind: str, *, queue_file: str, redis_url: str) -> Huey:
    if kind == "immediate":
        return MemoryHuey("hushdesk", immediate=True)
    if kind == "redis":
        return RedisHuey("hushdesk", url=redis_url)
    return SqliteHuey("hushdesk", filename=queue_file)
