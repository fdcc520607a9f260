#!/usr/bin/env python3
"""Helpers of integrations/spark/test-local.sh (standard library only).

  check.py prepare --docs DIR --out FILE    # lee_background articles as JSON Lines, plus two bad lines
  check.py compare --input FILE --direct FILE --spark DIR
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import sys

BAD_LINES = ['{"id": "broken", "text": ', '{"id": "empty", "text": ""}']


def cmd_prepare(args) -> None:
    paths = sorted(glob.glob(os.path.join(args.docs, "lee_bg_*.txt")))
    if len(paths) != 300:
        sys.exit(f"{args.docs}: expected the 300 articles of lee_background.cor, found {len(paths)}")
    with open(args.out, "w", encoding="utf-8") as f:
        for i, p in enumerate(paths * args.repeat):
            with open(p, encoding="utf-8") as t:
                text = t.read().strip()
            doc_id = os.path.basename(p)[:-4]
            if i >= len(paths):
                doc_id += f"#{i // len(paths) + 1}"
            doc = {"id": doc_id, "text": text}
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
            # Two lines lede must answer with error records, in the middle of the stream.
            if i == 100:
                f.write(BAD_LINES[0] + "\n")
            if i == 200:
                f.write(BAD_LINES[1] + "\n")
    print(f"wrote {len(paths) * args.repeat} articles and {len(BAD_LINES)} bad lines to {args.out}", file=sys.stderr)


def read_jsonl(paths: list[str]) -> list[dict]:
    out = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    try:
                        out.append(json.loads(line))
                    except json.JSONDecodeError as e:
                        sys.exit(f"{p}:{n}: not JSON: {e}")
    return out


def cmd_compare(args) -> None:
    inputs = []
    with open(args.input, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                try:
                    inputs.append(json.loads(line)["id"])
                except (json.JSONDecodeError, KeyError):
                    inputs.append(None)  # a bad line
    good = [i for i in inputs if i is not None and i != "empty"]
    direct = read_jsonl([args.direct])
    parts = sorted(glob.glob(os.path.join(args.spark, "part-*")))
    if not parts or not os.path.exists(os.path.join(args.spark, "_SUCCESS")):
        sys.exit(f"{args.spark}: no part files or no _SUCCESS marker: the Spark job did not finish")
    spark = read_jsonl(parts)
    problems = []
    if len(spark) != len(inputs):
        problems.append(f"Spark wrote {len(spark)} records for {len(inputs)} input lines")
    errors = [r for r in spark if "error" in r]
    analyses = [r for r in spark if "error" not in r]
    if len(errors) != len(inputs) - len(good):
        problems.append(f"{len(errors)} error records, expected {len(inputs) - len(good)}: {errors[:3]}")
    ids = [r["document"]["id"] for r in analyses]
    missing = sorted(set(good) - set(ids))
    extra = sorted(set(ids) - set(good))
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if missing or extra or repeated:
        problems.append(f"ids missing {missing[:5]}, unexpected {extra[:5]}, repeated {repeated[:5]}")
    for r in analyses:
        if not r.get("sentences") or "entities" not in r or "relations" not in r or "summary" not in r:
            problems.append(f"{r['document']['id']}: not a full analysis (keys {sorted(r)})")
            break
    by_id = {r["document"]["id"]: r for r in direct if "error" not in r}
    differ = [r["document"]["id"] for r in analyses if by_id.get(r["document"]["id"]) != r]
    if differ:
        problems.append(f"{len(differ)} analyses differ from the direct run, e.g. {differ[:5]}")
    words = sum(len(r.get("text", "").split()) for r in [])  # kept for symmetry
    del words
    if problems:
        for p in problems:
            print(f"spark check: {p}", file=sys.stderr)
        sys.exit(1)
    print(
        f"spark check: {len(inputs)} input lines -> {len(spark)} records in {len(parts)} part files: "
        f"{len(analyses)} analyses (every id once, all equal to the direct run), {len(errors)} error records",
        file=sys.stderr,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--docs", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--repeat", type=int, default=1, help="each article this many times (ids get #2, #3, ...)")
    p.set_defaults(func=cmd_prepare)
    c = sub.add_parser("compare")
    c.add_argument("--input", required=True)
    c.add_argument("--direct", required=True)
    c.add_argument("--spark", required=True)
    c.set_defaults(func=cmd_compare)
    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
