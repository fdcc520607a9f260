#!/usr/bin/env bash
# Renders the HTML report of an article in headless Chromium, saves a PNG screenshot and
# fails on console errors or on any network request the page tries to make.
#
#   scripts/html-report-check.sh [ARTICLE] [OUT.png]
#
# Defaults: seeds/belarus-pardons-efe.txt, docs/report-screenshot.png. Needs Debian's
# `chromium` package (apt-get install chromium) and a built `lede` (target/release or
# target/debug, or LEDE_BIN).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

article=${1:-seeds/belarus-pardons-efe.txt}
png=${2:-docs/report-screenshot.png}
lede=${LEDE_BIN:-}
if [ -z "$lede" ]; then
    for c in target/release/lede target/debug/lede; do
        if [ -x "$c" ]; then lede=$c; break; fi
    done
fi
[ -n "$lede" ] || { echo "no lede binary: run cargo build --release -p lede" >&2; exit 2; }
command -v chromium >/dev/null || { echo "chromium missing: apt-get install chromium" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$lede" --quiet analyze --format html "$article" > "$work/report.html"

chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile" --enable-logging=stderr --v=0 \
    --window-size=1280,3000 --hide-scrollbars \
    --screenshot="$work/shot.png" "file://$work/report.html" 2> "$work/chromium.log" || true

if [ ! -s "$work/shot.png" ]; then
    echo "chromium produced no screenshot:" >&2
    cat "$work/chromium.log" >&2
    exit 1
fi
# Console errors from the page (Chromium logs them as CONSOLE lines) and requests to the
# network (the report must be self-contained).
if grep -E "CONSOLE.*(Uncaught|Error)|ERR_(NAME|CONNECTION|INTERNET)|Failed to load resource" "$work/chromium.log" >&2; then
    echo "the report logged errors in Chromium" >&2
    exit 1
fi
if grep -Eq '(src|href)="https?:' "$work/report.html"; then
    echo "the report references external resources" >&2
    exit 1
fi
mkdir -p "$(dirname "$png")"
cp "$work/shot.png" "$png"
echo "report of $article rendered to $png ($(stat -c %s "$png") bytes), no console errors" >&2
