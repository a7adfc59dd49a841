"""The built-in recognizers, in one place.

Adding a recognizer = writing a class that satisfies
:class:`hushdesk.redaction.types.Recognizer` and listing it here.
"""

from __future__ import annotations

from hushdesk.redaction.recognizers.accounts import (
    ACCOUNT_RECOGNIZER,
    HANDLE_RECOGNIZER,
    KNOWN_SECRET_RECOGNIZER,
    REFERENCE_CODE_RECOGNIZER,
    SECRET_AFTER_WORD_RECOGNIZER,
    USERNAME_RECOGNIZER,
)
from hushdesk.redaction.recognizers.address import (
    CuedAddressRecognizer,
    PostcodeRecognizer,
    StreetAddressRecognizer,
)
from hushdesk.redaction.recognizers.context import ConversationCueRecognizer, PriorPlaceholderRecognizer
from hushdesk.redaction.recognizers.credit_card import CARD_AFTER_WORD_RECOGNIZER, CREDIT_CARD_RECOGNIZER
from hushdesk.redaction.recognizers.dates import (
    BARE_YEAR_RECOGNIZER,
    DATE_RECOGNIZER,
    DAY_OR_TIME_RECOGNIZER,
    YEAR_RECOGNIZER,
)
from hushdesk.redaction.recognizers.email import EMAIL_RECOGNIZER
from hushdesk.redaction.recognizers.identifiers import (
    CONTEXT_ID_RECOGNIZER,
    IPV4_RECOGNIZER,
    IPV6_RECOGNIZER,
    NINO_RECOGNIZER,
    SSN_RECOGNIZER,
    URL_RECOGNIZER,
    IbanRecognizer,
)
from hushdesk.redaction.recognizers.names import NameModelRecognizer
from hushdesk.redaction.recognizers.phone import PHONE_RECOGNIZER
from hushdesk.redaction.types import Recognizer


def default_recognizers() -> tuple[Recognizer, ...]:
    """Every built-in recognizer (cheap: no I/O here; models load on first use)."""
    return (
        EMAIL_RECOGNIZER,
        PHONE_RECOGNIZER,
        CREDIT_CARD_RECOGNIZER,
        CARD_AFTER_WORD_RECOGNIZER,
        IbanRecognizer(),
        SSN_RECOGNIZER,
        NINO_RECOGNIZER,
        CONTEXT_ID_RECOGNIZER,
        IPV4_RECOGNIZER,
        IPV6_RECOGNIZER,
        URL_RECOGNIZER,
        DATE_RECOGNIZER,
        YEAR_RECOGNIZER,
        DAY_OR_TIME_RECOGNIZER,
        BARE_YEAR_RECOGNIZER,
        ACCOUNT_RECOGNIZER,
        USERNAME_RECOGNIZER,
        REFERENCE_CODE_RECOGNIZER,
        HANDLE_RECOGNIZER,
        SECRET_AFTER_WORD_RECOGNIZER,
        KNOWN_SECRET_RECOGNIZER,
        StreetAddressRecognizer(),
        CuedAddressRecognizer(),
        PostcodeRecognizer(),
        ConversationCueRecognizer(),
        PriorPlaceholderRecognizer(),
        NameModelRecognizer(),
    )
