#!/usr/bin/env python3
"""Run one walkshed coverage or batch as tiles on a Dask cluster, then merge them.

    python3 scripts/distributed/dask_walkshed.py [--scheduler ADDR | --workers N] --tiles NxM \\
        [--walkshed BIN] [--work DIR] [--keep] -- coverage|batch ARGS...

The arguments after `--` are exactly those of the one-machine command, `--out` included. Each
tile `walkshed coverage ARGS --tiles NxM --tile I --out WORK/tile-I` (or `walkshed batch ...`)
is one Dask task; the tasks run the walkshed binary on the workers, and when all are done
`walkshed merge --out OUT WORK/tile-*` runs here and writes exactly the files one run writes.

Without --scheduler a LocalCluster of --workers processes (default 2, one thread each) is
started and stopped. With --scheduler ADDR (tcp://host:8786) the tasks go to that cluster: its
workers need the walkshed binary at the same path (--walkshed) and the inputs, the work folder
and the current folder on shared storage at the same paths (see docs/tiles.md for shipping the
binary and files with the tasks instead).

Prints one line per tile (its wall time) and the merge's, and a JSON line with the timings.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time


def find_walkshed(given: str | None) -> str:
    """The walkshed binary: --walkshed, else `walkshed` on PATH, else this repository's build."""
    if given:
        return os.path.abspath(given)
    on_path = shutil.which("walkshed")
    if on_path:
        return on_path
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    built = os.path.join(repo, "target", "release", "walkshed")
    if os.path.exists(built):
        return built
    sys.exit("error: no walkshed binary: give --walkshed, put it on PATH, or cargo build --release")


# Flags about what a run prints: the tiles run --quiet, the merge prints as asked.
PRINTING = ("-q", "--quiet", "--json", "--timings")


def split_out(args: list[str]) -> tuple[list[str], str, list[str]]:
    """The arguments without --out and the printing flags, the output folder (default
    walkshed-out), and the printing flags."""
    rest, out, printing, k = [], "walkshed-out", [], 0
    while k < len(args):
        a = args[k]
        if a == "--out" and k + 1 < len(args):
            out, k = args[k + 1], k + 2
            continue
        if a.startswith("--out="):
            out = a[len("--out="):]
        elif a in PRINTING:
            printing.append(a)
        else:
            rest.append(a)
        k += 1
    return rest, out, printing


def run_tile(command: list[str], cwd: str) -> dict:
    """One Dask task: run one tile with the walkshed binary; its wall time and output."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    return {
        "command": command,
        "returncode": done.returncode,
        "stderr": done.stderr[-4000:],
        "seconds": time.perf_counter() - start,
        "host": os.uname().nodename,
    }


def main() -> int:
    if "--" not in sys.argv[1:]:
        sys.exit("usage: dask_walkshed.py [--scheduler ADDR | --workers N] --tiles NxM -- "
                 "coverage|batch ARGS...")
    cut = sys.argv.index("--")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", help="address of a running Dask scheduler")
    where.add_argument("--workers", type=int, default=2,
                       help="processes of the LocalCluster started when no scheduler is given")
    parser.add_argument("--tiles", required=True, help="NxM: columns x rows")
    parser.add_argument("--walkshed", help="the walkshed binary (same path on every worker)")
    parser.add_argument("--work", help="folder for the tile folders (default: OUT.tiles)")
    parser.add_argument("--keep", action="store_true", help="keep the tile folders")
    opts = parser.parse_args(sys.argv[1:cut])
    walkshed_args = sys.argv[cut + 1:]
    if not walkshed_args or walkshed_args[0] not in ("coverage", "batch"):
        sys.exit("error: after -- give `coverage ARGS...` or `batch FILE.toml ARGS...`")
    try:
        columns, rows = (int(v) for v in opts.tiles.lower().split("x"))
        assert columns >= 1 and rows >= 1
    except (ValueError, AssertionError):
        sys.exit(f"error: --tiles expects NxM, e.g. 4x4, found {opts.tiles!r}")

    binary = find_walkshed(opts.walkshed)
    args, out, printing = split_out(walkshed_args)
    work = os.path.abspath(opts.work or out.rstrip("/") + ".tiles")
    os.makedirs(work, exist_ok=True)
    cwd = os.getcwd()
    tiles = [os.path.join(work, f"tile-{i}") for i in range(columns * rows)]
    commands = [[binary, *args, "--tiles", opts.tiles, "--tile", str(i), "--out", tile, "--quiet"]
                for i, tile in enumerate(tiles)]

    from dask.distributed import Client, LocalCluster

    start = time.perf_counter()
    cluster = None
    if opts.scheduler:
        client = Client(opts.scheduler)
    else:
        cluster = LocalCluster(n_workers=opts.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        # One task per tile; pure=False: a tile is run even if an identical one ran before.
        futures = [client.submit(run_tile, c, cwd, pure=False, key=f"walkshed-tile-{i}")
                   for i, c in enumerate(commands)]
        results = client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    tiled = time.perf_counter() - start
    failed = [r for r in results if r["returncode"] != 0]
    for i, r in enumerate(results):
        print(f"tile {i}: {r['seconds']:.2f} s on {r['host']}"
              + ("" if r["returncode"] == 0 else f" FAILED ({r['returncode']})"), file=sys.stderr)
    if failed:
        for r in failed:
            print(f"error: {' '.join(r['command'])}\n{r['stderr']}", file=sys.stderr)
        return 1

    start = time.perf_counter()
    merged = subprocess.run([binary, "merge", *printing, "--out", out, *tiles], cwd=cwd)
    merging = time.perf_counter() - start
    if merged.returncode != 0:
        return merged.returncode
    if not opts.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"tiles": len(tiles), "tiles_seconds": round(tiled, 3),
                      "tile_task_seconds": [round(r["seconds"], 3) for r in results],
                      "merge_seconds": round(merging, 3), "out": out}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
