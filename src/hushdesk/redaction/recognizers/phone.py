"""Telephone numbers, international, confirmed with ``phonenumbers``.

A fast regex finds phone-shaped digit groups; only those are handed to the
(slower) libphonenumber port.  Dates, versions, prices and IP addresses share
the shape and are rejected explicitly.
"""

from __future__ import annotations

import re

import phonenumbers

from hushdesk.redaction.recognizers.base import HAS_DIGIT, RegexRecognizer, has_context, only_digits
from hushdesk.redaction.types import PHONE

_GROUP = r"(?:\(\d{1,5}\)|\d{1,15})"
# Separators are mandatory between digit groups (except around parentheses), so
# a digit run can be split in exactly one way: no catastrophic backtracking.
_SEPARATOR = r"(?:[ .\-/]|(?<=\))\s?|\s?(?=\())"
_PHONE = re.compile(
    r"(?<![\w+@#/.$€£¥-])"
    rf"(?:\+\s?|\b00)?{_GROUP}(?:{_SEPARATOR}{_GROUP}){{0,7}}"
    r"(?:\s?(?:x|ext\.?|extension)\s?\d{1,6})?"
    r"(?![\w@%$€£]|[.,/:-]\d)"
)
# What a match of _PHONE begins with: "+", "00", "(" or a digit of a group.
_FIRST = re.compile(r"[+(\d]")


def _first_phone_character(text: str) -> int:
    hit = _FIRST.search(text)
    return -1 if hit is None else hit.start()


_CONTEXT = re.compile(
    r"\b(?:phone|tel|telephone|mobile|cell|cellphone|fax|call|text|sms|whats\s?app|"
    r"number|no\.?|contact|reach|dial|desk|office|home|work|landline|ph)\b"
)
_DATE_SHAPE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$")
_TIME_OR_VERSION = re.compile(r"^\d{1,3}(?:\.\d{1,3}){1,3}$")
_SSN_SHAPE = re.compile(r"^\d{3}-\d{2}-\d{4}$")
_REGIONS_TO_TRY = ("US", "GB", "DE", "FR", "IN", "AU", "BR", "ES", "IT", "NL")


def _phone_score(value: str, match: re.Match[str], text: str) -> float | None:
    digits = only_digits(value)
    if not 7 <= len(digits) <= 15:
        return None
    stripped = value.strip()
    if _DATE_SHAPE.match(stripped) or _TIME_OR_VERSION.match(stripped) or _SSN_SHAPE.match(stripped):
        return None
    context = has_context(text, match.start(), _CONTEXT, 30)
    international = stripped.startswith(("+", "00"))
    grouped = any(not ch.isdigit() for ch in stripped)
    best = 0.0
    for region in ("ZZ",) if international else _REGIONS_TO_TRY:
        try:
            number = phonenumbers.parse(stripped, None if region == "ZZ" else region)
        except phonenumbers.NumberParseException:
            continue
        # A valid number is always a possible one: every region's valid lengths are possible
        # lengths of its calling code (test_phone_validity_implies_possibility checks the
        # installed metadata). The length test costs ~1 us, validation up to ~15 (+1 tries
        # 25 regions): most regions tried reject a number on its length alone.
        possible = phonenumbers.is_possible_number(number)
        if possible and phonenumbers.is_valid_number(number):
            best = 0.85 if region in ("US", "ZZ") else 0.7
            break
        if best < 0.55 and possible:
            best = 0.55
    if best == 0.0:
        if not (context and grouped):
            return None
        best = 0.5
    if not grouped and not international:
        # A bare digit run is as likely an order or account number.
        best -= 0.25
    if context:
        best += 0.15
    return min(best, 0.99)


PHONE_RECOGNIZER = RegexRecognizer(
    name="phone",
    label=PHONE,
    pattern=_PHONE,
    validate=_phone_score,
    reason="phone-shaped digits accepted by libphonenumber",
    needs=HAS_DIGIT,
    scan_from=_first_phone_character,
)
