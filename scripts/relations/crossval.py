#!/usr/bin/env python3
"""Cross-validation of `lede train relations` settings over the train and dev splits.

The 30 dev articles (100 relations) are too few to tell two settings apart; this pools the
240 train and dev articles (never the test split), shuffles them with a fixed seed into 8
groups of 30 and, for folds 0-3, trains on six groups, gives the trainer the next group as its
dev split and scores the fold's own group, which no choice of that run saw. The labelled
counts of the four scored groups are summed.

    python3 scripts/relations/crossval.py --docs /tmp/relkit --name base
    python3 scripts/relations/crossval.py --docs /tmp/relkit --name f0 -- --threshold-folds 0

Arguments after `--` go to `lede train relations`. Needs a release build (`--lede`).
"""

import argparse
import json
import os
import random
import subprocess
import sys

GROUPS = 8
FOLDS = 4
SEED = 7


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", required=True, help="documents (scripts/relations/corpus.py kit)")
    ap.add_argument("--corpus", default="models/relations/corpus")
    ap.add_argument("--lede", default="target/release/lede")
    ap.add_argument("--work", default="/tmp/lede-relations-cv")
    ap.add_argument("--name", default="run", help="name of this setting (output folder)")
    ap.add_argument("--empty-dev", action="store_true",
                    help="merge the dev group into training and give the trainer no dev split")
    ap.add_argument("--train-groups", type=int, default=GROUPS - 2,
                    help="train on this many of the six other groups (a learning curve)")
    ap.add_argument("train_args", nargs="*", help="after --: options of lede train relations")
    a = ap.parse_args()

    lines = []
    for split in ("train", "dev"):
        with open(os.path.join(a.corpus, f"{split}.jsonl"), encoding="utf-8") as f:
            lines += [l for l in f if l.strip()]
    lines.sort(key=lambda l: json.loads(l)["doc"])
    random.Random(SEED).shuffle(lines)
    groups = [lines[i::GROUPS] for i in range(GROUPS)]

    total = [0, 0, 0]
    for k in range(FOLDS):
        fold = os.path.join(a.work, a.name, f"corpus{k}")
        os.makedirs(fold, exist_ok=True)
        dev = (k + 1) % GROUPS
        # The groups after the fold's own and its dev group, the nearest first; taken in the
        # groups' own order, so that all six give the same rows as before --train-groups.
        others = [(k + 2 + i) % GROUPS for i in range(GROUPS - 2)]
        train = [l for j in sorted(others[:a.train_groups]) for l in groups[j]]
        dev_lines = groups[dev]
        if a.empty_dev:
            train, dev_lines = train + dev_lines, []
        for name, ls in (("train", train), ("dev", dev_lines), ("eval", groups[k])):
            with open(os.path.join(fold, f"{name}.jsonl"), "w", encoding="utf-8") as f:
                f.write("".join(ls))
        out = os.path.join(a.work, a.name, f"fold{k}")
        trained = subprocess.run([a.lede, "train", "relations", "--corpus", fold, "--docs",
                                  a.docs, "--out", out, "--quiet", *a.train_args],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if trained.returncode != 0:
            sys.stderr.write(trained.stderr)
            print(f"fold {k}: lede train relations failed", file=sys.stderr)
            return 1
        res = subprocess.run([a.lede, "eval", "relations", "--corpus",
                              os.path.join(fold, "eval.jsonl"), "--docs", a.docs,
                              "--classifier", out, "--quiet", "--json"],
                             check=True, capture_output=True, text=True)
        c = json.loads(res.stdout)["labelled"]
        counts = [c["true_positives"], c["false_positives"], c["false_negatives"]]
        total = [x + y for x, y in zip(total, counts)]
        print(f"fold {k}: tp {counts[0]} fp {counts[1]} fn {counts[2]}", file=sys.stderr)
    tp, fp, fn = total
    p = tp / max(1, tp + fp)
    r = tp / max(1, tp + fn)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"{a.name}: P {p:.3f} R {r:.3f} F1 {f1:.3f} (tp {tp} fp {fp} fn {fn})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
