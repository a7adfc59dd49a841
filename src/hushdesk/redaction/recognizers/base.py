"""Shared building blocks for pattern-based recognizers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from hushdesk.redaction.types import Candidate

# A validator returns the score to keep the match with, or None to drop it.
Validator = Callable[[str, re.Match[str], str], "float | None"]


HAS_DIGIT = re.compile(r"\d")
HAS_AT = re.compile(r"@")


def window_before(text: str, start: int, width: int = 40) -> str:
    """Lower-cased text just before ``start`` (where context words like "phone:" sit)."""
    return text[max(0, start - width) : start].lower()


def has_context(text: str, start: int, words: re.Pattern[str], width: int = 40) -> bool:
    return words.search(window_before(text, start, width)) is not None


@dataclass(frozen=True)
class RegexRecognizer:
    """Regex candidates, each confirmed (and scored) by a validator.

    ``group`` selects the capture group that is the personal data, so a pattern
    may include context ("order #") without redacting it.
    """

    name: str
    label: str
    pattern: re.Pattern[str]
    validate: Validator
    reason: str
    group: int = 0
    # A cheap test the text must pass before the pattern runs at all (e.g. "has
    # a digit", "has an @"): most short messages skip most recognizers.
    needs: re.Pattern[str] | None = None

    @property
    def labels(self) -> frozenset[str]:
        return frozenset({self.label})

    def find(self, text: str) -> Iterable[Candidate]:
        if self.needs is not None and self.needs.search(text) is None:
            return
        for match in self.pattern.finditer(text):
            value = match.group(self.group)
            if not value:
                continue
            score = self.validate(value, match, text)
            if score is None:
                continue
            yield Candidate(
                match.start(self.group),
                match.end(self.group),
                self.label,
                score,
                self.name,
                self.reason,
            )


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def only_digits(text: str) -> str:
    return "".join(ch for ch in text if "0" <= ch <= "9")
