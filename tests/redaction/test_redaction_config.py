"""Per-workspace configuration and the CLI contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hushdesk.redaction import CustomPattern, RedactionConfig, get_engine
from hushdesk.redaction.cli import redact


def test_custom_pattern_is_redacted_with_its_label() -> None:
    config = RedactionConfig(custom_patterns=(CustomPattern("ACCOUNT_ID", r"HD-[0-9]{6}"),))
    findings = get_engine().analyze("ref HD-123456 please", config)
    assert [(f.label, f.text, f.recognizer) for f in findings] == [("ACCOUNT_ID", "HD-123456", "custom_pattern")]


def test_tenant_pattern_runs_in_linear_time_on_a_pathological_input() -> None:
    config = RedactionConfig(custom_patterns=(CustomPattern("OTHER", r"(a+)+b"),))
    assert get_engine().analyze("a" * 50_000 + "!", config) == []  # would hang a backtracking engine


def test_deny_list_matches_known_names_in_any_case_on_word_boundaries() -> None:
    config = RedactionConfig(deny_list=(("Zyx Qorvath", "PERSON"),))
    text = "ping zyx qorvath and ZYX QORVATH, not zyx qorvathian"
    found = [f.text for f in get_engine().analyze(text, config) if f.recognizer == "deny_list"]
    assert found == ["zyx qorvath", "ZYX QORVATH"]


def test_allow_list_keeps_business_and_product_names() -> None:
    text = "Thanks for contacting Northwind Traders Inc. support"
    assert any(f.label == "ORGANIZATION" for f in get_engine().analyze(text))
    config = RedactionConfig(allow_list=("northwind traders inc.",))
    assert not any(f.label == "ORGANIZATION" for f in get_engine().analyze(text, config))


def test_entity_switches_and_thresholds() -> None:
    text = "mail support42@example.org or call +1 202-555-0198"
    no_email = RedactionConfig(disabled_entities=frozenset({"EMAIL"}))
    assert [f.label for f in get_engine().analyze(text, no_email)] == ["PHONE"]
    strict_phone = RedactionConfig(thresholds={"PHONE": 1.0})
    assert [f.label for f in get_engine().analyze(text, strict_phone)] == ["EMAIL"]


def test_invalid_config_values_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown label"):
        RedactionConfig(deny_list=(("x", "NOPE"),))
    with pytest.raises(ValueError, match="between 0 and 1"):
        RedactionConfig(thresholds={"PHONE": 2.0})
    with pytest.raises(ValueError, match="empty string"):
        CustomPattern("OTHER", "a*")


def test_cli_plain_mode_redacts_stdin_and_explains_on_stderr() -> None:
    result = CliRunner().invoke(redact, ["--explain"], input="mail jane@example.org")
    assert result.exit_code == 0
    assert result.stdout == "mail <EMAIL_1>"
    assert "EMAIL" in result.stderr and "email" in result.stderr


def test_cli_jsonl_mode_writes_spans_with_original_offsets(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"deny_list": [["Zyx", "PERSON"]]}))
    lines = [json.dumps({"id": "a", "text": "j\u200bane@example.org"}), json.dumps({"id": 2, "text": "ask Zyx"})]
    result = CliRunner().invoke(redact, ["--jsonl", "--config", str(config)], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0] == {"id": "a", "spans": [{"start": 0, "end": 17, "label": "EMAIL"}]}
    assert rows[1] == {"id": 2, "spans": [{"start": 4, "end": 7, "label": "PERSON"}]}


def test_cli_rejects_malformed_jsonl() -> None:
    result = CliRunner().invoke(redact, ["--jsonl"], input="not json\n")
    assert result.exit_code != 0
    assert "line 1" in result.output
