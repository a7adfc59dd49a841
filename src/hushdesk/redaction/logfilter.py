"""A logging filter that redacts every record before any handler writes it."""

from __future__ import annotations

import logging
import threading

from hushdesk.redaction.config import RedactionConfig
from hushdesk.redaction.engine import get_engine

_busy = threading.local()


class RedactingLogFilter(logging.Filter):
    """Replace a record's message (and formatted traceback) by its redacted form.

    Attach it to *handlers* so records from every logger pass through it.  The
    placeholder operator is used without a conversation state: numbering
    restarts in each record, which is all a log line needs.
    """

    def __init__(self, name: str = "", config: RedactionConfig | None = None) -> None:
        super().__init__(name)
        self._config = config

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(_busy, "active", False):
            return True  # a record logged while redacting must not recurse
        _busy.active = True
        try:
            self._redact_record(record)
        finally:
            _busy.active = False
        return True

    def _redact_record(self, record: logging.LogRecord) -> None:
        engine = get_engine()
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # A broken format string: redact the raw parts rather than fail.
            message = f"{record.msg} {record.args}"
        record.msg = engine.redact(message, config=self._config).text
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = engine.redact(record.exc_text, config=self._config).text
        if record.stack_info:
            record.stack_info = engine.redact(record.stack_info, config=self._config).text
