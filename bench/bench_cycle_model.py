"""Cycle model vs Verilator: modelled and measured latency and interval of generated designs.

    .venv/bin/python bench/bench_cycle_model.py [--images 4] [--out out/bench/cycle_model]

Designs: random networks (tests/netgen.py) with random, default and two hand-picked folds
(PICKED), and the LeNet-5 and Fang shapes (random weights) with their default folds and
with random legal folds (drawn until the engines' work, by the DESIGN.md §3 formula, stays
within 40k cycles per image and the lanes, sum of PE*SIMD*TP, within 4096, so that build
and simulation stay short). For each: generate, simulate N images back to back
(``e3ne.flow.verify``: latency = first input beat to the last output beat of image 0,
interval = mean gap between the images' last output beats), and compare with
``e3ne.dse.cycles.estimate``. Prints a table and writes bench/results/cycle_model.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from netgen import random_folds, random_levels, random_network  # noqa: E402

from e3ne.api import convert  # noqa: E402
from e3ne.design.folding import Fold, load_folds  # noqa: E402
from e3ne.design.generate import generate  # noqa: E402
from e3ne.dse.cycles import estimate  # noqa: E402
from e3ne.flow import verify  # noqa: E402
from e3ne.frontend.quantize import QuantConfig  # noqa: E402
from e3ne.ir import Network  # noqa: E402
from e3ne.layers import Conv  # noqa: E402
from e3ne.models import ZOO, build_model  # noqa: E402

RANDOM_FOLDS = [2, 3, 6, 11, 12, 33, 35, 40, 43, 49, 57, 65, 79, 88]
DEFAULT_FOLDS = [3, 11, 40, 57]
# Hand-picked folds: 242, an average pool whose 3 results per pixel meet a width converter
# taking a beat every 2 cycles (the pool waits; modelled); 246, a swu and an engine tied
# for the bottleneck, where the first gap between images is 8 cycles longer than the rest
# (a transient the steady-state interval leaves out).
PICKED = {
    242: {"conv0": (2, 2, 1), "fc0": (1, 3, 5), "fc1": (2, 1, 1), "fc2": (3, 8, 5)},
    246: {"conv0": (4, 6, 5), "conv1": (1, 1, 1), "conv2": (1, 1, 5), "fc0": (1, 2, 1),
          "fc1": (2, 3, 1)},
}
ZOO_RANDOM = 2  # random fold sets per zoo shape
WORK_CAP = 40_000
LANE_CAP = 4096


def zoo_net(name: str) -> Network:
    torch.manual_seed(0)
    entry = ZOO[name]
    return convert(build_model(name), torch.rand(8, *entry.input_shape),
                   QuantConfig(T=entry.T, W=entry.W))


def engine_work(net: Network, folds: dict[str, Fold]) -> int:
    """Largest per-image engine work by the DESIGN.md §3 formula (not the model under test)."""
    shapes, worst = net.shapes(), 0
    for i, layer in enumerate(net.layers):
        if layer.name not in folds:
            continue
        f, out = folds[layer.name], shapes[i + 1]
        pixels = out[1] * out[2] if isinstance(layer, Conv) else 1
        worst = max(worst, pixels * layer.fan_in // f.SIMD * layer.out_channels // f.PE
                    * net.T // f.TP)
    return worst


def bounded_random_folds(net: Network, count: int) -> list[tuple[int, dict[str, Fold]]]:
    """The first ``count`` random fold sets (seeds 1, 2, ...) within the work and lane caps."""
    found, seed = [], 0
    while len(found) < count:
        seed += 1
        folds = random_folds(net, seed)
        lanes = sum(f.PE * f.SIMD * f.TP for f in folds.values())
        if engine_work(net, folds) <= WORK_CAP and lanes <= LANE_CAP:
            found.append((seed, folds))
    return found


def designs() -> list[tuple[str, Network, dict[str, Fold], int]]:
    out = []
    for s in RANDOM_FOLDS:
        net = random_network(s)
        out.append((f"random{s}/random-fold", net, random_folds(net, s), s))
    for s in DEFAULT_FOLDS:
        net = random_network(s)
        out.append((f"random{s}/default-fold", net, load_folds(net, None), s))
    for s, picked in PICKED.items():
        net = random_network(s)
        out.append((f"random{s}/picked-fold", net,
                    {k: Fold(*v) for k, v in picked.items()}, s))
    for name in ("lenet5", "fang"):
        net = zoo_net(name)
        out.append((f"{name}/default-fold", net, load_folds(net, None), 0))
        for seed, folds in bounded_random_folds(net, ZOO_RANDOM):
            out.append((f"{name}/random-fold{seed}", net, folds, seed))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=4)
    ap.add_argument("--out", default="out/bench/cycle_model")
    args = ap.parse_args()
    rows = []
    for tag, net, folds, seed in designs():
        d = Path(args.out) / tag.replace("/", "_")
        net.save(d)
        generate(net, folds, d)
        t0 = time.perf_counter()
        r = verify.run(d, random_levels(net, args.images, seed), progress=False)
        secs = time.perf_counter() - t0
        t0 = time.perf_counter()
        est = estimate(net, folds)
        model_ms = (time.perf_counter() - t0) * 1e3
        rows.append({
            "design": tag, "mismatches": r.mismatches,
            "latency_measured": r.latency_cycles, "latency_model": est.latency,
            "latency_error_pct": 100 * (est.latency - r.latency_cycles) / r.latency_cycles,
            "interval_measured": r.interval_cycles, "interval_model": est.interval,
            "interval_error_pct": 100 * (est.interval - r.interval_cycles) / r.interval_cycles,
            "bottleneck": f"{est.bottleneck.name} ({est.bottleneck.kind})",
            "folds": {k: [f.PE, f.SIMD, f.TP] for k, f in folds.items()},
            "simulate_seconds": round(secs, 1), "model_ms": round(model_ms, 2),
        })
        print(f"{tag}: done in {secs:.1f} s", file=sys.stderr, flush=True)

    head = (f"{'design':<26}{'lat meas':>9}{'lat model':>10}{'err %':>7}"
            f"{'iv meas':>9}{'iv model':>9}{'err %':>7}  bottleneck")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['design']:<26}{r['latency_measured']:>9}{r['latency_model']:>10}"
              f"{r['latency_error_pct']:>7.1f}{r['interval_measured']:>9.0f}"
              f"{r['interval_model']:>9}{r['interval_error_pct']:>7.1f}  {r['bottleneck']}")
    worst_lat = max(abs(r["latency_error_pct"]) for r in rows)
    worst_iv = max(abs(r["interval_error_pct"]) for r in rows)
    print(f"{len(rows)} designs; largest |error|: latency {worst_lat:.2f}%, "
          f"interval {worst_iv:.2f}%")
    doc = {
        "how": (f"Verilator 5.006 simulation of each generated design, {args.images} images "
                "back to back without stalls (e3ne.flow.verify), against "
                "e3ne.dse.cycles.estimate"),
        "command": ".venv/bin/python bench/bench_cycle_model.py " + " ".join(sys.argv[1:]),
        "images": args.images, "designs": len(rows),
        "max_abs_latency_error_pct": worst_lat, "max_abs_interval_error_pct": worst_iv,
        "rows": rows,
    }
    out = Path(__file__).parent / "results" / "cycle_model.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
