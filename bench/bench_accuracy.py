"""Accuracy sweep: float vs radix-SNN (post-training and QAT) for the MNIST zoo models.

    .venv/bin/python bench/bench_accuracy.py [--models lenet5,fang] [--T 2,3,4,6] [--W 3,4]

Prints a table and writes bench/results/accuracy.json. Slow (minutes): not part of CI.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from e3ne.jobs import accuracy_sweep, format_sweep


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="lenet5,fang")
    ap.add_argument("--T", default="2,3,4,6")
    ap.add_argument("--W", default="3,4")
    ap.add_argument("--qat-epochs", type=int, default=3)
    args = ap.parse_args()
    rows = []
    for model in args.models.split(","):
        rows += accuracy_sweep(model, tuple(int(t) for t in args.T.split(",")),
                               tuple(int(w) for w in args.W.split(",")), args.qat_epochs)
    for line in format_sweep(rows):
        print(line)
    out = Path(__file__).parent / "results" / "accuracy.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
