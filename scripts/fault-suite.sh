#!/usr/bin/env bash
# The fault suite (issue #16): bad inputs, broken model folders, kill -9, SIGINT/SIGTERM, a full
# or read-only --out, all through the real `lede` binary, each outcome checked strictly (exit
# code, error records, JSON validity of every output, no temporary file left, nothing lost).
#
#   scripts/fault-suite.sh                       # uses target/release/lede
#   LEDE_BIN=path/to/lede scripts/fault-suite.sh
#
# Environment: LEDE_BIN (default target/release/lede), FAULT_SEED (seed of the random kill
# delays; printed, so a failing run can be repeated), FAULT_KEEP=1 (keep the scratch folder),
# LEDE_CACHE_DIR (where gensim's lee_background articles are cached, fetched from PyPI once).
# Needs python3, coreutils `timeout`, and `cargo xtask setup` (the models). The tmpfs cases
# need root (mount); without it they print `skip:`.
#
# Prints one line per check (`ok`, `FAIL`, `skip: reason`) and then the figures: inputs tried,
# faults injected, documents lost (must be 0), checks passed/failed/skipped. Exits 1 when a
# check failed. Checks marked "expected after #16 ..." test behaviour that is being added; they
# count as failed until the binary has it. docs/RELIABILITY.md ("Fault suite") says more.
set -euo pipefail
shopt -s lastpipe
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$(pwd)"
lede="${LEDE_BIN:-target/release/lede}"
[ -x "$lede" ] || { echo "fault-suite: no lede binary at $lede (cargo build --release -p lede, or set LEDE_BIN)" >&2; exit 2; }
lede="$(cd "$(dirname "$lede")" && pwd)/$(basename "$lede")"
command -v python3 >/dev/null || { echo "fault-suite: python3 missing" >&2; exit 2; }
command -v timeout >/dev/null || { echo "fault-suite: timeout (coreutils) missing" >&2; exit 2; }

seed="${FAULT_SEED:-$(( $$ % 32768 ))}"
RANDOM="$seed"
started="$(date +%s.%N)"
S="$(mktemp -d "${TMPDIR:-/tmp}/lede-fault.XXXXXX")"
mounts=()
cleanup() {
    local m
    for m in "${mounts[@]+"${mounts[@]}"}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
    if [ "${FAULT_KEEP:-0}" = 1 ]; then echo "fault-suite: scratch kept in $S" >&2; else rm -rf "$S"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0 failed=0 skipped=0 inputs=0 faults=0 lost=0
ok()   { passed=$((passed + 1)); printf 'ok    %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$1"; }
skip() { skipped=$((skipped + 1)); printf 'skip: %s\n' "$1"; }
# check NAME CONDITION-STATUS [REASON]: ok when the status is 0.
check() { if [ "$2" -eq 0 ]; then ok "$1"; else fail "$1${3:+: $3}"; fi; }
# pending TAG NAME STATUS [REASON]: a check of behaviour being added (#16); counts as failed.
pending() { if [ "$3" -eq 0 ]; then ok "$2"; else fail "$2${4:+: $4} (expected after $1)"; fi; }
# Relays the `ok|...`, `FAIL|...`, `lost|N` lines of the Python checker; PENDING_TAG marks them.
relay() {
    local kind msg
    while IFS='|' read -r kind msg; do
        case "$kind" in
            ok) ok "$msg" ;;
            FAIL) if [ -n "${PENDING_TAG:-}" ]; then fail "$msg (expected after $PENDING_TAG)"; else fail "$msg"; fi ;;
            lost) lost=$((lost + msg)) ;;
            info) printf '      %s\n' "$msg" ;;
            *) fail "checker: unexpected line: $kind|$msg" ;;
        esac
    done
}

py="$S/fault.py"
cat > "$py" <<'PY'
"""Checks and process control for scripts/fault-suite.sh; prints `ok|...`, `FAIL|...`, `lost|N`."""
import hashlib, json, os, signal, struct, subprocess, sys, time


def say(good, msg):
    print(("ok|" if good else "FAIL|") + msg, flush=True)


def load(path):
    with open(path, "rb") as f:
        return json.loads(f.read().decode("utf-8"))


def outdir(out, spec_path, label, each):
    """Every file under OUT is one valid JSON record; each id of the spec has the analyses and
    error records it should have. Spec lines: id TAB analyses TAB errors TAB substring TAB title
    TAB chars (the last three optional)."""
    spec = []
    with open(spec_path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            cols += [""] * (6 - len(cols))
            spec.append((cols[0], int(cols[1]), int(cols[2]), cols[3], cols[4], cols[5]))
    analyses, errors, bad, temps, other = {}, {}, [], [], []
    for root, _dirs, files in os.walk(out):
        for name in files:
            path = os.path.join(root, name)
            if name.startswith("."):
                (temps if name.endswith(".tmp") else other).append(name)
                continue
            try:
                rec = load(path)
            except Exception as e:  # noqa: BLE001 - any failure is the finding
                bad.append(f"{name}: {e}")
                continue
            if name.endswith(".error.json"):
                if not (isinstance(rec, dict) and set(rec) == {"error", "id"}
                        and isinstance(rec["error"], str) and isinstance(rec["id"], str)):
                    bad.append(f"{name}: not an error record {{error, id}}: {str(rec)[:80]}")
                    continue
                errors.setdefault(rec["id"], []).append(rec["error"])
            else:
                doc = rec.get("document") if isinstance(rec, dict) else None
                if not (isinstance(doc, dict) and isinstance(doc.get("id"), str) and "schema_version" in rec):
                    bad.append(f"{name}: not an analysis")
                    continue
                analyses.setdefault(doc["id"], []).append(doc)
    n = sum(len(v) for v in analyses.values()) + sum(len(v) for v in errors.values())
    say(not bad, f"{label}: every file in --out is valid JSON ({n} files)" + (f": {'; '.join(bad[:3])}" if bad else ""))
    say(not temps and not other, f"{label}: no temporary file left" + (f": {temps + other}" if temps or other else ""))
    lost, wrong = 0, []
    for id_, want_a, want_e, sub, title, chars in spec:
        got_a, got_e = analyses.get(id_, []), errors.get(id_, [])
        why = []
        if len(got_a) != want_a:
            why.append(f"{len(got_a)} analyses, want {want_a}")
        if len(got_e) != want_e:
            why.append(f"{len(got_e)} error records, want {want_e}" + (f" ({got_e[0][:100]})" if got_e else ""))
        if sub and not all(sub in e for e in got_e):
            why.append(f"error does not say {sub!r}: {got_e[:1]}")
        if title and got_a and got_a[0].get("title") != title:
            why.append(f"title {got_a[0].get('title')!r}, want {title!r} (overwritten?)")
        if chars and got_a and got_a[0].get("chars") != int(chars):
            why.append(f"{got_a[0].get('chars')} chars, want {chars} (decoded wrongly?)")
        if want_a and not got_a:
            lost += 1
        what = "analysed" if want_a and not want_e else "error record" if want_e and not want_a else f"{want_a} analysis + {want_e} error record"
        name = ascii(id_)[1:-1].replace(os.path.dirname(out.rstrip("/")) + "/", "")
        if each:
            say(not why, f"{label}: {name}: {what}" + (f": {', '.join(why)}" if why else ""))
        elif why:
            wrong.append(f"{name}: {', '.join(why)}")
    if not each:
        say(not wrong, f"{label}: each of {len(spec)} inputs has exactly one valid output" + (f": {'; '.join(wrong[:4])}" + (f" (+{len(wrong) - 4} more)" if len(wrong) > 4 else "") if wrong else ""))
    extra = sorted((set(analyses) | set(errors)) - {s[0] for s in spec})
    say(not extra, f"{label}: no output for an unexpected id" + (f": {[ascii(i) for i in extra[:3]]}" if extra else ""))
    print(f"lost|{lost}")


def files_valid(out, label, no_temp):
    """After a kill or a stop: every complete (non-hidden) file is valid JSON; with no_temp, no
    temporary file is left either."""
    bad, n, temps = [], 0, 0
    for name in sorted(os.listdir(out)) if os.path.isdir(out) else []:
        if name.startswith("."):
            temps += name.endswith(".tmp")
            continue
        n += 1
        try:
            load(os.path.join(out, name))
        except Exception as e:  # noqa: BLE001
            bad.append(f"{name}: {e}")
    say(not bad, f"{label}: the {n} files written are valid JSON (no half-written output)" + (f": {bad[:2]}" if bad else ""))
    if no_temp:
        say(temps == 0, f"{label}: no temporary file left" + (f": {temps}" if temps else ""))
    else:
        print(f"info|{label}: {n} outputs, {temps} temporary files left")


def json_file(path, label, lines):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if lines:
            recs = [json.loads(l) for l in text.splitlines() if l.strip()]
        else:
            recs = [json.loads(text)]
        say(True, f"{label} ({len(recs)} records)")
    except Exception as e:  # noqa: BLE001
        say(False, f"{label}: {e}")


def no_controls(label, paths):
    found = []
    for p in paths:
        with open(p, "rb") as f:
            data = f.read()
        for seq, name in ((b"\x1b", "ESC"), (b"\x07", "BEL"), (b"\xc2\x9b", "CSI")):
            if seq in data:
                found.append(f"{os.path.basename(p)} has a raw {name}")
    say(not found, label + (f": {found}" if found else ""))


def spawn(args):
    """spawn OUTDIR STDOUT STDERR TIMEOUT ACTION -- CMD...: runs CMD; ACTION is `none`,
    `kill:SECONDS` (SIGKILL after a delay), or `SIG:N:REPEAT` (send SIG once N outputs exist
    under OUTDIR, REPEAT times 50 ms apart). Prints `rc N` or `signal N` (killed by it) or
    `timeout`, then the number of outputs present when the signal went."""
    out, so, se, limit, action = args[:5]
    cmd = args[6:]
    limit = float(limit)
    reset = lambda: [signal.signal(s, signal.SIG_DFL) for s in (signal.SIGINT, signal.SIGTERM)]
    with open(so, "wb") as o, open(se, "wb") as e:
        p = subprocess.Popen(cmd, stdout=o, stderr=e, stdin=subprocess.DEVNULL, preexec_fn=reset)
    t0, at = time.time(), -1

    def outputs():
        try:
            return sum(1 for n in os.listdir(out) if not n.startswith("."))
        except OSError:
            return 0

    if action.startswith("kill:"):
        try:
            p.wait(timeout=float(action[5:]))
        except subprocess.TimeoutExpired:
            at = outputs()
            p.send_signal(signal.SIGKILL)
    elif action != "none":
        sig, n, repeat = action.split(":")
        sig = getattr(signal, "SIG" + sig)
        while p.poll() is None and time.time() - t0 < limit and outputs() < int(n):
            time.sleep(0.02)
        if p.poll() is None:
            at = outputs()
            for i in range(int(repeat)):
                if i:
                    time.sleep(0.05)
                if p.poll() is None:
                    p.send_signal(sig)
    t_sig = time.time()
    try:
        rc = p.wait(timeout=max(1.0, limit - (time.time() - t0)))
        print(f"{'rc ' + str(rc) if rc >= 0 else 'signal ' + str(-rc)} {at} {time.time() - t_sig:.2f}")
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        print(f"timeout {at} 0")


def st_layout(path):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    (hlen,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + hlen])
    return data, 8 + hlen, header


def flip(path):
    data, base, _ = st_layout(path)
    pos = base + (len(data) - base) // 2
    data[pos] ^= 0x01
    open(path, "wb").write(data)


def nan(path, config):
    """NaN in the first values of every float tensor; the config's digest of the old file (if it
    has one) is replaced by the new file's, so that only a NaN check can catch it."""
    old = hashlib.sha256(open(path, "rb").read()).hexdigest()
    data, base, header = st_layout(path)
    pat = {"F16": b"\x00\x7e", "BF16": b"\xc0\x7f", "F32": struct.pack("<f", float("nan")),
           "F64": struct.pack("<d", float("nan"))}
    hit = 0
    for name, t in header.items():
        if name == "__metadata__" or t.get("dtype") not in pat:
            continue
        a, b = t["data_offsets"]
        p = pat[t["dtype"]]
        k = min(16, (b - a) // len(p))
        data[base + a:base + a + k * len(p)] = p * k
        hit += 1
    open(path, "wb").write(data)
    new = hashlib.sha256(bytes(data)).hexdigest()
    text = open(config, encoding="utf-8").read()
    open(config, "w", encoding="utf-8").write(text.replace(old, new))
    print(f"info|NaN written into {hit} tensors; digest in config {'updated' if old in text else 'absent'}")


def redigest(config, weights, original):
    """Replaces the digest of the original weights in the config (if it has one) by the digest
    of the changed file, so that the damage itself must be caught, not only the digest."""
    old = hashlib.sha256(open(original, "rb").read()).hexdigest()
    new = hashlib.sha256(open(weights, "rb").read()).hexdigest()
    text = open(config, encoding="utf-8").read()
    open(config, "w", encoding="utf-8").write(text.replace(old, new))


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "outdir":
        outdir(args[0], args[1], args[2], args[3] == "each")
    elif mode == "files-valid":
        files_valid(args[0], args[1], args[2:] == ["no-temp"])
    elif mode in ("json", "jsonl"):
        json_file(args[0], args[1], mode == "jsonl")
    elif mode == "no-controls":
        no_controls(args[0], args[1:])
    elif mode == "spawn":
        spawn(args)
    elif mode == "flip":
        flip(args[0])
    elif mode == "nan":
        nan(args[0], args[1])
    elif mode == "utf16":
        text = open(args[0], encoding="utf-8").read()
        raw = (b"\xff\xfe" + text.encode("utf-16-le")) if args[2] == "le" else (b"\xfe\xff" + text.encode("utf-16-be"))
        open(args[1], "wb").write(raw)
        print(len(text))
    elif mode == "redigest":
        redigest(args[0], args[1], args[2])
    elif mode == "dup-entity-type":
        cfg = json.load(open(args[0], encoding="utf-8"))
        cfg["entity_types"][-1] = cfg["entity_types"][0]
        json.dump(cfg, open(args[0], "w", encoding="utf-8"), indent=2)
    elif mode == "set-json":
        cfg = json.load(open(args[0], encoding="utf-8"))
        cfg[args[1]] = json.loads(args[2])
        json.dump(cfg, open(args[0], "w", encoding="utf-8"), indent=2)
    else:
        sys.exit(f"unknown mode {mode}")


main()
PY

# pycheck ARGS...: runs the Python checker and relays its lines; a crash of the checker fails.
pycheck() {
    local prc=0
    python3 "$py" "$@" >"$S/pycheck.out" 2>"$S/pycheck.err" || prc=$?
    relay < "$S/pycheck.out"
    [ "$prc" -eq 0 ] || fail "checker $1 crashed: $(tail -n 1 "$S/pycheck.err")"
}

# run NAME SECONDS ARGS...: runs lede under `timeout` (a blocked run is a failure, never a hang),
# stdout to $S/NAME.out, stderr to $S/NAME.err; sets rc and secs.
run() {
    local name="$1" limit="$2"
    shift 2
    local t0
    t0="$(date +%s.%N)"
    rc=0
    timeout -k 5 "$limit" "$lede" "$@" >"$S/$name.out" 2>"$S/$name.err" </dev/null || rc=$?
    secs="$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)")"
}
# last_err FILE: the last line of a run's stderr (libtorch's `[W...] Warning` lines left out).
last_err() { grep -v -e '^ *$' -e '^\[W[0-9]' "$1" | tail -n 1 | cut -c1-240 || true; }
# expect_rc LABEL NAME WANT [TAG]: the exit code of run NAME is WANT, with no panic on stderr.
expect_rc() {
    local label="$1" name="$2" want="$3" tag="${4:-}" why=""
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        why="timed out after ${secs}s (blocked?)"
    elif grep -q "panicked at" "$S/$name.err"; then
        why="panicked: $(grep -m1 "panicked at" "$S/$name.err")"
    elif [ "$rc" -ne "$want" ]; then
        why="exit $rc, want $want: $(last_err "$S/$name.err")"
    fi
    if [ -n "$tag" ]; then pending "$tag" "$label: exit $want, no panic (${secs}s)" "$([ -z "$why" ]; echo $?)" "$why"
    else check "$label: exit $want, no panic (${secs}s)" "$([ -z "$why" ]; echo $?)" "$why"; fi
}
# stderr_has LABEL NAME TEXT: the run's stderr contains TEXT (fixed string).
stderr_has() {
    check "$1: stderr says ${3//$S/\$S}" "$(grep -qF -- "$3" "$S/$2.err"; echo $?)" \
        "$(last_err "$S/$2.err")"
}
# spec LINE...: appends id/analyses/errors/substring/title/chars lines to $spec_file.
spec() { printf '%s\n' "$@" >> "$spec_file"; }

echo "fault-suite: $("$lede" --version 2>&1) at $lede; scratch $S; FAULT_SEED=$seed"

# ---------------------------------------------------------------------------------------------
# Articles: gensim's lee_background (cached, as integrations/spark/test-local.sh does).
cache="${LEDE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lede}"
lee="$cache/lee-background"
if [ "$(ls "$lee"/lee_bg_*.txt 2>/dev/null | wc -l)" -ne 300 ]; then
    rm -rf "$lee"
    timeout 300 bash models/summarize/dev/fetch-lee-background.sh "$lee" >&2 || true
fi
articles="$S/articles"
mkdir -p "$articles"
if [ "$(ls "$lee"/lee_bg_*.txt 2>/dev/null | wc -l)" -eq 300 ]; then
    cp "$lee"/lee_bg_0[0-3][0-9].txt "$articles"/
else
    # No network: 40 articles cut from the seed article's paragraphs.
    echo "      note: lee_background could not be fetched; articles are cut from seeds/belarus-pardons-efe.txt"
    python3 - "$articles" seeds/belarus-pardons-efe.txt <<'PY'
import os, sys
paras = [p.strip() for p in open(sys.argv[2], encoding="utf-8").read().split("\n") if len(p.strip()) > 80]
for i in range(40):
    open(os.path.join(sys.argv[1], f"lee_bg_{i:03d}.txt"), "w").write(" ".join(paras[i % len(paras):][:3]) + "\n")
PY
fi
batch="$S/batch"   # 30 articles for the kill and signal cases
mkdir -p "$batch"
for i in $(seq 10 39); do cp "$articles/lee_bg_0$i.txt" "$batch/"; done
batch_ids() { local f; for f in "$batch"/*.txt; do printf '%s\t1\t0\n' "$f"; done; }
small="$articles/lee_bg_002.txt"

# ---------------------------------------------------------------------------------------------
echo "== 1. bad inputs in one directory, --out"
D="$S/in"
mkdir -p "$D/L/loop"
cp "$articles/lee_bg_000.txt" "$D/good1.txt"
cp "$articles/lee_bg_001.txt" "$D/good2.txt"
cp "$articles/lee_bg_003.txt" "$D/L/loop/good3.txt"
: > "$D/empty.txt"
printf '  \n\t \r\n   ' > "$D/blank.txt"
printf 'Some text\0with a NUL byte in it.\n' > "$D/binary.txt"
printf 'Caf\xe9 au lait in Paris, said Ren\xe9e Dupont on Monday.\n' > "$D/latin1.txt"
chars_le="$(python3 "$py" utf16 "$articles/lee_bg_004.txt" "$D/utf16le.txt" le)"
chars_be="$(python3 "$py" utf16 "$articles/lee_bg_005.txt" "$D/utf16be.txt" be)"
printf '\xff\xfeA\x00\x00\xd8B\x00' > "$D/bad-utf16.txt"   # an unpaired surrogate
python3 -c "import sys; open(sys.argv[1], 'w').write(open(sys.argv[2]).read() * 40)" "$D/big.txt" "$articles/lee_bg_000.txt"
mkfifo "$D/fifo"
ln -s .. "$D/L/loop/self"          # a loop to the parent
ln -s ../.. "$D/L/loop/root"       # a second loop, to the walked directory itself
ln -s "$S/nowhere" "$D/dangling"   # a dangling link
esc=$'\e' bel=$'\a'
ctrl="$D/ctrl-${esc}]0;pwned${bel}.txt"
ctrl_bad="$D/bad-${esc}]0;pwned${bel}.txt"
{ printf 'Hello %s]0;pwned terminal%s and %s[2J cleared. ' "$esc" "$bel" "$esc"; cat "$articles/lee_bg_006.txt"; } > "$ctrl"
: > "$ctrl_bad"
missing="$S/no-such-file.txt"
faults=$((faults + 14))   # 11 bad files, 2 loops, 1 article with terminal escapes
spec_file="$S/spec1"
spec "$D/good1.txt	1	0" "$D/good2.txt	1	0" "$D/L/loop/good3.txt	1	0" \
    "$D/empty.txt	0	1	empty input" "$D/blank.txt	0	1	empty input" \
    "$D/binary.txt	0	1	binary" "$D/latin1.txt	0	1	not valid UTF-8" \
    "$D/utf16le.txt	1	0			$chars_le" "$D/utf16be.txt	1	0			$chars_be" \
    "$D/bad-utf16.txt	0	1	not valid UTF-16" "$D/big.txt	0	1	--max-bytes" \
    "$D/fifo	0	1	FIFO" "$D/dangling	0	1	$D/dangling" \
    "$ctrl	1	0" "$ctrl_bad	0	1	empty input" \
    "$missing	0	1	$missing" "/dev/zero	0	1	character device"
inputs=$((inputs + $(wc -l < "$spec_file")))
run bad-inputs 120 analyze --tasks ner --jobs 2 --max-bytes 20000 --out "$S/out1" "$D" "$missing" /dev/zero
expect_rc "bad inputs" bad-inputs 1
pycheck outdir "$S/out1" "$spec_file" "bad inputs" each
loops="$(grep -c "symbolic link loop" "$S/bad-inputs.err" || true)"
check "bad inputs: each of the 2 symbolic-link loops reported once on stderr" "$([ "$loops" -eq 2 ]; echo $?)" "$loops reports"
pycheck no-controls "bad inputs: stderr has no raw ESC or BEL" "$S/bad-inputs.err"

echo "== 1b. control characters in text and id, --format text"
inputs=$((inputs + 2)); faults=$((faults + 2))
run ctrl-text 60 analyze --tasks ner --format text "$ctrl" "$ctrl_bad"
expect_rc "control characters" ctrl-text 1
check "control characters: a text report was written" "$([ -s "$S/ctrl-text.out" ]; echo $?)"
pycheck no-controls "control characters: no raw ESC/BEL on stdout or stderr" "$S/ctrl-text.out" "$S/ctrl-text.err"
stderr_has "control characters" ctrl-text 'bad-\u{1b}]0;pwned\u{7}.txt'

# ---------------------------------------------------------------------------------------------
echo "== 2. JSONL: a bad line, duplicate ids, \"id\": 7 and \"id\": \"7\""
feed="$S/feed.jsonl"
python3 - "$feed" "$articles" <<'PY'
import json, sys
a = lambda n: open(f"{sys.argv[2]}/lee_bg_{n:03d}.txt").read()
lines = [json.dumps({"id": "a", "title": "first a", "text": a(7)}),
         '{"id": "broken", "text": "no closing brace"',
         json.dumps({"id": "a", "title": "second a", "text": a(8)}),
         json.dumps({"id": 7, "title": "seven, a number", "text": a(9)}),
         json.dumps({"id": "7", "title": "seven, a string", "text": a(10)}),
         json.dumps({"id": "b", "text": "   "}),
         "[1, 2]"]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
inputs=$((inputs + 7)); faults=$((faults + 5))
spec_file="$S/spec2"
spec "a	1	1	duplicate id	first a" "$feed:2	0	1	not a JSON document line" \
    "7	1	1	duplicate id	seven, a number" "b	0	1	empty input" "$feed:7	0	1	not a JSON document line"
LEDE_LOG=debug run jsonl 60 analyze --tasks ner --out "$S/out2" "$feed"
expect_rc "jsonl" jsonl 1
# The control for case 7's "stopped before the models loaded": a run that loads them says so.
stderr_has "jsonl (LEDE_LOG=debug)" jsonl "models ready"
pycheck outdir "$S/out2" "$spec_file" "jsonl" each
n_err="$(find "$S/out2" -name '*.error.json' | wc -l)"
check "jsonl: 5 error records in 5 files (the duplicates under names of their own)" "$([ "$n_err" -eq 5 ]; echo $?)" "$n_err files"
# The same feed on stdout as JSON Lines: one line per input line, every line valid JSON.
run jsonl-stdout 60 analyze --tasks ner --format jsonl "$feed"
expect_rc "jsonl on stdout" jsonl-stdout 1
pycheck jsonl "$S/jsonl-stdout.out" "jsonl on stdout: every line is valid JSON"
n_lines="$(wc -l < "$S/jsonl-stdout.out")"
check "jsonl on stdout: one line per input line (7)" "$([ "$n_lines" -eq 7 ]; echo $?)" "$n_lines lines"
inputs=$((inputs + 7))

# ---------------------------------------------------------------------------------------------
echo "== 3. usage errors"
run usage-tasks 30 analyze --tasks ner,foo "$small"
expect_rc "--tasks ner,foo" usage-tasks 2
stderr_has "--tasks ner,foo" usage-tasks '"foo"'
printf 'frobnicate = 1\n' > "$S/unknown-key.toml"
printf 'jobs = "many"\n' > "$S/bad-type.toml"
printf 'jobs = [\n' > "$S/bad-toml.toml"
printf 'format = "pdf"\n' > "$S/bad-value.toml"
for c in unknown-key bad-type bad-toml bad-value; do
    run "config-$c" 30 --config "$S/$c.toml" analyze --tasks ner "$small"
    expect_rc "--config $c.toml" "config-$c" 2
done
stderr_has "--config unknown-key.toml" config-unknown-key "$S/unknown-key.toml"
run config-missing 30 --config "$S/absent.toml" analyze --tasks ner "$small"
expect_rc "--config absent.toml" config-missing 2
run usage-jobs 30 analyze --jobs many "$small"
expect_rc "--jobs many" usage-jobs 2
faults=$((faults + 7)); inputs=$((inputs + 7))

mkdir -p "$S/eval/docs" "$S/eval/etc"
cp "$small" "$S/eval/docs/doc1.txt"
cp "$small" "$S/eval/etc/passwd.txt"   # so that ../etc/passwd would resolve if it were tried
printf '{"doc": "../etc/passwd", "entities": []}\n' > "$S/eval/gold.jsonl"
run eval-escape 60 eval ner --gold "$S/eval/gold.jsonl" --docs "$S/eval/docs"
why=""
if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] || grep -q "panicked at" "$S/eval-escape.err"; then why="exit $rc"; fi
check "eval ner: gold id ../etc/passwd refused (exit $rc, no panic)" "$([ -z "$why" ]; echo $?)" "$why"
stderr_has "eval ner" eval-escape '"../etc/passwd"'
check "eval ner: no scores printed" "$([ ! -s "$S/eval-escape.out" ]; echo $?)"
faults=$((faults + 1)); inputs=$((inputs + 1))

# ---------------------------------------------------------------------------------------------
echo "== 4. broken model folders (LEDE_MODELS_DIR)"
# The NER model folder lede resolves here (docs/MODELS.md, "Where lede-models looks"):
# $LEDE_MODELS_DIR, then the models/ of this checkout (the current directory), then the cache.
ner_dir=""
for d in ${LEDE_MODELS_DIR:+"$LEDE_MODELS_DIR"} "$repo/models" "$cache/models"; do
    if [ -f "$d/lede-ner-minilm/config.json" ]; then ner_dir="$d/lede-ner-minilm"; break; fi
done
[ -n "$ner_dir" ] || { echo "fault-suite: no lede-ner-minilm folder found (cargo xtask setup)" >&2; exit 2; }
echo "      NER model folder: $ner_dir"
weights_name="weights.safetensors"
[ -f "$ner_dir/$weights_name" ] || weights_name="$(cd "$ner_dir" && ls *.safetensors | head -n 1)"
# model_case NAME TAG BREAK-COMMAND...: a copy of the folder under $S/models-NAME, broken by
# the command (run inside the copy), must make `lede analyze` exit 3 naming the file.
model_case() {
    local name="$1" tag="$2" file="$3"
    shift 3
    local m="$S/models-$name/lede-ner-minilm"
    mkdir -p "$S/models-$name"
    cp -r "$ner_dir" "$m"
    (cd "$m" && "$@")
    faults=$((faults + 1)); inputs=$((inputs + 1))
    LEDE_MODELS_DIR="$S/models-$name" run "model-$name" 60 analyze --tasks ner "$small"
    expect_rc "model: $name" "model-$name" 3 "$tag"
    local why=""
    # The file's path; for a missing file, the folder's path and the file's name will do.
    if ! grep -qF -- "$m/$file" "$S/model-$name.err" \
        && ! { [ "${name#missing}" != "$name" ] && grep -F -- "$m" "$S/model-$name.err" | grep -qF -- "$file"; }; then
        why="$(last_err "$S/model-$name.err")"
    fi
    if [ -n "$tag" ]; then pending "$tag" "model: $name: stderr names $file" "$([ -z "$why" ]; echo $?)" "$why"
    else check "model: $name: stderr names $file" "$([ -z "$why" ]; echo $?)" "$why"; fi
}
model_case missing-weights "" "$weights_name" rm "$weights_name"
model_case missing-config "" config.json rm config.json
model_case truncated-weights "" "$weights_name" truncate -s 100000 "$weights_name"
# The same with the config's digest (#16 defect 6) made to match: the file's own checks must catch it.
model_case truncated-weights-redigested "" "$weights_name" sh -c "truncate -s 100000 '$weights_name' && python3 '$py' redigest config.json '$weights_name' '$ner_dir/$weights_name'"
model_case weights-header-garbage "" "$weights_name" sh -c "printf 'garbage!' | dd of='$weights_name' bs=1 seek=8 conv=notrunc status=none && python3 '$py' redigest config.json '$weights_name' '$ner_dir/$weights_name'"
model_case garbage-config "" config.json sh -c 'printf "{ this is not json" > config.json'
model_case max-len-out-of-range "" config.json python3 "$py" set-json config.json max_len 100000
model_case no-entity-types "" config.json python3 "$py" set-json config.json entity_types '[]'
model_case byte-flipped "#16 defect 6" "$weights_name" python3 "$py" flip "$weights_name"
model_case nan-weights "#16 defect 6" "$weights_name" sh -c "python3 '$py' nan '$weights_name' config.json >/dev/null"
# The last entity type replaced by the first: as many types as the weights have, one twice.
model_case duplicate-entity-type "#16 defect 6" config.json python3 "$py" dup-entity-type config.json

# ---------------------------------------------------------------------------------------------
echo "== 5. kill -9 at random points, then --resume"
K="$S/out-kill"
mkdir -p "$K"
# Rounds 1 and 2: once a random number (1 to 6) of further outputs exist, so that at least two
# kills land mid-batch. They come first and ask for output 20 at the latest: ordered output
# arrives in bursts of up to 8 (four in flight per worker), so a kill asked for near the end
# could find the batch over (CI once saw a kill asked for at 29 land after output 30). Rounds 3
# and 4: after a random delay (model loading included), wherever that falls.
for round in 1 2 3 4; do
    have="$(ls "$K" | wc -l)"
    if [ "$round" -ge 3 ]; then
        delay="$(python3 -c "import sys; print(f'{0.3 + int(sys.argv[1]) % 1000 / 1000 * ${KILL_MAX_S:-2.5}:.2f}')" "$RANDOM")"
        action="kill:$delay" when="after ${delay}s"
    else
        want=$((have + 1 + RANDOM % 6)); [ "$want" -le 20 ] || want=20
        action="KILL:$want:1" when="once $want outputs existed"
    fi
    how=none code=0 at=0 after=0
    read -r how code at _ < <(python3 "$py" spawn "$K" "$S/kill$round.out" "$S/kill$round.err" 120 "$action" -- \
        "$lede" analyze --jobs 2 --out "$K" --resume "$batch") || true
    faults=$((faults + 1))
    echo "      round $round: kill -9 $when ($how $code; $have outputs before, $at when killed, $(ls "$K" | wc -l) after)"
    check "kill round $round: no panic" "$(! grep -q "panicked at" "$S/kill$round.err"; echo $?)"
    if [ "$round" -le 2 ] && [ "$have" -lt 20 ]; then
        check "kill round $round: killed mid-batch" "$([ "$how $code" = "signal 9" ] && [ "$at" -gt "$have" ] && [ "$at" -lt 30 ]; echo $?)" "$how $code with $at outputs"
    fi
    pycheck files-valid "$K" "kill round $round"
done
inputs=$((inputs + 30))
before="$(ls "$K" | wc -l)"
run resume 180 analyze --jobs 2 --out "$K" --resume "$batch"
expect_rc "resume after kills" resume 0
stderr_has "resume after kills" resume "$((30 - before)) analysed, 0 failed, $before skipped"
spec_file="$S/spec5"; batch_ids > "$spec_file"
pycheck outdir "$K" "$spec_file" "after kills + resume" all

# ---------------------------------------------------------------------------------------------
echo "== 6. SIGTERM / SIGINT mid-batch, then --resume"
# signal_case NAME SIGNAL REPEAT WANT: the signal once the first output exists.
signal_case() {
    local name="$1" sig="$2" repeat="$3" want="$4" tag="#16 signals"
    local o="$S/out-$name"
    mkdir -p "$o"
    how=none code=0 at=0 after=0
    read -r how code at after < <(python3 "$py" spawn "$o" "$S/$name.out" "$S/$name.err" 120 "$sig:1:$repeat" -- \
        "$lede" analyze --jobs 2 --out "$o" "$batch") || true
    faults=$((faults + repeat)); inputs=$((inputs + 30))
    local n
    n="$(ls "$o" | wc -l)"
    echo "      $name: $how $code, SIG$sig x$repeat with $at outputs, ended ${after}s later with $n"
    check "$name: the signal came mid-batch" "$([ "$at" -ge 1 ] && [ "$at" -lt 30 ]; echo $?)" "$at outputs when signalled"
    check "$name: no panic" "$(! grep -q "panicked at" "$S/$name.err"; echo $?)"
    pending "$tag" "$name: exits $want (not killed by the signal)" "$([ "$how" = rc ] && [ "$code" -eq "$want" ]; echo $?)" "$how $code"
    if [ "$repeat" -gt 1 ]; then
        pending "$tag" "$name: the second signal ends it at once (<0.5 s)" "$(python3 -c "import sys; sys.exit(float(sys.argv[1]) >= 0.5)" "$after"; echo $?)" "${after}s"
    fi
    if [ "$repeat" -eq 1 ]; then
        pending "$tag" "$name: stderr says interrupted" "$(grep -q "interrupted" "$S/$name.err"; echo $?)"
        local said
        said="$(grep -o 'interrupted[^:]*: [0-9]* analysed' "$S/$name.err" | grep -o '[0-9]* analysed' | cut -d' ' -f1 || true)"
        pending "$tag" "$name: every document reported analysed was written" "$([ -n "$said" ] && [ "$said" -eq "$n" ]; echo $?)" \
            "summary says ${said:-nothing}, $n outputs"
        PENDING_TAG="$tag" pycheck files-valid "$o" "$name" no-temp
    else
        pycheck files-valid "$o" "$name"
    fi
    before="$(ls "$o" | wc -l)"
    run "$name-resume" 180 analyze --jobs 2 --out "$o" --resume "$batch"
    expect_rc "$name: resume" "$name-resume" 0
    stderr_has "$name: resume" "$name-resume" "$((30 - before)) analysed, 0 failed, $before skipped"
    spec_file="$S/spec-$name"; batch_ids > "$spec_file"
    pycheck outdir "$o" "$spec_file" "$name: after resume" all
}
signal_case sigterm TERM 1 143
signal_case sigint INT 1 130
signal_case sigint-twice INT 2 130

# ---------------------------------------------------------------------------------------------
echo "== 7. full disk, read-only --out"
mount_tmpfs() { # DIR OPTIONS
    mkdir -p "$1"
    if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o "$2" tmpfs "$1" 2>/dev/null; then
        mounts+=("$1"); return 0
    fi
    return 1
}
F="$S/full"
if mount_tmpfs "$F" size=64k; then
    dd if=/dev/zero of="$F/filler" bs=4k 2>/dev/null || true
    faults=$((faults + 1)); inputs=$((inputs + 30))
    LEDE_LOG=debug run full 60 analyze --tasks ner --out "$F" "$batch"
    expect_rc "full --out (no space at all)" full 3
    stderr_has "full --out" full "$F"
    check "full --out: stopped before the models loaded" "$(grep -q "models ready" "$S/full.err"; [ $? -ne 0 ]; echo $?)"
    check "full --out: no temporary file left" "$(! ls -A "$F" | grep -q '\.tmp$'; echo $?)" "$(ls -A "$F" | tr '\n' ' ')"
else
    skip "cannot mount a tmpfs (not root, or no permission): full --out not tested"
fi
F2="$S/small-disk"
if mount_tmpfs "$F2" size=64k; then
    faults=$((faults + 1)); inputs=$((inputs + 30))
    run small-disk 120 analyze --tasks ner --out "$F2" "$batch"
    expect_rc "64k --out (fills up mid-batch)" small-disk 3
    stderr_has "64k --out" small-disk "stopped at the first write error"
    pycheck files-valid "$F2" "64k --out" no-temp
    said="$(grep -o '[0-9]* analyses written' "$S/small-disk.err" | cut -d' ' -f1 || true)"
    n="$(ls "$F2" | wc -l)"
    check "64k --out: the summary's count of written analyses is what is on disk" "$([ -n "$said" ] && [ "$said" -eq "$n" ]; echo $?)" "says ${said:-nothing}, $n files"
    check "64k --out: not every input was written (the disk filled)" "$([ "$n" -lt 30 ]; echo $?)" "$n files"
else
    skip "cannot mount a tmpfs (not root, or no permission): --out filling up not tested"
fi
R="$S/read-only"
ro_how=""
if [ "$(id -u)" -ne 0 ]; then
    mkdir -p "$R"; chmod 555 "$R"; ro_how="chmod 555"
elif mount_tmpfs "$R" ro,size=64k; then
    ro_how="read-only tmpfs"
fi
if [ -n "$ro_how" ]; then
    faults=$((faults + 1)); inputs=$((inputs + 30))
    LEDE_LOG=debug run read-only 60 analyze --tasks ner --out "$R" "$batch"
    expect_rc "read-only --out ($ro_how)" read-only 3
    stderr_has "read-only --out" read-only "$R"
    check "read-only --out: stopped before the models loaded" "$(grep -q "models ready" "$S/read-only.err"; [ $? -ne 0 ]; echo $?)"
else
    skip "cannot mount a read-only tmpfs as root: read-only --out not tested"
fi
faults=$((faults + 1)); inputs=$((inputs + 1))
run out-is-file 30 analyze --tasks ner --out "$small" "$small"
expect_rc "--out is a file" out-is-file 3

# ---------------------------------------------------------------------------------------------
echo "== 8. resource bounds: a sentence listing thousands of names, a text over --max-words"
# Peak RSS of one run, in MiB, from the kernel's accounting of the finished child.
peak_mib() { # NAME LIMIT ARGS...
    local name="$1" limit="$2"
    shift 2
    python3 - "$lede" "$S/$name" "$limit" "$@" <<'PEAK'
import resource, subprocess, sys
lede, base, limit, args = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
with open(base + ".out", "wb") as out, open(base + ".err", "wb") as err:
    try:
        rc = subprocess.run([lede, *args], stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                            timeout=limit).returncode
    except subprocess.TimeoutExpired:
        rc = 124
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
PEAK
}
python3 - "$S/list.txt" "$S/over.txt" <<'GEN'
import sys
cities = ["Minsk", "Vilnius", "Riga", "Warsaw", "Kyiv", "Moscow", "Berlin", "Paris"]
people = ["John Howard", "Ales Bialiatski", "Vladimir Putin", "George Bush"]
names = []
for i in range(10000):
    names += [cities[i % 8] + ",", people[i % 4] + ","]
with open(sys.argv[1], "w") as f:
    f.write("Leaders met in " + " ".join(names) + " and agreed.")
with open(sys.argv[2], "w") as f:
    f.write("".join(f"A{i % 10} b. " for i in range(40000)))
GEN
inputs=$((inputs + 2)); faults=$((faults + 2))
read -r rc mib < <(peak_mib list 300 analyze --format jsonl "$S/list.txt")
secs="?"
expect_rc "20,000 names in one sentence" list 0
# Before the candidate cap, 15,000 words of such a list took 7.3 GB (docs/RELIABILITY.md).
check "20,000 names in one sentence: peak memory ${mib} MiB, under 2,500 MiB" "$([ "$mib" -lt 2500 ]; echo $?)"
run over 120 analyze --format jsonl "$S/over.txt"
expect_rc "a text of 120,000 words (over --max-words)" over 1
check "over --max-words: an error record naming the limit" "$(grep -q 'more than the limit of 100000' "$S/over.out"; echo $?)" "$(head -c 300 "$S/over.out")"
check "over --max-words: refused without being analysed (${secs}s)" "$(python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 30 else 1)" "$secs"; echo $?)"

# ---------------------------------------------------------------------------------------------
elapsed="$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.0f}')" "$started" "$(date +%s.%N)")"
check "documents lost: $lost" "$([ "$lost" -eq 0 ]; echo $?)"
echo
echo "fault-suite: inputs tried: $inputs, faults injected: $faults, documents lost: $lost"
echo "fault-suite: checks passed: $passed, failed: $failed, skipped: $skipped (${elapsed}s, FAULT_SEED=$seed)"
[ "$failed" -eq 0 ]
