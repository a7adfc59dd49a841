"""The built-in recognizers, in one place.

Adding a recognizer = writing a class that satisfies
:class:`hushdesk.redaction.types.Recognizer` and listing it here.
"""

from __future__ import annotations

from hushdesk.redaction.recognizers.credit_card import CREDIT_CARD_RECOGNIZER
from hushdesk.redaction.recognizers.email import EMAIL_RECOGNIZER
from hushdesk.redaction.recognizers.phone import PHONE_RECOGNIZER
from hushdesk.redaction.types import Recognizer


def default_recognizers() -> tuple[Recognizer, ...]:
    """Fresh instances of every built-in recognizer (cheap: no I/O here)."""
    return (
        EMAIL_RECOGNIZER,
        PHONE_RECOGNIZER,
        CREDIT_CARD_RECOGNIZER,
    )
