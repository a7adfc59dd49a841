"""Process warm-up for long-running servers: load lazy models, then take start-up objects out of the GC's sight.

Why: after start-up a server process holds a few hundred thousand long-lived objects (the ORM mappers, the
routes, the redaction model's feature tables). CPython's full (generation 2) collection walks all of them; on
this project's 2-core test machine one such pass took 20-250 ms, and it runs at unpredictable moments in the
middle of a request — it was the tail of the WebSocket delivery benchmark. ``gc.freeze()`` moves every object
alive at that moment into a permanent generation that collections skip; objects created afterwards (requests,
messages) are collected as before. It is called once per server/worker process, never in tests (which create
many apps in one process and would keep their garbage alive).

Freezing is not enough on its own: a server soon holds tens of thousands of new long-lived objects (open
sockets, connection pools, query caches) and CPython's automatic full collections walk them every few dozen
seconds — measured 70-170 ms each while 200 chat sockets were open. So automatic collections stop at the
young generations (cheap: at most a few thousand objects each) and a full collection runs on a timer instead,
every FULL_COLLECTION_SECONDS, which still frees cyclic garbage that lived long enough to reach the old
generation. The pause is the same length; it happens once per interval instead of every few seconds.
"""

from __future__ import annotations

import gc
import logging
import threading
import time

log = logging.getLogger(__name__)


def warm_up() -> None:
    """Load what would otherwise load on the first message (the redaction model) so it is frozen too."""
    from hushdesk.redaction import get_engine

    get_engine().redact("Hi, I'm Ada Example from Springfield; mail ada@example.com or call +1 415 555 0100.")


def freeze_startup_objects() -> int:
    """Collect the start-up garbage, then freeze the survivors. Returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.info("froze %d start-up objects out of the garbage collector's scans", frozen)
    return frozen


FULL_COLLECTION_SECONDS = 600.0
# A threshold the old generation's counter never reaches between two timed full collections.
_NEVER = 1_000_000_000


def collect_fully_on_a_timer(interval: float = FULL_COLLECTION_SECONDS,
                             stop: threading.Event | None = None) -> threading.Thread:
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, _NEVER)
    stopped = stop or threading.Event()

    def loop() -> None:
        while not stopped.wait(interval):
            started = time.perf_counter()
            found = gc.collect()
            log.debug("timed full collection: %d objects freed in %.1f ms", found,
                      (time.perf_counter() - started) * 1000)

    thread = threading.Thread(target=loop, name="gc-full-collection", daemon=True)
    thread.start()
    return thread


def prepare_server_process() -> int:
    warm_up()
    frozen = freeze_startup_objects()
    collect_fully_on_a_timer()
    return frozen
