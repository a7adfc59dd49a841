"""Error analysis of one system's predictions against gold (output is for reading, not for committing).

    .venv/bin/python bench/pii/errors.py SOURCE [--system hushdesk] [--examples 8] [--label PERSON]

Reads ``../shared/data/pii/dev/SOURCE.jsonl`` and ``bench/pii/out/SOURCE.SYSTEM.jsonl`` (written by
bench.py) and sorts every gold and predicted span into:

* ``exact``     same start, end and label;
* ``boundary``  same label, overlapping, different start/end (costs exact F1 twice: a FP and a FN);
* ``confused``  overlapping a span of another label only;
* ``missed``    gold span overlapped by no prediction (leaks);
* ``spurious``  prediction overlapping no gold span (over-redaction).

Examples are printed with a little context so conventions (titles in names, city in addresses) show.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1].parent / "shared" / "data" / "pii" / "dev"
RESTRICT = {"wnut17": {"PERSON", "ADDRESS", "ORGANIZATION"}}

Span = tuple[int, int, str]


def _load(path: Path) -> dict[str, dict[str, object]]:
    docs: dict[str, dict[str, object]] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                doc = json.loads(line)
                docs[str(doc["id"])] = doc
    return docs


def _spans(doc: dict[str, object], labels: set[str] | None) -> list[Span]:
    raw = doc.get("spans", [])
    assert isinstance(raw, list)
    return [(int(s["start"]), int(s["end"]), str(s["label"])) for s in raw if labels is None or s["label"] in labels]


def _show(text: str, span: Span, width: int = 30) -> str:
    a, b, label = span
    left = text[max(0, a - width) : a].replace("\n", "\u23ce")
    right = text[b : b + width].replace("\n", "\u23ce")
    return f"{label:<12} \u2026{left}[[{text[a:b]}]]{right}\u2026"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("--system", default="hushdesk")
    parser.add_argument("--examples", type=int, default=8)
    parser.add_argument("--label", help="only this label")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    gold = _load(DATA / f"{args.source}.jsonl")
    pred = _load(HERE / "out" / f"{args.source}.{args.system}.jsonl")
    labels = RESTRICT.get(args.source)
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    confusion: Counter[tuple[str, str]] = Counter()
    for doc_id, g in gold.items():
        text = str(g["text"])
        gs = _spans(g, labels)
        ps = _spans(pred.get(doc_id, {}), labels)
        gset = set(gs)
        for span in gs:
            a, b, label = span
            same = [p for p in ps if p[2] == label and p[0] < b and a < p[1]]
            other = [p for p in ps if p[2] != label and p[0] < b and a < p[1]]
            if span in ps:
                kind = "exact"
            elif same:
                kind = "boundary"
                examples[(label, kind)].append(_show(text, span) + "  PRED " + repr(text[same[0][0] : same[0][1]]))
            elif other:
                kind = "confused"
                confusion[(label, other[0][2])] += 1
                examples[(label, kind)].append(_show(text, span) + f"  PRED {other[0][2]}")
            else:
                kind = "missed"
                examples[(label, kind)].append(_show(text, span))
            kinds[label][kind] += 1
        for span in ps:
            a, b, label = span
            if span in gset:
                continue
            if not any(gg[0] < b and a < gg[1] for gg in gs):
                kinds[label]["spurious"] += 1
                examples[(label, "spurious")].append(_show(text, span))
    rng = random.Random(args.seed)
    for label in sorted(kinds):
        if args.label and label != args.label:
            continue
        print(f"== {label}: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds[label].items())))
        for kind in ("missed", "boundary", "confused", "spurious"):
            items = examples.get((label, kind), [])
            if not items:
                continue
            print(f"  -- {kind} ({len(items)})")
            for line in rng.sample(items, min(args.examples, len(items))):
                print("    " + line)
    print("confusions (gold -> predicted):", dict(confusion.most_common(12)))


if __name__ == "__main__":
    main()
