"""Greedy left-to-right averaged-perceptron tagger (inference side).

The weights file is produced by ``scripts/redaction/build_name_model.py``; it is
read once per process, on first use, behind a lock.
"""

from __future__ import annotations

import pickle
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hushdesk.redaction.model.features import (
    OUTSIDE,
    TAGS,
    Gazetteers,
    TokenView,
    neighbour_features,
    own_features,
    starts_sentence,
    token_view,
    word_features,
)
from hushdesk.redaction.model.morphology import is_derived, is_variant

MODEL_FILE = "name_model.bin"  # a data-only pickle, see load_tagger
TAG_INDEX = {tag: index for index, tag in enumerate(TAGS)}
BEGIN_TAGS = tuple(TAG_INDEX[t] for t in TAGS if t.startswith("B-"))
# Lower-case words that may sit inside a name: "Ludwig van Beethoven", "Bank of America".
_PARTICLES = frozenset({"de", "da", "do", "dos", "van", "von", "der", "den", "la", "le", "del", "della", "di"})
_PARTICLES |= frozenset({"du", "bin", "al", "el", "y"})
CONNECTORS_BY_KIND = {
    "PER": _PARTICLES,
    "LOC": _PARTICLES | {"of", "on", "upon", "the", "sur", "am", "an", "im"},
    "ORG": _PARTICLES | {"and", "of", "&", "the", "for"},
}
CONNECTORS = frozenset().union(*CONNECTORS_BY_KIND.values())


@dataclass(slots=True)
class TaggedToken:
    # Not frozen: one is built per token of every message, and a frozen dataclass's
    # __init__ (object.__setattr__ per field) cost ~0.8 us against ~0.15 us here.
    index: int
    tag: str
    margin: float


class PerceptronTagger:
    """``index`` maps a feature to the offset of its row of ``len(TAGS)`` weights in ``values``."""

    def __init__(
        self, index: dict[str, int], values: Sequence[float], gazetteers: Gazetteers, scale: float = 1.0
    ) -> None:
        self.index = index
        self.values = values
        self.scale = scale  # weights may be stored as integers times ``scale``
        self.gazetteers = gazetteers
        # Summed weights of the features set by the token alone and its own context (see
        # features.own_features), per (word form, previous tag, line or sentence start,
        # casing of the text) (bounded, rebuilt when full; a lost entry under a thread
        # race is only recomputed).
        self._own_scores: dict[tuple[str, str, bool, str], list[float]] = {}
        self._derived: dict[str, bool] = {}  # per unlisted lower-case word: built from dictionary words?
        self._may_start: dict[str, bool] = {}  # per word form: may it start a name? (see _new_may_start)

    def tag(
        self, words: Sequence[str], line_starts: Sequence[bool], blocked: frozenset[int] = frozenset()
    ) -> list[TaggedToken]:
        """Tag every token; only tokens that could start or continue a name are scored.

        Tokens in ``blocked`` (pieces of identifiers, technical vocabulary) are
        always "O" and end any run.
        """
        tags, margins = self.tag_lists(words, line_starts, blocked)
        return [TaggedToken(i, tag, margin) for i, (tag, margin) in enumerate(zip(tags, margins, strict=True))]

    def tag_lists(
        self,
        words: Sequence[str],
        line_starts: Sequence[bool],
        blocked: frozenset[int] = frozenset(),
        is_blocked: Callable[[int], bool] | None = None,
    ) -> tuple[list[str], list[float]]:
        """:meth:`tag` as two lists (tags, margins): most tokens are "O" and cost no object.

        ``is_blocked`` tells the same as ``blocked``, asked only of the tokens that could
        start or continue a name (see names.token_blocker)."""
        view = token_view(words, line_starts, self.gazetteers)
        index, values, flags = self.index, self.values, view.flags
        tags = ["O"] * len(words)
        margins = [1.0] * len(words)
        prev_tag = "O"
        run_first = ""
        may_start = self._may_start
        for i, word in enumerate(words):
            # A blocked token is "O" and so is one that cannot start a name after an "O":
            # which of the two makes it "O" does not matter, the cheaper test comes first.
            if prev_tag == "O":
                starts = may_start.get(word)
                if starts is None:
                    starts = self._new_may_start(word, flags[i])
                if not starts:
                    continue
            if i in blocked or (is_blocked is not None and is_blocked(i)):
                prev_tag = "O"
                continue
            allowed = allowed_tags(view.words, view.line_starts, flags, i, prev_tag, run_first)
            if len(allowed) == 1:  # forced ("." or "-" after a name): scoring could not change it
                tag, margin = TAGS[allowed[0]], 1.0
            else:
                scores = _score(index, values, neighbour_features(view, i), self._own_part(view, i, prev_tag))
                best = max(allowed, key=scores.__getitem__)
                others = [scores[k] for k in allowed if k != best]
                margin = (scores[best] - max(others)) / self.scale
                tag = TAGS[best]
            tags[i] = tag
            margins[i] = margin
            if tag.startswith("B-"):
                run_first = word
            prev_tag = tag
        return tags, margins

    def _new_may_start(self, word: str, flags: str) -> bool:
        """Whether ``word`` may start a name after an "O" (a function of the word alone:
        ``flags`` come from the gazetteers), remembered per word form: most tokens of a
        message are ordinary words that start none, and this test is all they cost."""
        if len(self._may_start) >= _WORD_CACHE_SIZE:
            self._may_start = {}
        starts = could_start_name(word, flags) and not (not flags and self._built_from_words(word))
        self._may_start[word] = starts
        return starts

    def _built_from_words(self, word: str) -> bool:
        """A lower-case word on no list that is built from dictionary words ("tokenizer",
        "dropdown", "chromecast": :mod:`.morphology`) starts no name. It may continue a run
        a stronger word began ("Trump saltmining Inc"). A decoding constraint, like
        ``blocked``: training never sees it, so the shipped weights are unchanged."""
        known = self._derived.get(word)
        if known is None:
            if len(self._derived) >= _WORD_CACHE_SIZE:
                self._derived = {}
            common = self.gazetteers.common_words
            known = word.isalpha() and word.islower() and (is_derived(word, common) or is_variant(word, common))
            self._derived[word] = known
        return known

    def _own_part(self, view: TokenView, i: int, prev_tag: str) -> list[float]:
        """Summed weights of the token's word features and own context features. The shipped
        weights are integers, so summing these apart from the rest changes no score."""
        starts = starts_sentence(view, i)
        key = (view.words[i], prev_tag, starts, view.casing)
        cached = self._own_scores.get(key)
        if cached is None:
            if len(self._own_scores) >= _WORD_CACHE_SIZE:
                self._own_scores = {}
            lower, word_shape, flags = view.lowers[i], view.shapes[i], view.flags[i]
            features = word_features(lower, word_shape, flags)
            features += own_features(word_shape, flags, lower, prev_tag, starts, view.casing)
            cached = _score(self.index, self.values, features, _ZERO)
            self._own_scores[key] = cached
        return cached


_WORD_CACHE_SIZE = 50_000
_ZERO = (0, 0, 0, 0, 0, 0, 0)


def _score(index: dict[str, int], values: Sequence[float], features: list[str], base: Sequence[float]) -> list[float]:
    """``base`` plus the weight rows of the known features (unrolled: this is the hot loop)."""
    s0, s1, s2, s3, s4, s5, s6 = base
    for feature in features:
        o = index.get(feature)
        if o is not None:
            s0 += values[o]
            s1 += values[o + 1]
            s2 += values[o + 2]
            s3 += values[o + 3]
            s4 += values[o + 4]
            s5 += values[o + 5]
            s6 += values[o + 6]
    return [s0, s1, s2, s3, s4, s5, s6]


if len(TAGS) != 7:  # _score is unrolled for the seven BIO tags
    raise ImportError("name model: _score must be updated for a new tag set")


def allowed_tags(
    words: Sequence[str], line_starts: Sequence[bool], flags: Sequence[str], i: int, prev_tag: str, run_first: str
) -> list[int]:
    """Tags that keep entity runs well-formed.

    These hard rules stop a run from crossing a line break or sentence
    punctuation, or swallowing ordinary words: a lower-case word continues a
    run only as a name particle ("van", "of") or if it is not an ordinary
    dictionary word ("bruno mars", "Travis scott", but not "kevin love"); a
    run begun by a lower-case word ("called Ahmed") takes no capitalised word.
    """
    word = words[i]
    allowed = [OUTSIDE]
    continuing = prev_tag != "O" and not line_starts[i]
    kind = prev_tag[2:]
    if not word[0].isalpha():
        if continuing and (
            (word == "." and len(words[i - 1]) == 1 and words[i - 1].isupper()) or (word == "&" and kind == "ORG")
        ):
            allowed.append(TAG_INDEX[f"I-{kind}"])
        return allowed
    allowed.extend(BEGIN_TAGS)
    if continuing and (
        (word[0].isupper() and not run_first[0].islower())
        or word.lower() in CONNECTORS_BY_KIND[kind]
        or (word[0].islower() and "-c" not in flags[i])
        or (kind == "PER" and word[0].islower() and _listed_surname_after_first_name(flags[i - 1], flags[i]))
    ):
        allowed.append(TAG_INDEX[f"I-{kind}"])
    return allowed


def _listed_surname_after_first_name(previous_flags: str, flags: str) -> bool:
    """ "kevin smith", "paul walker": a listed surname that is also a dictionary word
    may continue a lower-case name that began with a listed first name."""
    return "f" in previous_flags.split("-", 1)[0] and "l" in flags.split("-", 1)[0]


def could_start_name(word: str, flags: str) -> bool:
    """Capitalised words, and lower-case words that are not ordinary dictionary
    words (a name on a list, or an unknown word), are scored; everything else
    (digits, punctuation, ordinary lower-case words) is "O"."""
    first = word[0]
    if first.isupper():
        return True
    if not first.isalpha() or len(word) < 2:
        return False
    return "-c" not in flags


def _as_frozenset(data: dict[str, Any], key: str) -> frozenset[str]:
    values = data.get(key, ())
    if not all(isinstance(x, str) for x in values):
        raise ValueError(f"name model: gazetteer {key} holds a non-string")
    return frozenset(values)


class _DataOnlyUnpickler(pickle.Unpickler):
    """Unpickles builtin containers and scalars only: any class or function reference
    in the file is refused, so a swapped model file cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"name model: refused {module}.{name} (data only)")


def load_tagger(path: Path | None = None) -> PerceptronTagger:
    """Read the packaged weights and gazetteers.

    The file is a pickle (protocol 5) of builtin data only — a dict holding the feature
    index (feature -> offset of its row of ``len(TAGS)`` integer weights), the weights,
    the gazetteer word lists, the scale and the provenance — read with an unpickler that
    refuses every class or function reference. It loads in about half the time of the
    equivalent gzip-compressed JSON (the load is paid once per process, and a third of a
    short benchmark run went to start-up).

    ``path`` reads another weights file instead (a candidate model being evaluated)."""
    if path is None:
        # A plain path next to this module: importlib.resources costs ~10 ms of imports per process.
        path = Path(__file__).resolve().parent / "data" / MODEL_FILE
    with path.open("rb") as fh:
        data = _DataOnlyUnpickler(fh).load()
    if not isinstance(data, dict) or tuple(data.get("tags", ())) != TAGS:
        raise ValueError("name model: tag set does not match this version of hushdesk")
    index, values = data["index"], data["values"]
    if not isinstance(index, dict) or not isinstance(values, list) or len(values) != len(index) * len(TAGS):
        raise ValueError("name model: weights do not match the feature index")
    gaz = data["gazetteers"]
    gazetteers = Gazetteers(
        first_names=_as_frozenset(gaz, "first_names"),
        last_names=_as_frozenset(gaz, "last_names"),
        places=_as_frozenset(gaz, "places"),
        countries=_as_frozenset(gaz, "countries"),
        org_words=_as_frozenset(gaz, "org_words"),
        common_words=_as_frozenset(gaz, "common_words"),
        proper_words=_as_frozenset(gaz, "proper_words"),
    )
    # Weights are stored as integers times ``scale``: scores are compared, margins divided.
    return PerceptronTagger(index, values, gazetteers, float(data["scale"]))


_lock = threading.Lock()
_loaded: list[PerceptronTagger] = []


def shared_tagger() -> PerceptronTagger:
    """The process-wide tagger, loaded on first use."""
    if not _loaded:
        with _lock:
            if not _loaded:
                _loaded.append(load_tagger())
    return _loaded[0]


__all__ = [
    "OUTSIDE",
    "PerceptronTagger",
    "TaggedToken",
    "allowed_tags",
    "could_start_name",
    "load_tagger",
    "shared_tagger",
]
