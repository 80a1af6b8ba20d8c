"""Benchmark: fast golden model vs the float PyTorch forward of the same model.

Runs LeNet-5 (T=4, W=3; trained and cached like `e3ne convert lenet5`) on batches of 256
MNIST test images, interleaving the two so machine noise hits both alike, and prints the
medians and their ratio. The issue's target: golden >= 0.5x the float forward's speed.

    .venv/bin/python bench/bench_golden.py [--model lenet5] [--repeats 15] [--batch 256]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from e3ne import golden
from e3ne.jobs import ConvertOptions, run_convert


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="lenet5")
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--batch", type=int, default=256)
    args = ap.parse_args()

    res = run_convert(ConvertOptions(model=args.model, test_images=args.batch), progress=False)
    from e3ne.data import load_dataset
    from e3ne.models.loader import load_model_spec, load_weights
    from e3ne.models.zoo import ZOO
    from e3ne.train import cached_zoo_checkpoint

    entry = ZOO[args.model]
    x, _ = load_dataset(entry.dataset, "test", pad_to=entry.pad_to, n=args.batch)
    model = load_weights(load_model_spec(args.model),
                         cached_zoo_checkpoint(args.model, progress=False)).eval()
    net = res.net
    q0 = golden.input_levels(net, x)

    def float_forward() -> None:
        with torch.inference_mode():
            model(x)

    def golden_forward() -> None:
        golden.run_fast(net, q0, batch_size=args.batch)

    for fn in (float_forward, golden_forward):  # warm-up
        fn()
    times: dict[str, list[float]] = {"float": [], "golden": []}
    for _ in range(args.repeats):
        for key, fn in (("float", float_forward), ("golden", golden_forward)):
            t0 = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - t0)
    mf, mg = statistics.median(times["float"]), statistics.median(times["golden"])
    print(f"{args.model} batch {args.batch}, {args.repeats} interleaved runs, "
          f"torch threads {torch.get_num_threads()}")
    print(f"float forward  median {mf * 1e3:8.2f} ms  ({args.batch / mf:8.0f} images/s)")
    print(f"golden (fast)  median {mg * 1e3:8.2f} ms  ({args.batch / mg:8.0f} images/s)")
    print(f"golden speed / float speed = {mf / mg:.2f}  (target >= 0.5)")
    assert np.isfinite(mf / mg)


if __name__ == "__main__":
    main()
