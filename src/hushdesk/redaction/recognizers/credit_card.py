"""Payment card numbers: issuer prefix + length + Luhn checksum."""

from __future__ import annotations

import re

from hushdesk.redaction.recognizers.base import (
    HAS_DIGIT,
    RegexRecognizer,
    first_digit,
    has_any_folded,
    luhn_valid,
    only_digits,
)
from hushdesk.redaction.types import CREDIT_CARD

# 13-19 digits, optionally grouped by single spaces or dashes ("4111 1111 1111 1111",
# "4111-1111-...", or digits split one by one to dodge naive detectors).
_CARD = re.compile(r"(?<![\w.,-])\d(?:[ -]?\d){12,18}(?![\w]|[.,-]\d)")

_ISSUER_PREFIX = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[47]|3[068]|6(?:011|5|4[4-9]|22)|35|62|81)")


def _score_card(value: str, match: re.Match[str], text: str) -> float | None:
    digits = only_digits(value)
    if not 13 <= len(digits) <= 19 or not luhn_valid(digits):
        return None
    if len(set(digits)) == 1:  # 0000 0000 0000 0000 passes Luhn but is filler
        return None
    if _ISSUER_PREFIX.match(digits):
        return 0.95
    return 0.6


CREDIT_CARD_RECOGNIZER = RegexRecognizer(
    name="credit_card",
    label=CREDIT_CARD,
    pattern=_CARD,
    validate=_score_card,
    reason="13-19 digits with a known issuer prefix and a valid Luhn checksum",
    needs=HAS_DIGIT,
    scan_from=first_digit,  # _CARD begins with a digit
)

# A long digit run right after the word "card" is a card number even when its
# checksum fails (a mistyped or partly invented number is still the customer's).
_CARD_AFTER_WORD = re.compile(
    r"\b(?i:card)(?:\s+(?i:number|no\.?|num|#))?(?:\s+(?i:is|was))?\s*[:#]?\s*"
    r"(\d{4}(?:[ -]?\d{4}){2}[ -]?\d{0,7}|\d{12,19})(?![\w-])"
)


def _score_card_after_word(value: str, match: re.Match[str], text: str) -> float | None:
    return 0.88 if 12 <= len(only_digits(value)) <= 19 else None


CARD_AFTER_WORD_RECOGNIZER = RegexRecognizer(
    name="credit_card",
    label=CREDIT_CARD,
    pattern=_CARD_AFTER_WORD,
    validate=_score_card_after_word,
    reason="12-19 digits right after the word 'card'",
    needs=HAS_DIGIT,
    prefilter=has_any_folded("card"),
    group=1,
)
