"""The cores that stream weights from DDR, synthesized, against the resource model.

    .venv/bin/python bench/bench_streamed_cores.py [--model alexnet]

Takes the design bench_large_ddr.py chose for the model (bench/results/large_ddr.json: its
folds, on the network it converted in out/bench_large_ddr/MODEL) and synthesizes, each
alone with Yosys (synth_xilinx -flatten -family xcup, as the calibration does): a weight
fetch unit (axi_read_stream, 512-bit, looping; every streamed layer's is the same), the
arbiter that shares m_axi_weights, and the streamed engine (WGT_RAM 2) with the most
modelled LUTs. Each against ``e3ne.dse.resources.core_estimate`` for the same parameters.
Writes bench/results/streamed_cores.json. A few minutes (the engine takes most).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from e3ne_common import provenance  # noqa: E402

from e3ne.design.chain import build  # noqa: E402
from e3ne.design.folding import Fold  # noqa: E402
from e3ne.dse.calibrate import measure  # noqa: E402
from e3ne.dse.resources import core_estimate  # noqa: E402
from e3ne.ir import Network  # noqa: E402
from e3ne.jobs import log  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "streamed_cores.json"
DDR = RESULTS.parent / "large_ddr.json"
KEYS = ("LUT", "LUTRAM", "FF", "BRAM36", "BRAM18")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="alexnet")
    ap.add_argument("--designs", default="out/bench_large_ddr",
                    help="where bench_large_ddr.py converted the models")
    args = ap.parse_args()
    ddr = json.loads(DDR.read_text())
    row = next(r for r in ddr["rows"] if r["model"] == args.model)
    net = Network.load(Path(args.designs) / args.model)
    cores = build(net, {k: Fold(**v) for k, v in row["folds"].items()}).cores
    fetch = next(c for c in cores if c.module == "axi_read_stream")
    arb = [c for c in cores if c.module == "axi_read_arb"]
    engines = [c for c in cores if c.module == "synaptic_engine" and c.params["WGT_RAM"] == 2]
    engine = max(engines, key=lambda c: core_estimate(c.module, c.params).LUT)
    out = []
    for c in [fetch, *arb, engine]:
        model = core_estimate(c.module, c.params)
        t0 = time.perf_counter()
        log(f"synthesizing {c.name} ({c.module}, layer {c.layer or '-'})")
        got = measure(c.module, c.params)
        out.append({"instance": c.name, "module": c.module, "layer": c.layer,
                    "params": {k: v for k, v in c.params.items() if isinstance(v, int)},
                    "yosys": {k: got.get(k, 0) for k in KEYS},
                    "model": {k: getattr(model, k) for k in KEYS},
                    "seconds": round(time.perf_counter() - t0, 1)})
        log(f"{c.name}: yosys {out[-1]['yosys']}, model {out[-1]['model']}")
    RESULTS.write_text(json.dumps({**provenance("bench_streamed_cores.py"),
                                   "design": f"{args.model} on {row['device']} "
                                             f"(large_ddr.json at {ddr['commit']})",
                                   "how": "synthesized (Yosys 0.23 synth_xilinx -flatten "
                                          "-family xcup), each core alone; model: "
                                          "e3ne.dse.resources.core_estimate",
                                   "cores": out}, indent=1) + "\n")
    log(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
