"""Co-simulation benchmark: zoo designs streamed through Verilator, bit for bit.

    .venv/bin/python bench/bench_cosim.py [--models lenet5,fang] [--images 1000]
    .venv/bin/python bench/bench_cosim.py --models alexnet,vgg11 --images 2
    .venv/bin/python bench/bench_cosim.py --models mobilenet_tiny,resnet10,resnet8,kws

For each model: compile with the default fold (T, W from the zoo; trained on the offline
data where the zoo says so), verify N test images plain and with random stalls, and print
mismatches, latency and interval (cycles, from the simulation) beside the cycle model's,
the float and spiking accuracy of the conversion, and E3NE's measured cycles per image
where it has them. N defaults to 1,000 for a model trained on MNIST and 20 for one with
random weights. Merges its rows into bench/results/cosim.json (BENCHMARKS.md's zoo
section). Slow: not part of CI.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from e3ne.artifacts import ConvertDoc, EstimateDoc
from e3ne.jobs import ConvertOptions, log, run_compile, run_verify
from e3ne.models.zoo import get_entry

REPO = Path(__file__).resolve().parents[1]

ANCHOR = Path(__file__).resolve().parents[2] / "shared" / "anchors" / "e3ne.json"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="lenet5,fang")
    ap.add_argument("--images", type=int, default=None,
                    help="test images per model (default: 1000 if trained on MNIST, "
                         "20 if its weights are random)")
    ap.add_argument("--out", default="out/bench")
    args = ap.parse_args()
    anchors = json.loads(ANCHOR.read_text())["models"] if ANCHOR.is_file() else {}
    rows = []
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                            capture_output=True, text=True, check=False).stdout.strip()
    command = ".venv/bin/python " + shlex.join(sys.argv)
    for model in args.models.split(","):
        entry = get_entry(model)
        images = args.images or (20 if entry.dataset == "random" else 1000)
        d = Path(args.out) / model
        t0 = time.perf_counter()
        run_compile(ConvertOptions(model=model), d)
        t_compile = time.perf_counter() - t0
        t0 = time.perf_counter()
        doc = run_verify(d, images=images, stalls=True)
        t_verify = time.perf_counter() - t0
        e3ne_cycles = anchors.get(model, {}).get("cycles")
        conv, est = ConvertDoc.load(d), EstimateDoc.load(d)
        row = {"model": model, "T": conv.T, "W": conv.W, "dataset": entry.dataset,
               "float_accuracy": conv.float_accuracy, "snn_accuracy": conv.snn_accuracy,
               "test_images": conv.test_images, "device": est.device,
               "modelled_latency_cycles": est.cycles.latency,
               "modelled_interval_cycles": est.cycles.interval,
               "images": doc["images"], "mismatches": doc["mismatches"],
               "latency_cycles": doc["latency_cycles"],
               "interval_cycles": doc["interval_cycles"],
               "stalled_latency_cycles": doc["runs"][-1]["latency_cycles"],
               "e3ne_cycles": e3ne_cycles,
               "speedup_latency": e3ne_cycles / doc["latency_cycles"] if e3ne_cycles else None,
               "compile_seconds": round(t_compile, 1), "verify_seconds": round(t_verify, 1),
               "how": "Verilator 5.006 simulation of the generated design (default fold)",
               "command": command, "commit": commit, "date": date}
        rows.append(row)
        log(json.dumps(row))
    print(f"{'model':<8}{'images':>7}{'mism':>6}{'latency':>9}{'interval':>10}"
          f"{'E3NE':>10}{'x fewer':>9}")
    for r in rows:
        sp = f"{r['speedup_latency']:.1f}" if r["speedup_latency"] else "-"
        iv = f"{r['interval_cycles']:.0f}" if r["interval_cycles"] else "-"
        print(f"{r['model']:<8}{r['images']:>7}{r['mismatches']:>6}{r['latency_cycles']:>9}"
              f"{iv:>10}{r['e3ne_cycles'] or '-':>10}{sp:>9}")
    out = Path(__file__).parent / "results" / "cosim.json"
    out.parent.mkdir(exist_ok=True)
    existing = json.loads(out.read_text()) if out.is_file() else {}
    existing.update({r["model"]: r for r in rows})
    out.write_text(json.dumps(existing, indent=1, sort_keys=True) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
