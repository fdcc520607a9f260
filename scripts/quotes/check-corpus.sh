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
rebuild_matches models/quotes python3 scripts/quotes/gold.py build --kit "$kit"
echo "quote corpus: records check out against the text; split files rebuilt identically" >&2
