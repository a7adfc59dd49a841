"""Engine API, placeholder state, operators and the log filter."""

from __future__ import annotations

import io
import json
import logging

import pytest

from hushdesk.redaction import (
    CustomPattern,
    PlaceholderState,
    RedactingLogFilter,
    RedactionConfig,
    get_engine,
)


def test_get_engine_is_a_singleton() -> None:
    assert get_engine() is get_engine()


def test_findings_are_sorted_non_overlapping_and_index_the_original() -> None:
    text = "Mail me at jane.doe@example.org or call +1 202-555-0198, card 4111 1111 1111 1111."
    findings = get_engine().analyze(text)
    assert [f.label for f in findings] == ["EMAIL", "PHONE", "CREDIT_CARD"]
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
        assert finding.recognizer and finding.reason and 0 < finding.score <= 1
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:], strict=False))


def test_placeholders_are_consistent_across_a_conversation() -> None:
    engine = get_engine()
    first = engine.redact("Write to JANE@example.org please")
    second = engine.redact("again: jane@example.org and bob@example.org", state=first.state)
    assert first.text == "Write to <EMAIL_1> please"
    assert second.text == "again: <EMAIL_1> and <EMAIL_2>"
    assert second.state.mapping() == {"<EMAIL_1>": "JANE@example.org", "<EMAIL_2>": "bob@example.org"}


def test_redact_never_mutates_the_callers_state() -> None:
    state = PlaceholderState()
    result = get_engine().redact("jane@example.org", state=state)
    assert state.mapping() == {}
    assert result.state is not state


def test_state_round_trips_through_json_and_rehydrates_only_known_placeholders() -> None:
    result = get_engine().redact("Call +44 20 7946 0958 or mail jo@example.com")
    restored = PlaceholderState.from_json(result.state.to_json())
    draft = "Hi, we will call <PHONE_1> and mail <EMAIL_1>; not <EMAIL_7> or <phone_1>."
    text, unknown = restored.rehydrate(draft)
    assert text == "Hi, we will call +44 20 7946 0958 and mail jo@example.com; not <EMAIL_7> or <phone_1>."
    assert unknown == ["<EMAIL_7>", "<phone_1>"]


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("mask", "mail " + "*" * 20 + " now"),
        ("remove", "mail  now"),
    ],
)
def test_mask_and_remove_operators(operator: str, expected: str) -> None:
    result = get_engine().redact("mail jane.doe@example.org now", operator=operator)  # type: ignore[arg-type]
    assert result.text == expected


def test_hash_operator_gives_stable_keyed_pseudonyms() -> None:
    engine = get_engine()
    one = engine.redact("jane@example.org", operator="hash", hash_key=b"k1").text
    same = engine.redact("JANE@example.org", operator="hash", hash_key=b"k1").text
    other_key = engine.redact("jane@example.org", operator="hash", hash_key=b"k2").text
    assert one == same != other_key
    assert one.startswith("<EMAIL_") and "jane" not in one
    with pytest.raises(ValueError, match="hash_key"):
        engine.redact("jane@example.org", operator="hash")


def test_invalid_custom_pattern_is_rejected_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="not a valid RE2 expression"):
        CustomPattern(label="ACCOUNT_ID", pattern="(?<=x)y")
    with pytest.raises(ValueError, match="unknown label"):
        CustomPattern(label="SHOE_SIZE", pattern="x")


def test_log_filter_redacts_message_and_args() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingLogFilter())
    logger = logging.getLogger("hushdesk.test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("login by %s from %s", "jane@example.org", "+1 202-555-0198")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == "login by <EMAIL_1> from <PHONE_1>\n"


def test_config_round_trips_through_json() -> None:
    config = RedactionConfig(
        custom_patterns=(CustomPattern("ACCOUNT_ID", r"HD-\d{6}"),),
        deny_list=(("Priya", "PERSON"),),
        allow_list=("Acme",),
        disabled_entities=frozenset({"URL"}),
        thresholds={"PHONE": 0.7},
    )
    assert RedactionConfig.from_json(json.dumps(config.to_dict())) == config
