"""PII redaction engine: find personal data in text and replace it.

Typical use::

    engine = get_engine()
    result = engine.redact(message, config=workspace_config, state=conversation_state)
    store(result.text); save_encrypted(result.state.to_json())
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hushdesk.redaction.config import CustomPattern, RedactionConfig
from hushdesk.redaction.engine import RedactionEngine, RedactionResult, get_engine
from hushdesk.redaction.state import PlaceholderState
from hushdesk.redaction.types import ALL_LABELS, Finding, Recognizer

if TYPE_CHECKING:
    from hushdesk.redaction.logfilter import RedactingLogFilter


def __getattr__(name: str) -> Any:
    # The log filter (and the logging module) is imported when asked for: the CLI and
    # the ingest path never need it, and `hushdesk redact` starts faster without it.
    if name == "RedactingLogFilter":
        from hushdesk.redaction.logfilter import RedactingLogFilter

        return RedactingLogFilter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ALL_LABELS",
    "CustomPattern",
    "Finding",
    "PlaceholderState",
    "Recognizer",
    "RedactingLogFilter",
    "RedactionConfig",
    "RedactionEngine",
    "RedactionResult",
    "get_engine",
]
