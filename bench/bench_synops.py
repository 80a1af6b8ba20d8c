"""Synaptic operations per image, radix against rate coding, on the same conversions.

    .venv/bin/python bench/bench_synops.py [--models lenet5,fang] [--T 2,3,4,6]
        [--rate-steps 1,3,7,15,31,63] [--images 1000]

Per model (zoo training seed 0, its zoo W, `e3ne convert`'s defaults): radix at each T
(T steps) and rate coding of the T=8 conversion at each step count, each with its test
accuracy and the spike x non-zero-weight additions per image (`e3ne.synops`; counted
exactly by the golden model, not by the hardware, whose engines are dense). Writes
bench/results/synops.json. Minutes; not part of CI.
"""

from __future__ import annotations

import argparse
import json

from e3ne_common import REPO, ints, provenance

from e3ne import golden
from e3ne.data import load_dataset
from e3ne.jobs import ConvertOptions, run_convert
from e3ne.models.zoo import ZOO
from e3ne.rate import run_rate
from e3ne.synops import radix_synops


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="lenet5,fang")
    ap.add_argument("--T", default="2,3,4,6")
    ap.add_argument("--rate-steps", default="1,3,7,15,31,63")
    ap.add_argument("--images", type=int, default=1000)
    a = ap.parse_args()
    rows = []
    for model in a.models.split(","):
        e = ZOO[model]
        test, labels = load_dataset(e.dataset, "test", pad_to=e.pad_to, n=a.images)
        for T in ints(a.T):
            net = run_convert(ConvertOptions(model=model, T=T, W=e.W), progress=False).net
            ops = radix_synops(net, golden.input_levels(net, test))
            rows.append({"model": model, "coding": "radix", "T": T, "W": e.W, "steps": T,
                         "accuracy": golden.accuracy(net, test, labels),
                         "synops_per_image": ops})
            print(f"{model} radix T={T}: {rows[-1]['accuracy']:.3f}, "
                  f"{ops['total']:,.0f} synops/image", flush=True)
        net = run_convert(ConvertOptions(model=model, T=8, W=e.W), progress=False).net
        for S in ints(a.rate_steps):
            ops: dict = {}
            classes = run_rate(net, test, S, synops=ops).argmax(axis=1)
            rows.append({"model": model, "coding": "rate", "T_net": 8, "W": e.W, "steps": S,
                         "accuracy": float((classes == labels.numpy()).mean()),
                         "synops_per_image": ops})
            print(f"{model} rate S={S}: {rows[-1]['accuracy']:.3f}, "
                  f"{ops['total']:,.0f} synops/image", flush=True)
    out = REPO / "bench" / "results" / "synops.json"
    out.write_text(json.dumps({
        **provenance("bench/bench_synops.py"), "images": len(test),
        "rows": rows}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
