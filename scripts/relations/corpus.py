#!/usr/bin/env python3
"""The hand-annotated relation corpus over lee_background.cor: kit, split, checks, build, agreement.

The guideline is docs/annotation/RELATIONS.md. Articles are read from the `--docs DIR` layout of
models/summarize/dev/fetch-lee-background.sh (DIR/lee_bg_NNN.txt, NNN = 0-based line number of
the article in the gensim 4.4.0 wheel's lee_background.cor, text stripped). Document ids here
are the NER corpus's (`lee_bg_NNNN`, four digits), so that relation arguments line up with the
hand-annotated name mentions of models/lede-ner-minilm/hand (train/dev, fine types) and
models/lede-ner-minilm/eval (10 gold documents, CoNLL types). The corpus text is never committed.

  corpus.py split   --docs DIR           # writes models/relations/corpus/split.json (once)
  corpus.py kit     --docs DIR --out KIT # per document: KIT/ID.txt (text) and KIT/ID.names.tsv
  corpus.py batches                      # reader batches of the first pass, and the second sample
  corpus.py check   --kit KIT FILE...    # records against the text and names; exit 1 on errors
  corpus.py build   --kit KIT            # writes train/dev/test.jsonl (standoff) from records/
                                         # and bbc/train.jsonl from records/bbc/B*.jsonl
  corpus.py agree   --kit KIT FIRST SECOND   # relation F1 and Cohen's kappa between two readers

The BBC articles of the extra training set (bbc/selection.json; their text from
scripts/relations/fetch-bbc.sh, copied into the kit as KIT/bbc_<folder>_<NNN>.txt) have no name
list: their records give `head_type` and `tail_type` (docs/annotation/RELATIONS.md, B1-B4).

Split (by document, fixed before any relation was annotated): the test split holds the 10 NER
gold documents and the 30 NER dev documents (the NER model never trained on them) and 20 more
drawn with SPLIT_SEED; dev holds 30 drawn next; train the rest. Articles that repeat another
article (lee_background has a few stories twice) follow the split of the one they repeat.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "models" / "relations" / "corpus"
RECORDS = CORPUS / "records"
BBC = CORPUS / "bbc"
NER_HAND = ROOT / "models" / "lede-ner-minilm" / "hand"
NER_GOLD = ROOT / "models" / "lede-ner-minilm" / "eval" / "gold-lee-background.jsonl"
SCHEMA = ROOT / "models" / "relations" / "news.toml"
SPLIT_SEED = 20261206
N_TEST_EXTRA = 20
N_DEV = 30
FIRST_PASS_TRAIN = 120
READERS = 7
N_SECOND = 30
DUP_JACCARD = 0.3
COARSE = {
    "PER": {"PERSON"},
    "ORG": {"ORG"},
    "LOC": {"GPE", "LOC", "FAC"},
    "MISC": {"NORP", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"},
}
VALUE_LABELS = {"age", "sentenced_to"}
_UNITS = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
AGE_WORDS = set(_UNITS) | set(_TENS) | {f"{t}-{u}" for t in _TENS for u in _UNITS[:9]}
SYMMETRIC = set()  # filled from the schema


def log(msg: str) -> None:
    print(msg, file=sys.stderr)


# ----------------------------------------------------------------------------------------------
# inputs


def load_texts(docs: Path) -> dict[str, str]:
    texts = {}
    for path in sorted(docs.glob("lee_bg_*.txt")):
        line = int(path.stem.rsplit("_", 1)[1])
        texts[f"lee_bg_{line:04d}"] = path.read_text(encoding="utf-8").strip()
    if len(texts) != 300:
        sys.exit(f"{docs}: expected the 300 articles of lee_background.cor, found {len(texts)}")
    return texts


def load_kit(kit: Path) -> dict[str, str]:
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(kit.glob("lee_bg_*.txt"))}
    if not texts:
        sys.exit(f"{kit}: no kit here (run `corpus.py kit` first)")
    # The BBC articles of the extra training set (scripts/relations/fetch-bbc.sh), when present.
    for p in sorted(kit.glob("bbc_*.txt")):
        texts[p.stem] = p.read_text(encoding="utf-8").rstrip()
    return texts


def is_bbc(doc: str) -> bool:
    """An article of the extra training set: its records carry the types of their names."""
    return doc.startswith("bbc_")


def corpus_digest(texts: dict[str, str]) -> str:
    h = hashlib.sha256()
    for doc in sorted(texts):
        h.update(doc.encode() + b"\0" + texts[doc].encode() + b"\0")
    return h.hexdigest()


def ner_ids() -> dict[str, list[str]]:
    out = {}
    for name in ("train", "dev"):
        out[name] = [json.loads(l)["doc"] for l in (NER_HAND / f"{name}.jsonl").read_text().splitlines() if l.strip()]
    out["gold"] = [json.loads(l)["doc"] for l in NER_GOLD.read_text().splitlines() if l.strip()]
    return out


def load_names(texts: dict[str, str]) -> dict[str, list[dict]]:
    """Hand-annotated name mentions per document: start, end, types (a set), text."""
    names: dict[str, list[dict]] = {}
    for path, coarse in ((NER_HAND / "train.jsonl", False), (NER_HAND / "dev.jsonl", False), (NER_GOLD, True)):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            rec = json.loads(line)
            text = texts.get(rec["doc"])
            if text is None:
                continue
            out = []
            for e in rec["entities"]:
                label = e["label"]
                types = COARSE[label] if coarse else {label}
                shown = f"{label}*" if coarse else label
                out.append({"start": e["start"], "end": e["end"], "types": types, "shown": shown,
                            "text": text[e["start"]:e["end"]]})
            names[rec["doc"]] = out
    return names


def load_schema() -> dict[str, dict]:
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python < 3.11
        sys.exit("Python 3.11 or later is needed (tomllib)")
    data = tomllib.loads(SCHEMA.read_text(encoding="utf-8"))
    labels = {}
    for lab in data["label"]:
        labels[lab["name"]] = lab
        if lab.get("symmetric"):
            SYMMETRIC.add(lab["name"])
    return labels


# ----------------------------------------------------------------------------------------------
# split, kit, batches


def shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
    w = re.sub(r"[^\w']+", " ", text.lower()).split()
    return {tuple(w[i : i + n]) for i in range(max(0, len(w) - n + 1))}


def duplicate_groups(texts: dict[str, str]) -> list[list[str]]:
    ids = sorted(texts)
    sh = {d: shingles(texts[d]) for d in ids}
    parent = {d: d for d in ids}

    def root(d: str) -> str:
        while parent[d] != d:
            d = parent[d]
        return d

    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            sa, sb = sh[a], sh[b]
            if sa and sb and len(sa & sb) / len(sa | sb) >= DUP_JACCARD:
                parent[root(b)] = root(a)
    groups: dict[str, list[str]] = {}
    for d in ids:
        groups.setdefault(root(d), []).append(d)
    return [g for g in groups.values() if len(g) > 1]


def read_split() -> dict:
    path = CORPUS / "split.json"
    if not path.exists():
        sys.exit(f"{path} does not exist: run `corpus.py split` first")
    return json.loads(path.read_text(encoding="utf-8"))


def cmd_split(args) -> None:
    texts = load_texts(args.docs)
    path = CORPUS / "split.json"
    if path.exists() and not args.force:
        sys.exit(f"{path} exists: the split is fixed")
    ner = ner_ids()
    groups = duplicate_groups(texts)
    group_of = {d: g for g in groups for d in g}
    test = set(ner["gold"]) | set(ner["dev"])
    rng = random.Random(SPLIT_SEED)
    rest = sorted(d for d in texts if d not in test)
    rng.shuffle(rest)
    assigned: dict[str, str] = {d: "test" for d in test}

    def put(d: str, split: str) -> None:
        for x in group_of.get(d, [d]):
            assigned.setdefault(x, split)

    for d in sorted(test):  # repeats of a test article join test
        put(d, "test")
    order = [d for d in rest if d not in assigned]
    i = 0
    while sum(1 for s in assigned.values() if s == "test") < len(test) + N_TEST_EXTRA:
        if order[i] not in assigned:
            put(order[i], "test")
        i += 1
    while sum(1 for s in assigned.values() if s == "dev") < N_DEV:
        if order[i] not in assigned:
            put(order[i], "dev")
        i += 1
    for d in order[i:]:
        put(d, "train")
    train_order = [d for d in order if assigned[d] == "train"]
    split = {
        "source": "gensim 4.4.0 lee_background.cor (Latin-1, lines stripped), articles by 0-based line number",
        "corpus_sha256": corpus_digest(texts),
        "seed": SPLIT_SEED,
        "duplicate_groups": groups,
        "test": sorted(d for d, s in assigned.items() if s == "test"),
        "dev": sorted(d for d, s in assigned.items() if s == "dev"),
        "train": sorted(train_order),
        "first_pass_train": sorted(train_order[:FIRST_PASS_TRAIN]),
    }
    split["second_reader"] = sorted(rng.sample(split["test"], N_SECOND // 2) + rng.sample(split["first_pass_train"], N_SECOND - N_SECOND // 2))
    CORPUS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(split, indent=1) + "\n", encoding="utf-8")
    log(f"wrote {path}: test {len(split['test'])}, dev {len(split['dev'])}, train {len(split['train'])} "
        f"({len(split['first_pass_train'])} in the first pass); {len(groups)} groups of repeated articles")


def cmd_kit(args) -> None:
    texts = load_texts(args.docs)
    names = load_names(texts)
    args.out.mkdir(parents=True, exist_ok=True)
    for doc, text in texts.items():
        (args.out / f"{doc}.txt").write_text(text, encoding="utf-8")
        rows = ["start\tend\ttype\ttext"]
        for m in names.get(doc, []):
            rows.append(f"{m['start']}\t{m['end']}\t{m['shown']}\t{m['text']}")
        (args.out / f"{doc}.names.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    log(f"wrote {len(texts)} documents to {args.out} (types ending in * are CoNLL types of the NER gold)")


def first_pass_docs(split: dict) -> list[str]:
    docs = split["test"] + split["dev"] + split["first_pass_train"]
    return sorted(docs)


def cmd_batches(args) -> None:
    split = read_split()
    docs = first_pass_docs(split)
    rng = random.Random(SPLIT_SEED + 1)
    rng.shuffle(docs)
    for r in range(READERS):
        batch = sorted(docs[r::READERS])
        print(f"R{r + 1}\t{len(batch)}\t{' '.join(batch)}")
    print(f"SECOND\t{len(split['second_reader'])}\t{' '.join(split['second_reader'])}")
    rest = [d for d in split["train"] if d not in set(split["first_pass_train"])]
    print(f"REST\t{len(rest)}\t{' '.join(rest)}")


# ----------------------------------------------------------------------------------------------
# checks


def read_records(paths: list[Path]) -> list[tuple[str, int, dict]]:
    out = []
    for path in paths:
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                out.append((str(path), i, json.loads(line)))
            except json.JSONDecodeError as e:
                out.append((str(path), i, {"_error": str(e)}))
    return out


def word_at(text: str, s: int, e: int) -> bool:
    before = text[s - 1] if s > 0 else " "
    after = text[e] if e < len(text) else " "
    return not (before.isalnum() and text[s].isalnum()) and not (after.isalnum() and text[e - 1].isalnum())


def occurrences(text: str, needle: str, lo: int = 0, hi: int | None = None) -> list[int]:
    hi = len(text) if hi is None else hi
    out, i = [], text.find(needle, lo)
    while i != -1 and i + len(needle) <= hi:
        if word_at(text, i, i + len(needle)):
            out.append(i)
        i = text.find(needle, i + 1)
    return out


SENT_START = re.compile(r"(^|[.!?][\"'’”)]*\s+)$")


KNOWN_TYPES = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}


def resolve(rec: dict, text: str, names: list[dict], labels: dict, typed: bool = False) -> tuple[dict | None, list[str], list[str]]:
    """One record -> standoff relation, errors, warnings. `typed`: the record gives the types
    of its names (`head_type`, `tail_type`) instead of naming mentions of the kit's list."""
    errs: list[str] = []
    warns: list[str] = []
    label = rec.get("label")
    if label == "none":
        return None, errs, warns
    if label not in labels:
        return None, [f"unknown label {label!r}"], warns
    for key in ("head", "tail", "evidence"):
        if not isinstance(rec.get(key), str) or not rec[key].strip():
            errs.append(f"missing {key}")
    if errs:
        return None, errs, warns
    ev = rec["evidence"]
    ev_at = text.find(ev)
    if ev_at < 0:
        return None, ["evidence is not a substring of the article (copy it exactly)"], warns
    if text.find(ev, ev_at + 1) >= 0:
        warns.append("evidence occurs twice in the article; the first occurrence is used")
    ev_end = ev_at + len(ev)
    if not SENT_START.search(text[:ev_at]):
        warns.append("evidence does not start at a sentence start")
    if ev[-1] not in ".!?\"'’”)":
        warns.append("evidence does not end at a sentence end")
    lab = labels[label]
    out = {"label": label, "evidence": {"start": ev_at, "end": ev_end}}
    for slot in ("head", "tail"):
        surface = rec[slot]
        occ = rec.get(f"{slot}_occ", 1)
        inside = occurrences(text, surface, ev_at, ev_end)
        if len(inside) >= occ:
            start = inside[occ - 1]
            outside = False
        else:
            before = occurrences(text, surface, 0, ev_at)
            if not before:
                errs.append(f"{slot} {surface!r} is neither in the evidence nor before it")
                continue
            start = before[-1]
            outside = True
        end = start + len(surface)
        span = {"start": start, "end": end, "text": surface}
        if outside:
            span["outside_evidence"] = True
        value_kind = lab.get("tail_value") if slot == "tail" else None
        if value_kind:
            span["value"] = True
            if value_kind == "age" and not (re.fullmatch(r"\d{1,3}", surface) or surface.lower() in AGE_WORDS):
                errs.append(f"age tail {surface!r} is not a number (digits, or a number word)")
        elif typed:
            # No name list for these articles: the reader gives the type (docs/annotation/RELATIONS.md,
            # "The BBC articles"), checked against the label here.
            given = rec.get(f"{slot}_type")
            allowed = set(lab[slot])
            if not isinstance(given, str) or given not in KNOWN_TYPES:
                errs.append(f"{slot}_type {given!r} is not one of {', '.join(sorted(KNOWN_TYPES))}")
                continue
            if given not in allowed:
                errs.append(f"{slot} {surface!r} is {given}; {label} takes {'/'.join(lab[slot])} there")
                continue
            if not surface[:1].isupper() and not surface[:1].isdigit():
                errs.append(f"{slot} {surface!r} does not start with a capital: not a name")
                continue
            span["type"] = given
        else:
            m = next((m for m in names if m["start"] == start and m["end"] == end), None)
            if m is None:
                over = [n for n in names if n["start"] < end and start < n["end"]]
                hint = f" (the names there: {', '.join(repr(n['text']) for n in over)})" if over else ""
                errs.append(f"{slot} {surface!r} at {start} is not a name mention of the kit{hint}")
                continue
            allowed = set(lab[slot])
            if not (m["types"] & allowed):
                errs.append(f"{slot} {surface!r} is {m['shown']}; {label} takes {'/'.join(lab[slot])} there")
            span["type"] = sorted(m["types"] & allowed)[0] if m["types"] & allowed else m["shown"]
        out[slot] = span
    if not errs and "head" in out and "tail" in out:
        h, t = out["head"], out["tail"]
        if not t.get("value") and fold(h["text"]) == fold(t["text"]):
            errs.append("head and tail are the same name")
        if h["start"] < t["end"] and t["start"] < h["end"]:
            errs.append("head and tail overlap")
    for key in ("note",):
        if key in rec:
            out[key] = rec[key]
    return (out if not errs else None), errs, warns


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower().strip()
    s = re.sub(r"^the\s+", "", s)
    return re.sub(r"[’']s$", "", s)


def check(records, texts: dict[str, str], names: dict[str, list[dict]], labels: dict, in_set: set[str] | None):
    n_err = n_warn = 0
    resolved: dict[str, list[dict]] = {}
    seen_docs: set[str] = set()
    facts: dict[str, Counter] = {}
    for path, line, rec in records:
        where = f"{path}:{line}"
        if "_error" in rec:
            log(f"error {where}: not JSON: {rec['_error']}")
            n_err += 1
            continue
        doc = rec.get("doc")
        if doc not in texts:
            log(f"error {where}: unknown doc {doc!r}")
            n_err += 1
            continue
        if in_set is not None and doc not in in_set:
            log(f"error {where}: {doc} is not in the corpus split")
            n_err += 1
            continue
        seen_docs.add(doc)
        rel, errs, warns = resolve(rec, texts[doc], names.get(doc, []), labels, typed=is_bbc(doc))
        for e in errs:
            log(f"error {where} ({doc}): {e}")
        for w in warns:
            if "note" not in rec:
                log(f"warning {where} ({doc}): {w}")
        n_err += len(errs)
        n_warn += 0 if "note" in rec else len(warns)
        resolved.setdefault(doc, [])
        if rel is not None:
            key = fact_key(rel)
            c = facts.setdefault(doc, Counter())
            c[key] += 1
            if c[key] == 2:
                log(f"warning {where} ({doc}): the same fact twice: {key}")
                n_warn += 1
            resolved[doc].append(rel)
    return resolved, seen_docs, n_err, n_warn


def fact_key(rel: dict) -> tuple:
    h, t = fold(rel["head"]["text"]), fold(rel["tail"]["text"])
    if rel["label"] in SYMMETRIC and t < h:
        h, t = t, h
    return (rel["label"], h, t)


def bbc_docs() -> list[str]:
    """The BBC articles chosen for annotation (bbc/selection.json): extra training documents."""
    path = BBC / "selection.json"
    if not path.exists():
        return []
    sel = json.loads(path.read_text(encoding="utf-8"))
    return sorted(d for batch in sel["first_pass"].values() for d in batch)


def cmd_check(args) -> None:
    texts = load_kit(args.kit)
    names = load_names(texts)
    labels = load_schema()
    split = read_split()
    in_set = set(split["test"]) | set(split["dev"]) | set(split["train"]) | set(bbc_docs())
    resolved, seen, n_err, n_warn = check(read_records(args.files), texts, names, labels, in_set)
    n_rel = sum(len(v) for v in resolved.values())
    log(f"{len(seen)} documents, {n_rel} relations, {n_err} errors, {n_warn} warnings")
    sys.exit(1 if n_err else 0)


# ----------------------------------------------------------------------------------------------
# build and agreement


def first_reader_files() -> list[Path]:
    return sorted(list(RECORDS.glob("R*.jsonl")) + list(RECORDS.glob("N*.jsonl")))


def bbc_reader_files() -> list[Path]:
    """The first pass over the BBC articles (one file per reader batch)."""
    return sorted((RECORDS / "bbc").glob("B*.jsonl"))


def standoff_rows(resolved: dict[str, list[dict]], seen: set[str], docs: list[str], line_of) -> list[str]:
    rows = []
    for doc in docs:
        if doc not in seen:
            continue
        rels = sorted(resolved[doc], key=lambda r: (r["evidence"]["start"], r["head"]["start"], r["label"]))
        row = {"doc": doc}
        if line_of is not None:
            row["line"] = line_of(doc)
        row["relations"] = rels
        rows.append(json.dumps(row, ensure_ascii=False))
    return rows


def cmd_build(args) -> None:
    texts = load_kit(args.kit)
    names = load_names(texts)
    labels = load_schema()
    split = read_split()
    in_set = set(split["test"]) | set(split["dev"]) | set(split["train"])
    resolved, seen, n_err, _ = check(read_records(first_reader_files()), texts, names, labels, in_set)
    if n_err:
        sys.exit(f"{n_err} errors in the first readers' records: fix them first")
    for name in ("train", "dev", "test"):
        rows = standoff_rows(resolved, seen, split[name], lambda doc: int(doc.rsplit("_", 1)[1]))
        (CORPUS / f"{name}.jsonl").write_text("\n".join(rows) + ("\n" if rows else ""), encoding="utf-8")
        n = sum(len(json.loads(r)["relations"]) for r in rows)
        log(f"{name}: {len(rows)} of {len(split[name])} documents annotated, {n} relations")
    bbc = bbc_docs()
    files = bbc_reader_files()
    if bbc and files:
        if not any(is_bbc(d) for d in texts):
            sys.exit(f"{args.kit}: no BBC articles in the kit (scripts/relations/fetch-bbc.sh KIT)")
        resolved, seen, n_err, _ = check(read_records(files), texts, names, labels, set(bbc))
        if n_err:
            sys.exit(f"{n_err} errors in the BBC readers' records: fix them first")
        rows = standoff_rows(resolved, seen, bbc, None)
        (BBC / "train.jsonl").write_text("\n".join(rows) + ("\n" if rows else ""), encoding="utf-8")
        n = sum(len(json.loads(r)["relations"]) for r in rows)
        log(f"bbc/train: {len(rows)} of {len(bbc)} documents annotated, {n} relations")


def same_entity(a: dict, b: dict) -> bool:
    fa, fb = fold(a["text"]), fold(b["text"])
    if fa == fb:
        return True
    # A surname or shorter form of the same name ("Howard" / "John Howard").
    wa, wb = fa.split(), fb.split()
    short, long_ = (wa, wb) if len(wa) < len(wb) else (wb, wa)
    return bool(short) and long_[-len(short):] == short


def pair_match(x: dict, y: dict) -> tuple[bool, bool]:
    """(same ordered pair, same pair in reverse order)."""
    fwd = same_entity(x["head"], y["head"]) and same_entity(x["tail"], y["tail"])
    rev = same_entity(x["head"], y["tail"]) and same_entity(x["tail"], y["head"])
    return fwd, rev


def cmd_agree(args) -> None:
    texts = load_kit(args.kit)
    names = load_names(texts)
    labels = load_schema()
    a, seen_a, ea, _ = check(read_records(args.first), texts, names, labels, None)
    b, seen_b, eb, _ = check(read_records(args.second), texts, names, labels, None)
    docs = sorted(seen_a & seen_b)
    tp = fp = fn = 0
    per_label: dict[str, list[int]] = {}
    pairs_a: list[str] = []
    pairs_b: list[str] = []
    matched_a: list[str] = []
    matched_b: list[str] = []
    for doc in docs:
        ra, rb = list(a.get(doc, [])), list(b.get(doc, []))
        used = set()
        for x in ra:
            hit = None
            for j, y in enumerate(rb):
                if j in used or x["label"] != y["label"]:
                    continue
                fwd, rev = pair_match(x, y)
                if fwd or (rev and x["label"] in SYMMETRIC):
                    hit = j
                    break
            c = per_label.setdefault(x["label"], [0, 0, 0])
            if hit is None:
                fn += 1
                c[2] += 1
            else:
                used.add(hit)
                tp += 1
                c[0] += 1
        for j, y in enumerate(rb):
            if j not in used:
                fp += 1
                per_label.setdefault(y["label"], [0, 0, 0])[1] += 1
        # Kappa over entity pairs either reader related: the label each gave (or none).
        union: list[tuple[dict, str, str]] = []
        for x in ra:
            union.append((x, x["label"], "none"))
        for y in rb:
            for k, (x, la, lb) in enumerate(union):
                fwd, rev = pair_match(x, y)
                if (fwd or rev) and lb == "none" and (la == y["label"] or not any(
                        u[1] == y["label"] and (pair_match(u[0], y)[0] or pair_match(u[0], y)[1]) for u in union)):
                    union[k] = (x, la, y["label"])
                    break
            else:
                union.append((y, "none", y["label"]))
        for _, la, lb in union:
            pairs_a.append(la)
            pairs_b.append(lb)
            if la != "none" and lb != "none":
                matched_a.append(la)
                matched_b.append(lb)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    print(f"documents read by both: {len(docs)}")
    print(f"relations: first {tp + fn}, second {tp + fp}, matched {tp}")
    print(f"relation-level F1 (second against first): P {p:.3f} R {r:.3f} F1 {f:.3f}")
    print(f"Cohen's kappa, labels of entity pairs either reader related (none included): {kappa(pairs_a, pairs_b):.3f} over {len(pairs_a)} pairs")
    print(f"Cohen's kappa, labels of pairs both readers related: {kappa(matched_a, matched_b):.3f} over {len(matched_a)} pairs")
    print("per label (matched, second only, first only):")
    for lab, (t, x, y) in sorted(per_label.items()):
        print(f"  {lab:22s} {t:3d} {x:3d} {y:3d}")
    if ea or eb:
        log(f"note: {ea} + {eb} records with errors were left out")


def kappa(a: list[str], b: list[str]) -> float:
    n = len(a)
    if n == 0:
        return float("nan")
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("split")
    s.add_argument("--docs", type=Path, required=True)
    s.add_argument("--force", action="store_true")
    s.set_defaults(func=cmd_split)
    k = sub.add_parser("kit")
    k.add_argument("--docs", type=Path, required=True)
    k.add_argument("--out", type=Path, required=True)
    k.set_defaults(func=cmd_kit)
    b = sub.add_parser("batches")
    b.set_defaults(func=cmd_batches)
    c = sub.add_parser("check")
    c.add_argument("--kit", type=Path, required=True)
    c.add_argument("files", type=Path, nargs="+")
    c.set_defaults(func=cmd_check)
    bu = sub.add_parser("build")
    bu.add_argument("--kit", type=Path, required=True)
    bu.set_defaults(func=cmd_build)
    a = sub.add_parser("agree")
    a.add_argument("--kit", type=Path, required=True)
    a.add_argument("first", type=Path, nargs="+")
    a.add_argument("--second", type=Path, nargs="+", required=True)
    a.set_defaults(func=cmd_agree)
    args = ap.parse_args()
    load_schema()
    args.func(args)


if __name__ == "__main__":
    main()
