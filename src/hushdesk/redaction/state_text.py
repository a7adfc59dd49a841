"""The stored form of a placeholder state (version 3): text that is searched in place, never parsed whole per message.

A conversation's state is read and written for every message and grows with every new value. Versions 1 and 2
(JSON, then a pickle of builtin containers) had to be decoded and encoded whole each time: ~0.2 ms per message
at 600 entries, growing without bound in a long conversation. Here a lookup is one ``str.find`` (a C scan) and a
new value is one appended line, so the per-message cost hardly depends on the conversation's length:

    HDPS3 \\x1e <length of the body> \\x1e LABEL=n,LABEL=n \\n      header: the counters, the body's length
    V <key> \\x1e <number> \\n                                     a value: "LABEL\\x1fnormalised text" -> number
    O <placeholder> \\x1e <original text> \\n                      a placeholder's first-seen original

Keys and texts are escaped (backslash, newline and the record separator), so every entry starts right after a
newline and a needle "\\nV<key>\\x1e" can only match a whole key. The length in the header refuses a truncated blob.
"""

from __future__ import annotations

import re

MAGIC = "HDPS3"
_SEP = "\x1e"
_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", _SEP: "\\s"})
_UNESCAPES = {"\\": "\\", "n": "\n", "s": _SEP}
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def escape(text: str) -> str:
    return text.translate(_ESCAPES) if ("\\" in text or "\n" in text or _SEP in text) else text


def unescape(text: str) -> str:
    if "\\" not in text:
        return text
    try:
        return _ESCAPED.sub(lambda m: _UNESCAPES[m.group(1)], text)
    except KeyError as exc:
        raise ValueError("placeholder state: bad escape") from exc


def value_line(key: str, number: int) -> str:
    return f"V{escape(key)}{_SEP}{number}\n"


def original_line(placeholder: str, original: str) -> str:
    return f"O{escape(placeholder)}{_SEP}{escape(original)}\n"


def header(body_length: int, counters: dict[str, int]) -> str:
    return f"{MAGIC}{_SEP}{body_length}{_SEP}{','.join(f'{k}={v}' for k, v in counters.items())}"


def split_blob(text: str, labels: frozenset[str]) -> tuple[dict[str, int], str]:
    """(counters, body) of a version-3 blob; the body starts with the header's newline, so every entry in it
    follows a newline. Only the header is parsed here."""
    head, newline, rest = text.partition("\n")
    parts = head.split(_SEP)
    if not newline or len(parts) != 3 or parts[0] != MAGIC or not parts[1].isdigit():
        raise ValueError("placeholder state: unsupported or corrupt data")
    body = "\n" + rest
    if len(body) != int(parts[1]) or not body.endswith("\n"):
        raise ValueError("placeholder state: truncated or corrupt data")
    counters: dict[str, int] = {}
    for item in filter(None, parts[2].split(",")):
        label, _, number = item.partition("=")
        if not (number.isascii() and number.isdigit()):
            raise ValueError("placeholder state: corrupt counter")
        if label in labels:
            counters[label] = int(number)
    return counters, body


def _number(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise ValueError("placeholder state: corrupt number")
    return int(text)


def find_number(body: str, key: str) -> int | None:
    needle = f"\nV{escape(key)}{_SEP}"
    at = body.find(needle)
    if at < 0:
        return None
    start = at + len(needle)
    return _number(body[start : body.index("\n", start)])


def numbers_with_prefix(body: str, prefix: str) -> list[tuple[str, int]]:
    """Every (key, number) whose key starts with ``prefix`` (e.g. all PERSON values): str.find hops, not a regex
    scan (several times faster over a long conversation's state)."""
    needle = f"\nV{escape(prefix)}"
    found: list[tuple[str, int]] = []
    at = body.find(needle)
    while at >= 0:
        end = body.index("\n", at + 1)
        key, separator, number = body[at + 2 : end].partition(_SEP)
        if not separator:
            raise ValueError("placeholder state: corrupt entry")
        found.append((unescape(key), _number(number)))
        at = body.find(needle, end)
    return found


def parse_body(body: str) -> tuple[dict[str, int], dict[str, str]]:
    values: dict[str, int] = {}
    originals: dict[str, str] = {}
    for line in body[1:-1].split("\n") if len(body) > 1 else ():
        name, separator, value = line[1:].partition(_SEP)
        if not separator:
            raise ValueError("placeholder state: corrupt entry")
        if line[:1] == "V":
            values[unescape(name)] = _number(value)
        elif line[:1] == "O":
            originals[unescape(name)] = unescape(value)
        else:
            raise ValueError("placeholder state: corrupt entry")
    return values, originals
