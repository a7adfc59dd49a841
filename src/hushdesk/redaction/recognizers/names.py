"""Names, places and organisations from the statistical tagger.

The tagger (see :mod:`hushdesk.redaction.model`) labels tokens PER/LOC/ORG; this
recognizer turns runs of tags into spans and its margin into a score.  The
model is loaded on the first call, once per process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from hushdesk.redaction.model.features import TOKEN
from hushdesk.redaction.model.tagger import PerceptronTagger, shared_tagger
from hushdesk.redaction.types import ADDRESS, ORGANIZATION, PERSON, Candidate

_KIND_TO_LABEL = {"PER": PERSON, "LOC": ADDRESS, "ORG": ORGANIZATION}
_MARGIN_FOR_FULL_CONFIDENCE = 6.0


def margin_to_score(margin: float) -> float:
    """Map the perceptron's winning margin to a 0.5-0.95 confidence."""
    return 0.5 + 0.45 * min(1.0, max(0.0, margin) / _MARGIN_FOR_FULL_CONFIDENCE)


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
        line_starts = [m.start() == 0 or "\n" in text[matches[i - 1].end() : m.start()] for i, m in enumerate(matches)]
        tagged = self._load().tag(words, line_starts)
        found: list[Candidate] = []
        run_start = run_end = -1
        run_kind = ""
        margins: list[float] = []

        def close() -> None:
            if run_kind:
                label = _KIND_TO_LABEL[run_kind]
                score = margin_to_score(min(margins))
                found.append(Candidate(run_start, run_end, label, score, self.name, f"tagger: {run_kind} tokens"))

        for token, match in zip(tagged, matches, strict=True):
            tag = token.tag
            if tag == "O":
                close()
                run_kind = ""
                continue
            prefix, kind = tag.split("-", 1)
            if prefix == "B" or kind != run_kind:
                close()
                run_kind, run_start, margins = kind, match.start(), []
            run_end = match.end()
            margins.append(token.margin)
        close()
        return found
