"""``hushdesk redact``: redact text from stdin, or analyse JSONL documents.

Plain mode reads the whole of stdin and writes the redacted text to stdout
(with ``--explain``, the findings are listed on stderr so stdout stays clean).
``--jsonl`` mode reads one ``{"id", "text"}`` object per line and writes one
``{"id", "spans"}`` object per line, streaming: the engine and its models are
loaded once, so throughput is not paid per line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

import click

from hushdesk.redaction.config import RedactionConfig
from hushdesk.redaction.engine import RedactionEngine, get_engine
from hushdesk.redaction.explain import explain_findings, finding_to_dict
from hushdesk.redaction.operators import OPERATORS, Operator


def _load_config(path: Path | None) -> RedactionConfig | None:
    if path is None:
        return None
    try:
        return RedactionConfig.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, KeyError, TypeError) as exc:
        raise click.BadParameter(f"{path}: {exc}", param_hint="--config") from exc


def run_jsonl(
    engine: RedactionEngine, config: RedactionConfig | None, source: TextIO, sink: TextIO, *, explain: bool
) -> int:
    """Analyse each JSON line of ``source``; returns the number of documents."""
    count = 0
    for line_number, line in enumerate(source, 1):
        if not line.strip():
            continue
        try:
            document = json.loads(line)
            text = document["text"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise click.ClickException(f'line {line_number}: expected {{"id", "text"}} JSON ({exc})') from exc
        if not isinstance(text, str):
            raise click.ClickException(f'line {line_number}: "text" must be a string')
        findings = engine.analyze(text, config)
        spans = [finding_to_dict(f, explain=explain) for f in findings]
        sink.write(json.dumps({"id": document.get("id"), "spans": spans}, ensure_ascii=False) + "\n")
        count += 1
    sink.flush()
    return count


@click.command("redact")
@click.option("--jsonl", "jsonl", is_flag=True, help='Read {"id","text"} lines, write {"id","spans"} lines.')
@click.option("--explain", is_flag=True, help="Show recognizer, score and reason for each finding.")
@click.option(
    "--operator",
    type=click.Choice(OPERATORS),
    default="placeholder",
    show_default=True,
    help="How findings are replaced in plain mode.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Workspace redaction config (JSON form of RedactionConfig).",
)
@click.option(
    "--hash-key",
    envvar="HUSHDESK_REDACTION_HASH_KEY",
    help="Key for --operator hash (or env HUSHDESK_REDACTION_HASH_KEY).",
)
def redact(jsonl: bool, explain: bool, operator: Operator, config_path: Path | None, hash_key: str | None) -> None:
    """Redact personal data from stdin."""
    config = _load_config(config_path)
    engine = get_engine()
    if jsonl:
        run_jsonl(engine, config, sys.stdin, sys.stdout, explain=explain)
        return
    if operator == "hash" and not hash_key:
        raise click.UsageError("--operator hash needs --hash-key or HUSHDESK_REDACTION_HASH_KEY")
    text = sys.stdin.read()
    result = engine.redact(
        text,
        config=config,
        operator=operator,
        hash_key=hash_key.encode() if hash_key else None,
    )
    sys.stdout.write(result.text)
    sys.stdout.flush()
    if explain:
        click.echo(explain_findings(result.findings), err=True)
