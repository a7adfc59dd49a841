"""Evasion: text is normalised before detection, offsets point into the original."""

from __future__ import annotations

import pytest

from hushdesk.redaction import get_engine

FULL_WIDTH_CARD = "4111 1111 1111 1111".translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})
CASES = [
    ("write to john [at] example [dot] com", "EMAIL", "john [at] example [dot] com"),
    ("write to john (at) example (dot) co (dot) uk", "EMAIL", "john (at) example (dot) co (dot) uk"),
    ("mail john at example dot com please", "EMAIL", "john at example dot com"),
    ("mail j\u200bohn@exam\u200bple.com", "EMAIL", "j\u200bohn@exam\u200bple.com"),
    ("leet: j0hn.d0e@3xample.c0m", "EMAIL", "j0hn.d0e@3xample.c0m"),
    ("card " + FULL_WIDTH_CARD, "CREDIT_CARD", FULL_WIDTH_CARD),
    ("card 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1", "CREDIT_CARD", "4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1"),
    ("card 4111-1111-1111-1111", "CREDIT_CARD", "4111-1111-1111-1111"),
    ("call +1\u00a0202\u00a0555\u00a00198", "PHONE", "+1\u00a0202\u00a0555\u00a00198"),
    ("SSN 536\u201322\u20131234", "NATIONAL_ID", "536\u201322\u20131234"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "label", "value"), CASES)
def test_evasion_is_seen_through_and_redacted_in_the_original(text: str, label: str, value: str) -> None:
    result = get_engine().redact(text)
    assert (label, value) in [(f.label, f.text) for f in result.findings]
    assert value not in result.text
    assert f"<{label}_1>" in result.text


def test_spelled_out_and_plain_address_share_one_placeholder() -> None:
    result = get_engine().redact("john [at] example [dot] com, i.e. john@example.com")
    assert result.text == "<EMAIL_1>, i.e. <EMAIL_1>"


def test_prose_with_at_is_not_rewritten_into_an_address() -> None:
    assert get_engine().analyze("meet me at noon at the cafe") == []
