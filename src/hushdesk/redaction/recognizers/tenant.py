"""Recognizers built from a workspace's own configuration.

* custom patterns, compiled with RE2 (linear time: a tenant cannot hang us);
* a deny-list of known terms (contact and agent names, ...) matched with one
  Aho-Corasick automaton, case-insensitively and on word boundaries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hushdesk.redaction.types import Candidate


@dataclass(frozen=True)
class CustomPatternRecognizer:
    label: str
    compiled: Any  # an re2 program
    score: float
    source: str
    name: str = "custom_pattern"

    @property
    def labels(self) -> frozenset[str]:
        return frozenset({self.label})

    def find(self, text: str) -> Iterable[Candidate]:
        for match in self.compiled.finditer(text):
            if match.end() > match.start():
                yield Candidate(
                    match.start(),
                    match.end(),
                    self.label,
                    self.score,
                    self.name,
                    f"workspace pattern {self.source!r}",
                )


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


# Characters that join words into one token ("sam.canary@example.com",
# "hushdesk.worker.run_job", "/home/sam/x"): a term next to one of them, with a
# word character on its other side, is part of a larger token, not a word.
_JOINERS = frozenset(".@_+/\\:%=~")


def on_word_boundary(text: str, start: int, end: int) -> bool:
    """True if ``text[start:end]`` is a whole word, not a piece of a larger token."""
    if start > 0:
        before = text[start - 1]
        if _is_word_char(before):
            return False
        if before in _JOINERS and start > 1 and _is_word_char(text[start - 2]):
            return False
    if end < len(text):
        after = text[end]
        if _is_word_char(after):
            return False
        if after in _JOINERS and end + 1 < len(text) and _is_word_char(text[end + 1]):
            return False
    return True


@dataclass(frozen=True)
class DenyListRecognizer:
    """Exact (case-insensitive) matches of known terms, whole words only."""

    terms: Sequence[tuple[str, str]]
    score: float = 0.99
    name: str = "deny_list"
    _automaton: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        import ahocorasick  # on first use: a process without a deny-list never needs it

        automaton = ahocorasick.Automaton()
        for term, label in self.terms:
            key = " ".join(term.casefold().split())
            if key:
                automaton.add_word(key, (len(key), label))
        automaton.make_automaton()
        object.__setattr__(self, "_automaton", automaton)

    @property
    def labels(self) -> frozenset[str]:
        return frozenset(label for _, label in self.terms)

    def find(self, text: str) -> Iterable[Candidate]:
        if not self.terms:
            return
        folded = text.casefold()
        if len(folded) != len(text):
            # Rare characters (e.g. "ẞ") change length when case-folded;
            # lower() keeps offsets aligned for them.
            folded = text.lower()
            if len(folded) != len(text):
                return
        for end_index, (length, label) in self._automaton.iter(folded):
            start = end_index - length + 1
            end = end_index + 1
            if not on_word_boundary(folded, start, end):
                continue
            yield Candidate(start, end, label, self.score, self.name, "workspace deny-list term")
