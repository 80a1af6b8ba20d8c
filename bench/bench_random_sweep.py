"""Co-simulation sweep: random networks with random folds, plain and with random stalls.

    .venv/bin/python bench/bench_random_sweep.py [--networks 300] [--first 1000]
        [--images 3] [--out out/bench/sweep] [--projections] [--results FILE]
        [--workers K | --scheduler ADDRESS]

Networks from tests/netgen.py with every kind it draws (non-square and 1-D windows, pools,
an output ReLU, residual adds (identity or projection shortcuts) and concatenations with a
fork's skip:
``random_network(seed, windows=True, residual=True)``),
seeds from ``first`` on, random legal folds and weight placements
(``random_folds``); ``--projections`` keeps only the networks with a projection
shortcut. Each is generated, simulated in Verilator on N random images plain and
with random input gaps and output stalls (``e3ne.flow.verify``), compared beat by beat
with the golden model, and its plain latency compared with the cycle model. Prints one
line per network and a summary; writes bench/results/random_sweep.json (or
``--results``), networks in seed order. ``--workers K`` runs K networks at once in local
processes; ``--scheduler`` on a Dask distributed cluster (tests/netgen.py is uploaded to
its workers; each generates and simulates in its own scratch directory). Slow (about 10 s
a network): not part of CI, whose tests/hw/test_cosim.py runs a few of these seeds.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from netgen import random_folds, random_levels, random_network  # noqa: E402

from e3ne.design.generate import generate  # noqa: E402
from e3ne.dse.cycles import estimate  # noqa: E402
from e3ne.flow import verify  # noqa: E402


def one(seed: int, images: int, out: Path | None) -> dict:
    """Generate, simulate (plain and stalled) and time one network; ``out=None``: a
    scratch directory of this process's machine (a Dask worker's)."""
    out = Path(tempfile.gettempdir()) / "e3ne-sweep" if out is None else out
    net = random_network(seed, windows=True, residual=True)
    folds = random_folds(net, seed)
    d = out / f"net{seed}"
    net.save(d)
    generate(net, folds, d)
    model = estimate(net, folds)
    row = {"seed": seed, "layers": [layer.kind for layer in net.layers],
           "forks": sum(layer.saves for layer in net.layers),
           "projections": sum(getattr(layer, "shortcut", None) is not None
                              for layer in net.layers),
           "model_latency": model.latency}
    levels = random_levels(net, images, seed)
    for stalls in (False, True):
        r = verify.run(d, levels, stalls=stalls, progress=False)
        key = "stalls" if stalls else "plain"
        row[f"{key}_mismatches"] = r.mismatches
        row[f"{key}_latency"] = r.latency_cycles
        if r.mismatches:
            row[f"{key}_first_mismatch"] = str(r.first_mismatch)
    row["model_exact"] = row["plain_latency"] == model.latency
    shutil.rmtree(d, ignore_errors=True)  # keep the disk use flat over hundreds
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--networks", type=int, default=300)
    ap.add_argument("--first", type=int, default=1000)
    ap.add_argument("--images", type=int, default=3)
    ap.add_argument("--out", default="out/bench/sweep")
    ap.add_argument("--projections", action="store_true",
                    help="only networks with a projection shortcut (seeds without one are "
                         "passed over; --networks counts the ones run)")
    ap.add_argument("--results", default=str(ROOT / "bench" / "results" / "random_sweep.json"),
                    help="where the results go")
    ap.add_argument("--workers", type=int, default=1, metavar="K",
                    help="networks run at once in K local processes (default 1)")
    ap.add_argument("--scheduler", metavar="ADDRESS",
                    help="run the networks on the Dask cluster at ADDRESS (tcp://host:port)")
    args = ap.parse_args()
    out = Path(args.out)
    rows: list[dict] = []
    t0 = time.perf_counter()
    res = Path(args.results)
    res.parent.mkdir(parents=True, exist_ok=True)
    for row in _rows(_seeds(args), args, out):
        rows.append(row)
        rows.sort(key=lambda r: r["seed"])
        print(f"[{len(rows)}/{args.networks}] seed {row['seed']}: {len(row['layers'])} "
              f"layers, {row['forks']} residual, mismatches {row['plain_mismatches']}+"
              f"{row['stalls_mismatches']}, latency {row['plain_latency']} "
              f"(model {row['model_latency']}) {time.perf_counter() - t0:.0f} s", flush=True)
        # written after every network, so that a sweep cut short still reports what ran
        res.write_text(json.dumps({"summary": summary(rows, args, t0), "networks": rows},
                                  indent=1) + "\n")
    print(json.dumps(summary(rows, args, t0)))


def _seeds(args: argparse.Namespace) -> list[int]:
    """The seeds to run: from ``--first`` on, with a projection shortcut if asked."""
    seeds, seed = [], args.first - 1
    while len(seeds) < args.networks:
        seed += 1
        if args.projections and not any(
                getattr(layer, "shortcut", None) is not None
                for layer in random_network(seed, windows=True, residual=True).layers):
            continue
        seeds.append(seed)
    return seeds


def _rows(seeds: list[int], args: argparse.Namespace, out: Path):  # noqa: ANN202
    """Each network's row as it finishes: here one after the other, in local processes,
    or on a Dask cluster."""
    if args.scheduler:
        from distributed import Client
        from distributed import as_completed as dask_completed

        with Client(args.scheduler) as client:
            client.upload_file(str(ROOT / "tests" / "netgen.py"))
            jobs = client.map(one, seeds, images=args.images, out=None, pure=False)
            for job in dask_completed(jobs):
                yield job.result()
    elif args.workers > 1:
        with ProcessPoolExecutor(args.workers) as pool:
            jobs = [pool.submit(one, seed, args.images, out) for seed in seeds]
            for job in as_completed(jobs):
                yield job.result()
    else:
        for seed in seeds:
            yield one(seed, args.images, out)


def summary(rows: list[dict], args, t0: float) -> dict:
    return {
        "networks": len(rows), "planned": args.networks,
        "seeds": [rows[0]["seed"], rows[-1]["seed"]] if rows else [],
        "only_projections": args.projections, "images_each": args.images,
        "workers": "dask" if args.scheduler else args.workers,
        "with_forks": sum(r["forks"] > 0 for r in rows),
        "forks": sum(r["forks"] for r in rows),
        "residual_adds": sum(k == "fork" for r in rows for k in r["layers"]) -
        sum(k == "concat" for r in rows for k in r["layers"]),
        "concatenations": sum(k == "concat" for r in rows for k in r["layers"]),
        "projection_shortcuts": sum(r.get("projections", 0) for r in rows),
        "mismatching_networks": sum(bool(r["plain_mismatches"] or r["stalls_mismatches"])
                                    for r in rows),
        "cycle_model_exact": sum(r["model_exact"] for r in rows),
        "seconds": round(time.perf_counter() - t0),
        "how": "Verilator 5.006 co-simulation, plain and with random stalls, against the "
               "golden model; latency of the plain run against e3ne.dse.cycles",
    }


if __name__ == "__main__":
    main()
