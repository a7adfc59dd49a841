"""create_app(settings): middleware, routers, lifespan (embedded job consumer)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import text

from hushdesk import __version__
from hushdesk.assistant import routes as assistant_routes
from hushdesk.channels import tasks as _channel_tasks  # noqa: F401  (registers channel jobs)
from hushdesk.channels import webchat_audio, webchat_routes
from hushdesk.config import Settings, get_settings
from hushdesk.context import AppContext
from hushdesk.dsr import pages as dsr_pages
from hushdesk.dsr import routes as dsr_routes
from hushdesk.inbox import routes as inbox_routes
from hushdesk.inbox.search_index import BackgroundSearchIndex
from hushdesk.realtime import routes as realtime_routes
from hushdesk.security.limit_store import LimitStore
from hushdesk.security.ratelimit import RateLimitMiddleware, rules_from
from hushdesk.web import pages
from hushdesk.web.access import public
from hushdesk.web.errors import install_error_handlers
from hushdesk.web.fast_ingest import FastIngestMiddleware
from hushdesk.web.middleware import (
    BodySizeLimitMiddleware,
    NulCharacterMiddleware,
    RequestIdMiddleware,
    SecurityHeadersMiddleware,
)
from hushdesk.web.openapi import document_errors
from hushdesk.worker.schedule import register_periodic_jobs

log = logging.getLogger(__name__)
WEB_DIR = Path(__file__).parent / "web"


def _start_embedded_consumer(ctx: AppContext) -> Any:
    consumer = ctx.jobs.huey.create_consumer(workers=ctx.settings.worker_threads, worker_type="thread",
                                             periodic=True, check_worker_health=False)
    # uvicorn owns SIGTERM/SIGINT: huey's consumer would otherwise replace its handlers in start() and the
    # server would ignore a polite shutdown request. We stop the consumer ourselves at lifespan shutdown.
    consumer._set_signal_handlers = lambda: None
    consumer.start()
    return consumer


def create_app(settings: Settings | None = None, ctx: AppContext | None = None) -> FastAPI:
    settings = settings or get_settings()
    ctx = ctx or AppContext.create(settings)
    register_periodic_jobs(ctx)
    search_index = BackgroundSearchIndex(ctx.db)  # SQLite only: queued messages into the full-text index

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        consumer = _start_embedded_consumer(ctx) if settings.queue == "embedded" else None
        if ctx.db.checkpoints is not None:
            ctx.db.checkpoints.start()
        indexing = search_index.start()
        try:
            yield
        finally:
            await search_index.stop(indexing)
            if ctx.db.checkpoints is not None:
                ctx.db.checkpoints.stop()
            if consumer is not None:
                consumer.stop(graceful=True)
            limit_store.close()

    app = FastAPI(
        title="hushdesk API",
        version=__version__,
        description="Privacy-first customer support. Errors are JSON: {\"error\": {\"code\", \"message\"}}.",
        lifespan=lifespan,
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
        # FastAPI's built-in OpenTelemetry export is off: its logs carry validation failures *with the input
        # values* and exception messages, i.e. customers' personal data, to whatever exporter the environment
        # configures (FASTAPI_OTEL_AUTO_CONFIGURE, a global provider). Off, it also costs nothing per request
        # (its per-request "is a provider configured?" check was ~3 % of the event loop's time).
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False,
                   "auto_configure": False},
    )
    app.state.ctx = ctx
    app.state.search_index = search_index
    app.state.settings = settings
    templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
    templates.env.globals["version"] = __version__
    app.state.templates = templates
    install_error_handlers(app)

    # Innermost: inside every middleware below (rate limits, size limit, NUL check, security headers).
    app.add_middleware(FastIngestMiddleware, routes=inbox_routes.FAST_ROUTES, enabled=settings.fast_ingest)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.secure_cookies)
    app.add_middleware(NulCharacterMiddleware)
    limit_store = app.state.limit_store = LimitStore.from_settings(settings)  # memory or Redis (ADR 0009)
    if settings.rate_limits_on:
        app.add_middleware(RateLimitMiddleware, rules=rules_from(settings), store=limit_store)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes)
    app.add_middleware(RequestIdMiddleware)

    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")

    @app.get("/healthz", tags=["ops"], include_in_schema=False,
             dependencies=[public("load balancers and monitoring")])
    def healthz() -> JSONResponse:
        with ctx.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok", "version": __version__, "database": ctx.db.dialect})

    app.include_router(inbox_routes.router)
    app.include_router(webchat_routes.router)
    app.include_router(webchat_audio.router)
    app.include_router(realtime_routes.router)
    app.include_router(pages.router)
    app.include_router(dsr_routes.public)
    app.include_router(dsr_routes.router)
    app.include_router(dsr_pages.router)
    app.include_router(assistant_routes.router)
    app.include_router(assistant_routes.public)
    document_errors(app)  # every /api/ route documents the error responses (web/openapi.py)
    return app
