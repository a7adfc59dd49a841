"""Server processes: start-up objects frozen, no automatic full collections, a timed full collection instead."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Iterator

import pytest

from hushdesk.kit.warmup import collect_fully_on_a_timer


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


@pytest.fixture
def restore_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def test_automatic_full_collections_stop_and_the_timer_frees_old_cycles(restore_gc: None) -> None:
    stop = threading.Event()
    node = _Node()
    alive = weakref.ref(node)
    gc.collect(1)
    gc.collect(1)  # survived two young collections: now in the old generation, which only a full pass frees
    del node
    collect_fully_on_a_timer(0.2, stop)
    try:
        assert gc.get_threshold()[2] >= 1_000_000
        for _ in range(3000):  # plenty of young collections; none of them may free an old cycle
            [_Node() for _ in range(50)]
        deadline = time.monotonic() + 5
        while alive() is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert alive() is None, "the timed full collection did not free the old cycle"
    finally:
        stop.set()
