#!/usr/bin/env python3
"""Run lede over a corpus on Apache Spark: each task streams its partition through one
`lede analyze` worker process (JSON Lines in, JSON Lines out, in order).

    spark-submit --master yarn --archives lede-bundle.tar.gz#lede \\
        integrations/spark/lede_spark.py --input s3://bucket/articles.jsonl \\
        --output s3://bucket/analyses --bundle lede --cores-per-task 2

Input: JSON Lines of documents (`{"id": ..., "text": ..., ...}`, the format `lede analyze
--input-format jsonl` reads) or Parquet with `id` and `text` columns (`--input-format
parquet`). Output: one JSON line per input document, in the input's order within each
partition: lede's analysis, or an error record `{"error": ..., "id": ...}` for a document
lede could not analyse (a malformed line, an empty text). Lines are never dropped: the output
has exactly as many records as the input has non-blank lines. `--output-format parquet`
writes the id, an `ok` flag and the JSON of each record.

The worker contract (docs/SCALING.md): `lede analyze --input-format jsonl --format jsonl -`
loads its models once, reads stdin as it comes, keeps a bounded number of documents in flight
and writes each result as a line, flushed, in input order.

Where lede comes from:
  --bundle NAME   the directory an archive made by `integrations/spark/make-bundle.sh` was
                  unpacked to on the executors (`--archives lede-bundle.tar.gz#NAME`);
                  `NAME/run` is started with the bundle's libraries and models.
  --lede PATH     a lede command already present on every executor (local mode, tests).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from typing import Iterable, Iterator


def worker_command(args: argparse.Namespace) -> list[str]:
    """The lede worker command line for one task."""
    if args.bundle:
        from pyspark import SparkFiles  # noqa: PLC0415 - only on executors

        root = args.bundle if os.path.isabs(args.bundle) else os.path.join(os.getcwd(), args.bundle)
        if not os.path.exists(os.path.join(root, "run")):
            root = os.path.join(SparkFiles.getRootDirectory(), args.bundle)
        exe = [os.path.join(root, "run")]
    else:
        exe = [args.lede]
    cmd = exe + [
        "--quiet",
        "analyze",
        "--input-format", "jsonl",
        "--format", "jsonl",
        "--jobs", str(args.jobs_per_task),
        "--cores", str(args.cores_per_task),
    ]
    if args.tasks:
        cmd += ["--tasks", args.tasks]
    return cmd + ["-"]


def run_partition(lines: Iterable[str], cmd: list[str]) -> Iterator[str]:
    """Streams one partition's documents through a lede worker; yields one line per document."""
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        bufsize=1,
    )
    sent = [0]
    errors: list[str] = []
    failure: list[BaseException] = []

    def feed() -> None:
        try:
            assert proc.stdin is not None
            for line in lines:
                if not line.strip():
                    continue
                proc.stdin.write(line.rstrip("\n") + "\n")
                sent[0] += 1
        except BaseException as e:  # noqa: BLE001 - reported below, after the output
            failure.append(e)
        finally:
            try:
                proc.stdin.close()
            except OSError:
                pass

    def drain_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if len(errors) < 50:
                errors.append(line.rstrip())

    feeder = threading.Thread(target=feed, daemon=True)
    logger = threading.Thread(target=drain_stderr, daemon=True)
    feeder.start()
    logger.start()
    received = 0
    assert proc.stdout is not None
    for out in proc.stdout:
        received += 1
        yield out.rstrip("\n")
    feeder.join()
    code = proc.wait()
    logger.join()
    if failure:
        raise RuntimeError(f"feeding the lede worker failed: {failure[0]!r}")
    # Exit 0: all analysed; 1: some documents failed (their error records are in the output).
    if code not in (0, 1) or received != sent[0]:
        raise RuntimeError(
            f"lede worker {' '.join(cmd)} exited with {code} after {received} of {sent[0]} "
            f"documents; its stderr: " + " | ".join(errors[-10:])
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", required=True, help="JSON Lines file(s) or directory, or Parquet")
    ap.add_argument("--output", required=True, help="output directory (Spark writes part files)")
    ap.add_argument("--input-format", choices=["jsonl", "parquet"], default="jsonl")
    ap.add_argument("--output-format", choices=["jsonl", "parquet"], default="jsonl")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--bundle", help="name of the unpacked lede bundle (--archives ...#NAME)")
    src.add_argument("--lede", help="a lede command present on every executor")
    ap.add_argument("--partitions", type=int, default=0,
                    help="partitions of the input (default: Spark's default parallelism)")
    ap.add_argument("--cores-per-task", type=int, default=1,
                    help="cores each lede worker may use; set spark.task.cpus to the same "
                         "(libtorch threads x workers never exceed it) [default: 1]")
    ap.add_argument("--jobs-per-task", type=int, default=1,
                    help="model instances per lede worker (at most --cores-per-task) [default: 1]")
    ap.add_argument("--tasks", default="", help="lede tasks (default: lede's: all)")
    args = ap.parse_args(argv)
    if args.jobs_per_task > args.cores_per_task:
        ap.error("--jobs-per-task cannot exceed --cores-per-task")

    from pyspark.sql import SparkSession  # noqa: PLC0415

    spark = SparkSession.builder.appName("lede").getOrCreate()
    sc = spark.sparkContext
    if args.input_format == "jsonl":
        rdd = sc.textFile(args.input)
    else:
        df = spark.read.parquet(args.input).select("id", "text")
        rdd = df.rdd.map(lambda r: json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False))
    if args.partitions > 0:
        rdd = rdd.repartition(args.partitions) if rdd.getNumPartitions() < args.partitions else rdd.coalesce(args.partitions)
    cmd_args = args
    out = rdd.mapPartitions(lambda lines: run_partition(lines, worker_command(cmd_args)))
    started = time.monotonic()
    if args.output_format == "jsonl":
        out.saveAsTextFile(args.output)
    else:
        def row(line: str):
            rec = json.loads(line)
            ok = "error" not in rec
            rid = rec["document"]["id"] if ok else rec.get("id", "")
            return (rid, ok, line)

        spark.createDataFrame(out.map(row), ["id", "ok", "json"]).write.parquet(args.output)
    print(f"lede_spark: job done in {time.monotonic() - started:.1f} s "
          f"({rdd.getNumPartitions()} partitions)", file=sys.stderr)
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
