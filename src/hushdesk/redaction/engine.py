"""The redaction engine: normalise, run recognizers, resolve overlaps, redact."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hushdesk.redaction.config import DEFAULT_CONFIG, RedactionConfig
from hushdesk.redaction.normalize import NormalisedText, normalise
from hushdesk.redaction.operators import Operator, apply_operator
from hushdesk.redaction.registry import default_recognizers
from hushdesk.redaction.state import PlaceholderState
from hushdesk.redaction.types import (
    CREDIT_CARD,
    DATE,
    EMAIL,
    IBAN,
    IP_ADDRESS,
    OTHER,
    PERSON,
    PHONE,
    URL,
    Candidate,
    Finding,
    Recognizer,
)

_TRIM = " \t\r\n.,;:!?\"'()[]{}<>"
_CLOSING_OF = {"(": ")", "[": "]", "{": "}", "<": ">"}


@dataclass(frozen=True)
class RedactionResult:
    """Redacted text and what was found.

    ``state`` is an updated *copy* of the state passed in (or a new state): the
    caller's object is never mutated, so a rolled-back transaction can simply
    keep using its old state.
    """

    text: str
    findings: list[Finding]
    state: PlaceholderState


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop surrounding whitespace and punctuation a pattern may have included."""
    while start < end and text[start] in _TRIM:
        if text[start] in _CLOSING_OF and _CLOSING_OF[text[start]] in text[start:end]:
            break  # "(415) 555-2671": the bracket belongs to the value
        start += 1
    while end > start and text[end - 1] in _TRIM:
        # Keep a closing bracket or period that belongs to the value itself.
        if text[end - 1] in ")]}>" and _balanced_opening(text, start, end - 1):
            break
        if text[end - 1] == "." and _ends_with_abbreviation(text, start, end - 1):
            break
        end -= 1
    return start, end


_ABBREVIATIONS = frozenset(
    {"inc", "ltd", "co", "corp", "jr", "sr", "st", "ave", "rd", "dr", "blvd", "ln", "apt", "no", "mr", "mrs"}
    | {"ms", "prof", "bros", "plc", "llc", "e.g", "s.a", "u.s", "p.o"}
)


def _ends_with_abbreviation(text: str, start: int, dot: int) -> bool:
    """True for "Acme Inc." or "Ryan P." (an initial): the period is part of the value."""
    word_start = dot
    while word_start > start and (text[word_start - 1].isalpha() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot]
    return word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper())


def _balanced_opening(text: str, start: int, closing: int) -> bool:
    pairs = {")": "(", "]": "[", "}": "{", ">": "<"}
    return pairs[text[closing]] in text[start:closing]


def merge_same_label(findings: list[Finding], text: str) -> list[Finding]:
    """Union overlapping findings of one label ("Dr. Emily Stone" from a cue and
    "Emily Stone" from the tagger are one name), keeping the best evidence."""
    if len(findings) < 2:  # most messages: nothing to merge
        return list(findings)
    by_start = sorted(findings, key=lambda f: (f.label, f.start, -f.end))
    merged: list[Finding] = []
    for finding in by_start:
        last = merged[-1] if merged else None
        if last is not None and last.label == finding.label and finding.start < last.end:
            if finding.end > last.end or finding.score > last.score:
                best = finding if finding.score > last.score else last
                end = max(last.end, finding.end)
                merged[-1] = Finding(
                    last.start, end, last.label, text[last.start : end], best.score, best.recognizer, best.reason
                )
            continue
        merged.append(finding)
    return merged


# Values with a validated structure (checksum, syntax): nothing found inside or
# across one of them (a deny-list term, a name, a tenant pattern) may split it.
STRUCTURED_LABELS = frozenset({EMAIL, URL, IP_ADDRESS, CREDIT_CARD, IBAN, PHONE})


def resolve_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    """Keep the best non-overlapping findings.

    A structured value (e-mail, URL, IP, card, IBAN, phone) is never split: an
    unstructured finding that lies inside one or crosses its edge is dropped,
    whatever its score ("sam.canary@example.com" is one e-mail address, not a
    deny-listed "Sam" plus the rest).  Otherwise a higher score wins, then the
    longer span.
    """
    candidates = list(findings)
    if len(candidates) < 2:  # a lone finding overlaps nothing
        return candidates
    dates = [f for f in candidates if f.label == DATE]
    if dates:  # "April 1, 2023": the month is not the person "April", whatever the scores
        candidates = [f for f in candidates if f.label == DATE or not _strictly_inside_any(f, dates)]
    structured = [f for f in candidates if f.label in STRUCTURED_LABELS]
    if structured:
        candidates = [f for f in candidates if f.label in STRUCTURED_LABELS or not _splits_any(f, structured)]
    ranked = sorted(candidates, key=lambda f: (-f.score, -(f.end - f.start), f.start))
    taken: list[Finding] = []
    for finding in ranked:
        if all(finding.end <= other.start or other.end <= finding.start for other in taken):
            taken.append(finding)
    taken.sort(key=lambda f: f.start)
    return taken


_TITLE = re.compile(r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Madam|Mme|Herr|Frau|Sr|Sra)\.?(?=\s)", re.IGNORECASE)


def split_titles(findings: list[Finding], config: RedactionConfig) -> list[Finding]:
    """ "Mr. Fábio Barros" is a title (OTHER) and a name (PERSON), as in the
    reference annotations: the name's placeholder then stays the same with or
    without the title ("Mr. Barros", "Barros")."""
    out: list[Finding] = []
    for finding in findings:
        title = _TITLE.match(finding.text) if finding.label == PERSON else None
        rest = finding.text[title.end() :] if title else ""
        if title is None or not rest.strip():
            out.append(finding)
            continue
        name_start = finding.start + len(finding.text) - len(rest.lstrip())
        if OTHER not in config.disabled_entities:
            out.append(
                Finding(finding.start, finding.start + title.end(), OTHER, title.group(0), finding.score,
                        finding.recognizer, "title before a name")
            )  # fmt: skip
        out.append(
            Finding(name_start, finding.end, PERSON, rest.lstrip(), finding.score, finding.recognizer, finding.reason)
        )
    return out


def _strictly_inside_any(finding: Finding, others: list[Finding]) -> bool:
    return any(
        o.start <= finding.start and finding.end <= o.end and (o.end - o.start) > (finding.end - finding.start)
        for o in others
    )


def _splits_any(finding: Finding, structured: list[Finding]) -> bool:
    """True if ``finding`` overlaps a structured value without covering all of it."""
    return any(
        finding.start < s.end and s.start < finding.end and not (finding.start <= s.start and s.end <= finding.end)
        for s in structured
    )


class RedactionEngine:
    """Stateless after construction and safe to share between threads."""

    def __init__(self, recognizers: Sequence[Recognizer] | None = None) -> None:
        self._recognizers: tuple[Recognizer, ...] = (
            tuple(recognizers) if recognizers is not None else default_recognizers()
        )
        # The built-in recognizers left on by a set of disabled labels. Configs are few (one
        # per workspace) and their sets repeat; testing 27 ``labels`` per message cost ~4 us.
        self._active: dict[frozenset[str], tuple[Recognizer, ...]] = {}

    @property
    def recognizers(self) -> tuple[Recognizer, ...]:
        return self._recognizers

    def analyze(self, text: str, config: RedactionConfig | None = None) -> list[Finding]:
        """Non-overlapping findings sorted by start, offsets into ``text``."""
        config = config or DEFAULT_CONFIG
        if not text:
            return []
        normalised = normalise(text)
        findings: list[Finding] = []
        disabled = config.disabled_entities
        active = self._active.get(disabled)
        if active is None:
            active = self._active_for(disabled)
        tenant = config.tenant_recognizers
        if tenant:
            active = (*active, *(r for r in tenant if not r.labels <= disabled))
        search_text = normalised.text
        accept = self._accept
        for recognizer in active:
            for candidate in recognizer.find(search_text):
                finding = accept(candidate, normalised, config)
                if finding is not None:
                    findings.append(finding)
        resolved = split_titles(resolve_overlaps(merge_same_label(findings, text)), config)
        return _add_repeats(text, resolved, config)

    def _active_for(self, disabled: frozenset[str]) -> tuple[Recognizer, ...]:
        active = tuple(r for r in self._recognizers if not r.labels <= disabled)
        if len(self._active) >= _MAX_DISABLED_SETS:
            self._active = {}  # bounded; a lost entry under a thread race is only recomputed
        self._active[disabled] = active
        return active

    def _accept(self, candidate: Candidate, normalised: NormalisedText, config: RedactionConfig) -> Finding | None:
        if candidate.label in config.disabled_entities:
            return None
        if candidate.score < config.threshold_for(candidate.label):
            return None
        text = normalised.original
        if normalised.starts:
            start, end = normalised.to_original(candidate.start, candidate.end)
        else:  # the text did not change (most messages): the offsets are the original's
            start, end = candidate.start, candidate.end
        start, end = _trim(text, start, end)
        if start >= end:
            return None
        value = text[start:end]
        if config.allow_list and _allowed(value, text, start, end, config):
            return None
        return Finding(start, end, candidate.label, value, candidate.score, candidate.recognizer, candidate.reason)

    def redact(
        self,
        text: str,
        *,
        config: RedactionConfig | None = None,
        state: PlaceholderState | None = None,
        operator: Operator = "placeholder",
        hash_key: bytes | None = None,
    ) -> RedactionResult:
        new_state = state.copy() if state is not None else PlaceholderState()
        findings = self.analyze(text, config)
        redacted = apply_operator(text, findings, operator, new_state, hash_key)
        return RedactionResult(redacted, findings, new_state)


_MIN_REPEAT_LENGTH = 3
_MAX_DISABLED_SETS = 256


def _add_repeats(text: str, findings: list[Finding], config: RedactionConfig) -> list[Finding]:
    """Redact every other occurrence of a value already found in this text.

    A name the tagger recognised once ("Priya, ...") must not survive where the
    context was weaker ("... ask priya"): the redacted output never contains
    the text of a detected span.
    """
    values = {f.text.casefold(): f for f in findings if len(f.text) >= _MIN_REPEAT_LENGTH}
    if not values:
        return findings
    extra: list[Finding] = []
    taken = list(findings)
    for start, end, source in _occurrences(text, values):
        if any(start < f.end and f.start < end for f in taken):
            continue
        value = text[start:end]
        if config.allow_list and _allowed(value, text, start, end, config):
            continue
        finding = Finding(start, end, source.label, value, source.score, source.recognizer,
                          f"repeat of a detected value ({source.reason})")  # fmt: skip
        extra.append(finding)
        taken.append(finding)
    if not extra:
        return findings
    return sorted([*findings, *extra], key=lambda f: f.start)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _occurrences(text: str, values: dict[str, Finding]) -> list[tuple[int, int, Finding]]:
    """Whole-word, case-insensitive occurrences of the values, longest values first."""
    folded = text.casefold()
    ordered = sorted(values, key=len, reverse=True)
    if len(folded) != len(text):  # rare: case-folding changed offsets; let the regex engine align them
        alternatives = "|".join(re.escape(v) for v in ordered)
        pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        return [
            (m.start(), m.end(), values[m.group(0).casefold()])
            for m in pattern.finditer(text)
            if m.group(0).casefold() in values
        ]
    found: list[tuple[int, int, Finding]] = []
    for value in ordered:
        position = folded.find(value)
        while position != -1:
            end = position + len(value)
            before_ok = position == 0 or not _is_word_char(folded[position - 1])
            after_ok = end == len(folded) or not _is_word_char(folded[end])
            if before_ok and after_ok:
                found.append((position, end, values[value]))
            position = folded.find(value, position + 1)
    return found


def _allowed(value: str, text: str, start: int, end: int, config: RedactionConfig) -> bool:
    """A finding is allowed if it is an allow-listed term or lies inside one."""
    allowed = config.allowed_terms
    if " ".join(value.casefold().split()) in allowed:
        return True
    folded = text.casefold()
    if len(folded) != len(text):
        return False
    for term in allowed:
        position = folded.find(term, max(0, end - len(term)))
        while position != -1 and position <= start:
            if position + len(term) >= end:
                return True
            position = folded.find(term, position + 1)
    return False


_engine_lock = threading.Lock()


@functools.cache
def _process_engine() -> RedactionEngine:
    return RedactionEngine()


def get_engine() -> RedactionEngine:
    """The process-wide engine (created on first use; models load lazily)."""
    # functools.cache alone may build two engines under a race; the lock makes it one.
    with _engine_lock:
        return _process_engine()
