"""Benchmark against E3NE's released design, at E3NE's own resource budget.

    .venv/bin/python bench/bench_e3ne.py [--models lenet5,fang,alexnet,vgg11]
        [--images 1000] [--repeats 5] [--sim-timeout 1200] [--out out/bench_e3ne] [--quick]

For LeNet-5 and Fang (E3NE has cycles *and* Yosys resources; see
../shared/anchors/e3ne.json): compile for xcvu13p within E3NE's LUT and BRAM
(lut = its LUT cells, bram = RAMB36 + RAMB18/2), co-simulate --images MNIST test images in
Verilator bit for bit (plain and with random stalls), synthesize with Yosys
(synth_xilinx -flatten -family xcup, E3NE's command) and compare cycles, LUT and BRAM.

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
import math
import os
import platform
import re
import shlex
import signal
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ANCHOR = REPO.parent / "shared" / "anchors" / "e3ne.json"
RESULTS = REPO / "bench" / "results" / "e3ne_comparison.json"
BENCHMARKS = REPO / "BENCHMARKS.md"
DEVICE = "xcvu13p"  # E3NE's target
FAMILY = "xcup"  # the anchor's synth_xilinx -family
SMALL = ("lenet5", "fang")  # E3NE measured cycles and resources
LARGE = ("alexnet", "vgg11")  # E3NE measured cycles only
ZOO_OPTS = {"lenet5": {"T": 4, "W": 3, "qat_epochs": 3},
            "fang": {"T": 4, "W": 4, "qat_epochs": 3},
            "alexnet": {}, "vgg11": {}}
LARGE_BUDGETS = {"device": "", "lut=0.1": "lut=0.1"}

SIM = "simulated (Verilator)"
SYN = "synthesized (Yosys 0.23 synth_xilinx -flatten -family xcup)"
MOD = "modelled"
E3 = "E3NE, quoted from anchors/e3ne.json"


def log(msg: str) -> None:
    print(f"[bench_e3ne {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def wall(n: int) -> str:
    return f"measured (wall time, median of {n})"


def load_anchor() -> dict:
    if not ANCHOR.is_file():
        sys.exit(f"bench_e3ne: error: E3NE anchor file {ANCHOR} is missing")
    return json.loads(ANCHOR.read_text())


def machine_note() -> dict:
    up = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    return {"uptime": up, "loadavg": list(os.getloadavg()), "cpus": os.cpu_count(),
            "platform": platform.platform(), "python": platform.python_version()}


def git_commit() -> str | None:
    p = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                       text=True, check=False)
    return p.stdout.strip() or None


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else math.nan


# --- compute bound -------------------------------------------------------------------

def compute_bound(net, folds: dict) -> dict:
    """Spike-plane products per image against the lanes of a design (DESIGN.md section 3).

    work_l = output pixels x C_out x fan_in x T (one spike plane of one weight-activation
    product); lanes_l = PE x SIMD x TP (products per cycle). ``bound_all_lanes`` = sum work /
    sum lanes: the interval if every lane of the design worked every cycle.
    ``bound_bottleneck`` = max_l work_l / lanes_l: the interval if every engine worked every
    cycle (a pipeline cannot beat its slowest engine)."""
    from e3ne.layers import Synaptic

    shapes = net.shapes()[1:]
    layers, work, lanes = [], 0, 0
    for layer, shape in zip(net.layers, shapes, strict=True):
        if not isinstance(layer, Synaptic):
            continue
        f = folds[layer.name]
        pixels = math.prod(shape[1:]) if len(shape) > 1 else 1
        w = pixels * layer.out_channels * layer.fan_in * net.T
        n = f.PE * f.SIMD * f.TP
        layers.append({"layer": layer.name, "out_shape": list(shape), "fan_in": layer.fan_in,
                       "work": w, "PE": f.PE, "SIMD": f.SIMD, "TP": f.TP, "lanes": n,
                       "weights": f.weights, "cycles_if_busy": w / n})
        work += w
        lanes += n
    return {"work_products": work, "lanes": lanes, "bound_all_lanes": work / lanes,
            "bound_bottleneck": max(r["cycles_if_busy"] for r in layers), "layers": layers}


def utilisation(bound: dict, interval: float | None, which: str) -> dict:
    if not interval:
        return {"interval": None, "interval_from": which}
    return {"interval": interval, "interval_from": which,
            "lane_utilisation": bound["bound_all_lanes"] / interval,
            "engine_utilisation": bound["bound_bottleneck"] / interval}


# --- steps ---------------------------------------------------------------------------

def timed_compiles(model: str, d: Path, budget: str, repeats: int, warmup: bool) -> tuple:
    """run_compile into ``d`` (the design kept), then more runs into a scratch dir; returns
    (CompileResult of d, timed seconds, warm-up seconds or None)."""
    from e3ne.jobs import ConvertOptions, run_compile

    opts = ConvertOptions(model=model, **ZOO_OPTS[model])
    log(f"{model}: compile for {DEVICE} within budget {budget or 'whole device'!r}"
        f"{' (warm-up: fills the training cache)' if warmup else ''}")
    t0 = time.perf_counter()
    res = run_compile(opts, d, device=DEVICE, budget=budget or None)
    first = time.perf_counter() - t0
    times = [] if warmup else [first]
    scratch = d.parent / f"{d.name}-compile-timing"
    while len(times) < repeats:
        log(f"{model}: timing compile {len(times) + 1}/{repeats}")
        t0 = time.perf_counter()
        again = run_compile(opts, scratch, device=DEVICE, budget=budget or None)
        times.append(time.perf_counter() - t0)
        if again.folds != res.folds:
            log(f"{model}: warning: compile run {len(times)} chose other folds than the first")
    return res, times, first if warmup else None


def simulate(d: Path, images: int, repeats: int) -> dict:
    """Co-simulate ``images`` test images plain and with stalls (bit-exact against the
    golden model); time plain runs with the simulator already built."""
    from e3ne.flow import verify
    from e3ne.ir import Network
    from e3ne.jobs import verify_images

    d = d.resolve()
    net = Network.load(d)
    q0 = verify_images(net, images, None)
    log(f"{d.name}: building the Verilator model for {images} images")
    t0 = time.perf_counter()
    verify.build(d, verify.load_plan(d), images)
    build_s = time.perf_counter() - t0
    runs, times = [], []
    for i in range(repeats):
        log(f"{d.name}: simulating {images} images (plain, run {i + 1}/{repeats})")
        t0 = time.perf_counter()
        r = verify.run(d, q0)
        times.append(time.perf_counter() - t0)
        runs.append(r)
    log(f"{d.name}: simulating {images} images with random stalls")
    stalled = verify.run(d, q0, stalls=True)
    doc = verify.write_report(d, [runs[0], stalled])
    t = median(times)
    return {"images": images, "mismatches": doc["mismatches"],
            "mismatches_plain": runs[0].mismatches, "mismatches_stalled": stalled.mismatches,
            "latency_cycles": runs[0].latency_cycles,
            "interval_cycles": runs[0].interval_cycles,
            "stalled_latency_cycles": stalled.latency_cycles,
            "stalled_interval_cycles": stalled.interval_cycles,
            "consistent_across_repeats": all(
                (r.latency_cycles, r.interval_cycles, r.mismatches)
                == (runs[0].latency_cycles, runs[0].interval_cycles, runs[0].mismatches)
                for r in runs),
            "build_seconds": round(build_s, 1), "sim_seconds": times,
            "sim_seconds_median": t, "sim_images_per_s": images / t,
            "how": f"{SIM}; images/s = images / wall time of e3ne.flow.verify.run with the "
                   f"simulator built (includes the golden-model check), median of {repeats}"}


def simulate_with_timeout(d: Path, images: int, timeout: float) -> dict:
    """`e3ne verify DIR --images N` in its own process group, killed after ``timeout``."""
    cmd = [str(REPO / ".venv" / "bin" / "e3ne"), "verify", str(d), "--images", str(images)]
    log(f"{d.name}: co-simulating {images} random images, timeout {timeout:.0f} s "
        f"({shlex.join(cmd)})")
    (d / "verify.json").unlink(missing_ok=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {"simulated": False,
                "reason": f"Verilator build + simulation did not finish within {timeout:.0f} s"}
    seconds = time.perf_counter() - t0
    vj = d / "verify.json"
    if not vj.is_file():
        lines = [ln.strip() for ln in out.splitlines() if ln.strip()]
        errs = [ln for ln in lines if ln.startswith("%Error-") or "error:" in ln.lower()
                or "FAIL" in ln]
        why = next((ln for ln in errs if ln.startswith("%Error-")), None) or \
            (errs or lines or ["no output"])[-1]
        return {"simulated": False, "exit": proc.returncode, "output_tail": lines[-12:],
                "reason": f"e3ne verify exited {proc.returncode}: {why[:300]}"}
    doc = json.loads(vj.read_text())
    return {"simulated": True, "images": doc["images"], "mismatches": doc["mismatches"],
            "latency_cycles": doc["latency_cycles"], "interval_cycles": doc["interval_cycles"],
            "seconds_incl_build": round(seconds, 1),
            "how": SIM + ", images of the network's dataset (random for alexnet/vgg11)"}


def synth(d: Path) -> dict:
    from e3ne.flow.yosys import synthesize

    log(f"{d.name}: synthesizing with Yosys synth_xilinx -flatten -family {FAMILY} "
        "(slow: minutes)")
    return synthesize(d, family=FAMILY)


def golden_speed(repeats: int) -> dict:
    """bench/bench_golden.py in a subprocess (LeNet-5, batch 256), its printed medians."""
    cmd = [sys.executable, str(REPO / "bench" / "bench_golden.py"), "--repeats", str(repeats)]
    log(f"golden model vs float forward: {shlex.join(cmd)}")
    p = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["failed"])[-1]}
    ips = dict(re.findall(r"^(float forward|golden \(fast\)).*\(\s*([\d.]+) images/s\)",
                          p.stdout, re.M))
    ms = dict(re.findall(r"^(float forward|golden \(fast\))\s+median\s+([\d.]+) ms",
                         p.stdout, re.M))
    fl, go = float(ips["float forward"]), float(ips["golden (fast)"])
    return {"model": "lenet5", "batch": 256, "repeats": repeats,
            "float_images_per_s": fl, "golden_images_per_s": go,
            "float_ms": float(ms["float forward"]), "golden_ms": float(ms["golden (fast)"]),
            "golden_over_float": go / fl,
            "command": f".venv/bin/python bench/bench_golden.py --repeats {repeats}",
            "output": p.stdout.strip(), "how": wall(repeats) + ", interleaved runs"}


# --- per model -----------------------------------------------------------------------

def small_model(model: str, anchor: dict, args: argparse.Namespace) -> dict:
    from e3ne.ir import Network

    a = anchor["models"][model]
    e3_bram = a["RAMB36"] + a["RAMB18"] / 2
    budget = f"lut={a['LUT']},bram={e3_bram:g}"
    d = Path(args.out) / model
    res, ctimes, warm = timed_compiles(model, d, budget, args.repeats, warmup=True)
    est = res.estimate
    net = Network.load(d)
    conv = json.loads((d / "convert.json").read_text())
    row: dict = {"model": model, "T": net.T, "W": net.W, "device": DEVICE, "budget": budget,
                 "snn_accuracy": conv.get("snn_accuracy"),
                 "float_accuracy": conv.get("float_accuracy"),
                 "folds": {k: vars(f) for k, f in res.folds.items()},
                 "compile_seconds": ctimes, "compile_seconds_median": median(ctimes),
                 "compile_warmup_seconds": warm,
                 "modelled": {"latency_cycles": est["cycles"]["latency"],
                              "interval_cycles": est["cycles"]["interval"],
                              **{k: est["resources"]["total"].get(k) for k in
                                 ("LUT", "LUTRAM", "LUT_total", "FF", "BRAM36_equiv")}}}
    row["sim"] = simulate(d, args.images, args.repeats)
    row["synth"] = None if args.quick else synth(d)
    bound = compute_bound(net, res.folds)
    row["compute_bound"] = bound
    sim_iv = row["sim"]["interval_cycles"]
    row["utilisation"] = (utilisation(bound, sim_iv, SIM) if sim_iv else
                          utilisation(bound, est["cycles"]["interval"], MOD))
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
    s = row["synth"]
    if s:
        ours_bram = s["BRAM36"] + s["BRAM18"] / 2
        ratios.update({
            "our_LUT_over_e3ne_LUT": s["LUT"] / a["LUT"],
            "our_LUTRAM_over_e3ne_LUTRAM": s["LUTRAM"] / e3_lutram if e3_lutram else None,
            "our_LUT_plus_LUTRAM_over_e3ne": (s["LUT"] + s["LUTRAM"]) / (a["LUT"] + e3_lutram),
            "our_FF_over_e3ne_FF": s["FF"] / a["FF"],
            "our_BRAM36_equiv": ours_bram,
            "our_BRAM_over_e3ne_BRAM": ours_bram / e3_bram if e3_bram else None})
    row["ratios"] = ratios
    return row


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
    est = res.estimate
    row.update({"compile_seconds": ctimes, "compile_seconds_median": median(ctimes),
                "compile_note": "run_compile with the lut=0.1 search's folds as --fold file "
                                "(convert + generate; the search's own seconds are listed "
                                "apart); random weights, no training cache: every run timed"})
    b["simulated_design"] = {
        "fold_file": str(fold_file),
        "weights": "on-chip ROMs (generator default for the folds)" if b["weights_external"]
        else "as chosen by the search",
        "modelled": {"latency_cycles": est["cycles"]["latency"],
                     "interval_cycles": est["cycles"]["interval"],
                     **{k: est["resources"]["total"].get(k) for k in
                        ("LUT", "LUTRAM", "LUT_total", "FF", "BRAM36_equiv")}}}
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


# --- report --------------------------------------------------------------------------

def f0(x) -> str:  # noqa: ANN001
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:,.0f}"


def f1(x, nd: int = 1) -> str:  # noqa: ANN001
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:,.{nd}f}"


def pct(x) -> str:  # noqa: ANN001
    return "–" if x is None else f"{100 * x:.1f} %"


def markdown(doc: dict) -> str:
    L: list[str] = []
    if doc["quick"]:
        L += ["**QUICK RUN — not for publication** (`--quick`: "
              f"{doc['images']} images, {doc['repeats']} repeat, no synthesis, no "
              "AlexNet/VGG simulation; it only tests the benchmark script)", ""]
    L += ["# e3ne against E3NE", "",
          f"- Date: {doc['date']}", f"- Command: `{doc['command']}`",
          f"- Commit: `{doc['commit']}`",
          f"- Machine: {doc['machine']['cpus']} CPUs, {doc['machine']['platform']}; load at "
          f"start `{doc['machine']['uptime']}`, at end `{doc['machine_end']['uptime']}` "
          "(wall times on a loaded 2-core machine are noisy)",
          f"- Total wall time: {doc['total_seconds'] / 60:.1f} min",
          f"- E3NE figures: {E3} — its released RTL (Verilator cycles per image; Yosys "
          "0.23 `synth_xilinx -flatten -family xcup` resources).",
          "- Cycles are compared as cycles (same clock assumed; no Fmax was measured).",
          "- Provenance tags: **sim** = simulated (Verilator, bit-exact against the golden "
          "model); **syn** = synthesized (Yosys 0.23 synth_xilinx -flatten -family xcup); "
          "**mod** = modelled (e3ne cycle / resource models); **wall** = measured (wall "
          "time, median of N); **E3NE** = quoted from the anchor.", ""]
    small = [r for r in doc["models"] if r["model"] in SMALL]
    large = [r for r in doc["models"] if r["model"] in LARGE]
    if small:
        L += ["## LeNet-5 and Fang at E3NE's budget", "",
              f"Device {DEVICE}; LUT budget = E3NE's LUT cells, BRAM budget = E3NE's "
              "RAMB36 + RAMB18/2. Our design is the one the search chose within that "
              "budget.", ""]
        head = "| figure | provenance | " + " | ".join(
            f"{r['model']} ours | {r['model']} E3NE" for r in small) + " |"
        L += [head, "|" + "---|" * (2 + 2 * len(small))]

        def line(name: str, prov: str, ours, e3=lambda r: "") -> None:  # noqa: ANN001
            cells = []
            for r in small:
                cells += [ours(r), e3(r)]
            L.append(f"| {name} | {prov} | " + " | ".join(cells) + " |")

        line("budget", "—", lambda r: f"`{r['budget']}`")
        line("T, W", "—", lambda r: f"{r['T']}, {r['W']}", lambda r: f"{r['T']}, {r['W']}")
        line("SNN test accuracy (1,000 MNIST)", "golden model",
             lambda r: f1(r["snn_accuracy"], 3))
        line("images verified / mismatches (plain + stalls)", "sim",
             lambda r: f"{r['sim']['images']} / {r['sim']['mismatches']}")
        line("latency, cycles (1 image)", "sim", lambda r: f0(r["sim"]["latency_cycles"]),
             lambda r: f0(r["e3ne"]["cycles"]))
        line("interval, cycles / image", "sim", lambda r: f1(r["sim"]["interval_cycles"]),
             lambda r: f0(r["e3ne"]["cycles"]))
        line("latency with random stalls, cycles", "sim",
             lambda r: f0(r["sim"]["stalled_latency_cycles"]))
        line("latency / interval, cycles", "mod",
             lambda r: f"{f0(r['modelled']['latency_cycles'])} / "
                       f"{f0(r['modelled']['interval_cycles'])}")
        line("**E3NE cycles / our latency**", "sim, one run",
             lambda r: f"**{f1(r['ratios']['e3ne_cycles_over_our_latency'])}×**")
        line("**E3NE cycles / our interval**", "sim, one run",
             lambda r: f"**{f1(r['ratios']['e3ne_cycles_over_our_interval'])}×**")

        def syn(key: str):  # noqa: ANN202
            return lambda r: f0(r["synth"][key]) if r["synth"] else "not synthesized"

        line("LUT (logic, LUT1-6 cells)", "syn", syn("LUT"), lambda r: f0(r["e3ne"]["LUT"]))
        line("LUTRAM (LUT sites as memory; RAM32M16 = 8)", "syn", syn("LUTRAM"),
             lambda r: f0(r["e3ne"]["LUTRAM_sites"]))
        line("LUT + LUTRAM", "syn",
             lambda r: f0(r["synth"]["LUT"] + r["synth"]["LUTRAM"]) if r["synth"] else "–",
             lambda r: f0(r["e3ne"]["LUT_plus_LUTRAM"]))
        line("FF", "syn", syn("FF"), lambda r: f0(r["e3ne"]["FF"]))
        line("BRAM36 + BRAM18/2", "syn",
             lambda r: (f1(r["ratios"]["our_BRAM36_equiv"]) + f" ({r['synth']['BRAM36']} + "
                        f"{r['synth']['BRAM18']}/2)") if r["synth"] else "–",
             lambda r: f"{r['e3ne']['BRAM36_equiv']:g} ({r['e3ne']['RAMB36']} + "
                       f"{r['e3ne']['RAMB18']}/2)")
        line("LUT / LUTRAM / LUT+LUTRAM / FF / BRAM36", "mod",
             lambda r: " / ".join(f1(r["modelled"][k], 0) if k != "BRAM36_equiv"
                                  else f"{r['modelled'][k]:g}"
                                  for k in ("LUT", "LUTRAM", "LUT_total", "FF",
                                            "BRAM36_equiv")))

        def ratio(key: str):  # noqa: ANN202
            return lambda r: (f"**{f1(r['ratios'][key], 2)}**" if key in r["ratios"]
                              and r["ratios"][key] is not None else "–")

        line("**our LUT / E3NE LUT** (logic only)", "syn", ratio("our_LUT_over_e3ne_LUT"))
        line("**our LUT+LUTRAM / E3NE LUT+LUTRAM**", "syn",
             ratio("our_LUT_plus_LUTRAM_over_e3ne"))
        line("**our BRAM / E3NE BRAM**", "syn", ratio("our_BRAM_over_e3ne_BRAM"))
        line("our FF / E3NE FF", "syn", ratio("our_FF_over_e3ne_FF"))
        line("Yosys wall time, s", "wall, 1 run",
             lambda r: f1(r["synth"]["seconds"]) if r["synth"] else "–")
        line("compile (convert + QAT + search + generate), s", f"wall, median of "
             f"{doc['repeats']}", lambda r: f1(r["compile_seconds_median"]))
        line("simulation speed, images/s (simulator built)", f"wall, median of "
             f"{doc['repeats']}", lambda r: f1(r["sim"]["sim_images_per_s"]))
        line("Verilator build, s", "wall, 1 run", lambda r: f1(r["sim"]["build_seconds"]))
        L += ["", "Our LUT counts LUT1–6 cells (INV not counted); E3NE's `LUT` in the anchor "
              "is likewise logic LUT cells, with its 86 / 78 `RAM32M16` distributed-RAM "
              "cells listed apart (8 LUT sites each). Both ways of counting are shown.", ""]
    if large:
        L += ["## AlexNet and VGG-11 (E3NE: cycles only)", "",
              f"Device {DEVICE}; random weights and data; E3NE's cycles force all weights on chip "
              "with no DDR load time. "
              "Figures are **modelled** (cycle and resource models of the chosen design) "
              "unless marked sim.", "",
              "| model | budget | weights | latency, cycles | interval, cycles | LUT+LUTRAM "
              "| FF | BRAM36 | E3NE cycles | E3NE / our latency | E3NE / our interval | "
              "lane util. | provenance |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in large:
            for name, b in r["budgets"].items():
                m = b["modelled"]
                label = "whole device" if name == "device" else "10 % of LUTs (`lut=0.1`)"
                wt = "external (modelled)" if b["weights_external"] else "on chip"
                L.append(f"| {r['model']} | {label} | {wt} | {f0(m['latency_cycles'])} | "
                         f"{f0(m['interval_cycles'])} | {f0(m['LUT_total'])} | {f0(m['FF'])} "
                         f"| {m['BRAM36_equiv']:g} | {f0(r['e3ne']['cycles'])} | "
                         f"{f1(b['e3ne_cycles_over_our_latency'])}× | "
                         f"{f1(b['e3ne_cycles_over_our_interval'])}× | "
                         f"{pct(b['utilisation'].get('lane_utilisation'))} | mod |")
            s = r["sim"]
            if s.get("simulated"):
                b = r["budgets"]["lut=0.1"]
                L.append(f"| {r['model']} | 10 % of LUTs (`lut=0.1`) folds | "
                         f"{b['simulated_design']['weights'].split(' (')[0]} | "
                         f"{f0(s['latency_cycles'])} | {f1(s['interval_cycles'])} | – | – | – "
                         f"| {f0(r['e3ne']['cycles'])} | "
                         f"{f1(b['simulated_e3ne_cycles_over_our_latency'])}× | – | – | "
                         f"sim, {s['images']} images, {s['mismatches']} mismatches |")
        L.append("")
        for r in large:
            for name, b in r["budgets"].items():
                if b["on_chip_infeasible"]:
                    L.append(f"- {r['model']}, budget {name}: with weights in on-chip ROMs "
                             f"the search refused: \"{b['on_chip_infeasible']}\" — so its "
                             "row models weights streamed from external memory (no ROM "
                             "counted, no bandwidth limit modelled; E3NE's figure likewise "
                             "forces weights on chip with no DDR load time).")
            sd = r["budgets"]["lut=0.1"]["simulated_design"]
            m = sd["modelled"]
            L.append(f"- {r['model']}: the simulated design is the `lut=0.1` folds with "
                     f"weights {sd['weights']}; modelled latency {f0(m['latency_cycles'])}, "
                     f"interval {f0(m['interval_cycles'])}, {f0(m['LUT_total'])} LUT+LUTRAM, "
                     f"{m['BRAM36_equiv']:g} BRAM36 (it need not fit the device: simulation "
                     "only).")
            s = r["sim"]
            L.append(f"- {r['model']} `lut=0.1` design: " + (
                f"simulated (Verilator), {s['images']} random images, {s['mismatches']} "
                f"mismatches, {s['seconds_incl_build']} s with the build."
                if s.get("simulated") else f"not simulated ({s['reason']})."))
            srch = r["budgets"]["lut=0.1"]["search_seconds"]
            L.append(f"- {r['model']} compile (convert + generate from the `lut=0.1` folds): "
                     f"{f1(r['compile_seconds_median'])} s, {wall(len(r['compile_seconds']))}"
                     f" (random weights: no training cache, every run timed); the search "
                     f"itself: {f1(srch, 2)} s (measured, 1 run).")
        L.append("")
    L += ["## Utilisation against the compute bound", "",
          "Work = Σ over synaptic layers of output pixels × C_out × fan-in × T "
          "spike-plane products per image; lanes = Σ PE × SIMD × TP (products per cycle). "
          "**All-lanes bound** = work / lanes: the interval if every lane of the design "
          "worked every cycle. **Bottleneck bound** = max over layers of work / (PE·SIMD·TP): "
          "the interval if every engine worked every cycle. Utilisation = bound / interval.",
          "", "| model | design | work, products | lanes | all-lanes bound, cycles | "
          "bottleneck bound, cycles | interval, cycles | interval from | lane util. | "
          "engine util. |", "|---|---|---|---|---|---|---|---|---|---|"]
    rows = []
    for r in small:
        rows.append((r["model"], "E3NE budget", r["compute_bound"], r["utilisation"]))
    for r in large:
        for name, b in r["budgets"].items():
            rows.append((r["model"], name, b["compute_bound"], b["utilisation"]))
            if name == "lut=0.1" and "utilisation_simulated" in b:
                rows.append((r["model"], name, b["compute_bound"],
                             b["utilisation_simulated"]))
    for model, name, bnd, u in rows:
        L.append(f"| {model} | {name} | {f0(bnd['work_products'])} | {f0(bnd['lanes'])} | "
                 f"{f1(bnd['bound_all_lanes'])} | {f1(bnd['bound_bottleneck'])} | "
                 f"{f1(u['interval'])} | {u['interval_from']} | "
                 f"{pct(u.get('lane_utilisation'))} | {pct(u.get('engine_utilisation'))} |")
    g = doc.get("golden")
    L += ["", "## Software speed", ""]
    if g and "error" not in g:
        L += [f"Golden model (fast executor) vs float PyTorch forward, LeNet-5, batch "
              f"{g['batch']}, {wall(g['repeats'])} (interleaved; `bench/bench_golden.py`):", "",
              "| | images/s | ms per batch |", "|---|---|---|",
              f"| float forward | {f0(g['float_images_per_s'])} | {f1(g['float_ms'], 2)} |",
              f"| golden (fast) | {f0(g['golden_images_per_s'])} | {f1(g['golden_ms'], 2)} |",
              f"| golden / float | {f1(g['golden_over_float'], 2)}× | |", ""]
    elif g:
        L += [f"Golden-model benchmark failed: {g['error']}", ""]
    L += [f"Raw numbers: `bench/results/{RESULTS.name}`.", ""]
    return "\n".join(L)


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
    args = ap.parse_args()
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
    for model in models:
        row = (small_model if model in SMALL else large_model)(model, anchor, args)
        doc["models"].append(row)
        log(f"{model}: done")
    doc["golden"] = golden_speed(args.repeats)
    doc["machine_end"] = machine_note()
    doc["total_seconds"] = time.perf_counter() - t_start
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(doc, indent=1, default=str) + "\n")
    BENCHMARKS.write_text(markdown(doc))
    log(f"wrote {BENCHMARKS} and {RESULTS} ({doc['total_seconds'] / 60:.1f} min)")
    print(BENCHMARKS.read_text())


if __name__ == "__main__":
    main()
