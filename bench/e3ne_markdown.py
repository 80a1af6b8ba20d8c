"""BENCHMARKS.md from bench/results/e3ne_comparison.json (``markdown(doc)``), one function
per section."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from e3ne_common import DEVICE, E3, LARGE, RESULTS, SMALL, f0, f1, pct, wall

Cell = Callable[[dict], str]
ZOO_W = {"lenet5": 3, "fang": 4}  # the zoo W of the two MNIST models


def markdown(doc: dict) -> str:
    small = [r for r in doc["models"] if r["model"] in SMALL]
    large = [r for r in doc["models"] if r["model"] in LARGE]
    L = quick_banner(doc) + header(doc)
    if small:
        L += small_section(small, doc["repeats"])
    if large:
        L += large_section(large)
    L += bound_section(small, large)
    L += software_section(doc.get("golden"))
    L += accuracy_section()
    L += qonnx_section()
    L += zoo_section()
    L += uram_section()
    L += ddr_section()
    L += [f"Raw numbers: `bench/results/{RESULTS.name}`.", ""]
    return "\n".join(L)


def quick_banner(doc: dict) -> list[str]:
    if not doc["quick"]:
        return []
    return ["**QUICK RUN — not for publication** (`--quick`: "
            f"{doc['images']} images, {doc['repeats']} repeat, no synthesis, no "
            "AlexNet/VGG simulation; it only tests the benchmark script)", ""]


def header(doc: dict) -> list[str]:
    return ["# e3ne against E3NE", "",
            f"- Date: {doc['date']}", f"- Command: `{doc['command']}`",
            f"- Commit: `{doc['commit']}`",
            f"- Machine: {doc['machine']['cpus']} CPUs, {doc['machine']['platform']}; load at "
            f"start `{doc['machine']['uptime']}`, at end `{doc['machine_end']['uptime']}` "
            "(wall times on a loaded 2-core machine are noisy)",
            f"- Total wall time: {doc['total_seconds'] / 60:.1f} min",
            f"- E3NE figures: {E3} — its released RTL (Verilator cycles per image; Yosys "
            "0.23 `synth_xilinx -flatten -family xcup` resources).",
            "- Time per image: our latency in cycles (Verilator) at our Fmax measured by "
            "nextpnr-ecp5 on an LFE5U-85F (speed 8), a slower family than E3NE's; E3NE's "
            "cycles at the 200 MHz it closed on its VU13P. Cycle ratios are cycles.",
            "- Provenance tags: **sim** = simulated (Verilator, bit-exact against the golden "
            "model); **syn** = synthesized (Yosys 0.23 synth_xilinx -flatten -family xcup); "
            "**mod** = modelled (e3ne cycle / resource models); **wall** = measured (wall "
            "time, median of N); **E3NE** = quoted from the anchor.", ""]


# --- LeNet-5 and Fang ------------------------------------------------------------------
def _row(small: list[dict], name: str, prov: str, ours: Cell,
         e3: Cell = lambda r: "") -> str:
    """One figure: ours and E3NE's, per model."""
    cells = []
    for r in small:
        cells += [ours(r), e3(r)]
    return f"| {name} | {prov} | " + " | ".join(cells) + " |"


def small_section(small: list[dict], repeats: int) -> list[str]:
    L = ["## LeNet-5 and Fang at E3NE's budget", "",
         f"Device {DEVICE}; LUT budget = E3NE's LUT cells, BRAM budget = E3NE's "
         "RAMB36 + RAMB18/2, no UltraRAM (E3NE used none). Our design is the one the "
         "search chose within that budget.", ""]
    head = "| figure | provenance | " + " | ".join(
        f"{r['model']} ours | {r['model']} E3NE" for r in small) + " |"
    L += [head, "|" + "---|" * (2 + 2 * len(small))]
    L += [_row(small, *spec) for spec in (_cycle_rows() + _resource_rows()
                                          + _time_rows(repeats))]
    L += ["", "Our LUT counts LUT1–6 cells (INV not counted); E3NE's `LUT` in the anchor "
          "is likewise logic LUT cells, with its 86 / 78 `RAM32M16` distributed-RAM "
          "cells listed apart (8 LUT sites each). Both ways of counting are shown.", ""]
    runs = sorted({(r.get("commit"), r.get("date")) for r in small} - {(None, None)})
    if len(runs) > 1:  # columns kept by --merge from an earlier run
        L += ["Columns measured at different commits: " + "; ".join(
            f"{r['model']} at commit `{r.get('commit')}` ({r.get('date')})" for r in small)
            + ".", ""]
    return L


def _cycle_rows() -> list[tuple]:
    return [
        ("budget", "—", lambda r: f"`{r['budget']}`"),
        ("T, W", "—", lambda r: f"{r['T']}, {r['W']}", lambda r: f"{r['T']}, {r['W']}"),
        ("SNN test accuracy (1,000 MNIST)", "golden model",
         lambda r: f1(r["snn_accuracy"], 3)),
        ("images verified / mismatches (plain + stalls)", "sim",
         lambda r: f"{r['sim']['images']} / {r['sim']['mismatches']}"),
        ("latency, cycles (1 image)", "sim", lambda r: f0(r["sim"]["latency_cycles"]),
         lambda r: f0(r["e3ne"]["cycles"])),
        ("interval, cycles / image", "sim", lambda r: f1(r["sim"]["interval_cycles"]),
         lambda r: f0(r["e3ne"]["cycles"])),
        ("latency with random stalls, cycles", "sim",
         lambda r: f0(r["sim"]["stalled_latency_cycles"])),
        ("latency / interval, cycles", "mod",
         lambda r: f"{f0(r['modelled']['latency_cycles'])} / "
                   f"{f0(r['modelled']['interval_cycles'])}"),
        ("**E3NE cycles / our latency**", "sim, one run",
         lambda r: f"**{f1(r['ratios']['e3ne_cycles_over_our_latency'])}×**"),
        ("**E3NE cycles / our interval**", "sim, one run",
         lambda r: f"**{f1(r['ratios']['e3ne_cycles_over_our_interval'])}×**"),
        ("Fmax, MHz (LFE5U-85F speed 8 / E3NE's VU13P)", "pnr (nextpnr) / E3NE",
         lambda r: f1(r["ratios"]["fmax_mhz"]) if r.get("pnr") else "not placed",
         lambda r: "200 (closed timing)"),
        ("latency, µs per image", "sim × pnr",
         lambda r: f1(r["ratios"]["latency_us"], 2) if r.get("pnr") else "–",
         lambda r: f1(r["ratios"]["e3ne_latency_us"], 1) if r.get("pnr") else "–"),
        ("images / s (interval at Fmax)", "sim × pnr",
         lambda r: f0(r["ratios"]["images_per_s"]) if r.get("pnr") and
         r["ratios"]["images_per_s"] else "–"),
        ("**E3NE µs / our µs**", "sim × pnr",
         lambda r: f"**{f1(r['ratios']['e3ne_us_over_our_us'])}×**" if r.get("pnr")
         else "–"),
        ("ECP5 LUT4 / FF / EBR, bitstream bytes", "pnr",
         lambda r: f"{f0(r['pnr']['LUT4'])} / {f0(r['pnr']['FF'])} / {r['pnr']['EBR']}, "
                   f"{f0(r['pnr']['bitstream_bytes'])}" if r.get("pnr") else "–"),
        ("critical path (ECP5): ns, logic cells", "pnr",
         lambda r: f"{r['pnr']['critical_path']['ns']}, "
                   f"{r['pnr']['critical_path']['logic_cells']}" if r.get("pnr") else "–"),
        ("Xilinx logic depth (LUT levels + carry cells)", "syn",
         lambda r: str(r["synth"].get("logic_depth")) if r["synth"] else "–"),
        ("lane cost, LUT per spike × weight-bit product per cycle", "syn × sim",
         lambda r: f1(r.get("lane_cost", {}).get("synthesized"), 2)),
        ("lane cost (modelled LUT × modelled interval)", "mod",
         lambda r: f1(r.get("lane_cost", {}).get("modelled"), 2)),
    ]


def _syn(key: str) -> Cell:
    return lambda r: f0(r["synth"][key]) if r["synth"] else "not synthesized"


def _ratio(key: str) -> Cell:
    return lambda r: (f"**{f1(r['ratios'][key], 2)}**" if key in r["ratios"]
                      and r["ratios"][key] is not None else "–")


def _modelled_resources(r: dict) -> str:
    return " / ".join(f1(r["modelled"][k], 0) if k != "BRAM36_equiv"
                      else f"{r['modelled'][k]:g}"
                      for k in ("LUT", "LUTRAM", "LUT_total", "FF", "BRAM36_equiv"))


def _resource_rows() -> list[tuple]:
    return [
        ("LUT (logic, LUT1-6 cells)", "syn", _syn("LUT"), lambda r: f0(r["e3ne"]["LUT"])),
        ("LUTRAM (LUT sites as memory; RAM32M16 = 8)", "syn", _syn("LUTRAM"),
         lambda r: f0(r["e3ne"]["LUTRAM_sites"])),
        ("LUT + LUTRAM", "syn",
         lambda r: f0(r["synth"]["LUT"] + r["synth"]["LUTRAM"]) if r["synth"] else "–",
         lambda r: f0(r["e3ne"]["LUT_plus_LUTRAM"])),
        ("FF", "syn", _syn("FF"), lambda r: f0(r["e3ne"]["FF"])),
        ("BRAM36 + BRAM18/2", "syn",
         lambda r: (f1(r["ratios"]["our_BRAM36_equiv"]) + f" ({r['synth']['BRAM36']} + "
                    f"{r['synth']['BRAM18']}/2)") if r["synth"] else "–",
         lambda r: f"{r['e3ne']['BRAM36_equiv']:g} ({r['e3ne']['RAMB36']} + "
                   f"{r['e3ne']['RAMB18']}/2)"),
        ("LUT / LUTRAM / LUT+LUTRAM / FF / BRAM36", "mod", _modelled_resources),
        ("**our LUT / E3NE LUT** (logic only)", "syn", _ratio("our_LUT_over_e3ne_LUT")),
        ("**our LUT+LUTRAM / E3NE LUT+LUTRAM**", "syn",
         _ratio("our_LUT_plus_LUTRAM_over_e3ne")),
        ("**our BRAM / E3NE BRAM**", "syn", _ratio("our_BRAM_over_e3ne_BRAM")),
        ("our FF / E3NE FF", "syn", _ratio("our_FF_over_e3ne_FF")),
    ]


def _time_rows(repeats: int) -> list[tuple]:
    return [
        ("Yosys wall time, s", "wall, 1 run",
         lambda r: f1(r["synth"]["seconds"]) if r["synth"] else "–"),
        ("place and route wall time (synth_ecp5 + nextpnr + ecppack), s", "wall, 1 run",
         lambda r: f1(sum(r["pnr"]["seconds"].values())) if r.get("pnr") else "–"),
        ("compile (convert + QAT + search + generate), s", f"wall, median of {repeats}",
         lambda r: f1(r["compile_seconds_median"])),
        ("simulation speed, images/s (simulator built)", f"wall, median of {repeats}",
         lambda r: f1(r["sim"]["sim_images_per_s"])),
        ("Verilator build, s", "wall, 1 run", lambda r: f1(r["sim"]["build_seconds"])),
    ]


# --- AlexNet and VGG-11 ----------------------------------------------------------------
def large_section(large: list[dict]) -> list[str]:
    L = ["## AlexNet and VGG-11 (E3NE: cycles only)", "",
         f"Device {DEVICE}; random weights and data; E3NE's cycles force all weights on chip "
         "with no DDR load time. "
         "Figures are **modelled** (cycle and resource models of the chosen design) "
         "unless marked sim.", "",
         "| model | budget | weights | latency, cycles | interval, cycles | LUT+LUTRAM "
         "| FF | BRAM36 | E3NE cycles | E3NE / our latency | E3NE / our interval | "
         "lane util. | provenance |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in large:
        L += _large_rows(r)
    L.append("")
    older = sorted({(r.get("commit"), r.get("date")) for r in large} - {(None, None)})
    if older:
        L += ["Rows measured at " + "; ".join(f"commit `{c}` ({d})" for c, d in older)
              + ".", ""]
    for r in large:
        L += _large_notes(r)
    L.append("")
    return L


def _large_rows(r: dict) -> list[str]:
    L = []
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
    return L


def _large_notes(r: dict) -> list[str]:
    L = []
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
    return L


# --- compute bound, software speed ---------------------------------------------------
def bound_section(small: list[dict], large: list[dict]) -> list[str]:
    L = ["## Utilisation against the compute bound", "",
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
    return L


def software_section(g: dict | None) -> list[str]:
    L = ["", "## Software speed", ""]
    if g and "error" not in g:
        L += [f"Golden model (fast executor) vs float PyTorch forward, LeNet-5, batch "
              f"{g['batch']}, {wall(g['repeats'])} (interleaved; `bench/bench_golden.py`):", "",
              "| | images/s | ms per batch |", "|---|---|---|",
              f"| float forward | {f0(g['float_images_per_s'])} | {f1(g['float_ms'], 2)} |",
              f"| golden (fast) | {f0(g['golden_images_per_s'])} | {f1(g['golden_ms'], 2)} |",
              f"| golden / float | {f1(g['golden_over_float'], 2)}× | |", ""]
    elif g:
        L += [f"Golden-model benchmark failed: {g['error']}", ""]
    return L


def qonnx_section() -> list[str]:
    """Brevitas LeNet-5 through QONNX (bench/results/qonnx.json, ``bench/bench_qonnx.py``),
    beside our own QAT; nothing when that benchmark has not run."""
    path = RESULTS.parent / "qonnx.json"
    if not path.is_file():
        return []
    q = json.loads(path.read_text())
    L = ["", "## Models from QONNX (Brevitas)", "",
         f"LeNet-5 trained in Brevitas (`examples/brevitas_lenet5.py`), 3-bit weights and 4-bit "
         f"activations, exported to QONNX and converted with its own quantisation (no "
         f"calibration); the golden model against the qonnx executor image by image on the "
         f"{q['models'][0]['images']:,} MNIST test images. Command: `{q['command']}` "
         f"(commit `{q['commit']}`, {q['date']}).", "",
         "| model | activations round | Brevitas acc. | qonnx executor acc. | e3ne golden acc. "
         "| same class | same integer scores | mapping |", "|---|---|---|---|---|---|---|---|"]
    for r in q["models"]:
        n = r["images"]
        L.append(f"| Brevitas LeNet-5 W{r['W']}A{r['T']}, {r['epochs']} epochs | "
                 f"{r['variant'].upper()} | {r['brevitas_accuracy']:.3f} | "
                 f"{r['qonnx_accuracy']:.3f} | {r['e3ne_accuracy']:.3f} | "
                 f"{r['class_matches']}/{n} | {r['score_matches']}/{n} | "
                 f"{'exact' if r['exact'] else 'ties round up, not to even'} |")
    acc = RESULTS.parent / "accuracy.json"
    a = json.loads(acc.read_text()) if acc.is_file() else {}
    ours = next((r for r in (a.get("sweep", []) if isinstance(a, dict) else [])
                 if r["model"] == "lenet5" and (r["T"], r["W"]) == (4, 3)), None)
    if ours and "qat_summary" in ours:
        L.append(f"| e3ne QAT (zoo LeNet-5, T=4 W=3, {len(ours['seeds'])} seeds, "
                 f"`bench/results/accuracy.json`) | nearest | float "
                 f"{_ms(ours['float_summary'])} | – | {_ms(ours['qat_summary'])} | – | – | – |")
    d = q["models"][0].get("design")
    if d:
        runs = "; ".join(f"{x['images']} images{' with random stalls' if x['stalls'] else ''}: "
                         f"{x['mismatches']} mismatches, latency {x['latency_cycles']:,} cycles"
                         for x in d["runs"])
        L += ["", f"The FLOOR model's design (`e3ne compile`, {d['device']}): simulated "
                  f"(Verilator), {runs}; modelled latency {d['latency_modelled']:,} cycles."]
    return L + [""]


def _ms(summary: dict | None) -> str:
    return "–" if not summary else f"{summary['mean']:.3f} ± {summary['std']:.3f}"


def accuracy_section() -> list[str]:
    """Accuracy over training seeds, and radix against rate coding (bench/results/
    accuracy.json from ``bench/bench_accuracy.py``, synops.json from ``bench_synops.py``)."""
    path = RESULTS.parent / "accuracy.json"
    if not path.is_file():
        return []
    a = json.loads(path.read_text())
    if not isinstance(a, dict) or "sweep" not in a:
        return []
    seeds = len(a["sweep"][0]["seeds"]) if a["sweep"] else 0
    L = ["", "## Accuracy (post-training and QAT) and radix against rate coding", "",
         f"1,000 MNIST test images; mean ± standard deviation over {seeds} training seeds "
         f"(the zoo model trained from each seed, `e3ne convert`'s defaults; QAT 3 epochs). "
         f"Latency: the design the search picks at E3NE's budget on the xcvu13p for the "
         f"seed-0 post-training network, **modelled**. Command: `{a['command']}` (commit "
         f"`{a['commit']}`, {a['date']}, {a['minutes']} min).", "",
         "| model | T | W | float | SNN post-training | SNN QAT | QAT − float | "
         "latency, cycles (mod) |", "|---|---|---|---|---|---|---|---|"]
    for r in a["sweep"]:
        gap = (r["qat_summary"]["mean"] - r["float_summary"]["mean"]) if "qat_summary" in r \
            else None
        L.append(f"| {r['model']} | {r['T']} | {r['W']} | {_ms(r.get('float_summary'))} | "
                 f"{_ms(r.get('ptq_summary'))} | {_ms(r.get('qat_summary'))} | "
                 f"{'–' if gap is None else f'{gap:+.3f}'} | "
                 f"{r.get('latency_cycles', 0):,} |")
    for extra in sorted(RESULTS.parent.glob("accuracy_*.json")):  # longer QAT, etc.
        x = json.loads(extra.read_text())
        for r in x["sweep"]:
            L.append(f"| {r['model']} | {r['T']} | {r['W']} | {_ms(r.get('float_summary'))} "
                     f"| {_ms(r.get('ptq_summary'))} | {_ms(r.get('qat_summary'))} "
                     f"(`{x['command']}`) | "
                     f"{r['qat_summary']['mean'] - r['float_summary']['mean']:+.3f} | "
                     f"{r.get('latency_cycles', 0):,} |")
    syn = RESULTS.parent / "synops.json"
    ops = {}
    if syn.is_file():
        sd = json.loads(syn.read_text())
        ops = {(r["model"], r["coding"], r["steps"]): r["synops_per_image"]["total"]
               for r in sd["rows"]}
    L += ["", "Radix against rate coding on the same conversions: radix at T bits takes T "
              "steps for 2^T − 1 levels; the rate-coded baseline (`e3ne.rate`, golden model "
              "only, integrate-and-fire on the network's own integers, post-training at T=8) "
              "takes S steps for S levels. Synaptic operations: spike × non-zero-weight "
              "additions per image, counted exactly by the golden model for seed 0 "
              "(`bench/bench_synops.py`, `bench/results/synops.json`); e3ne's engines are "
              "dense, so they measure the codings' work, not our hardware's.", "",
              "| model | coding | steps | accuracy (post-training) | synaptic ops / image | "
              "latency, cycles (mod) |", "|---|---|---|---|---|---|"]
    for r in a["sweep"]:
        if r["W"] != ZOO_W.get(r["model"]):
            continue
        o = ops.get((r["model"], "radix", r["T"]))
        L.append(f"| {r['model']} | radix (T={r['T']}, W={r['W']}) | {r['T']} | "
                 f"{_ms(r.get('ptq_summary'))} | {'–' if o is None else f'{o:,.0f}'} | "
                 f"{r.get('latency_cycles', 0):,} |")
    for r in a.get("rate", []):
        o = ops.get((r["model"], "rate", r["steps"]))
        L.append(f"| {r['model']} | rate (W={r['W']}) | {r['steps']} | "
                 f"{_ms(r['rate_summary'])} | {'–' if o is None else f'{o:,.0f}'} | "
                 "no RTL |")
    return L + [""]


def zoo_section() -> list[str]:
    """The zoo models beyond E3NE's, each compiled with its defaults and co-simulated
    (bench/results/cosim.json from ``bench/bench_cosim.py``); nothing before that runs."""
    path = RESULTS.parent / "cosim.json"
    rows = json.loads(path.read_text()).values() if path.is_file() else []
    rows = sorted((r for r in rows if "float_accuracy" in r), key=lambda r: r["model"])
    if not rows:
        return []
    cmds = sorted({f"`{r['command']}` (commit `{r['commit']}`, {r['date']})" for r in rows})
    L = ["", "## More zoo models: float against spiking, verified in simulation", "",
         "Each model compiled with `e3ne compile`'s defaults (the zoo's T and W, the whole "
         "default device, the latency objective, post-training conversion: no QAT), trained "
         "on the offline MNIST digits where the zoo says so (accuracy on its 1,000 test "
         "images), random weights otherwise (accuracy meaningless: –). The design is "
         "co-simulated in Verilator against the "
         "golden model, plain and with random stalls; cycles are the simulation's beside "
         "the cycle model's. Command: " + "; ".join(cmds) + ".", "",
         "| model | T, W | data | float acc. | SNN acc. (golden) | images verified, "
         "mismatches (plain + stalls) | latency, cycles sim / mod | interval sim / mod | "
         "latency with stalls (sim) | device |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        trained = r["dataset"] != "random"
        acc = (f"{r['float_accuracy']:.3f} | {r['snn_accuracy']:.3f}" if trained
               and r["float_accuracy"] is not None else "– | –")
        iv = r["interval_cycles"]
        L.append(f"| {r['model']} | {r['T']}, {r['W']} | {r['dataset']} | {acc} | "
                 f"{r['images']:,}, {r['mismatches']} | {r['latency_cycles']:,} / "
                 f"{r['modelled_latency_cycles']:,} | "
                 f"{'–' if iv is None else f'{iv:,.0f}'} / {r['modelled_interval_cycles']:,} "
                 f"| {r['stalled_latency_cycles']:,} | {r['device']} |")
    named = {m for r in rows for m in re.findall(r"--models (\S+)", r["command"])
             for m in m.split(",")}
    missing = sorted(named - {r["model"] for r in rows} - set(SMALL + LARGE))
    if missing:
        L += ["", f"Named in that command but stopped before its row was written: "
                  f"{', '.join(missing)}."]
    return L + [""]


def _over_e3ne(e3: int | None, latency: int) -> str:
    """E3NE's cycles over our latency, written out, for the large-model tables."""
    return f"{e3:,} / {latency:,} = {e3 / latency:.1f}x" if e3 else "(no E3NE figure)"


def _sim_runs(runs: list[dict]) -> str:
    """Each simulated run's latency, labelled plain or with stalls."""
    return ", ".join(f"{x['latency_cycles']:,} ({'stalls' if x.get('stalls') else 'plain'})"
                     for x in runs)


def uram_section() -> list[str]:
    """AlexNet/VGG on the xcvu13p with every weight on chip, UltraRAM included
    (bench/results/large_uram.json from ``bench/bench_large_uram.py``); each budget's
    figures at the commit it names (the file's, unless the entry has its own)."""
    path = RESULTS.parent / "large_uram.json"
    if not path.is_file():
        return []
    d = json.loads(path.read_text())
    L = ["", "## Weights on chip, UltraRAM included: AlexNet and VGG on the xcvu13p", "",
         "The search places each layer's weights in LUTs, block RAM or UltraRAM (loaded "
         "over the weight port after reset) within the device, or within 10 % of its LUTs "
         "(`lut=0.1`); T6 W6, random weights. **Modelled** (cycle and resource models) "
         "unless a simulated line says otherwise. E3NE's cycles are with its weights forced "
         f"on chip. Command: `{d['about'].split('produced by ')[-1]}` (commit "
         f"`{d['commit']}` unless a row names its own)."
         + (f" Note: {d['note']}." if d.get("note") else ""), "",
         "| model | budget | latency (cycles) | interval | LUT+LUTRAM | FF | BRAM36 | URAM | "
         "weights placed | E3NE cycles / our latency | search, s (wall, 1 run) | commit |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    sims = []
    for r in d["rows"]:
        for name, b in r["budgets"].items():
            m = b["modelled"]
            placed = ", ".join(f"{v} {k}" for k, v in sorted(b["weights_placed"].items()))
            ratio = _over_e3ne(r.get("e3ne_cycles"), m["latency_cycles"])
            L.append(f"| {r['model']} | {name} | {m['latency_cycles']:,} | "
                     f"{m['interval_cycles']:,} | {m['LUT_total']:,} | {m['FF']:,} | "
                     f"{m['BRAM36_equiv']:g} | {m['URAM']:,} | {placed} | {ratio} | "
                     f"{b['search_seconds']:,.1f} | "
                     f"{'`' + b['commit'] + '`' if b.get('commit') else 'the file’s'} |")
            s = b.get("simulated")
            if s:
                sims.append(f"- {r['model']} `{name}`, **simulated**: {s['images']} images, "
                            f"{s['mismatches']} mismatches; latency {_sim_runs(s['runs'])} "
                            f"against {s['modelled_latency_cycles']:,} modelled; verify "
                            f"{s['verify_seconds']} s; {s['how']}.")
    return L + [""] + sims + ([""] if sims else [])


def ddr_section() -> list[str]:
    """AlexNet/VGG with weights streamed from DDR where they do not fit
    (bench/results/large_ddr.json from ``bench/bench_large_ddr.py``); nothing before that
    runs."""
    path = RESULTS.parent / "large_ddr.json"
    if not path.is_file():
        return []
    d = json.loads(path.read_text())
    L = ["", "## Weights from DDR: AlexNet and VGG on a device too small for them", "",
         "`e3ne compile --external-weights`: the search starts with every layer's weights "
         "streamed from DDR (one looping AXI reader per streamed layer, the readers sharing "
         "the 512-bit `m_axi_weights` round robin) and keeps on chip the layers whose ROMs "
         "save the most latency within the device; T6 W6, random weights. **Modelled** "
         "(cycle and resource models) unless a simulated row says otherwise: the port moves "
         "one 512-bit beat a cycle, so the beats an image needs bound the interval, and the "
         "latency from the first streamed layer's start (the readers take turns at the "
         "port); a streamed conv layer's weights are read again for every window. The "
         "bandwidth column is what that takes at the assumed clock, beside the board "
         "memory's peak (devices.py). E3NE's cycles are with its weights forced on chip (no "
         f"DDR time). Command: `.venv/bin/python bench/{d['command']}` (last run at commit "
         f"`{d['commit']}`, {d['date']}; each row names the commit it was run at)."
         + (f" Note: {d['note']}." if d.get("note") else ""),
         "", "| model | device | latency (cycles) | interval | bound by | weights streamed "
         "/ on chip | port beats per image (MB) | bandwidth at the clock (board) | LUT, FF, "
         "BRAM36 | E3NE cycles / our latency | search, s (wall, 1 run) | commit |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in d["rows"]:
        res, ratio = r["resources"], _over_e3ne(r["e3ne_cycles"], r["latency_cycles"])
        placed = r.get("weights_placed", {})
        ext = placed.get("ext", 0)
        bw = (f"{r['port_gbps_needed']:g} GB/s at {r['clock_mhz_assumed']:g} MHz "
              f"(assumed; {r['board_memory_gbps']:g} GB/s)" if "port_gbps_needed" in r
              and r.get("board_memory_gbps") else "")
        L.append(f"| {r['model']} | {r['device']} | {r['latency_cycles']:,} | "
                 f"{r['interval_cycles']:,} | {r['bottleneck']} | "
                 f"{ext} / {sum(placed.values()) - ext} | "
                 f"{r['port_beats_per_image']:,} ({r['port_bytes_per_image'] / 1e6:.1f}) | "
                 f"{bw} | {res['LUT']:,}, {res['FF']:,}, {res['BRAM36']:g} | {ratio} | "
                 f"{r['search_seconds']:,.1f} | `{r.get('commit', d['commit'])}` |")
    for r in d["rows"]:
        s = r.get("simulated")
        if s:
            L.append("")
            alone = (f"; one image alone {s['one_image_latency_cycles']:,} "
                     f"({s['latency_error']:+.2%})" if "one_image_latency_cycles" in s else "")
            L.append(f"{r['model']} on the {r['device']}, **simulated**: {s['images']} "
                     f"images, {s['mismatches']} mismatches, latency {_sim_runs(s['runs'])}"
                     f"{alone} against {s['modelled_latency_cycles']:,} modelled; "
                     f"{s['how']}.")
    return L + _streamed_cores() + [""]


def _streamed_cores() -> list[str]:
    """The streaming cores of a DDR design synthesized alone against the resource model
    (bench/results/streamed_cores.json from ``bench/bench_streamed_cores.py``)."""
    path = RESULTS.parent / "streamed_cores.json"
    if not path.is_file():
        return []
    d = json.loads(path.read_text())
    keys = ("LUT", "LUTRAM", "FF", "BRAM36")
    L = ["", f"The cores that stream weights, of the {d['design']} design, each "
         f"**synthesized** alone against the resource model: {d['how']}. Command: "
         f"`.venv/bin/python bench/{d['command']}` (commit `{d['commit']}`, {d['date']}).",
         "", "| core | module (layer) | " + " | ".join(f"{k} Yosys / model" for k in keys)
         + " | Yosys, s |", "|---|---|" + "---|" * (len(keys) + 1)]
    for c in d["cores"]:
        cells = " | ".join(f"{c['yosys'][k]:,} / {c['model'][k]:,}" for k in keys)
        L.append(f"| {c['instance']} | {c['module']} ({c['layer'] or '-'}) | {cells} | "
                 f"{c['seconds']:g} |")
    return L

