"""Shared WebSocket plumbing: JSON frames, one writer at a time, blocking service calls in a thread.

Handlers are async; the services are synchronous and run inside ``ctx.unit_of_work()`` on a worker thread, so
every frame that changes data is committed before we answer it, and bus events (published after commit)
arrive after the data they announce is durable.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from hushdesk.context import AppContext
from hushdesk.db import UnitOfWork

T = TypeVar("T")
log = logging.getLogger(__name__)

CLOSE_BAD_REQUEST = 4400
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
MAX_FRAME_CHARS = 200_000


class SocketPeer:
    def __init__(self, ctx: AppContext, websocket: WebSocket) -> None:
        self.ctx = ctx
        self.websocket = websocket
        self.request_id: str | None = websocket.scope.get("state", {}).get("request_id")
        self._send_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    async def in_uow(self, fn: Callable[[UnitOfWork], T]) -> T:
        """Run ``fn`` in its own unit of work on a worker thread; returns after commit."""

        def work() -> T:
            with self.ctx.unit_of_work(self.request_id) as uow:
                return fn(uow)

        return await run_in_threadpool(work)

    async def in_read_only(self, fn: Callable[[UnitOfWork], T]) -> T:
        """Like ``in_uow`` for pure reads: never queues behind SQLite writers (live fan-out stays fast)."""

        def work() -> T:
            with self.ctx.read_only(self.request_id) as uow:
                return fn(uow)

        return await run_in_threadpool(work)

    async def send(self, payload: dict[str, Any]) -> None:
        async with self._send_lock:
            if self.websocket.application_state == WebSocketState.CONNECTED:
                await self.websocket.send_text(json.dumps(payload, separators=(",", ":")))

    async def close(self, code: int, reason: str) -> None:
        async with self._send_lock:
            if self.websocket.application_state == WebSocketState.CONNECTED:
                with contextlib.suppress(RuntimeError):
                    await self.websocket.close(code, reason[:120])

    async def next_frame(self) -> dict[str, Any] | None:
        """The next JSON object from the peer; None for a frame that is not one. Raises WebSocketDisconnect."""
        message = await self.websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        raw = message.get("text")
        if raw is None:
            data = message.get("bytes") or b""
            raw = data.decode("utf-8", "replace")
        if len(raw) > MAX_FRAME_CHARS:
            return {"type": "__too_large__"}
        try:
            parsed = json.loads(raw)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None

    def spawn(self, coro: Any) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()  # retrieved here, so asyncio does not warn about it later
        if exc is not None and not isinstance(exc, WebSocketDisconnect):
            # Type only: exception messages may quote message text.
            log.warning("socket task ended with %s (request %s)", type(exc).__name__, self.request_id)

    async def stop_tasks(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


class RateBucket:
    """A token bucket: ``capacity`` frames at once, refilled at ``per_second``."""

    def __init__(self, capacity: int, per_second: float) -> None:
        self.capacity = capacity
        self.per_second = per_second
        self.tokens = float(capacity)
        self.updated = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
