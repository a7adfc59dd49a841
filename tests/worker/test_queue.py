"""Jobs: enqueued only after commit, run by the embedded SQLite consumer and by a Redis worker, same code."""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import select

from hushdesk.context import AppContext
from hushdesk.db import UnitOfWork
from hushdesk.models import Workspace
from hushdesk.worker.jobs import JobQueue, job, make_huey

SEEN: list[tuple[str, str]] = []


@job("test.remember_workspace")
def remember_workspace(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    ws = uow.session.execute(select(Workspace).where(Workspace.id == payload["workspace_id"])).scalar_one()
    SEEN.append((payload["tag"], ws.slug))


def _run_consumer_until(queue: JobQueue, tag: str, timeout: float = 15) -> None:
    consumer = queue.huey.create_consumer(workers=1, worker_type="thread", periodic=False,
                                          check_worker_health=False)
    consumer._set_signal_handlers = lambda: None
    consumer.start()
    try:
        deadline = time.time() + timeout
        while time.time() < deadline and not any(t == tag for t, _ in SEEN):
            time.sleep(0.05)
    finally:
        consumer.stop(graceful=True)


def _queue_for(ctx: AppContext, kind: str, tmp: Path) -> JobQueue:
    huey = make_huey(kind, queue_file=str(tmp / "queue.db"), redis_url="redis://127.0.0.1:6379/15")
    huey.name = f"hushdesk-test-{secrets.token_hex(4)}"
    queue = JobQueue(huey)
    queue.bind(ctx)
    return queue


def test_rolled_back_request_enqueues_nothing(ctx: AppContext, tmp_path: Path) -> None:
    queue = _queue_for(ctx, "embedded", tmp_path)
    with pytest.raises(RuntimeError), ctx.unit_of_work() as uow:
        uow.after_commit(lambda: queue.enqueue("test.remember_workspace", {"workspace_id": "x", "tag": "never"}))
        raise RuntimeError("handler failed")
    assert queue.huey.pending_count() == 0


@pytest.mark.parametrize("kind", ["embedded", "redis"])
def test_job_runs_after_commit(ctx: AppContext, tmp_path: Path, kind: str) -> None:
    if kind == "redis":
        try:
            redis.Redis.from_url("redis://127.0.0.1:6379/15").ping()
        except redis.RedisError:
            pytest.skip("no Redis on 127.0.0.1:6379")
    queue = _queue_for(ctx, kind, tmp_path)
    tag = secrets.token_hex(4)
    slug = f"q-{tag}"
    with ctx.unit_of_work() as uow:
        ws = Workspace(id=f"wq{tag}", slug=slug, name="Queue", settings_json="{}")
        uow.session.add(ws)
        uow.after_commit(lambda: queue.enqueue("test.remember_workspace", {"workspace_id": ws.id, "tag": tag}))
        assert queue.huey.pending_count() == 0  # not before commit
    assert queue.huey.pending_count() == 1
    runner = threading.Thread(target=_run_consumer_until, args=(queue, tag))
    runner.start()
    runner.join(20)
    assert (tag, slug) in SEEN
    queue.huey.flush()
