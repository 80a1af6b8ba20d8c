"""How right the resource model is: per core (leave-one-out) and on whole designs.

    .venv/bin/python bench/bench_resource_model.py [--designs 8] [--skip-designs]

Part 1 refits the model without each calibration core (dse/calibration.json) and predicts
that core: the honest error on unseen parameters. Part 2 generates whole random networks
(random folds and weight placement), synthesizes each with Yosys (synth_xilinx -flatten
-family xcup, as ``e3ne synth``) and compares with ``e3ne.dse.resources.estimate``.
Writes bench/results/resource_model.json. Part 2 is slow (about a minute per design).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from netgen import random_folds, random_network  # noqa: E402

from e3ne.design.generate import generate  # noqa: E402
from e3ne.dse import resources  # noqa: E402
from e3ne.dse.calibrate import CALIBRATION_FILE  # noqa: E402
from e3ne.flow.yosys import synthesize  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "resource_model.json"


def _err(model: float, measured: float) -> float:
    return (model - measured) / max(measured, 1)


def _stats(errs: list[float]) -> dict:
    a = sorted(abs(e) for e in errs)
    return {"n": len(a), "median_abs": round(statistics.median(a), 4),
            "p90_abs": round(a[min(len(a) - 1, int(0.9 * len(a)))], 4),
            "max_abs": round(a[-1], 4)}


def cores() -> tuple[list[dict], dict]:
    samples = json.loads(CALIBRATION_FILE.read_text())["samples"]
    rows = []
    for i, s in enumerate(samples):
        coef = resources.fit(samples[:i] + samples[i + 1:])
        e = resources.core_estimate(s["module"], s["params"], coef=coef)
        y = s["yosys"]
        rows.append({"module": s["module"], "params": s["params"],
                     "LUT": [e.LUT + e.LUTRAM, y["LUT"] + y["LUTRAM"]],
                     "FF": [e.FF, y["FF"]],
                     "BRAM36": [e.bram, y["BRAM36"] + y["BRAM18"] / 2]})
    summary = {k: _stats([_err(*r[k]) for r in rows]) for k in ("LUT", "FF")}
    summary["BRAM_exact"] = f"{sum(r['BRAM36'][0] == r['BRAM36'][1] for r in rows)}/{len(rows)}"
    for k in ("LUT", "FF"):  # what matters for a whole design: error weighted by size
        summary[k]["size_weighted"] = round(sum(abs(r[k][0] - r[k][1]) for r in rows)
                                            / sum(r[k][1] for r in rows), 4)
    summary["per_module"] = {
        m: {k: _stats([_err(*r[k]) for r in rows if r["module"] == m]) for k in ("LUT", "FF")}
        for m in sorted({r["module"] for r in rows})}
    return rows, summary


def designs(n: int) -> tuple[list[dict], dict]:
    rows = []
    seed = 200
    while len(rows) < n:
        seed += 1
        net = random_network(seed, max_convs=2, max_linears=2)
        folds = random_folds(net, seed)
        est = resources.estimate(net, folds)
        if est.lut_total > 6000:  # keep Yosys to about a minute per design
            continue
        with tempfile.TemporaryDirectory() as tmp:
            generate(net, folds, tmp)
            t0 = time.perf_counter()
            doc = synthesize(tmp, progress=False)
        y_lut = doc["LUT"] + doc["LUTRAM"]
        rows.append({"seed": seed, "LUT": [est.lut_total, y_lut], "FF": [est.FF, doc["FF"]],
                     "BRAM36": [est.bram, doc["BRAM36"] + doc["BRAM18"] / 2],
                     "yosys_seconds": round(time.perf_counter() - t0, 1)})
        r = rows[-1]
        print(f"design seed {seed}: LUT {r['LUT'][0]} vs {r['LUT'][1]}, FF {r['FF'][0]} vs "
              f"{r['FF'][1]}, BRAM36 {r['BRAM36'][0]} vs {r['BRAM36'][1]}", file=sys.stderr,
              flush=True)
    summary = {k: _stats([_err(*r[k]) for r in rows]) for k in ("LUT", "FF")}
    summary["BRAM_exact"] = f"{sum(r['BRAM36'][0] == r['BRAM36'][1] for r in rows)}/{len(rows)}"
    return rows, summary


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--designs", type=int, default=8)
    ap.add_argument("--skip-designs", action="store_true")
    args = ap.parse_args()
    core_rows, core_sum = cores()
    print(f"cores (leave-one-out, {len(core_rows)}): {core_sum}")
    doc = {"command": "python bench/bench_resource_model.py"
                      + (" --skip-designs" if args.skip_designs else
                         f" --designs {args.designs}"),
           "yosys": "0.23 synth_xilinx -flatten -family xcup",
           "errors": "(model - measured) / measured; LUT counts logic + LUTRAM sites",
           "cores_leave_one_out": {"summary": core_sum, "rows": core_rows}}
    if not args.skip_designs:
        d_rows, d_sum = designs(args.designs)
        print(f"whole designs ({len(d_rows)}): {d_sum}")
        doc["designs"] = {"summary": d_sum, "rows": d_rows}
    RESULTS.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
