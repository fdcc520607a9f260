# Sourced by the corpus checks: makes sure gensim's lee_background.cor is in the cache
# (~/.cache/lede/lee-background, fetched from PyPI once) and writes the annotation kit of
# scripts/relations/corpus.py into a temporary directory, named in $kit (removed on exit).
# Run from the repository root.
cache="${LEDE_CACHE:-$HOME/.cache/lede}/lee-background"
if [ "$(ls "$cache"/lee_bg_*.txt 2>/dev/null | wc -l)" -ne 300 ]; then
    rm -rf "$cache"
    bash models/summarize/dev/fetch-lee-background.sh "$cache" >&2
fi
kit="$(mktemp -d)"
trap 'rm -rf "$kit"' EXIT
python3 scripts/relations/corpus.py kit --docs "$cache" --out "$kit" 2>/dev/null
