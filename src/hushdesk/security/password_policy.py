"""Password rules beyond length: refuse common passwords, shipped with the package (``common_passwords.txt``).

A password is refused when, lowercased, it is on the list; when it is a listed word with digits or symbols
around it (``Password2024!``, ``#welcome1``); when it is one character repeated; or when it contains the
account's email name or the workspace name in full.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_NON_ALNUM = re.compile(r"[\W_]+")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("hushdesk.security").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    lowered = password.lower()
    listed = common_passwords()
    candidates = {lowered, _EDGES.sub("", lowered), _NON_ALNUM.sub("", lowered),
                  _EDGES.sub("", _NON_ALNUM.sub("", lowered))}
    if any(c in listed for c in candidates if c):
        return True
    return len(set(lowered)) <= 2


def check_common(password: str, *, personal: tuple[str, ...] = ()) -> None:
    """Raise ValueError with a message fit for the user when the password is guessable."""
    if is_common(password):
        raise ValueError("this password is too common; choose a longer phrase of unrelated words")
    lowered = password.lower()
    for raw in personal:
        value = raw.strip().lower()
        if len(value) >= 4 and value in lowered:
            raise ValueError("the password must not contain your email address or name")
