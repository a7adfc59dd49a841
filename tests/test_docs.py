"""Docs are checked by tests: every setting and CLI command is documented."""

from __future__ import annotations

from pathlib import Path

from hushdesk.cli import main
from hushdesk.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def _docs() -> str:
    return (ROOT / "README.md").read_text() + (ROOT / "docs" / "configuration.md").read_text()


def test_every_setting_is_documented() -> None:
    docs = _docs()
    missing = [f"HUSHDESK_{name.upper()}" for name in Settings.model_fields if f"HUSHDESK_{name.upper()}" not in docs]
    assert missing == [], f"document these settings in README.md or docs/configuration.md: {missing}"


def test_every_cli_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in main.commands if f"hushdesk {name}" not in readme and f"| {name}" not in readme]
    assert missing == [], f"document these commands in the README: {missing}"
