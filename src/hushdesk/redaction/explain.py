"""Human-readable explanations of findings."""

from __future__ import annotations

from collections.abc import Sequence

from hushdesk.redaction.types import Finding

_PREVIEW = 40


def explain_findings(findings: Sequence[Finding]) -> str:
    """One line per finding: where, what, how sure, which recognizer and why."""
    if not findings:
        return "no personal data found"
    lines = []
    for finding in findings:
        preview = finding.text if len(finding.text) <= _PREVIEW else finding.text[: _PREVIEW - 1] + "…"
        lines.append(
            f"{finding.start:>6}-{finding.end:<6} {finding.label:<13} {finding.score:.2f}  "
            f"{finding.recognizer:<18} {finding.reason}  {preview!r}"
        )
    return "\n".join(lines)


def finding_to_dict(finding: Finding, *, explain: bool) -> dict[str, object]:
    span: dict[str, object] = {"start": finding.start, "end": finding.end, "label": finding.label}
    if explain:
        span.update(score=round(finding.score, 3), recognizer=finding.recognizer, reason=finding.reason)
    return span
