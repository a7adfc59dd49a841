"""Logging: every record passes the redaction filter before any handler writes it; JSON output optional."""

from __future__ import annotations

import json
import logging
import logging.handlers
from typing import Any

from hushdesk.config import Settings
from hushdesk.kit.request_context import RequestIdFilter
from hushdesk.redaction import RedactingLogFilter


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            payload["request_id"] = request_id
        if record.exc_info:
            payload["error"] = record.exc_info[0].__name__ if record.exc_info[0] else "error"
        return json.dumps(payload)


def configure_logging(settings: Settings) -> None:
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    root.setLevel(settings.log_level.upper())
    for handler in list(root.handlers):
        root.removeHandler(handler)
    formatter: logging.Formatter = (
        JsonFormatter() if settings.log_json
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    redactor = RedactingLogFilter()
    stream = logging.StreamHandler()
    files = logging.handlers.RotatingFileHandler(settings.log_dir / "hushdesk.log", maxBytes=10_000_000,
                                                 backupCount=5, encoding="utf-8")
    for handler in (stream, files):
        handler.setFormatter(formatter)
        # Filters on handlers (not loggers) also catch records propagated from library loggers.
        handler.addFilter(RequestIdFilter())
        handler.addFilter(redactor)
        root.addHandler(handler)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "huey"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
