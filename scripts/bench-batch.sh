#!/usr/bin/env bash
# Batch throughput of the `lede` binary on gensim's lee_background.cor (300 ABC news articles,
# one per line, Latin-1): the full offline analysis (NER, relations, summary) with --jobs 1
# and --jobs 2, reporting wall time, articles/s, words/s and peak memory (max RSS).
#
#   scripts/bench-batch.sh [CORPUS]
#
# Without CORPUS the gensim wheel is downloaded from PyPI into the lede cache and the file is
# taken from it. Needs a release build: cargo build --release -p lede.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

lede=${LEDE_BIN:-target/release/lede}
[ -x "$lede" ] || { echo "build first: cargo build --release -p lede" >&2; exit 2; }
corpus=${1:-}
if [ -z "$corpus" ]; then
    cache=${LEDE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lede}
    corpus=$cache/corpora/lee_background.cor
    if [ ! -f "$corpus" ]; then
        mkdir -p "$cache/corpora" "$cache/downloads"
        python3 -m pip download --quiet --no-deps --only-binary=:all: gensim -d "$cache/downloads" >&2
        wheel=$(ls -t "$cache"/downloads/gensim-*.whl | head -n 1)
        python3 - "$wheel" "$corpus" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    data = z.read("gensim/test/test_data/lee_background.cor")
open(sys.argv[2], "wb").write(data)
PY
    fi
fi
words=$(iconv -f latin1 -t utf-8 "$corpus" | wc -w)
docs=$(grep -c . "$corpus")
echo "corpus: $corpus ($docs articles, $words words); cores: $(nproc); $(uname -m)"
printf '| jobs | wall s | articles/s | words/s | max RSS MiB | failed |\n|---:|---:|---:|---:|---:|---:|\n'
for jobs in 1 2; do
    out=$(mktemp)
    /usr/bin/time -f '%e %M' -o "$out.time" "$lede" --quiet analyze --input-format lines \
        --encoding latin1 --format jsonl --jobs "$jobs" "$corpus" > "$out" || true
    read -r wall rss < "$out.time"
    failed=$(grep -c '"error"' "$out" || true)
    awk -v j="$jobs" -v w="$wall" -v r="$rss" -v d="$docs" -v n="$words" -v f="$failed" \
        'BEGIN { printf "| %d | %.1f | %.1f | %.0f | %.0f | %d |\n", j, w, d / w, n / w, r / 1024, f }'
    rm -f "$out" "$out.time"
done
