"""Sharded co-simulation benchmark: `e3ne verify` in one process, in K local processes and
on a Dask LocalCluster of K workers; wall-clock times, speed-ups, and whether verify.json
is byte-identical to the one-process run.

    .venv/bin/python bench/bench_verify_workers.py [--model lenet5] [--images 1000]
        [--workers 2] [--repeats 1]

Compiles the model with the default fold (zoo T and W), builds the simulator once (not
timed), then times each way of running `verify --stalls` (a plain and a stalled run).
Medians over --repeats. Writes bench/results/verify_workers.json. Slow: not part of CI.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import time
from pathlib import Path

from e3ne.flow import verify
from e3ne.jobs import ConvertOptions, log, run_compile, run_verify

RESULTS = Path(__file__).resolve().parent / "results" / "verify_workers.json"


def _timed(d: Path, images: int, repeats: int, **kw: object) -> tuple[float, str]:
    times, docs = [], set()
    for _ in range(repeats):
        t0 = time.perf_counter()
        run_verify(d, images=images, stalls=True, **kw)
        times.append(time.perf_counter() - t0)
        docs.add((d / "verify.json").read_text())
    assert len(docs) == 1, "verify.json differs between repeats"
    return statistics.median(times), docs.pop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="lenet5")
    ap.add_argument("--images", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--out", default="out/bench_workers")
    args = ap.parse_args()
    from distributed import LocalCluster

    d = Path(args.out) / args.model
    run_compile(ConvertOptions(model=args.model), d)
    verify.build(d.resolve(), verify.load_plan(d), args.images)
    rows = []
    t1, one = _timed(d, args.images, args.repeats, workers=1)
    rows.append({"how": "one process", "seconds": round(t1, 1), "speedup": 1.0,
                 "identical": True})
    tk, doc = _timed(d, args.images, args.repeats, workers=args.workers)
    rows.append({"how": f"{args.workers} local processes (--workers {args.workers})",
                 "seconds": round(tk, 1), "speedup": round(t1 / tk, 2),
                 "identical": doc == one})
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        td, doc = _timed(d, args.images, args.repeats, scheduler=cluster.scheduler_address)
    rows.append({"how": f"Dask LocalCluster, {args.workers} workers (--scheduler)",
                 "seconds": round(td, 1), "speedup": round(t1 / td, 2),
                 "identical": doc == one})
    verdict = json.loads(one)
    for r in rows:
        log(f"{r['how']}: {r['seconds']} s, {r['speedup']}x, identical={r['identical']}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "command": f"bench/bench_verify_workers.py --model {args.model} --images "
                   f"{args.images} --workers {args.workers} --repeats {args.repeats}",
        "commit": commit, "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "what": "e3ne verify --stalls (a plain and a stalled run), wall clock, simulator "
                "prebuilt; median over repeats",
        "images": args.images, "mismatches": verdict["mismatches"],
        "latency_cycles": verdict["latency_cycles"], "runs": rows}, indent=1) + "\n")
    log(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
