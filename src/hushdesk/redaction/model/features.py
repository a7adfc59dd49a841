"""Tokenisation and features of the name tagger (shared by training and inference).

Features are what a careful reader uses: the word itself, its shape and
affixes, whether it is a known first name, surname, city or country, whether
it is an ordinary dictionary word, and the words and tags around it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*|\d+|[^\w\s]", re.UNICODE)
TAGS: tuple[str, ...] = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG")
OUTSIDE = 0


@dataclass(frozen=True)
class Gazetteers:
    """Lower-cased word lists; ``proper`` holds words a dictionary capitalises."""

    first_names: frozenset[str]
    last_names: frozenset[str]
    places: frozenset[str]
    countries: frozenset[str]
    org_words: frozenset[str]
    common_words: frozenset[str]
    proper_words: frozenset[str]

    def is_listed(self, lower: str) -> bool:
        """On a list of first names, surnames, places or countries."""
        return lower in self.first_names or lower in self.last_names or lower in self.places or lower in self.countries


def shape(word: str) -> str:
    if word.isdigit():
        return "d"
    if not word[0].isalpha():
        return "p"
    if word.isupper():
        return "X" if len(word) > 1 else "X1"
    if word[0].isupper():
        return "Xx" if word[1:].islower() or len(word) == 1 else "XxX"
    return "x" if word.islower() else "xX"


_ELONGATED = re.compile(r"(\w)\1{2,}")
# Three or more laughing syllables ("hahaha", "hhaahaa", "kekeke", "jajaja") or "lololol";
# two ("Kaka", "Jojo") may be a name.
_LAUGHTER = re.compile(r"(?:a?(?:h+|k+|j+)[aeiou]+){3,}h*$|(?:lo)+l$|(?:l+o+){3,}l*$")


def is_misspelt_common(lower: str, gaz: Gazetteers) -> bool:
    """True for an informal spelling of an ordinary word that is on no name or place
    list: two letters swapped ("freinds", "vidoe") or a dropped final g ("freakin").

    Only applied to words typed in lower case (see :func:`word_flags`): chat and social
    posts are full of these, and an unknown lower-case word otherwise looks like an
    unlisted name. (A capitalised word one edit away from a dictionary word is often a
    real name: "Barkley", "Yachty".)
    """
    common = gaz.common_words
    n = len(lower)
    if n < 4 or lower in common or not lower.isalpha() or gaz.is_listed(lower):
        return False
    if lower.endswith("in") and lower + "g" in common:
        return True
    return any(
        lower[k] != lower[k + 1] and lower[:k] + lower[k + 1] + lower[k] + lower[k + 2 :] in common
        for k in range(n - 1)
    )


def word_flags(word: str, lower: str, gaz: Gazetteers) -> str:
    """:func:`gazetteer_flags`, plus "-c" for a misspelt ordinary word typed in lower case."""
    flags = gazetteer_flags(lower, gaz)
    if not flags and word.islower() and is_misspelt_common(lower, gaz):
        return "-c"
    return flags


def gazetteer_flags(lower: str, gaz: Gazetteers) -> str:
    """A compact code of the lists a word belongs to, e.g. "fl-c" (first, last, common).

    An elongated word ("sooooo", "yesss") counts as common if its shortened
    form is, and so does laughter ("hahahhaha", "kekeke", "LOLOLOL").
    """
    if _LAUGHTER.match(lower):
        return "-c"
    if (
        lower not in gaz.common_words
        and _ELONGATED.search(lower)
        and (_ELONGATED.sub(r"\1", lower) in gaz.common_words or _ELONGATED.sub(r"\1\1", lower) in gaz.common_words)
    ):
        return "-c"
    return (
        ("f" if lower in gaz.first_names else "")
        + ("l" if lower in gaz.last_names else "")
        + ("p" if lower in gaz.places else "")
        + ("n" if lower in gaz.countries else "")
        + ("o" if lower in gaz.org_words else "")
        + ("-c" if lower in gaz.common_words else "")
        + ("-P" if lower in gaz.proper_words else "")
    )


@dataclass(frozen=True)
class TokenView:
    """Per-token facts computed once per text and reused by every feature."""

    words: Sequence[str]
    lowers: Sequence[str]
    shapes: Sequence[str]
    flags: Sequence[str]
    line_starts: Sequence[bool]
    casing: str = "mixed"


def fold(word: str) -> str:
    """Lower-cased, with typographic apostrophes made plain (U+2019 becomes an ASCII quote)."""
    return word.lower().replace("\u2019", "'")


def token_view(
    words: Sequence[str],
    line_starts: Sequence[bool],
    gaz: Gazetteers,
    hidden: frozenset[int] = frozenset(),
) -> TokenView:
    """Facts per token; tokens in ``hidden`` look unknown to the gazetteers.

    Training hides some entity tokens so the model learns to recognise names
    it has never seen from their context and shape, not from the lists alone.
    """
    if hidden:
        lowers = [fold(w) for w in words]
        flags = [
            word_flags(words[i], lw, gaz) if i not in hidden else ("-P" if lw in gaz.proper_words else "")
            for i, lw in enumerate(lowers)
        ]
        return TokenView(words, lowers, [shape(w) for w in words], flags, line_starts, text_casing(words))
    cache = _facts_cache(gaz)
    get = cache.get
    # A facts tuple is never empty, hence never false: "or" computes only the unknown ones.
    facts = [get(word) or _new_facts(word, gaz, cache) for word in words]
    if not facts:
        return TokenView(words, (), (), (), line_starts, _casing(0, 0))
    word_lowers, word_shapes, word_flags_, lower_words = zip(*facts, strict=True)
    # text_casing() from the facts at hand: "X" is an upper-case word of two or more
    # letters; ``lower_words`` counts the lower-case words of two or more letters.
    return TokenView(
        words, word_lowers, word_shapes, word_flags_, line_starts, _casing(word_shapes.count("X"), sum(lower_words))
    )


# Per word: (folded form, shape, gazetteer flags, 1 if a lower-case word of two or more
# letters else 0: what text_casing counts).
_Facts = tuple[str, str, str, int]
_FACTS_CACHE: dict[str, _Facts] = {}
_FACTS_CACHE_SIZE = 100_000
_FACTS_GAZETTEERS: list[Gazetteers] = []


def _facts_cache(gaz: Gazetteers) -> dict[str, _Facts]:
    """Per word: the facts above, cached per process and gazetteer set."""
    if not _FACTS_GAZETTEERS or _FACTS_GAZETTEERS[0] is not gaz:
        _FACTS_CACHE.clear()
        _FACTS_GAZETTEERS[:] = [gaz]
    return _FACTS_CACHE


def _new_facts(word: str, gaz: Gazetteers, cache: dict[str, _Facts]) -> _Facts:
    if len(cache) >= _FACTS_CACHE_SIZE:
        cache.clear()  # bounded: a full cache starts again
    lower = fold(word)
    word_shape = shape(word)
    facts = (lower, word_shape, word_flags(word, lower, gaz), 1 if word_shape == "x" and len(word) > 1 else 0)
    cache[word] = facts
    return facts


def text_casing(words: Sequence[str]) -> str:
    """How the whole text is written: "lower", "upper" or "mixed" (a hint for shape features)."""
    upper = lower = 0
    for word in words:
        if word[0].isalpha() and len(word) > 1:
            if word.isupper():
                upper += 1
            elif word.islower():
                lower += 1
    return _casing(upper, lower)


def _casing(upper: int, lower: int) -> str:
    if upper and not lower:
        return "upper"
    if lower and upper <= lower // 20:
        return "lower" if upper == 0 else "mostly-lower"
    return "mixed"


def word_features(lower: str, word_shape: str, flags: str) -> list[str]:
    """Features of the word alone (the tagger caches their summed weights per word)."""
    return [
        "b",
        f"w={lower}",
        f"s={word_shape}",
        f"g={flags}",
        f"suf={lower[-3:]}",
        f"pre={lower[:2]}",
        f"len={min(len(lower), 8)}",
        f"suf2={lower[-2:]}",
        f"pre3={lower[:3]}",
    ]


def context_features(view: TokenView, i: int, prev_tag: str) -> list[str]:
    """Features of the word in its context: neighbours, line position, casing, previous tag."""
    lower = view.lowers[i]
    word_shape = view.shapes[i]
    flags = view.flags[i]
    n = len(view.words)
    prev_lower = view.lowers[i - 1] if i > 0 else "<s>"
    next_lower = view.lowers[i + 1] if i + 1 < n else "</s>"
    prev_shape = view.shapes[i - 1] if i > 0 else "<s>"
    next_shape = view.shapes[i + 1] if i + 1 < n else "</s>"
    next_flags = view.flags[i + 1] if i + 1 < n else "</s>"
    prev_flags = view.flags[i - 1] if i > 0 else "<s>"
    starts = view.line_starts[i] or prev_lower in {".", "!", "?", ":", '"', "<s>"}
    return [
        f"sg={word_shape}|{flags}|{starts}",
        f"st={starts}|{word_shape}",
        f"cs={view.casing}|{word_shape}|{flags}",
        f"pw={prev_lower}",
        f"nw={next_lower}",
        f"pw2={view.lowers[i - 2] if i > 1 else '<s>'}",
        f"nw2={view.lowers[i + 2] if i + 2 < n else '</s>'}",
        f"ps={prev_shape}|{word_shape}",
        f"ns={word_shape}|{next_shape}",
        f"ng={flags}|{next_flags}",
        f"pg={prev_flags}|{flags}",
        f"pt={prev_tag}",
        f"pts={prev_tag}|{word_shape}|{flags}",
        f"pwt={prev_tag}|{lower}",
        f"pww={prev_lower}|{lower}",
    ]


# Inference splits context_features in two (the same features; the weights are integers,
# so how they are grouped into sums cannot change a score): the ones set by the token,
# the previous tag, the line start and the text's casing, whose summed weights the tagger
# caches, and the ones set by the neighbouring tokens.
_SENTENCE_ENDS = frozenset({".", "!", "?", ":", '"', "<s>"})


def starts_sentence(view: TokenView, i: int) -> bool:
    """The ``starts`` of :func:`context_features`."""
    return view.line_starts[i] or (view.lowers[i - 1] if i > 0 else "<s>") in _SENTENCE_ENDS


def own_features(word_shape: str, flags: str, lower: str, prev_tag: str, starts: bool, casing: str) -> list[str]:
    """The features of :func:`context_features` that no neighbouring token sets."""
    return [
        f"sg={word_shape}|{flags}|{starts}",
        f"st={starts}|{word_shape}",
        f"cs={casing}|{word_shape}|{flags}",
        f"pt={prev_tag}",
        f"pts={prev_tag}|{word_shape}|{flags}",
        f"pwt={prev_tag}|{lower}",
    ]


def neighbour_features(view: TokenView, i: int) -> list[str]:
    """The other features of :func:`context_features`."""
    lowers, shapes, flag_list = view.lowers, view.shapes, view.flags
    lower = lowers[i]
    word_shape = shapes[i]
    flags = flag_list[i]
    n = len(lowers)
    if i > 0:
        prev_lower, prev_shape, prev_flags = lowers[i - 1], shapes[i - 1], flag_list[i - 1]
    else:
        prev_lower = prev_shape = prev_flags = "<s>"
    if i + 1 < n:
        next_lower, next_shape, next_flags = lowers[i + 1], shapes[i + 1], flag_list[i + 1]
    else:
        next_lower = next_shape = next_flags = "</s>"
    return [
        f"pw={prev_lower}",
        f"nw={next_lower}",
        f"pw2={lowers[i - 2] if i > 1 else '<s>'}",
        f"nw2={lowers[i + 2] if i + 2 < n else '</s>'}",
        f"ps={prev_shape}|{word_shape}",
        f"ns={word_shape}|{next_shape}",
        f"ng={flags}|{next_flags}",
        f"pg={prev_flags}|{flags}",
        f"pww={prev_lower}|{lower}",
    ]


def token_features(view: TokenView, i: int, prev_tag: str, prev2_tag: str) -> list[str]:
    """Every feature of token ``i`` (training uses this; inference splits it to cache the word part).

    ``prev2_tag`` is accepted for interface stability; a two-tag history made the
    model memorise the synthetic templates, so it is not used as a feature.
    """
    del prev2_tag
    return word_features(view.lowers[i], view.shapes[i], view.flags[i]) + context_features(view, i, prev_tag)
