"""Process warm-up for long-running servers: load lazy models, then take start-up objects out of the GC's sight.

Why: after start-up a server process holds a few hundred thousand long-lived objects (the ORM mappers, the
routes, the redaction model's feature tables). CPython's full (generation 2) collection walks all of them; on
this project's 2-core test machine one such pass took 20-250 ms, and it runs at unpredictable moments in the
middle of a request — it was the tail of the WebSocket delivery benchmark. ``gc.freeze()`` moves every object
alive at that moment into a permanent generation that collections skip; objects created afterwards (requests,
messages) are collected as before. It is called once per server/worker process, never in tests (which create
many apps in one process and would keep their garbage alive).
"""

from __future__ import annotations

import gc
import logging

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


def prepare_server_process() -> int:
    warm_up()
    return freeze_startup_objects()
