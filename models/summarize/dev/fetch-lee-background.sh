#!/usr/bin/env bash
# Fetches gensim's lee_background.cor (300 ABC news articles, one per line, Latin-1) from PyPI
# and writes every article as DIR/lee_bg_NNN.txt (UTF-8, NNN = 0-based line number), which is
# the `--docs DIR` layout the summary references in this folder are keyed to.
#
#   models/summarize/dev/fetch-lee-background.sh /tmp/lee-docs
#
# The corpus is third-party data: it is fetched, never committed. Its sibling lee.cor is
# reserved for evaluation and is not touched here.
set -euo pipefail
out="${1:?usage: $0 OUT_DIR}"
gensim_version="${GENSIM_VERSION:-4.4.0}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps "gensim==${gensim_version}" -d "$work"
wheel="$(ls "$work"/gensim-*.whl | head -n 1)"
python3 - "$wheel" "$out" <<'PY'
import os, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    raw = z.read("gensim/test/test_data/lee_background.cor")
lines = raw.decode("latin-1").split("\n")
os.makedirs(out, exist_ok=True)
n = 0
for i, line in enumerate(lines):
    text = line.strip()
    if not text:
        continue
    with open(os.path.join(out, f"lee_bg_{i:03d}.txt"), "w", encoding="utf-8") as f:
        f.write(text + "\n")
    n += 1
print(f"wrote {n} articles to {out}")
PY
