"""Identifiers: random, URL-safe, sortable by creation time (a millisecond prefix keeps B-tree inserts local)."""

from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, rem = divmod(number, 36)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


def new_id(prefix: str = "") -> str:
    """A 20-character id: 9 chars of milliseconds, 11 random chars (~56 bits)."""
    millis = int(time.time() * 1000)
    rand = secrets.randbits(56)
    return f"{prefix}{_base36(millis, 9)}{_base36(rand, 11)}"


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
