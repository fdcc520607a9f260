#!/usr/bin/env python3
"""Reference summaries of lee_background.cor: the document set, its split, and record checks.

The guideline is docs/annotation/SUMMARY.md. Articles are read from the `--docs DIR` layout
written by models/summarize/dev/fetch-lee-background.sh (DIR/lee_bg_NNN.txt, NNN = 0-based
line number of the article in the gensim 4.4.0 wheel's lee_background.cor); the corpus text is
never committed.

  refs.py split   --docs DIR      # writes models/summarize/refs/split.json (once; fixed after)
  refs.py batches --docs DIR      # prints writer batches (doc ids) for the first pass
  refs.py check   --docs DIR FILE...   # checks records against the articles; exit 1 on errors
  refs.py merge   --docs DIR      # writes train/dev/test.jsonl and second-writer.jsonl

Split: articles of at least MIN_WORDS words, shuffled with SPLIT_SEED; the first N_DOCS of the
shuffle are the set. The 30 articles of the older tuning/test references (models/summarize/dev)
were used for choices of the hand-tuned summarizer, so they never go to test. Test is the first
N_TEST other documents of the shuffle, dev the next N_DEV, train the rest.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFS = ROOT / "models" / "summarize" / "refs"
LEGACY = ROOT / "models" / "summarize" / "dev"
MIN_WORDS = 120
N_DOCS = 210
N_TEST = 60
N_DEV = 30
N_SECOND = 25
SPLIT_SEED = 20261205
MIN_REF_WORDS, MAX_REF_WORDS = 40, 70
SHARED_RUN = 13  # a run of this many words shared with the article is a copied clause
WRITERS = 7


def log(msg: str) -> None:
    print(msg, file=sys.stderr)


def load_texts(docs: Path) -> dict[str, str]:
    texts = {}
    for path in sorted(docs.glob("lee_bg_*.txt")):
        texts[path.stem] = path.read_text(encoding="utf-8").strip()
    if len(texts) != 300:
        sys.exit(f"{docs}: expected the 300 articles of lee_background.cor, found {len(texts)}")
    return texts


def corpus_digest(texts: dict[str, str]) -> str:
    h = hashlib.sha256()
    for doc in sorted(texts):
        h.update(doc.encode())
        h.update(b"\0")
        h.update(texts[doc].encode())
        h.update(b"\0")
    return h.hexdigest()


def legacy_ids() -> set[str]:
    out = set()
    for path in LEGACY.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.add(json.loads(line)["doc"])
    return out


def words(s: str) -> list[str]:
    return s.split()


def norm_words(s: str) -> list[str]:
    return [w for w in re.sub(r"[^\w$%.,']+", " ", s.lower()).replace(",", " ").split() if w]


def sentences(s: str) -> list[str]:
    # Reference summaries are plain prose: a sentence ends at . ! or ? followed by a space and
    # a capital letter or a quotation mark, or at the end.
    parts = re.split(r"(?<=[.!?])[\"'”’]?\s+(?=[A-Z\"“‘'])", s.strip())
    return [p for p in parts if p.strip()]


def longest_shared_run(summary: str, article: str) -> int:
    a = norm_words(article)
    grams: dict[int, set[tuple[str, ...]]] = {}
    s = norm_words(summary)

    def has(n: int) -> bool:
        if n not in grams:
            grams[n] = {tuple(a[i : i + n]) for i in range(len(a) - n + 1)}
        return any(tuple(s[i : i + n]) in grams[n] for i in range(len(s) - n + 1))

    lo, hi = 0, len(s)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if has(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def read_split() -> dict:
    path = REFS / "split.json"
    if not path.exists():
        sys.exit(f"{path} does not exist: run `refs.py split` first")
    return json.loads(path.read_text(encoding="utf-8"))


def cmd_split(args) -> None:
    texts = load_texts(args.docs)
    path = REFS / "split.json"
    if path.exists() and not args.force:
        sys.exit(f"{path} exists: the split is fixed (use --force only before any reference exists)")
    eligible = sorted(d for d, t in texts.items() if len(words(t)) >= MIN_WORDS)
    rng = random.Random(SPLIT_SEED)
    rng.shuffle(eligible)
    chosen = eligible[:N_DOCS]
    legacy = legacy_ids()
    not_legacy = [d for d in chosen if d not in legacy]
    test = not_legacy[:N_TEST]
    dev = not_legacy[N_TEST : N_TEST + N_DEV]
    train = [d for d in chosen if d not in set(test) | set(dev)]
    second = sorted(rng.sample(test, N_SECOND))
    split = {
        "source": "gensim 4.4.0 lee_background.cor (Latin-1), articles by 0-based line number",
        "corpus_sha256": corpus_digest(texts),
        "min_words": MIN_WORDS,
        "seed": SPLIT_SEED,
        "train": sorted(train),
        "dev": sorted(dev),
        "test": sorted(test),
        "second_writer": second,
    }
    REFS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(split, indent=1) + "\n", encoding="utf-8")
    log(f"{len(eligible)} eligible articles; train {len(train)}, dev {len(dev)}, test {len(test)}, "
        f"second writer {len(second)} (test); legacy references in the set: "
        f"{len(set(chosen) & legacy)}")


def cmd_batches(args) -> None:
    split = read_split()
    docs = sorted(split["train"] + split["dev"] + split["test"])
    rng = random.Random(SPLIT_SEED + 1)
    rng.shuffle(docs)
    for w in range(WRITERS):
        batch = sorted(docs[w::WRITERS])
        print(f"W{w + 1}\t{len(batch)}\t{' '.join(batch)}")
    print(f"S1\t{len(split['second_writer'])}\t{' '.join(split['second_writer'])}")


def read_records(paths: list[Path]) -> list[tuple[str, int, dict]]:
    out = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                out.append((str(path), n, {"_error": f"not JSON: {e}"}))
                continue
            out.append((str(path), n, rec))
    return out


def check_records(records, texts: dict[str, str], in_set: set[str]) -> tuple[int, int]:
    errors = warnings = 0
    seen: set[tuple[str, str]] = set()
    for path, n, rec in records:
        where = f"{path}:{n}"

        def err(msg: str) -> None:
            nonlocal errors
            errors += 1
            log(f"error {where}: {msg}")

        if "_error" in rec:
            err(rec["_error"])
            continue
        missing = [k for k in ("doc", "line", "writer", "summary") if k not in rec]
        if missing:
            err(f"missing field(s) {missing}")
            continue
        doc, summary = rec["doc"], rec["summary"]
        if doc not in texts:
            err(f"{doc}: no such article")
            continue
        if rec["line"] != int(doc.rsplit("_", 1)[1]):
            err(f"{doc}: line {rec['line']} does not match the id")
        if doc not in in_set:
            err(f"{doc}: not in the reference set (split.json)")
        key = (doc, rec["writer"])
        if key in seen:
            err(f"{doc}: writer {rec['writer']} has two records")
        seen.add(key)
        n_words = len(words(summary))
        if not MIN_REF_WORDS <= n_words <= MAX_REF_WORDS:
            err(f"{doc}: {n_words} words (guideline: {MIN_REF_WORDS}-{MAX_REF_WORDS})")
        n_sent = len(sentences(summary))
        if not 2 <= n_sent <= 3:
            err(f"{doc}: {n_sent} sentences (guideline: 2-3)")
        run = longest_shared_run(summary, texts[doc])
        if run >= SHARED_RUN:
            err(f"{doc}: shares a run of {run} words with the article (copied clause)")
        if summary.count('"') % 2 or summary.count("“") != summary.count("”"):
            err(f"{doc}: a quotation mark is left open")
        if "\n" in summary:
            err(f"{doc}: line break inside the summary")
    return errors, warnings


def cmd_check(args) -> None:
    texts = load_texts(args.docs)
    split = read_split()
    in_set = set(split["train"] + split["dev"] + split["test"])
    records = read_records(args.files)
    errors, warnings = check_records(records, texts, in_set)
    log(f"{len(records)} records, {errors} errors, {warnings} warnings")
    if errors:
        sys.exit(1)


def shingles(text: str) -> set[tuple[str, ...]]:
    w = text.lower().split()
    return {tuple(w[i : i + 5]) for i in range(len(w) - 4)}


def duplicates_of(docs: list[str], held: list[str], texts: dict[str, str]) -> dict[str, str]:
    """Documents of `docs` whose text is (nearly) that of a document of `held`: more than half
    of the shorter one's word 5-grams are shared. lee_background.cor repeats some articles
    (same story, other line); a repeat across splits would leak the held-out one."""
    held_sh = {d: shingles(texts[d]) for d in held}
    out = {}
    for d in docs:
        a = shingles(texts[d])
        for h, b in held_sh.items():
            if a and b and len(a & b) / min(len(a), len(b)) > 0.5:
                out[d] = h
                break
    return out


def cmd_merge(args) -> None:
    texts = load_texts(args.docs)
    split = read_split()
    if split["corpus_sha256"] != corpus_digest(texts):
        sys.exit("the articles differ from the ones the split was made on")
    in_set = set(split["train"] + split["dev"] + split["test"])
    first = read_records(sorted((REFS / "writers").glob("W*.jsonl")))
    second = read_records(sorted((REFS / "writers").glob("S*.jsonl")))
    errors, _ = check_records(first + second, texts, in_set)
    if errors:
        sys.exit(f"{errors} errors: fix the records first")
    by_doc: dict[str, dict] = {}
    for _, _, rec in first:  # W1 before W8: the writer first assigned to a document wins
        by_doc.setdefault(rec["doc"], rec)
    missing = sorted(in_set - by_doc.keys())
    if missing:
        sys.exit(f"{len(missing)} documents have no first-writer reference: {missing[:10]}")
    # Repeated articles: a train document that repeats a dev or test one, or a dev document
    # that repeats a test one, is left out of its split (its reference stays in writers/).
    dropped = duplicates_of(split["train"], split["dev"] + split["test"], texts)
    dropped.update(duplicates_of(split["dev"], split["test"], texts))
    for d, h in sorted(dropped.items()):
        log(f"{d} repeats {h}: left out of {'train' if d in split['train'] else 'dev'}")
    for name in ("train", "dev", "test"):
        with open(REFS / f"{name}.jsonl", "w", encoding="utf-8") as f:
            for doc in split[name]:
                if doc in dropped:
                    continue
                rec = by_doc[doc]
                f.write(json.dumps({"doc": doc, "summary": rec["summary"], "writer": rec["writer"]},
                                   ensure_ascii=False) + "\n")
    # Second writers: S1 on the sampled test documents (the human ceiling on test), and any
    # further independent pass (S2, S3: a first writer's documents written again by others,
    # who never saw the first writer's records), for the agreement over more documents.
    seconds: dict[str, dict] = {}
    for _, _, rec in second:
        seconds.setdefault(rec["doc"], rec)
    missing = [d for d in split["second_writer"] if d not in seconds]
    if missing:
        sys.exit(f"no second-writer reference for {missing}")
    with open(REFS / "second-writer.jsonl", "w", encoding="utf-8") as f:
        for doc in sorted(seconds):
            rec = seconds[doc]
            f.write(json.dumps({"doc": doc, "summary": rec["summary"], "writer": rec["writer"]},
                               ensure_ascii=False) + "\n")
    n_train = len([d for d in split["train"] if d not in dropped])
    n_dev = len([d for d in split["dev"] if d not in dropped])
    log(f"wrote train {n_train}, dev {n_dev}, test {len(split['test'])}, "
        f"second writers {len(seconds)}; {len(dropped)} repeated articles left out")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, fn in (("split", cmd_split), ("batches", cmd_batches), ("check", cmd_check),
                     ("merge", cmd_merge)):
        p = sub.add_parser(name)
        p.add_argument("--docs", type=Path, required=name != "batches",
                       help="folder of lee_bg_NNN.txt (models/summarize/dev/fetch-lee-background.sh)")
        if name == "check":
            p.add_argument("files", type=Path, nargs="+")
        if name == "split":
            p.add_argument("--force", action="store_true")
        p.set_defaults(fn=fn)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
