"""Operators: what replaces a finding in the redacted text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from hushdesk.redaction.state import PlaceholderState, normalise_value
from hushdesk.redaction.types import Finding

Operator = Literal["placeholder", "mask", "hash", "remove"]
OPERATORS: tuple[Operator, ...] = ("placeholder", "mask", "hash", "remove")
MASK_CHAR = "*"
HASH_HEX_CHARS = 12  # 48 bits: collisions within one workspace are negligible


def keyed_hash(label: str, text: str, key: bytes) -> str:
    """Stable pseudonym: HMAC-SHA256 of the normalised value under the workspace key."""
    import hashlib  # on first use: OpenSSL's start-up is paid only by the hash operator
    import hmac

    digest = hmac.new(key, f"{label}\x1f{normalise_value(label, text)}".encode(), hashlib.sha256)
    return f"<{label}_{digest.hexdigest()[:HASH_HEX_CHARS]}>"


def mask(text: str) -> str:
    # Keep line structure (and so log/line formats) intact; hide everything else.
    return "".join(ch if ch in "\n\r" else MASK_CHAR for ch in text)


def apply_operator(
    text: str,
    findings: Sequence[Finding],
    operator: Operator,
    state: PlaceholderState | None,
    hash_key: bytes | None,
) -> str:
    """Replace each finding (sorted, non-overlapping) in ``text``."""
    if operator not in OPERATORS:
        raise ValueError(f"unknown operator {operator!r} (expected one of {', '.join(OPERATORS)})")
    if operator == "hash" and not hash_key:
        raise ValueError("the hash operator needs a workspace hash_key")
    if operator == "placeholder" and state is None:
        raise ValueError("the placeholder operator needs a PlaceholderState")
    pieces: list[str] = []
    cursor = 0
    for finding in findings:
        pieces.append(text[cursor : finding.start])
        if operator == "placeholder":
            assert state is not None
            pieces.append(state.placeholder_for(finding.label, finding.text))
        elif operator == "mask":
            pieces.append(mask(finding.text))
        elif operator == "hash":
            assert hash_key is not None
            pieces.append(keyed_hash(finding.label, finding.text, hash_key))
        cursor = finding.end
    pieces.append(text[cursor:])
    return "".join(pieces)
