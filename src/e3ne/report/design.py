"""The report's sections about the chosen design: the design space the search explored
(explore.json) and the per-layer cycles and resources of the models (estimate.json)."""

from __future__ import annotations

from typing import Any

from e3ne.artifacts import EstimateDoc, ExploreDoc, ExplorePoint
from e3ne.report import plots
from e3ne.report.markup import (
    Section,
    acc,
    esc,
    img,
    missing,
    note,
    num,
    para,
    resource_columns,
    table,
)
from e3ne.report.sections import fold_table

POINT_COLUMNS = ["T", "W", "snn_accuracy", "latency", "interval", "LUT", "FF", "BRAM36",
                 "URAM", "DSP"]


def _pick(p: ExplorePoint, keys: list[str]) -> dict[str, Any]:
    doc = p.to_json()
    return {k: doc[k] for k in keys}


def design_space(ex: ExploreDoc | None) -> Section:
    s = Section("design-space")
    if ex is None:
        s.body.append(missing(ExploreDoc.FILE))
        return s
    points = ex.points
    objective = ex.objective or "latency"
    metric = "interval" if objective == "throughput" else "latency"
    front = sorted((p for p in points if p.pareto),
                   key=lambda p: (p.LUT or 0, getattr(p, metric) or 0))
    chosen = ex.chosen
    s.data = {"model": ex.model, "device": ex.device, "budget": ex.budget,
              "objective": objective, "points": len(points), "seconds": ex.search_seconds,
              "front": [_pick(p, [*POINT_COLUMNS, "chosen"]) for p in front],
              "chosen": None if chosen is None else _pick(chosen, [*POINT_COLUMNS, "folds"])}
    btext = ", ".join(f"{k.upper()} {num(v)}" for k, v in (ex.budget or {}).items())
    s.body.append(para(f"{len(points)} design points of {ex.model or '?'} on "
                       f"{ex.device or '?'} (budget: {btext or '—'}), objective "
                       f"{objective}; {len(front)} on the Pareto front (latency, LUT, BRAM); "
                       f"search took {num(ex.search_seconds, 2)} s."))
    point_docs = [p.to_json() for p in points]
    s.body.append(img(plots.pareto(point_docs, metric), f"Pareto front, {metric} vs LUT"))
    if chosen is not None:  # the table: the front of the chosen (T, W), the rest is plotted
        front = [p for p in front if (p.T, p.W) == (chosen.T, chosen.W)]
    if front:
        at = "" if chosen is None else f" at T={chosen.T} W={chosen.W}"
        s.body.append(f"<h3>Pareto front{esc(at)}</h3>")
        rows = [[p.T, p.W, acc(p.snn_accuracy), p.latency, p.interval, p.LUT, p.FF,
                 p.BRAM36, p.URAM, p.DSP, "chosen" if p.chosen else ""] for p in front]
        s.body.append(table(["T", "W", "SNN acc.", "latency", "interval", "LUT", "FF",
                             "BRAM36", "URAM", "DSP", ""], rows,
                            ["chosen" if p.chosen else "" for p in front]))
    else:
        s.body.append(note("No point is marked as on the Pareto front."))
    if chosen is not None and chosen.folds:
        s.body.append("<h3>Folds of the chosen point</h3>")
        s.body.append(fold_table(chosen.folds))
    s.body.append("<h3>Accuracy vs T</h3>")
    acc_png = plots.accuracy_vs_T(point_docs)
    if acc_png is None:
        s.body.append(note("No point of the sweep carries an accuracy (random data or no "
                           "labelled test set)."))
    else:
        s.body.append(img(acc_png, "accuracy vs T"))
        seen: dict[tuple, ExplorePoint] = {}
        for p in points:
            if p.snn_accuracy is not None:
                seen.setdefault((p.T, p.W), p)
        s.data["accuracy_vs_T"] = [{"T": t, "W": w, "float_accuracy": p.float_accuracy,
                                    "snn_accuracy": p.snn_accuracy}
                                   for (t, w), p in sorted(seen.items())]
    return s


def merge_stages(est: EstimateDoc) -> list[dict[str, Any]]:
    """Cycle and resource stages joined by name, in the cycle model's order."""
    merged: dict[str, dict[str, Any]] = {}
    for st in [*est.cycles.stages, *est.resources.stages]:
        merged.setdefault(str(st.name), {}).update(st.to_json())
    return list(merged.values())


def layers(est: EstimateDoc | None) -> Section:
    s = Section("layers")
    if est is None:
        s.body.append(missing(EstimateDoc.FILE))
        return s
    total = est.resources.total
    stages = merge_stages(est)
    clock = est.clock_mhz
    lat, itv = est.cycles.latency, est.cycles.interval
    s.data = {"device": est.device, "clock_mhz": clock, "latency": lat, "interval": itv,
              "total": resource_columns(total), "budget": est.budget, "stages": stages}
    line = (f"Estimated (cycle model and resource model) for {est.device or '?'}: "
            f"latency {num(lat)} cycles, interval {num(itv)} cycles")
    if clock and lat and itv:
        line += (f"; at {num(float(clock))} MHz {lat / clock:,.1f} µs per image, "
                 f"{clock * 1e6 / itv:,.0f} images/s")
    s.body.append(para(line + "."))
    s.body.append(_stage_bars(stages, "cycles", "cycles per image",
                              "Per-stage cycles (interval = the largest)", "per-stage cycles"))
    s.body.append(_stage_bars(stages, "LUT", "LUT", "Per-stage LUTs", "per-stage LUTs"))
    heads = ["stage", "kind", "layer", "cycles", "first out", "last out", "LUT", "FF",
             "BRAM36", "BRAM18", "URAM", "LUTRAM"]
    keys = ["name", "kind", "layer", "cycles", "first_out", "last_out", "LUT", "FF",
            "BRAM36", "BRAM18", "URAM", "LUTRAM"]
    rows = [[st.get(k) for k in keys] for st in stages]
    classes = [""] * len(rows)
    if total is not None:
        rows.append(["total", "", "", "", "", "", *(
            "—" if getattr(total, k) is None else getattr(total, k)
            for k in ("LUT", "FF", "BRAM36", "BRAM18", "URAM", "LUTRAM"))])
        classes.append("total")
    s.body.append(table(heads, rows, classes))
    if total is not None and est.budget:
        res = resource_columns(total)
        urows = []
        for key in ("LUT", "FF", "BRAM", "URAM", "DSP"):
            have, cap = res.get(key), est.budget.get(key.lower())
            util = None if have is None or not cap else have / cap
            urows.append([key, num(have), num(cap),
                          "—" if util is None else f"{100 * util:.1f}%"])
        s.body.append("<h3>Utilisation of the budget</h3>")
        s.body.append(table(["resource", "estimate", "budget", "used"], urows))
    return s


def _stage_bars(stages: list[dict[str, Any]], key: str, ylabel: str, title: str,
                alt: str) -> str:
    named = [st for st in stages if st.get(key) is not None]
    return img(plots.stage_bars([str(st.get("name")) for st in named],
                                [st[key] for st in named], ylabel, title), alt)
