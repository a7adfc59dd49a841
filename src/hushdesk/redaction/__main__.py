"""``python -m hushdesk.redaction`` runs the ``redact`` command (used by bench/pii)."""

from hushdesk.redaction.cli import redact

if __name__ == "__main__":
    redact(prog_name="python -m hushdesk.redaction")
