"""Regression tests for integration bugs: deny-list terms inside structured values,
and log lines mangled by the name tagger."""

from __future__ import annotations

import logging

import pytest

from hushdesk.redaction.config import RedactionConfig
from hushdesk.redaction.engine import get_engine
from hushdesk.redaction.logfilter import RedactingLogFilter

SAM = RedactionConfig(deny_list=(("Sam Canary", "PERSON"), ("Sam", "PERSON"), ("Canary", "PERSON")))


def test_email_wins_over_deny_list_terms_inside_it() -> None:
    text = "Reach me at sam.canary@example.com, card 4111 1111 1111 1111"
    assert get_engine().redact(text, config=SAM).text == "Reach me at <EMAIL_1>, card <CREDIT_CARD_1>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://sam.example.com/canary now", "see <URL_1> now"),
        ("Sam Canary wrote: sam.canary@example.com", "<PERSON_1> wrote: <EMAIL_1>"),
        ("ping Sam, then canary.", "ping <PERSON_1>, then <PERSON_2>."),
        ("files in /home/sam/canary stay", "files in /home/sam/canary stay"),
    ],
)
def test_deny_list_matches_whole_words_only(text: str, expected: str) -> None:
    assert get_engine().redact(text, config=SAM).text == expected


LOG_LINES_KEPT = [
    "Uvicorn running on http://0.0.0.0:8765 (Press CTRL+C to quit)",
    "Executing hushdesk.worker.jobs.hushdesk.run_job: 3f2a-11",
    "Started server process [12345]",
    "Waiting for application startup.",
    "Application startup complete.",
    "huey.consumer: Huey consumer started with 2 thread, PID 4242",
    "sqlalchemy.engine.Engine BEGIN (implicit)",
    "Shutting down",
    'Traceback (most recent call last):\n  File "/srv/hushdesk/worker/jobs.py", line 42, in run_job\n'
    '    raise ValueError("boom")\nValueError: boom',
]


@pytest.mark.parametrize("line", LOG_LINES_KEPT)
def test_ordinary_log_lines_are_not_mangled(line: str) -> None:
    findings = get_engine().analyze(line)
    assert [f for f in findings if f.label not in {"IP_ADDRESS", "URL"}] == []


def test_log_filter_keeps_log_text_but_redacts_personal_data() -> None:
    record = logging.LogRecord(
        "hushdesk.inbox.service",
        logging.INFO,
        __file__,
        1,
        "Uvicorn running on http://%s:8765 (Press CTRL+C to quit); message from %s (%s) in %s",
        ("127.0.0.1", "Priya Sharma", "priya@example.com", "hushdesk.worker.jobs.run_job"),
        None,
    )
    RedactingLogFilter().filter(record)
    message = record.getMessage()
    assert message.startswith("Uvicorn running on http://<IP_ADDRESS_1>:8765 (Press CTRL+C to quit)")
    assert "Priya" not in message and "priya@example.com" not in message and "127.0.0.1" not in message
    assert "<EMAIL_1>" in message and "hushdesk.worker.jobs.run_job" in message
