"""Benchmark against E3NE's released design, at E3NE's own resource budget.

    .venv/bin/python bench/bench_e3ne.py [--models lenet5,fang,alexnet,vgg11]
        [--images 1000] [--repeats 5] [--sim-timeout 1200] [--out out/bench_e3ne] [--quick]

For LeNet-5 and Fang (E3NE has cycles *and* Yosys resources; see
../shared/anchors/e3ne.json): compile for xcvu13p within E3NE's LUT and BRAM
(lut = its LUT cells, bram = RAMB36 + RAMB18/2, uram = its UltraRAM: 0), co-simulate
--images MNIST test images in Verilator bit for bit (plain and with random stalls),
synthesize with Yosys (synth_xilinx -flatten -family xcup, E3NE's command) and compare
cycles, LUT and BRAM.

For AlexNet and VGG-11 (E3NE has cycles only): explore xcvu13p with the whole device and
with 10 % of its LUTs (modelled figures), and try to co-simulate the 10 % design on two
random images under --sim-timeout seconds.

Also: utilisation against the compute bound (../shared/DESIGN.md section 3), compile wall
time (median of --repeats after a warm-up), golden-model vs float forward speed
(bench/bench_golden.py) and Verilator simulation speed.

Writes BENCHMARKS.md at the repository root and bench/results/e3ne_comparison.json.
--quick (20 images, 1 repeat, no synthesis, no AlexNet/VGG simulation) only tests this
script; its BENCHMARKS.md is marked "QUICK RUN - not for publication".
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from e3ne_common import (
    ANCHOR,
    BENCHMARKS,
    DEVICE,
    FAMILY,
    LARGE,
    LARGE_BUDGETS,
    MOD,
    PNR_DEVICE,
    REPO,
    RESULTS,
    SIM,
    SMALL,
    ZOO_OPTS,
    log,
    median,
)
from e3ne_markdown import markdown
from e3ne_steps import (
    compute_bound,
    git_commit,
    golden_speed,
    load_anchor,
    machine_note,
    pnr,
    simulate,
    simulate_with_timeout,
    synth,
    timed_compiles,
    utilisation,
)

__all__ = ["large_model", "main", "markdown", "small_model"]

# E3NE closed timing at about 200 MHz on its VU13P (4.998 ns of a 5 ns constraint)
E3NE_CLOCK_MHZ = 200.0


def modelled(estimate: dict) -> dict:
    """The modelled figures of a compiled design (its estimate.json)."""
    from e3ne.artifacts import EstimateDoc

    est = EstimateDoc.from_json(estimate)
    total = est.resources.total
    return {"latency_cycles": est.cycles.latency, "interval_cycles": est.cycles.interval,
            **{k: getattr(total, k) for k in ("LUT", "LUTRAM", "LUT_total", "FF",
                                               "BRAM36_equiv")}}


# --- per model -----------------------------------------------------------------------

def small_model(model: str, anchor: dict, args: argparse.Namespace) -> dict:
    from e3ne.artifacts import ConvertDoc
    from e3ne.ir import Network

    a = anchor["models"][model]
    e3_bram = a["RAMB36"] + a["RAMB18"] / 2
    # E3NE's LUT and BRAM, and its UltraRAM (none): weights in UltraRAM would sit in
    # memory E3NE did not use
    budget = f"lut={a['LUT']},bram={e3_bram:g},uram={a.get('URAM', 0)}"
    d = Path(args.out) / model
    res, ctimes, warm = timed_compiles(model, d, budget, args.repeats, warmup=True)
    mod = modelled(res.estimate)
    net = Network.load(d)
    conv = ConvertDoc.load(d)
    row: dict = {"model": model, "T": net.T, "W": net.W, "device": DEVICE, "budget": budget,
                 "snn_accuracy": conv.snn_accuracy, "float_accuracy": conv.float_accuracy,
                 "folds": {k: vars(f) for k, f in res.folds.items()},
                 "compile_seconds": ctimes, "compile_seconds_median": median(ctimes),
                 "compile_warmup_seconds": warm,
                 "modelled": mod}
    row["sim"] = simulate(d, args.images, args.repeats)
    s = None if args.quick else synth(d)
    row["synth"] = None if s is None else s.to_json()
    placed = None if args.quick else pnr(d)
    row["pnr"] = None if placed is None else placed.to_json()
    bound = compute_bound(net, res.folds)
    row["compute_bound"] = bound
    sim_iv = row["sim"]["interval_cycles"]
    row["utilisation"] = (utilisation(bound, sim_iv, SIM) if sim_iv else
                          utilisation(bound, mod["interval_cycles"], MOD))
    e3_lutram = 8 * a["LUTRAM_RAM32M16"]  # RAM32M16 = 8 LUT sites
    e3 = {"cycles": a["cycles"], "LUT": a["LUT"], "LUTRAM_sites": e3_lutram,
          "LUT_plus_LUTRAM": a["LUT"] + e3_lutram, "FF": a["FF"], "RAMB36": a["RAMB36"],
          "RAMB18": a["RAMB18"], "BRAM36_equiv": e3_bram}
    row["e3ne"] = e3
    sim = row["sim"]
    ratios = {"e3ne_cycles_over_our_latency": a["cycles"] / sim["latency_cycles"],
              "e3ne_cycles_over_our_interval":
                  a["cycles"] / sim["interval_cycles"] if sim["interval_cycles"] else None,
              "from": SIM + " (one run); E3NE is layer-sequential: its interval = its cycles"}
    if s is not None:
        ours_bram = s.BRAM36 + s.BRAM18 / 2
        ratios.update({
            "our_LUT_over_e3ne_LUT": s.LUT / a["LUT"],
            "our_LUTRAM_over_e3ne_LUTRAM": s.LUTRAM / e3_lutram if e3_lutram else None,
            "our_LUT_plus_LUTRAM_over_e3ne": (s.LUT + s.LUTRAM) / (a["LUT"] + e3_lutram),
            "our_FF_over_e3ne_FF": s.FF / a["FF"],
            "our_BRAM36_equiv": ours_bram,
            "our_BRAM_over_e3ne_BRAM": ours_bram / e3_bram if e3_bram else None})
    if placed is not None:
        fmax = min(placed.fmax_mhz.values())
        e3_us = a["cycles"] / E3NE_CLOCK_MHZ
        ratios.update({
            "fmax_mhz": fmax, "latency_us": sim["latency_cycles"] / fmax,
            "images_per_s": fmax * 1e6 / sim["interval_cycles"] if sim["interval_cycles"]
            else None,
            "e3ne_latency_us": e3_us,
            "e3ne_us_over_our_us": e3_us / (sim["latency_cycles"] / fmax),
            "time_from": f"our Fmax measured by nextpnr on {PNR_DEVICE} (speed 8); E3NE's "
                         f"cycles at the {E3NE_CLOCK_MHZ:g} MHz it closed on its VU13P"})
    row["ratios"] = ratios
    row["lane_cost"] = lane_costs(row, net, res.estimate.get("lane_cost"))
    return row


def lane_costs(row: dict, net, modelled: float | None) -> dict:  # noqa: ANN001
    """LUTs per spike x weight-bit product per cycle (DESIGN.md section 3): the
    synthesized LUT + LUTRAM over the simulated interval, and the model's."""
    from e3ne.dse.lane_cost import lane_cost, products_per_image

    products = products_per_image(net)
    s, iv = row.get("synth"), row["sim"].get("interval_cycles")
    syn = lane_cost(s["LUT"] + s["LUTRAM"], iv, products) if s and iv else None
    return {"products_per_image": products, "synthesized": syn, "modelled": modelled,
            "from": "synthesized LUT + LUTRAM (Yosys) x simulated interval / products; "
                    "modelled: the cost models' LUT x interval"}


def large_model(model: str, anchor: dict, args: argparse.Namespace) -> dict:
    """Search both budgets (modelled); build the ``lut=0.1`` design from its folds with
    ``run_compile(fold_file=...)`` (weights in on-chip ROMs if the search had to model them
    external) and try to co-simulate it."""
    from e3ne.dse.search import search
    from e3ne.errors import InfeasibleBudget
    from e3ne.jobs import ConvertOptions, run_compile, run_convert

    a = anchor["models"][model]
    opts = ConvertOptions(model=model, **ZOO_OPTS[model])
    d = Path(args.out) / f"{model}-lut0.1"
    log(f"{model}: converting (random weights)")
    net = run_convert(opts, d).net
    row: dict = {"model": model, "device": DEVICE, "T": net.T, "W": net.W,
                 "e3ne": {"cycles": a["cycles"], "note": a.get("note")}, "budgets": {}}
    for name, budget in LARGE_BUDGETS.items():
        log(f"{model}: design-space search for {DEVICE}, budget {name}")
        ext, infeasible = False, None
        try:
            found = search(net, DEVICE, budget or None, "latency", None)
        except InfeasibleBudget as e:
            infeasible = str(e)
            log(f"{model}: {infeasible}")
            log(f"{model}: searching again with weights modelled as external")
            found = search(net, DEVICE, budget or None, "latency", None, external_weights=True)
            ext = True
        c = found.chosen
        bound = compute_bound(net, c.folds)
        r = c.resources
        row["budgets"][name] = {
            "budget": found.budget, "points": len(found.points),
            "search_seconds": found.seconds, "weights_external": ext,
            "on_chip_infeasible": infeasible,
            "modelled": {"latency_cycles": c.latency, "interval_cycles": c.interval,
                         "LUT": r.LUT, "LUTRAM": r.LUTRAM, "LUT_total": r.lut_total,
                         "FF": r.FF, "BRAM36_equiv": r.bram},
            "folds": {k: vars(f) for k, f in c.folds.items()},
            "e3ne_cycles_over_our_latency": a["cycles"] / c.latency,
            "e3ne_cycles_over_our_interval": a["cycles"] / c.interval,
            "ratios_from": MOD,
            "compute_bound": bound,
            "utilisation": utilisation(bound, c.interval, MOD)}
    b = row["budgets"]["lut=0.1"]
    fold_file = Path(args.out) / f"{model}-lut0.1-folds.json"
    fold_file.write_text(json.dumps(
        {k: {**f, "weights": "auto" if f["weights"] == "ext" else f["weights"]}
         for k, f in b["folds"].items()}, indent=1) + "\n")
    ctimes = []
    for i in range(args.repeats):
        log(f"{model}: compile the lut=0.1 folds ({fold_file.name}), run {i + 1}/{args.repeats}")
        t0 = time.perf_counter()
        res = run_compile(opts, d, fold_file=str(fold_file), device=DEVICE)
        ctimes.append(time.perf_counter() - t0)
    row.update({"compile_seconds": ctimes, "compile_seconds_median": median(ctimes),
                "compile_note": "run_compile with the lut=0.1 search's folds as --fold file "
                                "(convert + generate; the search's own seconds are listed "
                                "apart); random weights, no training cache: every run timed"})
    b["simulated_design"] = {
        "fold_file": str(fold_file),
        "weights": "on-chip ROMs (generator default for the folds)" if b["weights_external"]
        else "as chosen by the search",
        "modelled": modelled(res.estimate)}
    if args.quick:
        row["sim"] = {"simulated": False, "reason": "--quick skips AlexNet/VGG simulation"}
    else:
        row["sim"] = simulate_with_timeout(d, 2, args.sim_timeout)
    sim = row["sim"]
    if sim.get("simulated") and sim.get("latency_cycles"):
        b["simulated_e3ne_cycles_over_our_latency"] = a["cycles"] / sim["latency_cycles"]
        if sim.get("interval_cycles"):
            b["utilisation_simulated"] = utilisation(b["compute_bound"],
                                                     sim["interval_cycles"], SIM)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="lenet5,fang,alexnet,vgg11")
    ap.add_argument("--images", type=int, default=1000,
                    help="MNIST test images co-simulated for lenet5/fang (default 1000)")
    ap.add_argument("--repeats", type=int, default=5,
                    help="timed runs per wall-time figure; medians reported (default 5)")
    ap.add_argument("--sim-timeout", type=float, default=1200.0,
                    help="seconds allowed for the AlexNet/VGG co-simulation (default 1200)")
    ap.add_argument("--out", default=str(REPO / "out" / "bench_e3ne"),
                    help="design directories (default out/bench_e3ne)")
    ap.add_argument("--quick", action="store_true",
                    help="20 images, 1 repeat, no synthesis, no AlexNet/VGG simulation: "
                         "tests this script only")
    ap.add_argument("--merge", action="store_true",
                    help=f"keep the rows of models not in --models from {RESULTS.name} "
                         "(each keeps the commit and date it was measured at)")
    ap.add_argument("--render-only", action="store_true",
                    help=f"rewrite BENCHMARKS.md from {RESULTS.name} (and the design "
                         "directories under --out for derived figures it lacks); no runs")
    args = ap.parse_args()
    if args.render_only:
        render_only(Path(args.out))
        return
    anchor = load_anchor()
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    bad = [m for m in models if m not in SMALL + LARGE]
    if bad:
        sys.exit(f"bench_e3ne: error: --models {','.join(bad)}: expected some of "
                 f"{','.join(SMALL + LARGE)}")
    if args.quick:
        args.images, args.repeats = 20, 1
    if args.images < 2 or args.repeats < 1:
        sys.exit("bench_e3ne: error: need --images >= 2 (for an interval) and --repeats >= 1")
    t_start = time.perf_counter()
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    doc: dict = {
        "about": "e3ne vs E3NE's released design at E3NE's budget; see BENCHMARKS.md for "
                 "provenance of every figure",
        "command": ".venv/bin/python " + shlex.join(sys.argv), "date": date,
        "commit": git_commit(), "quick": args.quick, "images": args.images,
        "repeats": args.repeats, "device": DEVICE, "synth_family": FAMILY,
        "anchor_file": str(ANCHOR), "machine": machine_note(), "models": []}
    log(f"start: {doc['command']} ({doc['machine']['uptime']})")
    kept = []
    if args.merge and RESULTS.is_file():
        old = json.loads(RESULTS.read_text())
        kept = [{"commit": old.get("commit"), "date": old.get("date"), **r}
                for r in old["models"] if r["model"] not in models]
    for model in models:
        row = (small_model if model in SMALL else large_model)(model, anchor, args)
        doc["models"].append({"commit": doc["commit"], "date": date, **row})
        log(f"{model}: done")
    order = SMALL + LARGE
    doc["models"] = sorted(doc["models"] + kept, key=lambda r: order.index(r["model"]))
    doc["golden"] = golden_speed(args.repeats)
    doc["machine_end"] = machine_note()
    doc["total_seconds"] = time.perf_counter() - t_start
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(doc, indent=1, default=str) + "\n")
    BENCHMARKS.write_text(markdown(doc))
    log(f"wrote {BENCHMARKS} and {RESULTS} ({doc['total_seconds'] / 60:.1f} min)")
    print(BENCHMARKS.read_text())


def render_only(out: Path) -> None:
    """BENCHMARKS.md again from the stored results; lane costs of a results file written
    before they were recorded are derived from its own measurements and design dirs."""
    from e3ne.artifacts import EstimateDoc
    from e3ne.ir import Network

    doc = json.loads(RESULTS.read_text())
    for row in doc["models"]:
        if row["model"] in SMALL and "lane_cost" not in row:
            d = out / row["model"]
            est = EstimateDoc.load(d)
            row["lane_cost"] = lane_costs(row, Network.load(d), est.lane_cost)
    RESULTS.write_text(json.dumps(doc, indent=1, default=str) + "\n")
    BENCHMARKS.write_text(markdown(doc))
    log(f"wrote {BENCHMARKS} and {RESULTS} from the stored results")


if __name__ == "__main__":
    main()
