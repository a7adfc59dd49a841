"""Personal dates: full calendar dates and birth years.

A bare weekday ("see you Friday"), a time or a duration says nothing about a
person, so only dates that pin a day (or a year next to a birth/life-event
word) are reported.
"""

from __future__ import annotations

import re

from hushdesk.redaction.recognizers.base import (
    HAS_DIGIT,
    RegexRecognizer,
    first_digit,
    folded,
    has_any_folded,
    has_any_word,
    has_context,
)
from hushdesk.redaction.types import DATE

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|2[01]\d\d)"
_TIME = r"(?:[ T](?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:\s?[ap]\.?m\.?)?)?"
_DATES = re.compile(
    rf"(?<![\w/.-])(?:"
    rf"{_YEAR}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01]){_TIME}"  # ISO
    rf"|{_YEAR}/(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])"
    rf"|(?:0?[1-9]|[12]\d|3[01])[/.-](?:0?[1-9]|[12]\d|3[01])[/.-](?:{_YEAR}|\d\d){_TIME}"  # d/m/y, m/d/y
    rf"|(?:{_WEEKDAY},?\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}\.?(?:,?\s+{_YEAR})?"  # 2nd of October 2023
    rf"|(?:{_WEEKDAY},?\s+)?{_MONTH}\.?\s+{_DAY}(?:,?\s+{_YEAR})?"  # Monday, October 2, 2023
    rf"|{_MONTH}\.?,?\s+{_YEAR}"  # October 2023
    rf")(?![\w/]|[.-]\d)",
    re.IGNORECASE,
)
_BIRTH_CONTEXT = re.compile(
    r"\b(?:born|birth|dob|d\.o\.b|birthday|bday|age|died|deceased|married|wedding|since|graduated|"
    r"anniversary|admitted|discharged|hired|joined)\b"
)


# Every alternative of _DATES holds a month name as a whole word (white space or the
# start of the match before it; ".", ",", white space or a non-word character after it)
# or digits and two separators ("2023-10-02", "2/10/23").
_HAS_MONTH = has_any_word(
    *("jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june", "jul", "july"),
    *("aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november", "dec", "december"),
)
# The numeric alternatives (ISO, y/m/d, d/m/y) all hold two separators with one or two
# digits between them: a price ("$7.99") or a code ("HD-10") holds one.
_NUMERIC_DATE_SHAPE = re.compile(r"\d[/.-]\d\d?[/.-]\d")


def _may_hold_date(text: str) -> bool:
    # The digit test first: a digit-led regex is the cheaper scan (either passes).
    return _NUMERIC_DATE_SHAPE.search(text) is not None or _HAS_MONTH(text)


def _score_date(value: str, match: re.Match[str], text: str) -> float | None:
    lowered = value.lower()
    if lowered.startswith(("may ", "march ", "mar ", "jun ", "sat ", "sun ", "wed ")) and value[0].islower():
        # "may 5 people" / "march 3 times": lower-case modal verbs and verbs, not months
        return None
    score = 0.85 if any(ch.isdigit() for ch in value[:4]) else 0.8
    if has_context(text, match.start(), _BIRTH_CONTEXT, 40):
        score = 0.95
    return score


DATE_RECOGNIZER = RegexRecognizer(
    name="date",
    label=DATE,
    pattern=_DATES,
    validate=_score_date,
    reason="calendar date (day, month and/or year)",
    needs=HAS_DIGIT,
    prefilter=_may_hold_date,
)

_YEAR_WITH_CONTEXT = re.compile(
    rf"\b(?:born|birth|since|graduated|married|died|year|from|until|till|in)\s+(?:in\s+)?({_YEAR})\b",
    re.IGNORECASE,
)


# _YEAR's digits: a digit-led pattern, which the regex engine scans quickly.
_YEAR_DIGITS = re.compile(r"(?:1[89]|2[01])\d\d")


def _may_hold_year(text: str) -> bool:
    return _YEAR_DIGITS.search(text) is not None


def _score_year(value: str, match: re.Match[str], text: str) -> float | None:
    word = match.group(0).split()[0].lower()
    return 0.85 if word in {"born", "birth", "graduated", "married", "died"} else 0.55


YEAR_RECOGNIZER = RegexRecognizer(
    name="date",
    label=DATE,
    pattern=_YEAR_WITH_CONTEXT,
    validate=_score_year,
    reason="year next to a life-event word",
    needs=HAS_DIGIT,
    prefilter=_may_hold_year,
    group=1,
)

# --- Days and times on their own: "on Friday", "next Tuesday", "at 2 PM".
# Support conversations use them to arrange (and so to reveal) a person's
# whereabouts; the reference annotations of chat and e-mail mark them as dates.
_DAY_OR_TIME = re.compile(
    r"(?<![\w\[:.])(?:"
    r"(?:(?:next|this|last)\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day(?!\w)"
    r"|(?:[01]?\d|2[0-3])(?::[0-5]\d)?\s?[ap]\.?m\b\.?"
    r"|(?<=at\s)(?:[01]?\d|2[0-3]):[0-5]\d(?![\d:])"
    r")",
    re.IGNORECASE,
)
# What each alternative of _DAY_OR_TIME needs: a weekday's name ("today", "days" are
# none); a digit before "am"/"pm" (matched on the lower-cased text); "at" and a digit
# before a colon.
_HAS_WEEKDAY = has_any_folded("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME_OF_DAY = re.compile(r"\d\s?[ap]\.?m")
_AT_TIME = re.compile(r"at\s\d\d?:")


def _may_hold_day_or_time(text: str) -> bool:
    lowered = folded(text)
    return _HAS_WEEKDAY(text) or _TIME_OF_DAY.search(lowered) is not None or _AT_TIME.search(lowered) is not None


_AFTER_FULL_DATE = re.compile(r"(?:\d{4}|\d(?:st|nd|rd|th)?),?\s+$")


def _score_day_or_time(value: str, match: re.Match[str], text: str) -> float | None:
    if value[0].isdigit():
        if _AFTER_FULL_DATE.search(text[max(0, match.start() - 8) : match.start()]):
            return None  # "October 2, 2023 10:00 AM": the date alone is reported
        if match.end() < len(text) and text[match.end() : match.end() + 1] == "]":
            return None  # "[10:16 AM] Anna:": a transcript timestamp
    return 0.6


DAY_OR_TIME_RECOGNIZER = RegexRecognizer(
    name="date",
    label=DATE,
    pattern=_DAY_OR_TIME,
    validate=_score_day_or_time,
    reason="day of the week or time of day",
    prefilter=_may_hold_day_or_time,
)

# --- A year on its own ("Act of 2003", "University of Illinois, 2018").
_BARE_YEAR = re.compile(rf"(?<![\w/.:$€£#@-]){_YEAR}(?![\w/:%@-]|[.,]\d)")


def _score_bare_year(value: str, match: re.Match[str], text: str) -> float | None:
    return 0.5


BARE_YEAR_RECOGNIZER = RegexRecognizer(
    name="date",
    label=DATE,
    pattern=_BARE_YEAR,
    validate=_score_bare_year,
    reason="a year",
    needs=HAS_DIGIT,
    scan_from=first_digit,  # _BARE_YEAR begins with a digit
    prefilter=_may_hold_year,
)
