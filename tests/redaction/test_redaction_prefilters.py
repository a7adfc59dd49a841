"""Prefilters skip a pattern only when it cannot match: each one is a necessary condition.

The corpus is every string of the redaction tests plus, per pattern, examples generated
from the pattern itself (one per alternative of every ``|``, with and without each optional
part, with several characters of each class, and random combinations of these choices), in
several casings and with tabs for spaces:
whenever a pattern matches a text of the corpus, its prefilter must pass.
"""

from __future__ import annotations

import ast
import random
import re
import string
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import pytest

from hushdesk.redaction import normalize
from hushdesk.redaction.recognizers import address, context, identifiers
from hushdesk.redaction.recognizers.base import RegexRecognizer, folded, has_any_folded, has_any_word, literal_trie
from hushdesk.redaction.registry import default_recognizers

Prefilter = Callable[[str], bool]


def _test_strings() -> list[str]:
    strings: set[str] = set()
    for path in sorted(Path(__file__).parent.glob("test_redaction_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > 3:
                strings.add(node.value)
    return sorted(strings)


_ASCII_POOL = "aA1 .-:/#@_\nxZ9," + string.ascii_letters + string.digits + string.punctuation
_POOLS = (_ASCII_POOL, "\u00e9\u00c9\u00df" + _ASCII_POOL)  # the second one reaches "all\u00e9e", "stra\u00dfe"


def _in_set(items: list[tuple[Any, Any]], char: str) -> bool:
    negate = bool(items) and items[0][0] is sre.NEGATE
    found = False
    for op, av in items[1:] if negate else items:
        if op is sre.LITERAL:
            found |= ord(char) == av
        elif op is sre.RANGE:
            found |= av[0] <= ord(char) <= av[1]
        elif op is sre.CATEGORY:
            found |= re.fullmatch(_CATEGORY_REGEX[av], char) is not None
    return found != negate


_CATEGORY_REGEX = {
    sre.CATEGORY_DIGIT: r"\d",
    sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S",
    sre.CATEGORY_WORD: r"\w",
    sre.CATEGORY_NOT_WORD: r"\W",
}


_MAX_CLASS_CHOICES = 4
_RANDOM_EXAMPLES = 150


def _class_chars(items: list[tuple[Any, Any]], pool: str) -> list[str]:
    return [c for c in pool if _in_set(items, c)][:_MAX_CLASS_CHOICES] or ["a"]


def _render(tree: Any, choice: dict[int, int], groups: dict[int, str], pool: str) -> str:
    """One string the pattern may match. ``choice`` picks, per node, the alternative of a
    branch, whether an optional part is left out (1) and which character of a class is
    used (the first otherwise); a repeat takes its minimum (at least once), a positive
    look-around what it looks for, negative ones and anchors nothing."""
    out: list[str] = []
    for op, av in tree:
        if op is sre.LITERAL:
            out.append(chr(av))
        elif op is sre.NOT_LITERAL:
            out.append("a" if av != ord("a") else "b")
        elif op is sre.ANY:
            out.append("a")
        elif op is sre.IN:
            chars = _class_chars(av, pool)
            out.append(chars[choice.get(id(av), 0) % len(chars)])
        elif op is sre.BRANCH:
            alternatives = av[1]
            out.append(_render(alternatives[choice.get(id(av), 0)], choice, groups, pool))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, _, sub = av
            count = 0 if low == 0 and choice.get(id(av), 0) == 1 else max(low, 1)
            out.append("".join(_render(sub, choice, groups, pool) for _ in range(count)))
        elif op is sre.SUBPATTERN:
            text = _render(av[3], choice, groups, pool)
            if av[0] is not None:
                groups[av[0]] = text
            out.append(text)
        elif op is sre.GROUPREF:
            out.append(groups.get(av, ""))
        elif op is sre.ATOMIC_GROUP:
            out.append(_render(av, choice, groups, pool))
        elif op is sre.ASSERT:  # a positive look-around: what it looks at, in place
            out.append(_render(av[1], choice, groups, pool))
    return "".join(out)


def _choice_points(tree: Any, path: dict[int, int], pool: str) -> Iterator[tuple[int, int, dict[int, int]]]:
    """(node id, number of choices, the choices that lead to the node) of every branch,
    optional part and character class."""
    for op, av in tree:
        if op is sre.BRANCH:
            yield id(av), len(av[1]), path
            for index, alternative in enumerate(av[1]):
                yield from _choice_points(alternative, {**path, id(av): index}, pool)
        elif op is sre.IN:
            yield id(av), len(_class_chars(av, pool)), path
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            if av[0] == 0:
                yield id(av), 2, path
            yield from _choice_points(av[2], path, pool)
        elif op is sre.SUBPATTERN:
            yield from _choice_points(av[3], path, pool)
        elif op is sre.ASSERT:
            yield from _choice_points(av[1], path, pool)
        elif op is sre.ATOMIC_GROUP:
            yield from _choice_points(av, path, pool)


def generated_examples(pattern: re.Pattern[str]) -> list[str]:
    tree = sre_parse.parse(pattern.pattern, pattern.flags)
    examples: set[str] = set()
    for pool in _POOLS:
        examples.add(_render(tree, {}, {}, pool))
        points = list(_choice_points(tree, {}, pool))
        for node, choices, path in points:
            for index in range(choices):
                examples.add(_render(tree, {**path, node: index}, {}, pool))
        rng = random.Random(pattern.pattern)  # and combinations of choices, at random
        for _ in range(_RANDOM_EXAMPLES):
            examples.add(_render(tree, {node: rng.randrange(choices) for node, choices, _ in points}, {}, pool))
    texts: set[str] = set()
    for example in examples:
        for variant in (example, example.upper(), example.lower(), example.title(), example.replace(" ", "\t")):
            texts.update({variant, f"Note: {variant} here", f"say {variant}\nok", f"12 {variant} 1999"})
    return sorted(texts)


def _pairs() -> list[tuple[str, re.Pattern[str], Prefilter]]:
    pairs: list[tuple[str, re.Pattern[str], Prefilter]] = [
        (f"{r.name}:{r.reason}", r.pattern, r.prefilter)
        for r in default_recognizers()
        if isinstance(r, RegexRecognizer) and r.prefilter is not None
    ]
    pairs += [
        ("street", address._STREET, address._may_hold_street),
        ("address cue", address._ADDRESS_CUE, address._HAS_ADDRESS_CUE),
        ("iban", identifiers._IBAN, lambda text: identifiers._TWO_DIGITS.search(text) is not None),
        ("org", context._ORG, context._HAS_ORG_WORD),
        ("job title", context._JOB_TITLE, context._HAS_JOB_WORD),
        ("age", context._AGE, context._may_hold_age),
        ("demonym", context._DEMONYM, context._HAS_DEMONYM),
        ("medication", context._MEDICATION, context._may_hold_medication),
        ("conditions", context._CONDITIONS, context._HAS_CONDITION),
    ]
    pairs += [(f"person: {reason}", p, f) for p, _, reason, f in context._PERSON_PATTERNS]
    return pairs


TEST_STRINGS = _test_strings()
PAIRS = _pairs()


@pytest.mark.parametrize(("name", "pattern", "prefilter"), PAIRS, ids=[p[0] for p in PAIRS])
def test_prefilter_passes_whenever_the_pattern_matches(
    name: str, pattern: re.Pattern[str], prefilter: Prefilter
) -> None:
    generated = generated_examples(pattern)
    matched = [text for text in [*TEST_STRINGS, *generated] if pattern.search(text)]
    assert [text for text in matched if not prefilter(text)] == []
    assert any(pattern.search(text) for text in generated)  # the examples do exercise the pattern


def test_the_ascii_twins_are_all_non_ascii_characters_that_ignorecase_matches_to_ascii_letters() -> None:
    letter = re.compile("[a-z]", re.IGNORECASE)
    twins = {chr(c) for c in range(0x80, sys.maxunicode + 1) if letter.fullmatch(chr(c))}
    assert twins == {"\u0130", "\u0131", "\u017f", "\u212a"}
    for twin in twins:
        assert re.fullmatch(folded(twin), twin, re.IGNORECASE)


def test_folded_prefilter_sees_through_the_ascii_twins() -> None:
    # "\u212a" (Kelvin sign) matches "k" under re.IGNORECASE, "\u0130" (dotted capital I) "i".
    assert re.search("kelvin", "\u212aelvin", re.IGNORECASE)
    assert has_any_folded("kelvin")("\u212aelvin")
    assert has_any_folded("this is")("TH\u0130S \u0130S")
    assert not has_any_folded("kelvin")("no match here")


def test_folded_prefilter_wants_lower_case_stems() -> None:
    with pytest.raises(ValueError, match="lower case"):
        has_any_folded("Card")


def test_literal_trie_finds_exactly_what_substring_tests_find() -> None:
    rng = random.Random(3)
    alphabet = "ab .-\n(\u2014"
    for _ in range(2000):
        needles = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 6))]
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert (literal_trie(needles).search(text) is not None) == any(n in text for n in needles), (needles, text)


def test_folding_prefilter_flags_exactly_the_characters_folding_changes() -> None:
    for code in range(0x80, 0x10000):
        text = "\u00e9" + chr(code)  # non-ASCII, so the per-character loop runs
        assert (normalize._FOLDED.search(text) is not None) == (normalize._fold_characters(text) is not None), code


def test_whole_word_prefilter_finds_exactly_the_whole_word_occurrences() -> None:
    rng = random.Random(5)
    alphabet = "ab_1 .-\n\u00e9"
    for _ in range(3000):
        words = ["".join(rng.choice("ab") for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 4))]
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        expected = any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) for word in words)
        assert has_any_word(*words)(text) == expected, (words, text)
