#!/usr/bin/env python3
"""The hand-annotated quotation corpus over lee_background.cor: split, checks, build, agreement.

The guideline is docs/annotation/QUOTES.md. Articles are read from the relation kit's layout
(`scripts/relations/corpus.py kit --docs DIR --out KIT`: KIT/lee_bg_NNNN.txt, NNNN = 0-based
line of the article in the gensim 4.4.0 wheel's lee_background.cor). The corpus text is never
committed: records carry the quoted text, and `check` resolves it to character offsets.

  gold.py split                          # writes models/quotes/split.json (once)
  gold.py check --kit KIT FILE...        # records against the text; exit 1 on errors
  gold.py build --kit KIT                # writes models/quotes/{train,dev,test}.jsonl
  gold.py agree --kit KIT FIRST SECOND   # span F1 and speaker agreement between two readers

Split (by document, fixed before any quote was annotated): the relation corpus's test split
(60 documents: the 40 the NER model never trained on, and 20 more) is the test split here, its
dev split (30) is dev, and 30 documents drawn with SEED from its train split are train. The
second reader's sample is 30 documents drawn with SEED from all 120. Later, 60 more train
documents were drawn from the rest of the relation train split (`train_extra`, seed SEED + 1).
"""
import argparse
import json
import os
import random
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QUOTES = os.path.join(ROOT, "models", "quotes")
SPLIT = os.path.join(QUOTES, "split.json")
RELATION_SPLIT = os.path.join(ROOT, "models", "relations", "corpus", "split.json")
SEED = 20261206
OPEN_MARKS = "\"'“‘«`"
CLOSE_MARKS = "\"'”’»`"
KINDS = ("direct", "indirect")


def load_text(kit, doc):
    path = os.path.join(kit, doc + ".txt")
    with open(path, encoding="utf-8") as f:
        return f.read().rstrip("\n")


def cmd_split(args):
    if os.path.exists(SPLIT) and not args.force:
        sys.exit(f"{SPLIT} exists; the split is fixed (--force rewrites it)")
    rel = json.load(open(RELATION_SPLIT))
    rng = random.Random(SEED)
    train = sorted(rng.sample(sorted(rel["train"]), 30))
    docs = sorted(rel["test"]) + sorted(rel["dev"]) + train
    second = sorted(random.Random(SEED + 1).sample(docs, 30))
    out = {
        "source": rel["source"],
        "corpus_sha256": rel["corpus_sha256"],
        "seed": SEED,
        "test": sorted(rel["test"]),
        "dev": sorted(rel["dev"]),
        "train": train,
        "second_reader": second,
    }
    os.makedirs(QUOTES, exist_ok=True)
    with open(SPLIT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {SPLIT}: test {len(out['test'])}, dev {len(out['dev'])}, train {len(train)}")


def word_occurrences(text, needle):
    """Start offsets of whole-word occurrences of needle (case-sensitive, then insensitive)."""
    if not needle:
        return []
    pat = r"(?<!\w)" + re.escape(needle) + r"(?!\w)"
    hits = [m.start() for m in re.finditer(pat, text)]
    if not hits:
        hits = [m.start() for m in re.finditer(pat, text, re.IGNORECASE)]
    return hits


def nearest(text, needle, start, end, window=400):
    """The occurrence of needle nearest to [start, end), within `window` characters."""
    best = None
    for s in word_occurrences(text, needle):
        e = s + len(needle)
        if s < end and e > start:
            continue  # inside the quote itself
        gap = start - e if e <= start else s - end
        if gap <= window and (best is None or gap < best[0]):
            best = (gap, s, e)
    return None if best is None else (best[1], best[2])


def resolve(record, text):
    """Standoff form of one record, and a list of error strings."""
    errors = []
    kind = record.get("kind")
    if kind not in KINDS:
        return None, [f"kind must be one of {KINDS}, got {kind!r}"]
    quote = record.get("quote")
    if not isinstance(quote, str) or not quote.strip():
        return None, ["quote text missing"]
    if quote != quote.strip():
        errors.append("quote text has leading or trailing white space")
    starts = [m.start() for m in re.finditer(re.escape(quote), text)]
    occ = int(record.get("occ", 1))
    if len(starts) < occ:
        return None, [f"quote text not found in the article (occurrence {occ}): {quote[:60]!r}"]
    start = starts[occ - 1]
    end = start + len(quote)
    if kind == "direct":
        before = text[:start].rstrip(" ")
        if not before or before[-1] not in OPEN_MARKS:
            errors.append(f"direct quote does not follow an opening mark: {quote[:50]!r}")
        after = text[end:].lstrip(" ")
        if after and after[0] not in CLOSE_MARKS and "unclosed" not in record.get("note", ""):
            errors.append(
                f"direct quote is not followed by a closing mark (say 'unclosed' in note if "
                f"the article has none): {quote[-50:]!r}"
            )
    else:
        if quote[0] in OPEN_MARKS + CLOSE_MARKS and quote[0] != "'":
            errors.append(f"indirect quote starts with a quotation mark: {quote[:50]!r}")
        if quote.endswith("."):
            errors.append(f"indirect quote keeps the sentence's final full stop: {quote[-50:]!r}")
        if re.match(r"that\b", quote) and "subject" not in record.get("note", ""):
            errors.append(
                f"indirect quote starts with 'that' (say 'subject' in note when it is the "
                f"clause's subject): {quote[:50]!r}"
            )
    out = {"kind": kind, "start": start, "end": end, "text": quote}
    for field in ("cue", "speaker_mention"):
        value = record.get(field)
        if value is None:
            out[field] = None
            continue
        hit = nearest(text, value, start, end)
        if hit is None:
            errors.append(f"{field} {value!r} not found within 400 characters of the quote")
            out[field] = None
        else:
            out[field] = {"start": hit[0], "end": hit[1], "text": text[hit[0] : hit[1]]}
    speaker = record.get("speaker")
    if speaker is not None and not word_occurrences(text, speaker):
        errors.append(f"speaker {speaker!r} does not occur in the article")
    out["speaker"] = speaker
    return out, errors


def read_records(paths):
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    yield path, n, json.loads(line)
                except json.JSONDecodeError as e:
                    yield path, n, {"_error": str(e)}


def resolve_files(kit, paths):
    """{doc: [standoff quotes]} for every document read, and the error list."""
    docs, errors = {}, []
    texts = {}
    for path, n, rec in read_records(paths):
        where = f"{os.path.basename(path)}:{n}"
        if "_error" in rec:
            errors.append(f"{where}: not JSON: {rec['_error']}")
            continue
        doc = rec.get("doc")
        if not isinstance(doc, str):
            errors.append(f"{where}: no doc id")
            continue
        if doc not in texts:
            try:
                texts[doc] = load_text(kit, doc)
            except OSError:
                errors.append(f"{where}: unknown document {doc}")
                continue
        docs.setdefault(doc, [])
        if rec.get("none"):
            continue
        out, errs = resolve(rec, texts[doc])
        errors.extend(f"{where}: {doc}: {e}" for e in errs)
        if out is not None:
            docs[doc].append(out)
    for doc, quotes in docs.items():
        quotes.sort(key=lambda q: (q["start"], q["end"]))
        for kind in KINDS:
            same = [q for q in quotes if q["kind"] == kind]
            for a, b in zip(same, same[1:]):
                if b["start"] < a["end"]:
                    errors.append(f"{doc}: two {kind} quotes overlap: {a['text'][:40]!r} / {b['text'][:40]!r}")
                if (a["start"], a["end"]) == (b["start"], b["end"]):
                    errors.append(f"{doc}: duplicate {kind} quote {a['text'][:40]!r}")
    return docs, errors


def cmd_check(args):
    docs, errors = resolve_files(args.kit, args.files)
    for e in errors:
        print("error:", e)
    n = sum(len(q) for q in docs.values())
    kinds = {k: sum(1 for qs in docs.values() for q in qs if q["kind"] == k) for k in KINDS}
    print(f"{len(docs)} documents, {n} quotes ({kinds['direct']} direct, "
          f"{kinds['indirect']} indirect), {len(errors)} errors")
    sys.exit(1 if errors else 0)


def cmd_build(args):
    split = json.load(open(SPLIT))
    files = sorted(
        os.path.join(QUOTES, "records", "first", f)
        for f in os.listdir(os.path.join(QUOTES, "records", "first"))
        if f.endswith(".jsonl")
    )
    docs, errors = resolve_files(args.kit, files)
    if errors:
        for e in errors:
            print("error:", e)
        sys.exit(f"{len(errors)} errors; nothing written")
    # train_extra: 60 train documents added after the first test scoring (split.json says so)
    split["train"] = sorted(split["train"] + split.get("train_extra", []))
    for part in ("train", "dev", "test"):
        missing = [d for d in split[part] if d not in docs]
        if missing:
            print(f"warning: {part}: {len(missing)} documents not annotated: {missing[:5]}")
        path = os.path.join(QUOTES, f"{part}.jsonl")
        with open(path, "w") as f:
            for doc in split[part]:
                if doc in docs:
                    f.write(json.dumps({"doc": doc, "quotes": docs[doc]}, ensure_ascii=False) + "\n")
        n = sum(len(docs[d]) for d in split[part] if d in docs)
        print(f"wrote {path}: {sum(1 for d in split[part] if d in docs)} documents, {n} quotes")


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def same_speaker(a, b):
    if a is None or b is None:
        return a is None and b is None
    a, b = a.lower().strip(), b.lower().strip()
    return a == b or a.split()[-1] == b.split()[-1]


def cmd_agree(args):
    first, e1 = resolve_files(args.kit, [args.first])
    second, e2 = resolve_files(args.kit, [args.second])
    if e1 or e2:
        for e in e1 + e2:
            print("error:", e)
        sys.exit(1)
    docs = sorted(set(first) & set(second))
    print(f"{len(docs)} documents read by both")
    for kind in KINDS:
        for mode in ("exact", "overlap"):
            tp = fp = fn = 0
            for d in docs:
                a = [q for q in first[d] if q["kind"] == kind]
                b = [q for q in second[d] if q["kind"] == kind]
                used = set()
                for q in a:
                    hit = None
                    for i, r in enumerate(b):
                        if i in used:
                            continue
                        if mode == "exact" and (q["start"], q["end"]) == (r["start"], r["end"]):
                            hit = i
                        elif mode == "overlap" and q["start"] < r["end"] and r["start"] < q["end"]:
                            hit = i
                        if hit is not None:
                            break
                    if hit is None:
                        fn += 1
                    else:
                        used.add(hit)
                        tp += 1
                fp += len(b) - len(used)
            p, r, f = prf(tp, fp, fn)
            print(f"{kind:8} {mode:7} first {tp + fn:3} second {tp + fp:3} matched {tp:3}  F1 {f:.3f}")
    agree = total = 0
    for d in docs:
        for q in first[d]:
            for r in second[d]:
                if q["kind"] == r["kind"] and q["start"] < r["end"] and r["start"] < q["end"]:
                    total += 1
                    agree += same_speaker(q["speaker"], r["speaker"])
                    if not same_speaker(q["speaker"], r["speaker"]) and args.verbose:
                        print(f"  speaker {d}: {q['speaker']!r} vs {r['speaker']!r}: {q['text'][:50]!r}")
                    break
    print(f"speaker agreement on overlapping quotes: {agree}/{total} = {agree / max(total, 1):.3f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("split")
    s.add_argument("--force", action="store_true")
    c = sub.add_parser("check")
    c.add_argument("--kit", required=True)
    c.add_argument("files", nargs="+")
    b = sub.add_parser("build")
    b.add_argument("--kit", required=True)
    a = sub.add_parser("agree")
    a.add_argument("--kit", required=True)
    a.add_argument("first")
    a.add_argument("second")
    a.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    {"split": cmd_split, "check": cmd_check, "build": cmd_build, "agree": cmd_agree}[args.cmd](args)


if __name__ == "__main__":
    main()
