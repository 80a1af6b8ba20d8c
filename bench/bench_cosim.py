"""Co-simulation benchmark: zoo designs streamed through Verilator, bit for bit.

    .venv/bin/python bench/bench_cosim.py [--models lenet5,fang] [--images 1000]
    .venv/bin/python bench/bench_cosim.py --models alexnet,vgg11 --images 2

For each model: compile with the default fold (T, W from the zoo), verify N test images
plain and with random stalls, and print mismatches, latency and interval (cycles, from the
simulation), plus E3NE's measured cycles per image for comparison. Writes
bench/results/cosim.json. Slow: not part of CI.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from e3ne.jobs import ConvertOptions, log, run_compile, run_verify

ANCHOR = Path(__file__).resolve().parents[2] / "shared" / "anchors" / "e3ne.json"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="lenet5,fang")
    ap.add_argument("--images", type=int, default=1000)
    ap.add_argument("--out", default="out/bench")
    args = ap.parse_args()
    anchors = json.loads(ANCHOR.read_text())["models"] if ANCHOR.is_file() else {}
    rows = []
    for model in args.models.split(","):
        d = Path(args.out) / model
        t0 = time.perf_counter()
        run_compile(ConvertOptions(model=model), d)
        t_compile = time.perf_counter() - t0
        t0 = time.perf_counter()
        doc = run_verify(d, images=args.images, stalls=True)
        t_verify = time.perf_counter() - t0
        e3ne_cycles = anchors.get(model, {}).get("cycles")
        row = {"model": model, "images": doc["images"], "mismatches": doc["mismatches"],
               "latency_cycles": doc["latency_cycles"],
               "interval_cycles": doc["interval_cycles"],
               "stalled_latency_cycles": doc["runs"][-1]["latency_cycles"],
               "e3ne_cycles": e3ne_cycles,
               "speedup_latency": e3ne_cycles / doc["latency_cycles"] if e3ne_cycles else None,
               "compile_seconds": round(t_compile, 1), "verify_seconds": round(t_verify, 1),
               "how": "Verilator 5.006 simulation of the generated design (default fold)"}
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
