#!/usr/bin/env python3
"""Hand annotations (CoNLL-2003 guidelines: PER, ORG, LOC, MISC) of the 10 lee_background
documents that scripts/ner/prepare.py holds out of training and tuning (gold-ids.txt).

The annotations are written here as the mentions of each document in text order; this script
finds their char offsets in the prepared texts and writes the evaluation JSONL

    {"doc": id, "entities": [{"start": char, "end": char, "label": "PER"}, ...]}

    python3 scripts/ner/gold.py --docs ~/.cache/lede/ner-data/docs \
        --out models/lede-ner-minilm/eval/gold-lee-background.jsonl

Guidelines followed: titles and honorifics are outside PER ("Mr Downer" -> "Downer"); a
possessive 's is outside the name; nationalities and religions (Israeli, Islamic) are MISC;
facilities and places are LOC; dates, times and amounts are not entities; an acronym in
brackets is its own mention. The script also lists every other occurrence of an annotated
string that was left unannotated, so omissions show.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hand import bounded, find  # noqa: E402 (scripts/ner/hand.py)

GOLD: dict[str, list[tuple[str, str]]] = {
    "lee_bg_0140": [
        ("Osama bin Laden", "PER"), ("United States", "LOC"), ("Pentagon", "ORG"),
        ("bin Laden", "PER"), ("World Trade Center", "LOC"), ("New York", "LOC"),
        ("World Trade Center", "LOC"), ("English", "MISC"), ("Arabic", "MISC"),
        ("bin Laden", "PER"), ("Kandahar", "LOC"), ("Pentagon", "ORG"), ("bin Laden", "PER"),
        ("Ahmad Abu-al-(Khair)", "PER"), ("World Trade Center", "LOC"),
        ("World Trade Center", "LOC"),
    ],
    "lee_bg_0180": [
        ("Australia", "LOC"), ("Nauru", "LOC"), ("Nauru", "LOC"), ("Australia", "LOC"),
        ("Pacific", "MISC"), ("Alexander Downer", "PER"), ("Nauru", "LOC"),
        ("Rene Harris", "PER"), ("Downer", "PER"), ("Nauru", "LOC"),
    ],
    "lee_bg_0213": [
        ("Swiss", "MISC"), ("Markus Gerber", "PER"), ("Saxet", "LOC"), ("Gerber", "PER"),
        ("Gerber", "PER"), ("Australians", "MISC"), ("Adventure World", "ORG"),
        ("Gerber", "PER"), ("Adventure World", "ORG"), ("Peter Balmer", "PER"),
        ("Balmer", "PER"), ("Saxetbach", "LOC"), ("Balmer", "PER"), ("Gerber", "PER"),
        ("Adventure World", "ORG"),
    ],
    "lee_bg_0221": [
        ("Reserve Bank", "ORG"), ("Ian Macfarlane", "PER"), ("Australia", "LOC"),
        ("United States", "LOC"), ("Macfarlane", "PER"), ("Sydney", "LOC"),
        ("Australia", "LOC"), ("United States", "LOC"), ("Reserve Bank", "ORG"),
        ("Macfarlane", "PER"), ("Australian", "MISC"),
    ],
    "lee_bg_0237": [
        ("Australian Competition and Consumer Commission", "ORG"), ("ACCC", "ORG"),
        ("Australian Consumers Association", "ORG"), ("ACA", "ORG"), ("Reserve Bank", "ORG"),
        ("Katherine Wolthuizen", "PER"), ("Reserve Bank", "ORG"), ("Wolthuizen", "PER"),
    ],
    "lee_bg_0250": [
        ("Israel", "LOC"), ("West Bank", "LOC"), ("Gaza", "LOC"), ("Yasser Arafat", "PER"),
        ("Ariel Sharon", "PER"), ("Israeli", "MISC"), ("F-16", "MISC"), ("Gaza City", "LOC"),
        ("Apache", "MISC"), ("Palestinian", "MISC"), ("Khan Yunis", "LOC"),
        ("Gaza Strip", "LOC"), ("West Bank", "LOC"), ("Salfit", "LOC"), ("Tulkarem", "LOC"),
        ("Arafat", "PER"), ("Ramallah", "LOC"), ("Palestinian", "MISC"), ("Israeli", "MISC"),
        ("Ron Kitrey", "PER"), ("Arafat", "PER"), ("Gaza", "LOC"), ("Palestinian", "MISC"),
        ("Israel", "LOC"), ("Shimon Peres", "PER"), ("Israeli", "MISC"),
        ("Palestinian", "MISC"), ("Sharon", "PER"), ("Arafat", "PER"), ("Islamic", "MISC"),
        ("Israelis", "MISC"), ("Arafat", "PER"), ("Arafat", "PER"), ("Gaza City", "LOC"),
        ("Gaza", "LOC"), ("Arafat", "PER"), ("Palestinian", "MISC"), ("Sharon", "PER"),
        ("Arafat", "PER"), ("Palestinian Authority", "ORG"), ("Arafat", "PER"),
        ("CNN", "ORG"), ("Sharon", "PER"), ("Palestinian", "MISC"), ("French", "MISC"),
        ("Hubert Vedrine", "PER"), ("Israel", "LOC"), ("Arafat", "PER"), ("Arafat", "PER"),
        ("Israeli", "MISC"), ("Britain", "LOC"), ("Tony Blair", "PER"), ("US", "LOC"),
        ("George W Bush", "PER"), ("Israel", "LOC"), ("Sharon", "PER"), ("Peres", "PER"),
        ("Palestinian Authority", "ORG"), ("Israeli", "MISC"), ("Palestinian", "MISC"),
        ("Islamic", "MISC"), ("Hamas", "ORG"), ("Jerusalem", "LOC"), ("Haifa", "LOC"),
        ("Sharon", "PER"), ("Gaza City", "LOC"), ("Jenin", "LOC"), ("West Bank", "LOC"),
        ("Arafat", "PER"), ("Middle East", "LOC"), ("Peres", "PER"), ("Sharon", "PER"),
        ("Israeli", "MISC"), ("Peres", "PER"), ("Labour Party", "ORG"), ("Sharon", "PER"),
        ("Arafat", "PER"), ("Palestinian", "MISC"), ("Saeb Erakat", "PER"),
        ("Sharon", "PER"), ("United States", "LOC"), ("Europe", "LOC"), ("Sharon", "PER"),
    ],
    "lee_bg_0272": [
        ("Sydney", "LOC"), ("State Emergency Service", "ORG"), ("SES", "ORG"),
        ("Sydney", "LOC"), ("Hornsby Heights", "LOC"), ("New South Wales", "LOC"),
        ("Bob Debus", "PER"), ("Campbeltown", "LOC"), ("Hornsby", "LOC"),
        ("Warringah", "LOC"), ("Kurringai", "LOC"), ("Debus", "PER"),
        ("Energy Australia", "ORG"), ("Energy Australia", "ORG"), ("Peter Leete", "PER"),
        ("Sydney", "LOC"), ("Hornsby", "LOC"), ("St Ives", "LOC"), ("Turramurra", "LOC"),
        ("Frenches Forest", "LOC"), ("Leete", "PER"), ("SES", "ORG"), ("SES", "ORG"),
        ("Laura Goodin", "PER"), ("SES", "ORG"), ("Goodin", "PER"), ("Sydney", "LOC"),
        ("Hunter", "LOC"), ("Tamworth", "LOC"), ("Gunnedah", "LOC"), ("Quirindi", "LOC"),
    ],
    "lee_bg_0279": [
        ("Australian", "MISC"), ("ANZ Bank", "ORG"), ("ANZ", "ORG"), ("Saul Eslake", "PER"),
        ("Olivier Recruitment Group", "ORG"), ("Olivier Internet Job Index", "MISC"),
        ("Robert Olivier", "PER"), ("Australia", "LOC"),
    ],
    "lee_bg_0291": [
        ("Victorian State Government", "ORG"), ("Yallourn Energy", "ORG"),
        ("Yallourn Power station", "LOC"), ("Victoria", "LOC"), ("Yallourn Energy", "ORG"),
        ("Industrial Relations Commission", "ORG"), ("Victoria", "LOC"),
        ("Monica Gould", "PER"),
    ],
    "lee_bg_0295": [
        ("Australian", "MISC"), ("Israeli", "MISC"), ("US", "LOC"), ("George W Bush", "PER"),
        ("Americans", "MISC"), ("Massachusetts", "LOC"), ("Advance Cell Technologies", "ORG"),
        ("US", "LOC"), ("Bush", "PER"), ("Australian-Israeli", "MISC"),
    ],
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=Path, default=Path.home() / ".cache/lede/ner-data/docs")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    lines = []
    problems = 0
    for doc, mentions in GOLD.items():
        text = (args.docs / f"{doc}.txt").read_text(encoding="utf-8")
        pos = 0
        ents = []
        for surface, label in mentions:
            i = find(text, surface, pos)
            if i < 0:
                print(f"{doc}: {surface!r} not found after char {pos}", file=sys.stderr)
                problems += 1
                continue
            ents.append({"start": i, "end": i + len(surface), "label": label})
            pos = i + len(surface)
        covered = {(e["start"], e["end"]) for e in ents}
        for surface in sorted({s for s, _ in mentions}):
            for m in re.finditer(re.escape(surface), text):
                s, e = m.start(), m.end()
                if bounded(text, s, e) and not any(a <= s and e <= b for a, b in covered):
                    print(f"{doc}: unannotated {surface!r} at {s}: ...{text[max(0, s - 30):e + 30]!r}",
                          file=sys.stderr)
        lines.append(json.dumps({"doc": doc, "entities": ents}))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    n = sum(len(v) for v in GOLD.values())
    print(f"wrote {args.out}: {len(GOLD)} documents, {n} mentions", file=sys.stderr)
    if problems:
        raise SystemExit(f"{problems} mentions not found")


if __name__ == "__main__":
    main()
