"""Greedy left-to-right averaged-perceptron tagger (inference side).

The weights file is produced by ``scripts/redaction/build_name_model.py``; it is
read once per process, on first use, behind a lock.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from hushdesk.redaction.model.features import OUTSIDE, TAGS, Gazetteers, token_features, token_view

MODEL_FILE = "name_model.json.gz"


@dataclass(frozen=True)
class TaggedToken:
    index: int
    tag: str
    margin: float


class PerceptronTagger:
    def __init__(self, weights: dict[str, list[float]], gazetteers: Gazetteers) -> None:
        self.weights = weights
        self.gazetteers = gazetteers

    def tag(self, words: Sequence[str], line_starts: Sequence[bool]) -> list[TaggedToken]:
        """Tag every token; only tokens that could start or continue a name are scored."""
        view = token_view(words, line_starts, self.gazetteers)
        weights = self.weights
        n_tags = len(TAGS)
        out: list[TaggedToken] = []
        prev_tag, prev2_tag = "O", "O"
        for i, word in enumerate(words):
            if prev_tag == "O" and not self._could_be_name(word, view.flags[i]):
                out.append(TaggedToken(i, "O", 1.0))
                prev2_tag, prev_tag = prev_tag, "O"
                continue
            scores = [0.0] * n_tags
            for feature in token_features(view, i, prev_tag, prev2_tag):
                row = weights.get(feature)
                if row is not None:
                    for k in range(n_tags):
                        scores[k] += row[k]
            best = max(range(n_tags), key=scores.__getitem__)
            runner_up = max(scores[k] for k in range(n_tags) if k != best)
            tag = TAGS[best]
            out.append(TaggedToken(i, tag, scores[best] - runner_up))
            prev2_tag, prev_tag = prev_tag, tag
        return out

    @staticmethod
    def _could_be_name(word: str, flags: str) -> bool:
        # Capitalised words, and lower-case words on a name/place list, are scored;
        # everything else (digits, punctuation, ordinary lower-case words) is "O".
        first = word[0]
        if first.isupper():
            return True
        if not first.isalpha():
            return False
        return bool(flags) and not flags.startswith("-")


def _as_frozenset(data: dict[str, Any], key: str) -> frozenset[str]:
    return frozenset(str(x) for x in data.get(key, ()))


def load_tagger() -> PerceptronTagger:
    """Read the packaged weights and gazetteers (a few MB, gzip-compressed JSON)."""
    blob = resources.files("hushdesk.redaction.model").joinpath("data", MODEL_FILE).read_bytes()
    data = json.loads(gzip.decompress(blob))
    if tuple(data["tags"]) != TAGS:
        raise ValueError("name model: tag set does not match this version of hushdesk")
    scale = float(data["scale"])
    weights = {feature: [v / scale for v in row] for feature, row in data["weights"].items()}
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
    return PerceptronTagger(weights, gazetteers)


_lock = threading.Lock()
_loaded: list[PerceptronTagger] = []


def shared_tagger() -> PerceptronTagger:
    """The process-wide tagger, loaded on first use."""
    if not _loaded:
        with _lock:
            if not _loaded:
                _loaded.append(load_tagger())
    return _loaded[0]


__all__ = ["OUTSIDE", "PerceptronTagger", "TaggedToken", "load_tagger", "shared_tagger"]
