# Sourced by the corpus checks: makes sure gensim's lee_background.cor is in the cache
# (~/.cache/lede/lee-background, fetched from PyPI once) and writes the annotation kit of
# scripts/relations/corpus.py into a temporary directory, named in $kit (removed on exit);
# defines rebuild_matches.
# Run from the repository root.
cache="${LEDE_CACHE:-$HOME/.cache/lede}/lee-background"
if [ "$(ls "$cache"/lee_bg_*.txt 2>/dev/null | wc -l)" -ne 300 ]; then
    rm -rf "$cache"
    bash models/summarize/dev/fetch-lee-background.sh "$cache" >&2
fi
kit="$(mktemp -d)"
trap 'rm -rf "$kit"' EXIT
python3 scripts/relations/corpus.py kit --docs "$cache" --out "$kit" 2>/dev/null

# rebuild_matches DIR BUILD-COMMAND...: runs the build, which rewrites DIR/{train,dev,test}.jsonl
# from the records, and fails (restoring the committed files) when any of them changed.
rebuild_matches() {
    local dir=$1
    shift
    local snapshot
    snapshot="$(mktemp -d)"
    cp "$dir"/{train,dev,test}.jsonl "$snapshot/"
    "$@" >&2
    for f in train dev test; do
        if ! cmp -s "$snapshot/$f.jsonl" "$dir/$f.jsonl"; then
            cp "$snapshot/$f.jsonl" "$dir/$f.jsonl"
            echo "$dir/$f.jsonl differs from what the records build" >&2
            rm -rf "$snapshot"
            return 1
        fi
    done
    rm -rf "$snapshot"
}
