"""Identifiers: random, URL-safe, sortable by creation time (a millisecond prefix keeps B-tree inserts local)."""

from __future__ import annotations

import secrets
import threading
import time

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, rem = divmod(number, 36)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


_last = [0, 0]  # the previous id's milliseconds and random part
_lock = threading.Lock()


def new_id(prefix: str = "") -> str:
    """A 20-character id: 9 chars of milliseconds, 11 random chars (~56 bits).

    Strictly increasing within a process: a second id in the same millisecond takes the previous random part
    plus one, so rows written one after another sort in that order by id (a timeline ordered by creation time,
    then id, stays in order when a fast request writes several rows in one millisecond). Ids are never
    secrets (tokens come from ``new_token``)."""
    millis = int(time.time() * 1000)
    with _lock:
        if millis <= _last[0]:
            millis, rand = _last[0], _last[1] + 1
        else:
            rand = secrets.randbits(55)  # leaves room to count up within one millisecond
        _last[0], _last[1] = millis, rand
    return f"{prefix}{_base36(millis, 9)}{_base36(rand, 11)}"


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
