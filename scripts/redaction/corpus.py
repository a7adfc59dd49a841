"""Turning generated documents into training examples for the name tagger
(used by build_name_model.py at model-build time only)."""

from __future__ import annotations

import random

from hushdesk.redaction.model.features import TOKEN


def space_punctuation(
    text: str, spans: list[tuple[int, int, str]], rng: random.Random
) -> tuple[str, list[tuple[int, int, str]]]:
    """Sometimes write the text pre-tokenised ("is n ' t it , Sam ?"), as some social data is."""
    if rng.random() > 0.15:
        return text, spans
    out: list[str] = []
    mapping: list[int] = []  # old offset -> new offset
    length = 0
    for ch in text:
        mapping.append(length)
        piece = f" {ch} " if ch in "!?.,:;()\"'" and out and not out[-1].endswith(" ") else ch
        out.append(piece)
        length += len(piece)
    mapping.append(length)
    new_text = "".join(out)
    new_spans = []
    for a, b, kind in spans:
        start, end = mapping[a], mapping[b]
        while start < end and new_text[start] == " ":
            start += 1
        while end > start and new_text[end - 1] == " ":
            end -= 1
        new_spans.append((start, end, kind))
    return new_text, new_spans


def to_tokens(text: str, spans: list[tuple[int, int, str]]) -> tuple[list[str], list[bool], list[str]]:
    words, starts, tags = [], [], []
    line_start = True
    for match in TOKEN.finditer(text):
        line_start = line_start or "\n" in text[match.start() - 1 : match.start()] if match.start() else True
        tag = "O"
        for a, b, kind in spans:
            if a <= match.start() < b:
                inside = any(a <= m.start() < match.start() for m in TOKEN.finditer(text[a : match.start()]))
                tag = ("I-" if (match.start() > a and inside) or match.start() > a else "B-") + kind
        words.append(match.group(0))
        starts.append(line_start)
        tags.append(tag)
        line_start = False
    return words, starts, tags
