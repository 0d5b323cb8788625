#!/usr/bin/env python3
"""Run one walkshed coverage or batch as tiles on Spark, then merge them.

    spark-submit scripts/distributed/spark_walkshed.py --tiles NxM [--walkshed BIN] [--work DIR] \\
        [--keep] -- coverage|batch ARGS...
    python3 scripts/distributed/spark_walkshed.py --master local[2] --tiles NxM -- coverage ARGS...

The recipe of dask_walkshed.py on Spark: the tile list is parallelised with one partition per
tile, each partition runs `walkshed coverage ARGS --tiles NxM --tile I --out WORK/tile-I` on an
executor (RDD.map over the tile numbers), the driver collects the results and runs
`walkshed merge --out OUT WORK/tile-*`. Executors need the binary at the same path and the
inputs and work folder on shared storage, as Dask workers do (docs/tiles.md).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dask_walkshed import find_walkshed, split_out  # noqa: E402  (driver-side helpers)


def run_tile(command: list[str], cwd: str) -> dict:
    """One Spark task: run one tile with the walkshed binary (defined here, so that it is
    shipped to the executors by value)."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    return {"command": command, "returncode": done.returncode, "stderr": done.stderr[-4000:],
            "seconds": time.perf_counter() - start}


def main() -> int:
    if "--" not in sys.argv[1:]:
        sys.exit("usage: spark_walkshed.py [--master URL] --tiles NxM -- coverage|batch ARGS...")
    cut = sys.argv.index("--")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--master", help="Spark master (default: spark-submit's, or local[2])")
    parser.add_argument("--tiles", required=True, help="NxM: columns x rows")
    parser.add_argument("--walkshed", help="the walkshed binary (same path on every executor)")
    parser.add_argument("--work", help="folder for the tile folders (default: OUT.tiles)")
    parser.add_argument("--keep", action="store_true", help="keep the tile folders")
    opts = parser.parse_args(sys.argv[1:cut])
    walkshed_args = sys.argv[cut + 1:]
    if not walkshed_args or walkshed_args[0] not in ("coverage", "batch"):
        sys.exit("error: after -- give `coverage ARGS...` or `batch FILE.toml ARGS...`")
    columns, rows = (int(v) for v in opts.tiles.lower().split("x"))
    binary = find_walkshed(opts.walkshed)
    args, out, printing = split_out(walkshed_args)
    work = os.path.abspath(opts.work or out.rstrip("/") + ".tiles")
    os.makedirs(work, exist_ok=True)
    cwd = os.getcwd()
    count = columns * rows
    tiles = [os.path.join(work, f"tile-{i}") for i in range(count)]
    commands = [[binary, *args, "--tiles", opts.tiles, "--tile", str(i), "--out", tile, "--quiet"]
                for i, tile in enumerate(tiles)]

    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("walkshed")
    if opts.master:
        builder = builder.master(opts.master)
    spark = builder.getOrCreate()
    start = time.perf_counter()
    try:
        results = (spark.sparkContext.parallelize(commands, numSlices=count)
                   .map(lambda c: run_tile(c, cwd)).collect())
    finally:
        spark.stop()
    tiled = time.perf_counter() - start
    failed = [r for r in results if r["returncode"] != 0]
    for r in failed:
        print(f"error: {' '.join(r['command'])}\n{r['stderr']}", file=sys.stderr)
    if failed:
        return 1
    start = time.perf_counter()
    merged = subprocess.run([binary, "merge", *printing, "--out", out, *tiles], cwd=cwd)
    if merged.returncode != 0:
        return merged.returncode
    if not opts.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"tiles": count, "tiles_seconds": round(tiled, 3),
                      "merge_seconds": round(time.perf_counter() - start, 3), "out": out}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
