"""The current request id, for log records written anywhere while a request is handled."""

from __future__ import annotations

import logging
from contextvars import ContextVar

current_request_id: ContextVar[str | None] = ContextVar("hushdesk_request_id", default=None)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (from the request being handled), unless the record has one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id.get()
        return True
