"""AlexNet and VGG on the xcvu13p with their weights on chip, in block RAM and UltraRAM:
the search's design per budget (modelled), and the chosen design co-simulated bit-exact on
random images through the weight port (plain and with stalls).

    .venv/bin/python bench/bench_large_uram.py [--models alexnet,vgg11] [--images 4]
        [--budgets device,lut=0.1] [--simulate lut=0.1] [--workers 2]

For each model (T6 W6, random weights) and budget: the search on the xcvu13p (weights
placed in LUTs, block RAM or UltraRAM as it decides; none external) and its modelled
latency, interval and resources against E3NE's cycles (anchors/e3ne.json). The budget
named by --simulate is compiled (``run_compile`` with the search's folds), its weight image
streamed into s_axis_weights by the bench, and ``e3ne verify --images N --stalls
--workers K`` run on it: mismatches, simulated latency against the cycle model.
Writes bench/results/large_uram.json. Slow (VGG-11: minutes per image): not part of CI.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from e3ne_common import LARGE_BUDGETS, ZOO_OPTS, placements, provenance  # noqa: E402

from e3ne.dse.search import search  # noqa: E402
from e3ne.jobs import ConvertOptions, log, run_compile, run_convert, run_verify  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "large_uram.json"
ANCHOR = Path(os.environ.get("E3NE_ANCHOR", Path(__file__).resolve().parents[2] / "shared"
                             / "anchors" / "e3ne.json"))
DEVICE = "xcvu13p"


def _e3ne_cycles(model: str) -> int | None:
    if not ANCHOR.is_file():
        return None
    return json.loads(ANCHOR.read_text())["models"].get(model, {}).get("cycles")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="alexnet,vgg11")
    ap.add_argument("--budgets", default="device,lut=0.1")
    ap.add_argument("--simulate", default="lut=0.1", help="the budget whose design is "
                    "co-simulated ('' for none)")
    ap.add_argument("--sim-models", default=None, help="the models whose design is "
                    "co-simulated (default: all of --models)")
    ap.add_argument("--reuse", action="store_true", help="keep a verify.json already in the "
                    "design directory when the compile rewrites rtl/ byte for byte and it "
                    "covers --images with stalls (an interrupted run's simulation)")
    ap.add_argument("--images", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default="out/bench_large_uram")
    args = ap.parse_args()
    rows = _earlier_rows()
    commit = provenance("bench_large_uram.py")["commit"] or None
    for model in args.models.split(","):
        opts = ConvertOptions(model=model, **ZOO_OPTS.get(model, {}))
        d = Path(args.out) / model
        log(f"{model}: converting (random weights)")
        net = run_convert(opts, d).net
        e3 = _e3ne_cycles(model)
        earlier = next((r["budgets"] for r in rows if r["model"] == model), {})
        row: dict = {"model": model, "device": DEVICE, "T": net.T, "W": net.W,
                     "e3ne_cycles": e3, "budgets": dict(earlier)}
        for name in args.budgets.split(","):
            found = search(net, DEVICE, LARGE_BUDGETS.get(name, name) or None, "latency", None)
            c, r = found.chosen, found.chosen.resources
            placed = placements(c.folds)
            row["budgets"][name] = {
                "budget": found.budget, "search_seconds": round(found.seconds, 1),
                "modelled": {"latency_cycles": c.latency, "interval_cycles": c.interval,
                             "LUT_total": r.lut_total, "FF": r.FF, "BRAM36_equiv": r.bram,
                             "URAM": r.URAM},
                "weights_placed": placed,
                "e3ne_cycles_over_our_latency": round(e3 / c.latency, 1) if e3 else None,
                "folds": {k: vars(f) for k, f in c.folds.items()}, "commit": commit}
            log(f"{model} {name}: latency {c.latency:,}, interval {c.interval:,}, "
                f"{r.lut_total:,} LUT, {r.bram:g} BRAM36, {r.URAM} URAM (modelled); {placed}")
            sim_models = (args.sim_models or args.models).split(",")
            if name != args.simulate or model not in sim_models:
                continue
            fold_file = Path(args.out) / f"{model}-{name}-folds.json"
            fold_file.write_text(json.dumps(row["budgets"][name]["folds"], indent=1) + "\n")
            before = _rtl_digest(d)
            t0 = time.perf_counter()
            res = run_compile(opts, d, fold_file=str(fold_file), device=DEVICE)
            compile_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            old = _reusable(d, args.images) if args.reuse and before == _rtl_digest(d) else None
            doc = old or run_verify(d, images=args.images, stalls=True, workers=args.workers)
            sim = {"images": args.images, "mismatches": doc["mismatches"],
                   "runs": doc["runs"], "weight_port": res.plan.weight_port and {
                       k: v for k, v in res.plan.weight_port.items() if k != "loads"},
                   "compile_seconds": round(compile_s, 1),
                   "verify_seconds": round(time.perf_counter() - t0, 1),
                   "modelled_latency_cycles": res.estimate["cycles"]["latency"],
                   "reused": bool(old),
                   "how": "simulated (Verilator), random images, weights streamed into "
                          "s_axis_weights by the bench (top_tb E3NE_WEIGHT_PORT); e3ne "
                          f"verify --images {args.images} --stalls --workers {args.workers}"}
            if old:
                sim["verify_seconds"] = None
                sim["how"] += ("; verify.json of an earlier run of this bench on the same "
                               "design (rtl/ rewritten byte for byte by this run's compile)")
            row["budgets"][name]["simulated"] = sim
            log(f"{model} {name}: {doc['mismatches']} mismatches; {doc['runs']}")
        rows = [r for r in rows if r["model"] != model] + [row]
        _write(rows, commit)


def _earlier_rows() -> list[dict]:
    """The results file's earlier rows, each budget with the commit it was run at: a run of
    some models or budgets (a simulation takes hours) keeps the others' figures."""
    try:
        old = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        return []
    return [{**r, "budgets": {k: {**b, "commit": b.get("commit", old.get("commit"))}
                              for k, b in r["budgets"].items()}} for r in old.get("rows", [])]


def _rtl_digest(d: Path) -> str | None:
    import hashlib

    rtl = d / "rtl"
    if not rtl.is_dir():
        return None
    h = hashlib.sha256()
    for p in sorted(rtl.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(rtl).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _reusable(d: Path, images: int) -> dict | None:
    path = d / "verify.json"
    if not path.is_file():
        return None
    doc = json.loads(path.read_text())
    runs = doc.get("runs", [])
    if doc.get("images") != images or len(runs) != 2 or not runs[1].get("stalls"):
        return None
    return doc


def _write(rows: list[dict], commit: str | None) -> None:
    """The results so far (after every model: a long run that stops keeps what it did)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "about": "AlexNet/VGG on the xcvu13p, weights on chip (LUT, block RAM, UltraRAM); "
                 "produced by .venv/bin/python bench/bench_large_uram.py " + " ".join(
                     sys.argv[1:]),
        "commit": commit,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "rows": rows}, indent=1) + "\n")
    log(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
