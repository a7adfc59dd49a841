"""E-mail addresses, including leetspeak top-level domains ("c0m")."""

from __future__ import annotations

import re

from hushdesk.redaction.recognizers.base import HAS_AT, RegexRecognizer
from hushdesk.redaction.types import EMAIL

_LEET_TO_LETTER = str.maketrans("013457", "oleast")

_EMAIL = re.compile(
    r"(?<![\w.%+-])"
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z0-9]{2,24}"
    r"(?![\w-])"
)


# The characters of _EMAIL's local part (before the "@").
_LOCAL_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+/=?^_`{|}~-.")


def _start_of_first_local_part(text: str) -> int:
    """No _EMAIL match begins before the run of local-part characters that ends at the first
    "@" (a match before it would hold that "@" in its local part); -1 without an "@"."""
    start = text.find("@")
    while start > 0 and text[start - 1] in _LOCAL_CHARACTERS:
        start -= 1
    return start


def _score_email(value: str, match: re.Match[str], text: str) -> float | None:
    tld = value.rsplit(".", 1)[1]
    if tld.isalpha():
        return 0.95
    # "john@example.c0m": a domain ending in digits that read as letters is an
    # evasion attempt; a purely numeric ending is an IP-like host, rarer in chat.
    decoded = tld.translate(_LEET_TO_LETTER)
    if decoded.isalpha():
        return 0.85
    return None


EMAIL_RECOGNIZER = RegexRecognizer(
    name="email",
    label=EMAIL,
    pattern=_EMAIL,
    validate=_score_email,
    reason="address@domain pattern with a valid top-level domain",
    needs=HAS_AT,
    scan_from=_start_of_first_local_part,
)
