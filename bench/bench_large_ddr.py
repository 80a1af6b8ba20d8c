"""AlexNet and VGG on a device too small for their weights: every weight streamed from DDR.

    .venv/bin/python bench/bench_large_ddr.py [--models alexnet,vgg11,vgg16]
        [--device xczu9eg]

For each model (T6 W6, random weights): the search with ``external_weights`` (every
layer's weights placed "ext": one looping AXI reader per layer, the readers sharing
m_axi_weights through the arbiter) and its modelled latency, interval and resources, the
beats the weight port moves per image (one a cycle: the interval's bandwidth bound) and
the bytes that makes, against E3NE's cycles (anchors/e3ne.json; E3NE's weights forced on
chip, no DDR time). Modelled only: the designs are not simulated here (see the closing
notes). Writes bench/results/large_ddr.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from e3ne_common import ZOO_OPTS, provenance  # noqa: E402

from e3ne.dse.search import search  # noqa: E402
from e3ne.jobs import ConvertOptions, log, run_convert  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "large_ddr.json"
ANCHOR = Path(__file__).resolve().parents[2] / "shared" / "anchors" / "e3ne.json"
PORT_BITS = 512  # the weight port's width with streamed weights (weight_load.WIDE_BUS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="alexnet,vgg11,vgg16")
    ap.add_argument("--device", default="xczu9eg")
    ap.add_argument("--out", default="out/bench_large_ddr")
    args = ap.parse_args()
    anchors = json.loads(ANCHOR.read_text())["models"] if ANCHOR.is_file() else {}
    rows = []
    for model in args.models.split(","):
        conv = run_convert(ConvertOptions(model=model, **ZOO_OPTS.get(model, {})),
                           Path(args.out) / model)
        t0 = time.perf_counter()
        found = search(conv.net, args.device, None, "latency", None, external_weights=True)
        c = found.chosen
        port = next((s.cycles for s in c.cycles.stages if s.kind == "port"), 0)
        e3 = anchors.get(model, {}).get("cycles")
        row = {"model": model, "device": args.device, "T": conv.net.T, "W": conv.net.W,
               "latency_cycles": c.latency, "interval_cycles": c.interval,
               "port_beats_per_image": port,
               "port_bytes_per_image": port * PORT_BITS // 8,
               "bottleneck": c.cycles.bottleneck.name,
               "resources": c.summary(),
               "folds": {k: vars(f) for k, f in c.folds.items()},
               "search_seconds": round(time.perf_counter() - t0, 1),
               "e3ne_cycles": e3,
               "e3ne_cycles_over_our_latency": e3 / c.latency if e3 else None,
               "how": "modelled (cycle and resource models); not simulated"}
        log(f"{model}: latency {c.latency:,}, interval {c.interval:,} (port {port:,} beats), "
            f"{c.lut:,} LUT, {c.resources.bram:g} BRAM36"
            + (f"; E3NE {e3:,} cycles: {e3 / c.latency:.1f}x fewer" if e3 else ""))
        rows.append(row)
        # after every model, so that a run cut short still reports what it searched
        RESULTS.write_text(json.dumps({**provenance("bench_large_ddr.py"), "rows": rows},
                                      indent=1) + "\n")
    log(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
