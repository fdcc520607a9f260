#!/usr/bin/env python3
"""Hand-labelled names for lede-ner-minilm: checking, standoff, agreement, training merge.

The guideline is docs/annotation/NER.md. Annotators write mention lists in text order
(``models/lede-ner-minilm/hand/records/*.jsonl``, one document per line)::

    {"doc": "lee_bg_0007", "annotator": "A1", "mentions": [["Yasser Arafat", "PERSON"], ...]}

Subcommands (documents are read from the prepared data, ``~/.cache/lede/ner-data/docs``):

    python3 scripts/ner/hand.py sample             # which train documents get hand labels
    python3 scripts/ner/hand.py check FILE...      # offsets found? labels valid? omissions?
    python3 scripts/ner/hand.py build              # records -> hand/{train,dev}.jsonl standoff
    python3 scripts/ner/hand.py agree A.jsonl B.jsonl   # agreement of two readers
    python3 scripts/ner/hand.py merge              # DIR/train-hand.jsonl, DIR/dev-hand.jsonl

``merge`` is what ``prepare.py`` runs last. ``train-hand.jsonl`` is every train document, and
``dev-hand.jsonl`` the hand-labelled dev documents; in a hand-labelled document the hand names replace
the teachers' names; the teachers' agreed DATE/TIME/MONEY spans are kept where they overlap no
hand name, and a disputed region is kept only where a teacher gave a value type there (the
hand labels settle every dispute about names).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

NAME_LABELS = ["PERSON", "NORP", "ORG", "GPE", "LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART"]
VALUE_LABELS = {"DATE", "TIME", "MONEY"}
COARSE = {
    "PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "NORP": "MISC",
    "EVENT": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC",
}
ROOT = Path(__file__).resolve().parents[2]
HAND = ROOT / "models" / "lede-ner-minilm" / "hand"
DATA = Path.home() / ".cache" / "lede" / "ner-data"
# Second-reader records (files named second-reader*.jsonl): compared with the first readers',
# never trained on.
SECOND = "second-reader"
# How many train documents get hand labels, and the fixed seed that picks them.
N_TRAIN_HAND = 100
SAMPLE_SEED = 20261205


def bounded(text: str, s: int, e: int) -> bool:
    before = text[s - 1] if s > 0 else " "
    after = text[e] if e < len(text) else " "
    return not before.isalnum() and not after.isalnum()


def find(text: str, surface: str, start: int) -> int:
    pos = start
    while True:
        i = text.find(surface, pos)
        if i < 0:
            return -1
        if bounded(text, i, i + len(surface)):
            return i
        pos = i + 1


def read_records(paths: list[Path]) -> list[dict]:
    out = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as err:
                raise SystemExit(f"{path}:{n}: not JSON: {err}")
            rec["_where"] = f"{path.name}:{n}"
            out.append(rec)
    return out


def standoff(rec: dict, text: str) -> tuple[list[dict], list[str], list[str]]:
    """Offsets of a record's mentions; (entities, errors, warnings)."""
    errors, warnings, ents = [], [], []
    where = f"{rec['_where']} {rec.get('doc')}"
    pos = 0
    mentions = rec.get("mentions")
    if not isinstance(mentions, list):
        return [], [f"{where}: no mentions list"], []
    for m in mentions:
        if not (isinstance(m, list) and len(m) == 2 and all(isinstance(x, str) for x in m)):
            errors.append(f"{where}: mention {m!r} is not [surface, label]")
            continue
        surface, label = m
        if label not in NAME_LABELS:
            errors.append(f"{where}: {surface!r} has label {label!r}, not one of {NAME_LABELS}")
            continue
        if surface != surface.strip() or not surface:
            errors.append(f"{where}: {surface!r} has surrounding white space")
            continue
        i = find(text, surface, pos)
        if i < 0:
            again = find(text, surface, 0)
            hint = f" (it occurs at char {again}, before the previous mention)" if again >= 0 else ""
            errors.append(f"{where}: {surface!r} not found after char {pos}{hint}")
            continue
        ents.append({"start": i, "end": i + len(surface), "label": label})
        pos = i + len(surface)
    spans = [(e["start"], e["end"]) for e in ents]
    for surface in sorted({m[0] for m in mentions if isinstance(m, list) and len(m) == 2}):
        for hit in re.finditer(re.escape(surface), text):
            s, e = hit.start(), hit.end()
            if bounded(text, s, e) and not any(a <= s and e <= b for a, b in spans):
                ctx = text[max(0, s - 30):e + 30].replace("\n", " ")
                warnings.append(f"{where}: {surface!r} at char {s} has no mention: ...{ctx}...")
    labels: dict[str, set[str]] = {}
    for e in ents:
        labels.setdefault(text[e["start"]:e["end"]], set()).add(e["label"])
    for surface, ls in sorted(labels.items()):
        if len(ls) > 1:
            warnings.append(f"{where}: {surface!r} carries {sorted(ls)}")
    return ents, errors, warnings


def load_texts(docs: Path, ids) -> dict[str, str]:
    out = {}
    for doc in ids:
        path = docs / f"{doc}.txt"
        if not path.is_file():
            raise SystemExit(f"no text for {doc}: {path} (run scripts/ner/prepare.py first)")
        out[doc] = path.read_text(encoding="utf-8")
    return out


def resolve(records: list[dict], docs: Path) -> tuple[dict[str, list[dict]], int, int]:
    """Standoff entities per document for a list of records; prints problems."""
    texts = load_texts(docs, sorted({r.get("doc", "") for r in records}))
    out, n_err, n_warn = {}, 0, 0
    for rec in records:
        doc = rec["doc"]
        if doc in out:
            print(f"error: {rec['_where']}: {doc} annotated twice", file=sys.stderr)
            n_err += 1
            continue
        ents, errors, warnings = standoff(rec, texts[doc])
        for msg in errors:
            print(f"error: {msg}", file=sys.stderr)
        for msg in warnings:
            print(f"warning: {msg}", file=sys.stderr)
        n_err += len(errors)
        n_warn += len(warnings)
        out[doc] = ents
    return out, n_err, n_warn


def ids(name: str, data: Path) -> list[str]:
    return (data / f"{name}-ids.txt").read_text().split()


def cmd_sample(args) -> None:
    train = ids("train", args.data)
    rng = random.Random(SAMPLE_SEED)
    print("\n".join(sorted(rng.sample(train, N_TRAIN_HAND))))


def cmd_check(args) -> None:
    records = read_records(args.files)
    out, n_err, n_warn = resolve(records, args.data / "docs")
    n = sum(len(v) for v in out.values())
    print(f"{len(out)} documents, {n} mentions, {n_err} errors, {n_warn} warnings", file=sys.stderr)
    if n_err:
        raise SystemExit(1)


def first_reader_records(hand: Path) -> list[dict]:
    files = sorted(p for p in (hand / "records").glob("*.jsonl") if not p.stem.startswith(SECOND))
    return read_records(files)


def cmd_build(args) -> None:
    out, n_err, _ = resolve(first_reader_records(args.hand), args.data / "docs")
    if n_err:
        raise SystemExit(f"{n_err} errors: fix the records first")
    dev, train = set(ids("dev", args.data)), set(ids("train", args.data))
    gold = set(ids("gold", args.data))
    if gold & set(out):
        raise SystemExit(f"gold documents must not be hand-labelled here: {sorted(gold & set(out))}")
    for split, keep in (("train", train), ("dev", dev)):
        lines = [json.dumps({"doc": d, "entities": out[d]}) for d in sorted(out) if d in keep]
        (args.hand / f"{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {args.hand / f'{split}.jsonl'}: {len(lines)} documents", file=sys.stderr)
    coarse = [
        json.dumps({"doc": d, "entities": [dict(e, label=COARSE[e["label"]]) for e in out[d]]})
        for d in sorted(out) if d in dev
    ]
    path = args.hand / "dev-coarse.jsonl"
    path.write_text("\n".join(coarse) + "\n", encoding="utf-8")
    print(f"wrote {path} (CoNLL types, for `lede eval ner --gold`)", file=sys.stderr)


def f1(a: set, b: set) -> tuple[float, float, float]:
    tp = len(a & b)
    p = tp / len(b) if b else 0.0
    r = tp / len(a) if a else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def cmd_agree(args) -> None:
    one, e1, _ = resolve(read_records([args.a]), args.data / "docs")
    two, e2, _ = resolve(read_records([args.b]), args.data / "docs")
    if e1 or e2:
        raise SystemExit("fix the records first")
    docs = sorted(set(one) & set(two))
    if not docs:
        raise SystemExit("no document annotated by both")
    rows = {}
    for name, key in (("fine", lambda e: e["label"]), ("coarse", lambda e: COARSE[e["label"]]),
                      ("span only", lambda e: "")):
        a = {(d, e["start"], e["end"], key(e)) for d in docs for e in one[d]}
        b = {(d, e["start"], e["end"], key(e)) for d in docs for e in two[d]}
        rows[name] = (len(a), len(b), *f1(a, b))
    per = {}
    for lab in NAME_LABELS:
        a = {(d, e["start"], e["end"]) for d in docs for e in one[d] if e["label"] == lab}
        b = {(d, e["start"], e["end"]) for d in docs for e in two[d] if e["label"] == lab}
        if a or b:
            per[lab] = (len(a), len(b), f1(a, b)[2])
    print(f"{len(docs)} documents annotated by both: {', '.join(docs)}")
    print("| match | reader A | reader B | P (B against A) | R | F1 |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, (na, nb, p, r, f) in rows.items():
        print(f"| {name} | {na} | {nb} | {p:.3f} | {r:.3f} | {f:.3f} |")
    print()
    print("| label | reader A | reader B | F1 |")
    print("|---|---:|---:|---:|")
    for lab, (na, nb, f) in per.items():
        print(f"| {lab} | {na} | {nb} | {f:.3f} |")
    if args.diff:
        texts = load_texts(args.data / "docs", docs)
        for d in docs:
            a = {(e["start"], e["end"], e["label"]) for e in one[d]}
            b = {(e["start"], e["end"], e["label"]) for e in two[d]}
            for s, e, lab in sorted(a - b):
                print(f"{d}: only A {texts[d][s:e]!r} {lab} @{s}")
            for s, e, lab in sorted(b - a):
                print(f"{d}: only B {texts[d][s:e]!r} {lab} @{s}")


def merge_document(rec: dict, hand: list[dict]) -> dict:
    """A prepared training record with the hand names in place of the teachers' names."""
    def overlaps(s: int, e: int) -> bool:
        return any(s < h["end"] and h["start"] < e for h in hand)

    values = [e for e in rec["entities"]
              if e["label"] in VALUE_LABELS and not overlaps(e["start"], e["end"])]
    teacher_values = [e for e in rec.get("teacher_md", []) + rec.get("teacher_sm", [])
                      if e["label"] in VALUE_LABELS]
    ignore = [r for r in rec["ignore"]
              if not overlaps(r["start"], r["end"])
              and any(v["start"] < r["end"] and r["start"] < v["end"] for v in teacher_values)]
    ents = sorted(hand + values, key=lambda e: (e["start"], e["end"]))
    out = dict(rec)
    out.update(entities=ents, ignore=ignore, hand=True)
    return out


def read_hand(path: Path) -> dict[str, list[dict]]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            out[rec["doc"]] = rec["entities"]
    return out


def merge(data: Path, hand_dir: Path = HAND) -> tuple[int, int]:
    """Writes data/train-hand.jsonl (all train documents, hand names where there are) and
    data/dev-hand.jsonl (the hand-labelled dev documents only); returns their hand counts."""
    counts = []
    for split, keep_all in (("train", True), ("dev", False)):
        path = hand_dir / f"{split}.jsonl"
        hand = read_hand(path) if path.is_file() else {}
        lines, seen = [], set()
        for line in (data / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec["id"] in hand:
                rec = merge_document(rec, hand[rec["id"]])
                seen.add(rec["id"])
            elif not keep_all:
                continue
            lines.append(json.dumps(rec, ensure_ascii=False))
        if set(hand) - seen:
            raise SystemExit(f"hand-labelled {split} documents missing from {data}: "
                             f"{sorted(set(hand) - seen)}")
        (data / f"{split}-hand.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        counts.append(len(seen))
    return counts[0], counts[1]


def cmd_merge(args) -> None:
    n_train, n_dev = merge(args.data, args.hand)
    print(f"wrote {args.data / 'train-hand.jsonl'} ({n_train} documents with hand-labelled "
          f"names) and {args.data / 'dev-hand.jsonl'} ({n_dev} documents)", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA, help="prepared data (prepare.py --out)")
    ap.add_argument("--hand", type=Path, default=HAND, help="hand-label directory")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("sample", help="the train documents that get hand labels")
    c = sub.add_parser("check", help="check annotation records")
    c.add_argument("files", type=Path, nargs="+")
    sub.add_parser("build", help="first readers' records -> standoff train/dev files")
    a = sub.add_parser("agree", help="agreement between two readers")
    a.add_argument("a", type=Path)
    a.add_argument("b", type=Path)
    a.add_argument("--diff", action="store_true", help="list the mentions they disagree on")
    sub.add_parser("merge", help="write train-hand.jsonl and dev-hand.jsonl beside the silver")
    args = ap.parse_args()
    {"sample": cmd_sample, "check": cmd_check, "build": cmd_build, "agree": cmd_agree,
     "merge": cmd_merge}[args.cmd](args)


if __name__ == "__main__":
    main()
