"""Design-space search on the zoo: how long it takes and what it finds (modelled).

    .venv/bin/python bench/bench_search.py [--repeats 3]

For each zoo model (random weights: the search does not look at values beyond accumulator
widths, which random weights bound the same way) it runs ``e3ne.dse.search.search`` for a
few device/budget pairs and reports the median search time and the chosen design's
modelled latency, interval and resources; AlexNet and VGG-11 on the XCVU13P also with
weights modelled as streamed from outside (their weights exceed the device's block RAM).
Writes bench/results/search.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

from e3ne.api import convert
from e3ne.errors import InfeasibleBudget
from e3ne.frontend.quantize import QuantConfig
from e3ne.models import ZOO, build_model

RESULTS = Path(__file__).resolve().parent / "results" / "search.json"
ANCHOR = Path(__file__).resolve().parents[2] / "shared" / "anchors" / "e3ne.json"
CASES = [  # model, device, budget, external weights
    ("lenet5", "xcvu13p", "lut=18335,bram=40,uram=0", False),  # E3NE used no UltraRAM
    ("lenet5", "xc7z020", "", False),
    ("fang", "xcvu13p", "lut=19486,bram=95.5,uram=0", False),
    ("fang", "xc7z020", "", False),
    ("alexnet", "xcvu13p", "", False),
    ("alexnet", "xcvu13p", "", True),
    ("alexnet", "xcvu13p", "lut=0.1", True),
    ("vgg11", "xcvu13p", "", False),
    ("vgg11", "xcvu13p", "", True),
    ("vgg11", "xcvu13p", "lut=0.1", True),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    from e3ne.dse.search import search

    anchor = json.loads(ANCHOR.read_text())["models"] if ANCHOR.is_file() else {}
    nets = {}
    rows = []
    for model, device, budget, ext in CASES:
        if model not in nets:
            e = ZOO[model]
            torch.manual_seed(0)
            nets[model] = convert(build_model(model), torch.rand(16, *e.input_shape),
                                  QuantConfig(T=e.T, W=e.W))
        net = nets[model]
        times, res, err = [], None, None
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            try:
                res = search(net, device, budget, external_weights=ext)
            except InfeasibleBudget as ex:
                err = str(ex)
            times.append(time.perf_counter() - t0)
        row = {"model": model, "T": net.T, "W": net.W, "device": device,
               "budget": budget or "whole device", "weights": "external" if ext else "on chip",
               "search_seconds_median": round(statistics.median(times), 3)}
        if err:
            row["infeasible"] = err
        else:
            c = res.chosen
            row.update({"designs_visited": len(res.points), "latency": c.latency,
                        "interval": c.interval, "LUT": c.lut, "FF": c.resources.FF,
                        "BRAM36": c.resources.bram})
            if model in anchor:
                row["e3ne_cycles"] = anchor[model]["cycles"]
                row["fewer_cycles_than_e3ne"] = round(anchor[model]["cycles"] / c.latency, 1)
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    doc = {"command": f"python bench/bench_search.py --repeats {args.repeats}",
           "about": "modelled (cycle + resource models), not simulated or synthesized; "
                    "search time is wall time, median of the repeats",
           "rows": rows}
    RESULTS.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
