"""Keyset-free, bounded offset pagination: small pages, hard upper limit."""

from __future__ import annotations

from dataclasses import dataclass

MAX_LIMIT = 200


@dataclass(frozen=True)
class Page:
    limit: int = 50
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        if self.offset < 0:
            raise ValueError("offset must be >= 0")
