"""AlexNet and VGG on a device too small for their weights: weights streamed from DDR.

    .venv/bin/python bench/bench_large_ddr.py [--models alexnet,vgg11,vgg16]
        [--device xczu9eg] [--clock-mhz 200] [--simulate alexnet --images 4 --workers 2]

For each model (T6 W6, random weights): the search with ``external_weights`` (it starts
with every layer streamed, one looping AXI reader per streamed layer sharing m_axi_weights
through the arbiter, and keeps on chip the layers whose ROMs save the most latency within
the device), its modelled latency, interval and resources, the beats the weight port moves
per image (one 512-bit beat a cycle, or fewer if the board's memory is slower at the
clock: the interval's bandwidth bound) and the bandwidth that takes at ``--clock-mhz``
(assumed, not measured) against the board's (devices.py), against E3NE's cycles
(anchors/e3ne.json; E3NE's weights forced on chip, no DDR time). The models named by
``--simulate`` are compiled with the chosen folds and run through ``e3ne verify --images N
--stalls --workers K``: the design reads its streamed weights from the bench's AXI memory
model (random read stalls in the second run); then the first image alone on the same
simulator, whose latency is the one the model gives (in a run of several, the next image's
streamed layers share the port). Writes bench/results/large_ddr.json after every model.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from e3ne_common import ZOO_OPTS, placements, provenance  # noqa: E402

from e3ne.devices import get_device  # noqa: E402
from e3ne.dse.search import search  # noqa: E402
from e3ne.flow import verify  # noqa: E402
from e3ne.ir import Network  # noqa: E402
from e3ne.jobs import ConvertOptions, log, run_compile, run_convert, run_verify  # noqa: E402
from e3ne.jobs.verify import verify_images  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "large_ddr.json"
ANCHOR = Path(__file__).resolve().parents[2] / "shared" / "anchors" / "e3ne.json"
PORT_BITS = 512  # the weight port's width with streamed weights (weight_load.WIDE_BUS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="alexnet,vgg11,vgg16")
    ap.add_argument("--device", default="xczu9eg")
    ap.add_argument("--clock-mhz", type=float, default=200.0,
                    help="assumed clock for the bandwidth figures (default 200)")
    ap.add_argument("--simulate", default="", help="models whose design is co-simulated "
                    "(comma-separated; default none)")
    ap.add_argument("--images", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default="out/bench_large_ddr")
    args = ap.parse_args()
    anchors = json.loads(ANCHOR.read_text())["models"] if ANCHOR.is_file() else {}
    dev = get_device(args.device)
    rows = _earlier_rows()
    for model in args.models.split(","):
        opts = ConvertOptions(model=model, **ZOO_OPTS.get(model, {}))
        d = Path(args.out) / model
        conv = run_convert(opts, d)
        t0 = time.perf_counter()
        found = search(conv.net, args.device, None, "latency", None, external_weights=True,
                       clock_mhz=args.clock_mhz,
                       progress=lambda msg, m=model: log(f"{m}: {msg}"))
        c = found.chosen
        port = c.cycles.port_beats
        e3 = anchors.get(model, {}).get("cycles")
        placed = placements(c.folds)
        row = {"model": model, "device": args.device, "T": conv.net.T, "W": conv.net.W,
               "latency_cycles": c.latency, "interval_cycles": c.interval,
               "port_beats_per_image": port,
               "port_bytes_per_image": port * PORT_BITS // 8,
               "clock_mhz_assumed": args.clock_mhz,
               "port_gbps_needed": round(c.cycles.port_gbps(args.clock_mhz), 2),
               "board_memory_gbps": dev.mem_gbps or None,
               "board_memory": dev.mem_source or None,
               "bottleneck": c.cycles.bottleneck.name,
               "weights_placed": placed,
               "resources": c.summary(),
               "folds": {k: vars(f) for k, f in c.folds.items()},
               "search_seconds": round(time.perf_counter() - t0, 1),
               "e3ne_cycles": e3,
               "e3ne_cycles_over_our_latency": e3 / c.latency if e3 else None,
               "how": "modelled (cycle and resource models)"}
        log(f"{model}: latency {c.latency:,}, interval {c.interval:,} (port {port:,} beats), "
            f"{c.lut:,} LUT, {c.resources.bram:g} BRAM36; weights {placed}"
            + (f"; E3NE {e3:,} cycles: {e3 / c.latency:.1f}x fewer" if e3 else ""))
        if model in args.simulate.split(","):
            row["simulated"] = _simulate(opts, d, row, args)
        here = provenance("bench_large_ddr.py")
        row.update(commit=here["commit"], date=here["date"])
        rows = [r for r in rows if r["model"] != model] + [row]
        # after every model, so that a run cut short still reports what it searched
        RESULTS.write_text(json.dumps({**here, "rows": rows}, indent=1) + "\n")
    log(f"wrote {RESULTS}")


def _earlier_rows() -> list[dict]:
    """The rows of the results file's earlier run, each with the commit and date it was
    run at: a run of some models (a simulation takes hours) keeps the others' figures."""
    try:
        old = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        return []
    return [{**r, "commit": r.get("commit", old.get("commit")),
             "date": r.get("date", old.get("date"))} for r in old.get("rows", [])]


def _simulate(opts: ConvertOptions, d: Path, row: dict, args) -> dict:
    """Compile the chosen folds and co-simulate them through the AXI memory model."""
    fold_file = d.parent / f"{row['model']}-{args.device}-folds.json"
    fold_file.write_text(json.dumps(row["folds"], indent=1) + "\n")
    t0 = time.perf_counter()
    res = run_compile(opts, d, fold_file=str(fold_file), device=args.device)
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    doc = run_verify(d, images=args.images, stalls=True, workers=args.workers)
    lat = [r["latency_cycles"] for r in doc["runs"]]
    # the latency the model defines, of one image alone: in a run of several, the next
    # image's streamed layers share the port with this one's (on the same simulator)
    net = Network.load(d)
    alone = verify.run(d, verify_images(net, args.images, None)[:1], progress=False)
    model = res.estimate["cycles"]["latency"]
    sim = {"images": args.images, "mismatches": doc["mismatches"] + alone.mismatches,
           "runs": doc["runs"], "one_image_latency_cycles": alone.latency_cycles,
           "modelled_latency_cycles": model,
           "latency_error": round(alone.latency_cycles / model - 1, 4),
           "compile_seconds": round(compile_s, 1),
           "verify_seconds": round(time.perf_counter() - t0, 1),
           "how": "simulated (Verilator), random images, streamed weights read by the design "
                  "from the bench's AXI memory model (random read stalls in the second run); "
                  f"e3ne verify --images {args.images} --stalls --workers {args.workers}, "
                  "then the first image alone (plain) for the latency"}
    log(f"{row['model']}: {sim['mismatches']} mismatches; simulated latency {lat} "
        f"({args.images} images), {alone.latency_cycles:,} (one alone) against {model:,} "
        "modelled")
    return sim


if __name__ == "__main__":
    main()
