#!/usr/bin/env bash
# Runs lede's libFuzzer targets (fuzz/, see fuzz/README.md) one after the other, each for a
# bounded time, and reports per target the executions done and whether it crashed.
#
#   scripts/fuzz.sh [TARGET...]          # default: every target in fuzz/Cargo.toml
#
#   FUZZ_SECONDS=120   time per target (libFuzzer -max_total_time)
#   FUZZ_TIMEOUT=10    seconds one input may take before libFuzzer calls it a hang
#   FUZZ_TOOLCHAIN=nightly  rustup toolchain for cargo-fuzz (default: nightly when installed)
#   FUZZ_ARGS="..."    more libFuzzer options (e.g. "-fork=1 -ignore_crashes=1" to go on past
#                      a crash, "-runs=0" to replay the corpus only)
#   LEDE_CACHE_DIR     the corpus of each target is kept outside the clone, in
#                      ${LEDE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lede}/fuzz-corpus/<target>,
#                      grown from fuzz/seeds/<target> (read only); libFuzzer logs go to
#                      .../fuzz-logs/<target>.log
#
# Builds without a sanitizer (-s none: AddressSanitizer and libtorch do not mix) but with debug
# assertions (-a: integer overflow panics, as in a debug build). Installs cargo-fuzz when
# missing. Crash inputs are saved under fuzz/artifacts/<target>/ (git-ignored); the exit
# status is 1 when any target crashed, 2 on a usage or build error.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${FUZZ_SECONDS:-120}
timeout=${FUZZ_TIMEOUT:-10}
cache=${LEDE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lede}
corpus_root=$cache/fuzz-corpus
log_root=$cache/fuzz-logs

case $seconds in '' | *[!0-9]*) echo "FUZZ_SECONDS must be a number of seconds" >&2; exit 2 ;; esac

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "installing cargo-fuzz" >&2
    cargo install --locked cargo-fuzz >&2
fi
toolchain=()
if [ -n "${FUZZ_TOOLCHAIN:-}" ]; then
    toolchain=("+$FUZZ_TOOLCHAIN")
elif rustup run nightly rustc --version >/dev/null 2>&1; then
    toolchain=(+nightly)
fi

all_targets=$(sed -n '/^\[\[bin\]\]/,/^$/s/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml)
if [ $# -gt 0 ]; then
    targets=("$@")
    for t in "${targets[@]}"; do
        grep -qx "$t" <<<"$all_targets" || { echo "unknown target $t (have: $(echo $all_targets))" >&2; exit 2; }
    done
else
    mapfile -t targets <<<"$all_targets"
fi

fuzz=(cargo "${toolchain[@]}" fuzz)
flags=(-s none -a --fuzz-dir fuzz)
echo "building ${targets[*]} (${toolchain[*]:-default toolchain}, -s none -a)" >&2
for t in "${targets[@]}"; do
    "${fuzz[@]}" build "${flags[@]}" "$t" >&2 || { echo "build of $t failed" >&2; exit 2; }
done

mkdir -p "$log_root"
crashed=0
summary=()
for t in "${targets[@]}"; do
    corpus=$corpus_root/$t
    mkdir -p "$corpus" "fuzz/artifacts/$t"
    dirs=("$corpus")
    [ -d "fuzz/seeds/$t" ] && dirs+=("fuzz/seeds/$t")
    opts=(-max_total_time="$seconds" -timeout="$timeout" -print_final_stats=1)
    [ -f "fuzz/dicts/$t.dict" ] && opts+=(-dict="fuzz/dicts/$t.dict")
    log=$log_root/$t.log
    echo "== $t: ${seconds}s, corpus $corpus" >&2
    stamp=$(mktemp)
    start=$(date +%s)
    set +e
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
    "${fuzz[@]}" run "${flags[@]}" "$t" "${dirs[@]}" -- "${opts[@]}" ${FUZZ_ARGS:-} >"$log" 2>&1
    status=$?
    set -e
    elapsed=$(( $(date +%s) - start ))
    # Executions: libFuzzer's final stats, else its "Done N runs" line, else the last "#N" status.
    runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
    [ -n "$runs" ] || runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
    [ -n "$runs" ] || runs=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')
    runs=${runs:-?}
    # Inputs saved during this run (crash-, oom-, timeout-...; in -fork mode too).
    artifacts=$(find "fuzz/artifacts/$t" -type f -newer "$stamp" | sort)
    rm -f "$stamp"
    if [ "$status" -eq 0 ] && [ -z "$artifacts" ]; then
        result="ok"
    else
        crashed=1
        result="CRASH (exit $status)"
    fi
    line=$(printf '%-20s %12s runs %6ss  %s' "$t" "$runs" "$elapsed" "$result")
    summary+=("$line")
    echo "$line"
    if [ "$result" != ok ]; then
        # The panic or the libFuzzer error, and where the input is.
        { grep -m 1 -A 1 "panicked at" "$log"; grep -m 1 -E "ERROR: libFuzzer|^SUMMARY" "$log"; } |
            sed 's/^/    /' || true
        count=$(grep -c . <<<"$artifacts" || true)
        [ "$count" -le 3 ] || echo "    $count inputs saved; the first 3:"
        for a in $(head -n 3 <<<"$artifacts"); do
            echo "    artifact: $a"
            echo "    replay:   cargo ${toolchain[*]} fuzz run -s none -a --fuzz-dir fuzz $t $a"
            echo "    minimize: cargo ${toolchain[*]} fuzz tmin -s none -a --fuzz-dir fuzz $t $a"
        done
        [ -n "$artifacts" ] || echo "    no artifact; see $log"
    fi
done

echo
echo "target                     executions   time  result"
printf '%s\n' "${summary[@]}"
exit "$crashed"
