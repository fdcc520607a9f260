#!/usr/bin/env bash
# Checks the hand-annotated quotation corpus against the text it points into: fetches gensim's
# lee_background.cor from PyPI (cached in ~/.cache/lede/lee-background), writes the annotation
# kit, checks every record of both passes and rebuilds the split files, which must equal the
# committed ones.
#
#   scripts/quotes/check-corpus.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=../lib/lee-kit.sh
source scripts/lib/lee-kit.sh
for f in models/quotes/records/first/*.jsonl models/quotes/records/second/*.jsonl; do
    python3 scripts/quotes/gold.py check --kit "$kit" "$f" >&2
done
snapshot="$(mktemp -d)"
cp models/quotes/{train,dev,test}.jsonl "$snapshot/"
python3 scripts/quotes/gold.py build --kit "$kit" >&2
for f in train dev test; do
    if ! cmp -s "$snapshot/$f.jsonl" "models/quotes/$f.jsonl"; then
        cp "$snapshot/$f.jsonl" "models/quotes/$f.jsonl"
        echo "models/quotes/$f.jsonl differs from what the records build" >&2
        exit 1
    fi
done
rm -rf "$snapshot"
echo "quote corpus: records check out against the text; split files rebuilt identically" >&2
