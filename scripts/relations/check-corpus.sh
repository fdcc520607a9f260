#!/usr/bin/env bash
# Checks the hand-annotated relation corpus against the text it points into: fetches gensim's
# lee_background.cor from PyPI (cached in ~/.cache/lede/lee-background), writes the annotation
# kit, checks every record (spans, names, types, evidence) and rebuilds the split files, which
# must equal the committed ones.
#
#   scripts/relations/check-corpus.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=../lib/lee-kit.sh
source scripts/lib/lee-kit.sh
python3 scripts/relations/corpus.py check --kit "$kit" \
    models/relations/corpus/records/R*.jsonl models/relations/corpus/records/N*.jsonl \
    models/relations/corpus/records/second-reader.jsonl
rebuild_matches models/relations/corpus python3 scripts/relations/corpus.py build --kit "$kit"
echo "relation corpus: records check out against the text; split files rebuilt identically" >&2
