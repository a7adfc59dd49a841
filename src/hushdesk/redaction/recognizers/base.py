"""Shared building blocks for pattern-based recognizers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from hushdesk.redaction.types import Candidate

# A validator returns the score to keep the match with, or None to drop it.
Validator = Callable[[str, re.Match[str], str], "float | None"]
# A prefilter is a cheap *necessary* condition of a pattern: False means the pattern
# cannot match this text (so its scan, the costly part, is skipped); True means nothing.
Prefilter = Callable[[str], bool]


HAS_DIGIT = re.compile(r"\d")
HAS_AT = re.compile(r"@")
# The text last searched for a digit, with the first digit's index (-1: none): a dozen
# recognizers ask it of each message. One tuple, replaced whole (see folded()).
_last_digit: tuple[str, int] = ("", -1)


def first_digit(text: str) -> int:
    """Index of the first digit (what HAS_DIGIT finds) in ``text``, or -1."""
    global _last_digit
    last = _last_digit
    if last[0] is text:
        return last[1]
    hit = HAS_DIGIT.search(text)
    result = -1 if hit is None else hit.start()
    _last_digit = (text, result)
    return result


def literal_trie(needles: Iterable[str], *, longest: bool = False) -> re.Pattern[str]:
    """A regex that finds any of ``needles`` (plain text), written as a trie.

    ``"a(?:ids|sthma)|c(?:ancer|rohn)"`` rather than ``"aids|asthma|cancer|crohn"``:
    the regex engine tries an alternative only if its first character matches, so a
    scan costs about one test per distinct first character, not one per needle (a
    prefilter of 80 words: ~1 us, against ~6 us for 80 ``in`` tests). Where a needle
    ends, longer ones sharing it are dropped (finding the shorter one suffices), unless
    ``longest``: then they are optional tails, taken when present ("st(?:reet)?").
    """
    tree: dict[str, Any] = {}
    for needle in needles:
        node = tree
        for char in needle:
            node = node.setdefault(char, {})
        node[""] = {}  # a needle ends here

    def render(node: dict[str, Any]) -> str:
        if "" in node and not longest:
            return ""
        branches = [re.escape(char) + render(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return re.compile(render(tree))


def by_first_letter(alternatives: Sequence[str]) -> str:
    """``"(?:a|b|...)"`` of regex ``alternatives``, grouped by their first letter:
    ``"(?:o(?:rder)|a(?:ccount|cct)|...)"``. The same pattern, scanned faster.

    Under re.IGNORECASE the engine tests every alternative at every place (no
    first-character check), ~45 for the account words; grouped, it tests each first
    letter once. Two alternatives with different first letters never match at one
    place (with IGNORECASE neither: each of the four non-ASCII twins matches one ASCII
    letter), so moving one before the other changes nothing; within a letter the
    order is kept, and with it which alternative wins."""
    if not all("a" <= alt[:1] <= "z" and alt[1:2] not in ("?", "*", "+", "{") for alt in alternatives):
        raise ValueError("by_first_letter: every alternative must start with a lower-case ASCII letter")
    groups: dict[str, list[str]] = {}
    for alt in alternatives:
        groups.setdefault(alt[0], []).append(alt[1:])
    return "(?:" + "|".join(f"{letter}(?:{'|'.join(rests)})" for letter, rests in groups.items()) + ")"


def has_any(*needles: str) -> Prefilter:
    """Prefilter of a case-sensitive pattern that cannot match without one of ``needles``."""
    if len(needles) == 1:  # ":": a substring test is ~5x faster than a regex search
        needle = needles[0]
        return lambda text: needle in text
    search = literal_trie(needles).search

    def check(text: str) -> bool:
        return search(text) is not None

    return check


# re.IGNORECASE lets exactly four non-ASCII characters match ASCII letters (the Kelvin
# sign matches "k"; test_redaction_prefilters checks the list over all of Unicode).
_ASCII_TWINS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
# The text last folded, with its folded form: the ~15 prefilters of one message share it.
# One tuple, replaced whole, so a thread never sees a text with another text's fold.
_last_fold: tuple[str, str] = ("", "")


def folded(text: str) -> str:
    """``text`` lower-cased, with the ASCII twins above made ASCII: an ASCII word that a
    case-insensitive pattern finds in ``text`` is a substring of the result."""
    global _last_fold
    last = _last_fold
    if last[0] is text:
        return last[1]
    result = text.lower() if text.isascii() else text.translate(_ASCII_TWINS).lower()
    _last_fold = (text, result)
    return result


def has_any_folded(*stems: str) -> Prefilter:
    """Prefilter of a case-insensitive pattern that cannot match without one of ``stems``
    (lower-case substrings of the words it needs, e.g. "pass" for "password|passwd").

    A stem's non-ASCII letters must be ones whose case-insensitive matches all lower-case
    to them ("\u00e9": "\u00e9" and "\u00c9"), as for the accented Latin letters."""
    if not all(stem == folded(stem) for stem in stems):
        raise ValueError("has_any_folded: stems must be lower case")
    if "" in stems:  # the empty string is in every text
        return lambda text: True
    gate = _FOLDED_STEMS.register(stems)

    def check(text: str) -> bool:
        return gate in _FOLDED_STEMS.present(folded(text))

    return check


class _StemScan:
    """The stems of every :func:`has_any_folded` prefilter, found in one scan per text.

    A message meets a dozen of these prefilters, and one trie search each cost ~1 us;
    a search of the union of their stems from each place where a stem starts finds
    which prefilters pass in ~3 us for all of them. The trie takes the longest stem
    at a place, and every shorter stem starting there is a prefix of it, so the
    prefilters passing at that place are those owning some prefix of it: exact."""

    def __init__(self) -> None:
        self._sets: list[frozenset[str]] = []
        # (search of the union's trie, per longest stem: the prefilters it passes); None
        # until the first scan after a registration.
        self._union: tuple[Callable[..., re.Match[str] | None], dict[str, frozenset[int]]] | None = None
        # The text last scanned, the union it was scanned with, and what it holds: one
        # tuple, replaced whole, as for folded().
        self._last: tuple[str, object, frozenset[int]] = ("", None, frozenset())

    def register(self, stems: Iterable[str]) -> int:
        self._sets.append(frozenset(stems))
        self._union = None
        return len(self._sets) - 1

    def _build(self) -> tuple[Callable[..., re.Match[str] | None], dict[str, frozenset[int]]]:
        owners: dict[str, set[int]] = {}
        for gate, stems in enumerate(self._sets):
            for stem in stems:
                owners.setdefault(stem, set()).add(gate)
        passes = {
            stem: frozenset(g for end in range(1, len(stem) + 1) for g in owners.get(stem[:end], ())) for stem in owners
        }
        union = (literal_trie(owners, longest=True).search, passes)
        self._union = union
        return union

    def present(self, lowered: str) -> frozenset[int]:
        """The prefilters (by number) one of whose stems occurs in ``lowered``."""
        union = self._union or self._build()
        last = self._last
        if last[0] is lowered and last[1] is union:
            return last[2]
        search, passes = union
        found: set[int] = set()
        match = search(lowered)
        while match is not None:
            found |= passes[match.group()]
            match = search(lowered, match.start() + 1)
        result = frozenset(found)
        self._last = (lowered, union, result)
        return result


_FOLDED_STEMS = _StemScan()


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"  # what the regex "\\w" matches


def has_any_word(*words: str) -> Prefilter:
    """Prefilter of a case-insensitive pattern that cannot match without one of ``words``
    standing as a whole word (no letter, digit or "_" on either side), such as a month
    name followed by a day: "market" or "decide" then do not count as "mar" or "dec"."""
    if not all(word == folded(word) for word in words):
        raise ValueError("has_any_word: words must be lower case")
    finditer = literal_trie(words, longest=True).finditer

    def check(text: str) -> bool:
        lowered = folded(text)
        # A candidate is made of one word's letters, so skipping a rejected one never
        # skips the start of the next word.
        for match in finditer(lowered):
            start, end = match.span()
            if (start == 0 or not _is_word_char(lowered[start - 1])) and (
                end == len(lowered) or not _is_word_char(lowered[end])
            ):
                return True
        return False

    return check


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
    # A second, finer necessary condition (a word the pattern needs): see has_any.
    prefilter: Prefilter | None = None
    # Where the scan may start: no match begins before the index this returns (-1: no match
    # can begin anywhere), e.g. first_digit for a pattern whose matches begin with a digit.
    # A pattern led by a look-behind is otherwise tried at every place before it; the
    # look-behind and "\b" still see the text before the start (finditer's ``pos`` is not
    # a slice).
    scan_from: Callable[[str], int] | None = None

    @property
    def labels(self) -> frozenset[str]:
        return frozenset({self.label})

    def find(self, text: str) -> Iterable[Candidate]:
        # A plain function returning a list, not a generator: most texts fail a prefilter,
        # and creating and exhausting a generator for nothing cost more than the test.
        needs = self.needs
        if needs is not None and (first_digit(text) < 0 if needs is HAS_DIGIT else needs.search(text) is None):
            return ()
        prefilter = self.prefilter
        if prefilter is not None and not prefilter(text):
            return ()
        start = 0
        if self.scan_from is not None:
            start = self.scan_from(text)
            if start < 0:
                return ()
        found: list[Candidate] = []
        group, validate = self.group, self.validate
        for match in self.pattern.finditer(text, start):
            value = match.group(group)
            if not value:
                continue
            score = validate(value, match, text)
            if score is None:
                continue
            found.append(Candidate(match.start(group), match.end(group), self.label, score, self.name, self.reason))
        return found


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
