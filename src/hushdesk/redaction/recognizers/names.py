"""Names, places and organisations from the statistical tagger.

The tagger (see :mod:`hushdesk.redaction.model`) labels tokens PER/LOC/ORG; this
recognizer turns runs of tags into spans and its margin into a score.  The
model is loaded on the first call, once per process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from hushdesk.redaction.model.features import TOKEN
from hushdesk.redaction.model.tagger import CONNECTORS, PerceptronTagger, shared_tagger
from hushdesk.redaction.types import ADDRESS, ORGANIZATION, PERSON, Candidate

_KIND_TO_LABEL = {"PER": PERSON, "LOC": ADDRESS, "ORG": ORGANIZATION}
_MARGIN_FOR_FULL_CONFIDENCE = 6.0


def margin_to_score(margin: float) -> float:
    """Map the perceptron's winning margin to a 0.5-0.9 confidence (validated patterns outrank it)."""
    return 0.5 + 0.4 * min(1.0, max(0.0, margin) / _MARGIN_FOR_FULL_CONFIDENCE)


class NameModelRecognizer:
    name = "name_model"
    labels = frozenset({PERSON, ADDRESS, ORGANIZATION})

    def __init__(self, load: Callable[[], PerceptronTagger] = shared_tagger) -> None:
        self._load = load  # called lazily: constructing the recognizer does no I/O

    def find(self, text: str) -> Iterable[Candidate]:
        matches = list(TOKEN.finditer(text))
        if not matches:
            return []
        words = [m.group(0) for m in matches]
        line_starts = [i == 0 or "\n" in text[matches[i - 1].end() : m.start()] for i, m in enumerate(matches)]
        tagged = self._load().tag(words, line_starts)
        runs: list[tuple[str, list[int]]] = []  # (kind, token indexes)
        for token in tagged:
            if token.tag == "O":
                continue
            prefix, kind = token.tag.split("-", 1)
            if prefix == "I" and runs and runs[-1][0] == kind and runs[-1][1][-1] == token.index - 1:
                runs[-1][1].append(token.index)
            else:
                runs.append((kind, [token.index]))
        found: list[Candidate] = []
        for kind, indexes in runs:
            # A run may not end on a connector or punctuation ("Bank of", "Smith &").
            while indexes and (words[indexes[-1]].lower() in CONNECTORS or not words[indexes[-1]][0].isalpha()):
                indexes.pop()
            if not indexes:
                continue
            margin = min(tagged[i].margin for i in indexes)
            found.append(
                Candidate(
                    matches[indexes[0]].start(),
                    matches[indexes[-1]].end(),
                    _KIND_TO_LABEL[kind],
                    margin_to_score(margin),
                    self.name,
                    f"name tagger: {kind} (margin {margin:.1f})",
                )
            )
        return found
