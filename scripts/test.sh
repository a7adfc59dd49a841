#!/usr/bin/env bash
# The README's test command (`make test`) runs this: lint, types, then the whole suite on SQLite and on
# PostgreSQL. It installs what the tests need (Chromium for browser tests, when it can) and says clearly
# what it had to skip.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
status=0

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "ruff"
$VENV/bin/ruff check src tests bench || status=1
step "mypy (strict)"
$VENV/bin/mypy || status=1

# Browser tests need Debian's chromium; install it when we can (root + apt), otherwise they skip loudly.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  step "installing chromium for browser tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium) \
    >/tmp/hushdesk-apt.log 2>&1 || echo "could not install chromium (see /tmp/hushdesk-apt.log)"
fi
[ -x /usr/bin/chromium ] || echo "NOTE: /usr/bin/chromium not found: browser tests will be SKIPPED"

PYTEST=($VENV/bin/python -m pytest -q -p no:cacheprovider "$@")

step "tests on SQLite"
HUSHDESK_TEST_DB=sqlite "${PYTEST[@]}" || status=1

step "tests on PostgreSQL"
pg_url=$($VENV/bin/python scripts/find_postgres.py)
if [ -z "$pg_url" ]; then
  echo "SKIPPED: no PostgreSQL available (set HUSHDESK_TEST_POSTGRES_URL, run one on 127.0.0.1:5432," \
       "or install PostgreSQL's server binaries so a throwaway cluster can be started)"
else
  echo "PostgreSQL: ${pg_url%%@*}@…"
  HUSHDESK_TEST_DB=postgres HUSHDESK_TEST_POSTGRES_URL="$pg_url" "${PYTEST[@]}" || status=1
fi
$VENV/bin/python scripts/find_postgres.py --stop >/dev/null 2>&1 || true
exit $status
