"""PII redaction engine: find personal data in text and replace it.

Typical use::

    engine = get_engine()
    result = engine.redact(message, config=workspace_config, state=conversation_state)
    store(result.text); save_encrypted(result.state.to_json())
"""

from hushdesk.redaction.config import CustomPattern, RedactionConfig
from hushdesk.redaction.engine import RedactionEngine, RedactionResult, get_engine
from hushdesk.redaction.logfilter import RedactingLogFilter
from hushdesk.redaction.state import PlaceholderState
from hushdesk.redaction.types import ALL_LABELS, Finding, Recognizer

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
