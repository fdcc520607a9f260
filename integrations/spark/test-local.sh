#!/usr/bin/env bash
# The Spark test: lede as a Spark worker in local[2] mode over gensim's lee_background.cor
# (300 real articles, plus two bad lines), checked against `lede analyze` run directly on the
# same input. Installs pyspark 4.x from PyPI into a venv under the cache (once); needs Java
# 17 (`java` on PATH), a release build and `cargo xtask setup`.
#
#   integrations/spark/test-local.sh
#
# Prints the wall time of both runs; docs/SCALING.md has the figures.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
cache="${LEDE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lede}"
venv="$cache/spark-venv"
command -v java >/dev/null || { echo "java missing: Spark needs a JDK (17)" >&2; exit 2; }
if ! "$venv/bin/python" -c "import pyspark, sys; sys.exit(0 if pyspark.__version__.startswith('4.') else 1)" 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "pyspark>=4,<5"
fi
lee="$cache/lee-background"
if [ "$(ls "$lee"/lee_bg_*.txt 2>/dev/null | wc -l)" -ne 300 ]; then
    rm -rf "$lee"
    bash models/summarize/dev/fetch-lee-background.sh "$lee" >&2
fi
lede="${LEDE_BIN:-target/release/lede}"
[ -x "$lede" ] || cargo build --release --locked -p lede

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# REPEAT=N feeds every article N times (distinct ids), for throughput runs.
repeat="${REPEAT:-1}"
python3 integrations/spark/check.py prepare --docs "$lee" --out "$work/input.jsonl" --repeat "$repeat"
LEDE_BIN="$lede" integrations/spark/make-bundle.sh "$work/lede-bundle.tar.gz"

now() { date +%s.%N; }
t0=$(now)
# Two documents fail (exit 1); every line is answered.
"$lede" --quiet analyze --input-format jsonl --format jsonl --jobs 2 "$work/input.jsonl" \
    > "$work/direct.jsonl" || [ $? -eq 1 ]
t1=$(now)
PYSPARK_PYTHON="$venv/bin/python" PYSPARK_DRIVER_PYTHON="$venv/bin/python" \
"$venv/bin/spark-submit" --master 'local[2]' \
    --conf spark.ui.enabled=false --conf spark.task.cpus=1 \
    --driver-java-options "-Dlog4j2.level=warn" \
    --archives "$work/lede-bundle.tar.gz#lede" \
    integrations/spark/lede_spark.py \
    --input "$work/input.jsonl" --output "$work/spark-out" \
    --bundle lede --partitions 2 --cores-per-task 1 2> "$work/spark.log" \
    || { tail -40 "$work/spark.log" >&2; exit 1; }
t2=$(now)
python3 integrations/spark/check.py compare --input "$work/input.jsonl" \
    --direct "$work/direct.jsonl" --spark "$work/spark-out"
grep "lede_spark: job done" "$work/spark.log" >&2 || true
python3 - "$t0" "$t1" "$t2" "$work/input.jsonl" <<'PY' >&2
import json, sys
t0, t1, t2 = map(float, sys.argv[1:4])
docs = [json.loads(l) for l in open(sys.argv[4], encoding="utf-8") if l.startswith('{"id": "lee')]
n, words = len(docs), sum(len(d["text"].split()) for d in docs)
d, s = t1 - t0, t2 - t1
print(f"direct `lede analyze --jobs 2`: {d:.1f} s ({n / d:.1f} articles/s, {words / d:.0f} words/s), model loading included")
print(f"spark-submit local[2], 2 tasks x 1 core: {s:.1f} s ({n / s:.1f} articles/s, {words / s:.0f} words/s), "
      f"{s / d:.2f}x the direct run's time (JVM start, archive unpacking and one model load per task included)")
PY
