"""Accuracy: float vs radix-SNN (post-training and QAT) over T, W and training seeds for the
MNIST zoo models, and the rate-coded baseline of the same conversions over its steps.

    .venv/bin/python bench/bench_accuracy.py [--models lenet5,fang] [--T 2,3,4,6] [--W 3,4]
        [--seeds 0,1,2] [--qat-epochs 3] [--rate-steps 1,3,7,15,31,63]

Every figure on the 1,000 MNIST test images, one value per seed (the zoo model trained
from that seed, `e3ne convert`'s defaults) with mean and spread. Radix rows also carry the
modelled latency of the design the search picks at E3NE's budget (xcvu13p). Rate rows:
the post-training conversion at T=8 and the model's zoo W, run rate-coded (golden model
only). Writes bench/results/accuracy.json. Slow (tens of minutes): not part of CI.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from e3ne_common import REPO, ints, provenance

from e3ne.jobs import accuracy_sweep, format_sweep, rate_sweep
from e3ne.models.zoo import ZOO

# E3NE's LUT and BRAM, and no UltraRAM (it used none)
E3NE_BUDGET = {"lenet5": "lut=18335,bram=40,uram=0", "fang": "lut=19486,bram=95.5,uram=0"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="lenet5,fang")
    ap.add_argument("--T", default="2,3,4,6")
    ap.add_argument("--W", default="3,4")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--qat-epochs", type=int, default=3)
    ap.add_argument("--rate-steps", default="1,3,7,15,31,63",
                    help="rate-coded baseline steps ('' for none)")
    ap.add_argument("--out", default=str(REPO / "bench" / "results" / "accuracy.json"))
    args = ap.parse_args()
    t0 = time.perf_counter()
    rows, rates = [], []
    seeds = ints(args.seeds)
    for model in args.models.split(","):
        rows += accuracy_sweep(model, ints(args.T), ints(args.W), args.qat_epochs,
                               seeds=seeds, device="xcvu13p",
                               budget=E3NE_BUDGET.get(model))
        if args.rate_steps:
            rates += rate_sweep(model, ZOO[model].W, ints(args.rate_steps), seeds=seeds)
    for line in format_sweep(rows):
        print(line)
    for r in rates:
        s = r["rate_summary"]
        print(f"{r['model']:<8} rate W={r['W']} {r['steps']:>4} steps  {s['mean']:.3f} "
              f"± {s['std']:.3f}")
    out = Path(args.out)
    out.write_text(json.dumps({
        **provenance("bench/bench_accuracy.py"),
        "minutes": round((time.perf_counter() - t0) / 60, 1),
        "test_images": 1000, "sweep": rows, "rate": rates}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
