"""The exploration jobs: search one network, sweep T and W, and write what was found.

``explore.json`` holds every feasible design the search visited for each (T, W), with
its modelled latency, interval and resources, whether it is on the Pareto front
(latency, LUT, BRAM) and whether it is the one chosen; ``estimate.json`` holds the
models' view of one design (per stage cycles, per core resources) next to its RTL.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from e3ne.artifacts import (
    TW,
    CycleEstimate,
    CycleStage,
    EstimateDoc,
    ExploreDoc,
    ExplorePoint,
    FoldSpec,
    ResourceEstimate,
    ResourceTotals,
    StageResources,
)
from e3ne.dse import cycles as cycle_model
from e3ne.dse import resources as resource_model
from e3ne.dse.search import SearchResult, check_options, search
from e3ne.errors import ConfigError
from e3ne.hw.folding import Fold
from e3ne.ir import Network
from e3ne.progress import bar

DEFAULT_DEVICE = "xc7z020"


def parse_sweep(tokens: list[str] | None) -> dict[str, list[int]]:
    """``["T=2,3,4", "W=3,4"]`` -> ``{"T": [2, 3, 4], "W": [3, 4]}``."""
    out: dict[str, list[int]] = {}
    for tok in tokens or []:
        key, eq, vals = tok.partition("=")
        key = key.strip().upper()
        try:
            nums = sorted({int(v) for v in vals.split(",") if v.strip()})
        except ValueError:
            nums = []
        if not eq or key not in ("T", "W") or not nums or key in out:
            raise ConfigError(f"--sweep {tok!r}: expected T=2,3,4 and/or W=3,4 (each once, "
                              "integers)")
        out[key] = nums
    return out


def estimate_doc(net: Network, folds: dict[str, Fold], device: str | None = None,
                 budget: dict | None = None, clock_mhz: float = 200.0,
                 chosen_by: str | None = None) -> EstimateDoc:
    """The models' view of one design (``estimate.json``)."""
    cyc = cycle_model.estimate(net, folds)
    res = resource_model.estimate(net, folds)
    return EstimateDoc(
        about="modelled, not measured: cycles from e3ne.dse.cycles, resources from "
              "e3ne.dse.resources (Yosys-calibrated); compare verify.json / synth.json",
        device=device, budget=budget, clock_mhz=clock_mhz,
        cycles=CycleEstimate(
            latency=cyc.latency, interval=cyc.interval,
            latency_us=round(cyc.latency / clock_mhz, 3),
            stages=[CycleStage(name=s.name, kind=s.kind, layer=s.layer, cycles=s.cycles,
                               first_out=s.first_out, last_out=s.last_out)
                    for s in cyc.stages]),
        resources=ResourceEstimate(
            total=ResourceTotals.from_json({**res.totals(), "LUT_total": res.lut_total,
                                            "BRAM36_equiv": res.bram}),
            stages=[StageResources(name=c.name, kind=c.module, layer=c.layer, LUT=c.LUT,
                                   FF=c.FF, LUTRAM=c.LUTRAM, BRAM36=c.BRAM36,
                                   BRAM18=c.BRAM18, URAM=c.URAM) for c in res.cores]),
        chosen_by=chosen_by)


def _point_rows(res: SearchResult, T: int, W: int, acc: tuple) -> list[dict]:
    rows = []
    for p in res.points:
        rows.append({"T": T, "W": W, "float_accuracy": acc[0], "snn_accuracy": acc[1],
                     **p.summary(), "pareto": p.pareto, "chosen": p is res.chosen,
                     "best_for_TW": p is res.chosen})
    return rows


def front_table(rows: list[dict]) -> list[str]:
    """The Pareto front as text, fastest first."""
    head = (f"{'T':>2}{'W':>3}{'latency':>10}{'interval':>10}{'LUT':>9}{'FF':>9}"
            f"{'BRAM36':>8}{'SNN acc':>9}  ")
    lines = [head]
    for r in sorted((r for r in rows if r["pareto"]), key=lambda r: (r["T"], r["W"],
                                                                     r["latency"])):
        acc = "-" if r["snn_accuracy"] is None else f"{r['snn_accuracy']:.3f}"
        lines.append(f"{r['T']:>2}{r['W']:>3}{r['latency']:>10,}{r['interval']:>10,}"
                     f"{r['LUT']:>9,}{r['FF']:>9,}{r['BRAM36']:>8g}{acc:>9}"
                     f"  {'<- chosen' if r['chosen'] else ''}")
    return lines


def run_explore(opts, device: str = DEFAULT_DEVICE, budget: str | None = None,
                objective: str = "latency", interval: int | None = None,
                sweep: dict[str, list[int]] | None = None,
                out_dir: str | Path | None = None, progress: bool = True,
                external_weights: bool = False, converted: dict | None = None) -> dict:
    """Convert (per T, W of the sweep), search each, write ``explore.json`` and plots.
    ``converted``, if given, collects the conversions by (T, W) for the caller."""
    from e3ne.jobs import _resolve, run_convert

    check_options(device, budget, objective, interval)
    _, _, _, _, T0, W0 = _resolve(opts)
    Ts = (sweep or {}).get("T", [T0])
    Ws = (sweep or {}).get("W", [W0])
    rows: list[dict] = []
    primary = (T0, W0) if (T0 in Ts and W0 in Ws) else (Ts[0], Ws[0])
    chosen_folds = None
    seconds = 0.0
    combos = [(T, W) for W in Ws for T in Ts]
    for k, (T, W) in enumerate(combos):
        if progress:
            bar(k, len(combos), f"explore: T={T} W={W}: converting")
        conv = run_convert(replace(opts, T=T, W=W), None, progress=False)
        if converted is not None:
            converted[(T, W)] = conv
        res = search(conv.net, device, budget, objective, interval,
                     external_weights=external_weights)
        seconds += res.seconds
        if progress:
            c = res.chosen
            print(f"explore: T={T} W={W}: {len(res.points)} designs in "
                  f"{res.seconds:.2f} s; chosen latency {c.latency:,}, interval "
                  f"{c.interval:,}, {c.lut:,} LUT, {c.resources.bram:g} BRAM36",
                  file=sys.stderr, flush=True)
        rows += _point_rows(res, T, W, (conv.float_accuracy, conv.snn_accuracy))
        if progress:
            bar(k + 1, len(combos), f"explore: T={T} W={W} done")
        if (T, W) == primary:
            chosen_folds = res.chosen.folds
            budget_doc = res.budget
    for r in rows:  # one chosen design overall: the primary (T, W)'s
        r["chosen"] = r["chosen"] and (r["T"], r["W"]) == primary
    doc = ExploreDoc(
        model=opts.model, device=device, budget=budget_doc, objective=objective,
        target_interval=interval,
        weights="external (modelled only)" if external_weights else "on chip",
        primary=TW(T=primary[0], W=primary[1]),
        chosen_folds={k: FoldSpec(PE=f.PE, SIMD=f.SIMD, TP=f.TP, weights=f.weights)
                      for k, f in chosen_folds.items()},
        search_seconds=round(seconds, 3),
        about="modelled (cycle + resource models); accuracy measured by the golden model "
              "on the test split",
        points=[ExplorePoint.from_json(r, ExploreDoc.FILE) for r in rows])
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        doc.save(out)
        write_explore_plots(doc.to_json(), out)
    return doc.to_json()


def write_explore_plots(doc: dict, out: Path) -> list[Path]:
    """latency vs LUT (the fronts) and accuracy vs latency over (T, W), as PNG."""
    from e3ne.report import plots

    metric = "interval" if doc["objective"] == "throughput" else "latency"
    paths = []
    for name, png in (("explore_latency_lut.png", plots.pareto(doc["points"], metric)),
                      ("explore_accuracy_latency.png", plots.accuracy_vs_latency(doc["points"]))):
        if png:
            (out / name).write_bytes(png)
            paths.append(out / name)
    return paths
