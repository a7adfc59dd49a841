"""Text normalisation against evasion, with offsets mapped back.

Detection runs on a normalised copy of the message: zero-width characters
removed, full-width and other look-alike characters folded to ASCII, and
spelled-out e-mail addresses ("john [at] example [dot] com") rewritten.  Every
normalised character remembers the original range it came from, so a span
found in the copy is reported (and redacted) in the original text, covering
every hidden character inside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064")
_SPACES = frozenset("\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000")
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63")
_FULLWIDTH_FIRST, _FULLWIDTH_LAST, _FULLWIDTH_SHIFT = 0xFF01, 0xFF5E, 0xFEE0

_AT_WORD = r"(?:at|arroba)"
_DOT_WORD = r"(?:dot|punto|point)"


def _bracketed(word: str) -> str:
    """``word`` inside any bracket pair: "[at]", "(dot)", "{at}", "<dot>"."""
    return rf"(?:\[\s*{word}\s*\]|\(\s*{word}\s*\)|\{{\s*{word}\s*\}}|<\s*{word}\s*>)"


_AT = rf"(?:\s*{_bracketed(_AT_WORD)}\s*|\s+{_AT_WORD}\s+|\s*@\s*)"
_DOT = rf"(?:\s*{_bracketed(_DOT_WORD)}\s*|\s+{_DOT_WORD}\s+|\.)"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_SPELLED_EMAIL = re.compile(
    rf"(?<![\w.+-])(?P<local>[A-Za-z0-9._%+-]+)(?P<at>{_AT})(?P<domain>{_LABEL}(?:{_DOT}{_LABEL}){{1,4}})(?!\w)",
    re.IGNORECASE,
)
_PLAIN_TLDS = frozenset(
    {"com", "org", "net", "edu", "gov", "io", "co", "uk", "de", "fr", "es", "it", "nl", "be", "ch"}
    | {"at", "se", "no", "dk", "fi", "pl", "pt", "br", "in", "au", "ca", "us", "info", "biz", "me"}
)
_QUICK_OBFUSCATION_CHECK = re.compile(r"\b(?:at|arroba)\b|@\s|\s@", re.IGNORECASE)
# What a rewritten address holds, by the form of its "at": a bracketed at word; a spaced
# at word, then the domain's labels and dots, the last label alphabetic; "@" with white
# space beside it; a bare "@" (rewritten only if the address holds white space or a
# bracket: a bracketed or spaced dot word). Most texts with a plain " at " ("at 14:30",
# "email me at jo.doe1@example.com") hold none of these, and the scan for _SPELLED_EMAIL
# is the costly part (~25 us for a 150-character message).
_MAY_REWRITE = re.compile(
    rf"{_AT_WORD}\s*[\])}}>]"
    rf"|\s{_AT_WORD}\s+{_LABEL}(?:{_DOT}{_LABEL}){{0,3}}{_DOT}[A-Za-z]{{1,63}}(?!\w)"
    rf"|@\s|\s@|{_DOT_WORD}\s*[\])}}>]|\s{_DOT_WORD}\s",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NormalisedText:
    """The normalised text plus, per character, the original range it stands for.

    ``starts``/``ends`` are empty when the text did not change (the common case),
    which keeps the fast path free of per-character bookkeeping.
    """

    original: str
    text: str
    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.starts)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised span [start, end) to the original text."""
        if not self.starts:
            return start, end
        return self.starts[start], self.ends[end - 1]


# Any character _fold_characters changes: most non-ASCII text (accents, curly quotes,
# emoji) holds none, and one regex scan is far cheaper than the per-character loop.
_FOLDED = re.compile(
    "["
    + "".join(map(re.escape, sorted(_ZERO_WIDTH | _SPACES | _DASHES)))
    + f"{chr(_FULLWIDTH_FIRST)}-{chr(_FULLWIDTH_LAST)}]"
)


def _fold_characters(text: str) -> tuple[str, list[int], list[int]] | None:
    """Drop zero-width characters and fold look-alikes; None if nothing changed."""
    if text.isascii():
        return None
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    changed = False
    for index, source_char in enumerate(text):
        code = ord(source_char)
        char = source_char
        if char in _ZERO_WIDTH:
            changed = True
            # Widen the previous character's range so a span that ends just
            # before the hidden character still covers it on redaction.
            if ends:
                ends[-1] = index + 1
            continue
        if _FULLWIDTH_FIRST <= code <= _FULLWIDTH_LAST:
            char = chr(code - _FULLWIDTH_SHIFT)
            changed = True
        elif char in _SPACES:
            char = " "
            changed = True
        elif char in _DASHES:
            char = "-"
            changed = True
        out.append(char)
        starts.append(index)
        ends.append(index + 1)
    if not changed:
        return None
    return "".join(out), starts, ends


def _plain_words_only(match: re.Match[str]) -> bool:
    """True when the address is spelled with bare words ("john at x dot com")."""
    return "@" not in match.group("at") and not re.search(r"[\[\(\{<]", match.group(0))


def _rewrite_spelled_emails(text: str) -> tuple[str, list[int], list[int]] | None:
    """Rewrite "john [at] example [dot] com" to "john@example.com"."""
    if not _QUICK_OBFUSCATION_CHECK.search(text) or not _MAY_REWRITE.search(text):
        return None
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    cursor = 0
    changed = False
    for match in _SPELLED_EMAIL.finditer(text):
        whole = match.group(0)
        if match.group("at") == "@" and not re.search(r"\s|\[|\(|\{|<", whole):
            continue  # an ordinary address: nothing to rewrite
        labels = re.split(_DOT, match.group("domain"), flags=re.IGNORECASE)
        if not labels[-1].isalpha():
            continue
        if _plain_words_only(match) and labels[-1].lower() not in _PLAIN_TLDS:
            continue  # "meet at noon dot" is prose, not an address
        for index in range(cursor, match.start()):
            out.append(text[index])
            starts.append(index)
            ends.append(index + 1)
        local_start, local_end = match.span("local")
        for index in range(local_start, local_end):
            out.append(text[index])
            starts.append(index)
            ends.append(index + 1)
        out.append("@")
        starts.append(match.start("at"))
        ends.append(match.end("at"))
        position = match.start("domain")
        for part_index, label in enumerate(labels):
            label_start = text.index(label, position)
            if part_index:
                out.append(".")
                starts.append(position)
                ends.append(label_start)
            for index in range(label_start, label_start + len(label)):
                out.append(text[index])
                starts.append(index)
                ends.append(index + 1)
            position = label_start + len(label)
        cursor = match.end()
        changed = True
    if not changed:
        return None
    for index in range(cursor, len(text)):
        out.append(text[index])
        starts.append(index)
        ends.append(index + 1)
    return "".join(out), starts, ends


def normalise(text: str) -> NormalisedText:
    folded = None if text.isascii() or _FOLDED.search(text) is None else _fold_characters(text)
    stage1 = folded[0] if folded else text
    rewritten = _rewrite_spelled_emails(stage1)
    if folded is None and rewritten is None:
        return NormalisedText(text, text)
    if rewritten is None:
        assert folded is not None
        return NormalisedText(text, stage1, tuple(folded[1]), tuple(folded[2]))
    final, starts2, ends2 = rewritten
    if folded is None:
        return NormalisedText(text, final, tuple(starts2), tuple(ends2))
    _, starts1, ends1 = folded
    # Compose: final char -> stage1 range -> original range.
    starts = tuple(starts1[s] if s < len(starts1) else len(text) for s in starts2)
    ends = tuple(ends1[e - 1] if e > 0 else 0 for e in ends2)
    return NormalisedText(text, final, starts, ends)
