"""An in-process publish/subscribe bus for WebSocket fan-out.

Events are published from after-commit effects, which may run on worker threads: ``publish`` hands each
event to the subscriber's event loop thread-safely. Events carry ids and redacted or already-authorised
payloads; each socket handler decides what its peer may see.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

log = logging.getLogger(__name__)

Event = dict[str, Any]
QUEUE_LIMIT = 1000


class _Subscription:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=QUEUE_LIMIT)

    def deliver(self, event: Event) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            # A stalled client must not grow memory without bound; it resyncs from the database on reconnect.
            log.warning("dropping realtime event for a slow subscriber")


class EventBus:
    def __init__(self) -> None:
        self._subs: dict[str, set[_Subscription]] = defaultdict(set)
        self._lock = threading.Lock()

    def publish(self, topic: str, event: Event) -> None:
        with self._lock:
            subs = list(self._subs.get(topic, ()))
        for sub in subs:
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is sub.loop:
                sub.deliver(event)
            else:
                with contextlib.suppress(RuntimeError):  # loop closed: subscriber is gone
                    sub.loop.call_soon_threadsafe(sub.deliver, event)

    @contextlib.asynccontextmanager
    async def subscribe(self, *topics: str) -> AsyncIterator[asyncio.Queue[Event]]:
        sub = _Subscription(asyncio.get_running_loop())
        with self._lock:
            for topic in topics:
                self._subs[topic].add(sub)
        try:
            yield sub.queue
        finally:
            with self._lock:
                for topic in topics:
                    self._subs[topic].discard(sub)
                    if not self._subs[topic]:
                        del self._subs[topic]

    def subscriber_count(self, topic: str) -> int:
        with self._lock:
            return len(self._subs.get(topic, ()))


def workspace_topic(workspace_id: str) -> str:
    return f"ws:{workspace_id}"


def conversation_topic(conversation_id: str) -> str:
    return f"conv:{conversation_id}"


def visitor_topic(conversation_id: str) -> str:
    """What the customer's own widget may see: no internal notes."""
    return f"visitor:{conversation_id}"
