"""Step ``explore``: convert per (T, W) of the sweep, search each, write ``explore.json``
and its plots."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from e3ne.artifacts import TW, ExploreDoc, ExplorePoint, FoldSpec
from e3ne.dse.explore import DEFAULT_DEVICE, point_rows
from e3ne.dse.search import check_options, search
from e3ne.jobs.convert import resolve, run_convert
from e3ne.progress import bar


def run_explore(opts, device: str = DEFAULT_DEVICE, budget: str | None = None,
                objective: str = "latency", interval: int | None = None,
                sweep: dict[str, list[int]] | None = None,
                out_dir: str | Path | None = None, progress: bool = True,
                external_weights: bool = False, converted: dict | None = None) -> dict:
    """Convert (per T, W of the sweep), search each, write ``explore.json`` and plots.
    ``converted``, if given, collects the conversions by (T, W) for the caller."""
    check_options(device, budget, objective, interval)
    _, _, _, _, T0, W0, _ = resolve(opts)
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
        rows += point_rows(res, T, W, (conv.float_accuracy, conv.snn_accuracy))
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
        weights="external (streamed from DDR)" if external_weights else "on chip",
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
