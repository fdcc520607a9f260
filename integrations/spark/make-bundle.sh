#!/usr/bin/env bash
# Packs what a Spark executor needs to run lede into one archive: the lede binary, the
# libtorch libraries it loads, the project's models (models/) and the packaged MiniLM.
#
#   integrations/spark/make-bundle.sh OUT.tar.gz
#
# Ship it with `spark-submit --archives OUT.tar.gz#lede` and pass `--bundle lede` to
# lede_spark.py: every executor unpacks it to ./lede and starts `lede/run`, which sets
# LD_LIBRARY_PATH, LEDE_MODELS_DIR and LEDE_CACHE_DIR to the bundle's own copies. Needs a
# release build (`cargo build --release -p lede`, or LEDE_BIN) and `cargo xtask setup`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out="${1:?usage: $0 OUT.tar.gz}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
bin="${LEDE_BIN:-target/release/lede}"
[ -x "$bin" ] || { echo "no lede binary at $bin: run cargo build --release -p lede" >&2; exit 2; }
cache="${LEDE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lede}"
minilm="$cache/models/all-MiniLM-L6-v2"
[ -f "$minilm/config.json" ] || { echo "no MiniLM at $minilm: run cargo xtask setup" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/bundle"
mkdir -p "$root/bin" "$root/lib" "$root/cache/models"
cp "$bin" "$root/bin/lede"
# Every shared library lede loads from outside the system's own directories (libtorch and
# what it brings): the executors need not have them.
ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | while read -r lib; do
    case "$lib" in
        /lib/*|/lib64/*|/usr/lib/*|/usr/lib64/*) ;;
        *) cp -L "$lib" "$root/lib/" ;;
    esac
done
# The project's models, without what only evaluation and annotation read.
mkdir -p "$root/models"
tar -C models --exclude='./relations/corpus' --exclude='./relations/gold' \
    --exclude='./summarize/refs' --exclude='./summarize/dev' \
    --exclude='./lede-ner-minilm/hand' --exclude='./lede-ner-minilm/eval' -cf - . \
    | tar -C "$root/models" -xf -
cp -r "$minilm" "$root/cache/models/"
cat > "$root/run" <<'RUN'
#!/bin/sh
# Starts the bundled lede with the bundle's libraries and models.
here="$(cd "$(dirname "$0")" && pwd)"
LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
LEDE_MODELS_DIR="$here/models"
LEDE_CACHE_DIR="$here/cache"
export LD_LIBRARY_PATH LEDE_MODELS_DIR LEDE_CACHE_DIR
[ -x "$here/bin/lede" ] || chmod +x "$here/bin/lede" 2>/dev/null || true
exec "$here/bin/lede" "$@"
RUN
chmod +x "$root/run" "$root/bin/lede"
# The archive's root is the bundle itself (`--archives OUT.tar.gz#lede` unpacks it to ./lede).
tar -C "$root" -cf - . | gzip -1 > "$out.partial"
mv "$out.partial" "$out"
echo "wrote $out ($(du -h "$out" | cut -f1)): $(ls "$root/lib" | wc -l) libraries, models, MiniLM" >&2
