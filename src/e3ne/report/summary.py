"""The report's summary: each headline figure once, from the best source the directory
holds (Verilator over the cycle model over the search; Yosys over the resource model),
with that source named."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from e3ne.artifacts import ConvertDoc, EstimateDoc, ExploreDoc, ExplorePoint, VerifyDoc
from e3ne.dse.lane_cost import lane_cost, products_per_image
from e3ne.ir import NETWORK_FILE
from e3ne.report.inputs import Inputs
from e3ne.report.markup import Section, acc, num, resource_columns, table

CHOSEN = "chosen design point"
SEARCH = "design-space search (chosen point)"


def _pick(*cands: tuple[str, Callable[[], Any]]) -> tuple[Any, str]:
    """The first candidate with a value, and its source."""
    for src, get in cands:
        v = get()
        if v is not None:
            return v, src
    return None, ""


def _resources(inp: Inputs, chosen: ExplorePoint | None) -> tuple[str, dict[str, Any]]:
    """Where the resource figures come from, and the figures (LUT: logic + memory)."""
    if inp.synth is not None:
        src, res = "Yosys synthesis", resource_columns(inp.synth)
    elif inp.estimate is not None:
        src, res = "resource model (estimate.json)", resource_columns(
            inp.estimate.resources.total)
    elif chosen is not None:
        src, res = SEARCH, resource_columns(chosen)
    else:
        src, res = "", {}
    if res.get("LUT") is not None and src != SEARCH:
        # synth.json / estimate.json count LUTs as logic and as memory apart; a device's LUT
        # count (and a budget) covers both, as the search's chosen point already does
        res = {**res, "LUT": res["LUT"] + (res.get("LUTRAM") or 0)}
    return src, res


def summary(inp: Inputs) -> Section:
    s = Section("summary")
    net = inp.net
    ex = inp.explore or ExploreDoc()
    chosen = ex.chosen
    c, x = inp.conv or ConvertDoc(), chosen or ExplorePoint()
    cyc = (inp.estimate or EstimateDoc()).cycles
    ver = inp.verify or VerifyDoc()
    meta = net.meta if net is not None else {}
    facts: dict[str, tuple[Any, str]] = {
        "model": _pick(("convert.json", lambda: c.model),
                       (NETWORK_FILE, lambda: meta.get("model")),
                       ("explore.json", lambda: ex.model)),
        "dataset": _pick(("convert.json", lambda: c.dataset),
                         (NETWORK_FILE, lambda: meta.get("dataset"))),
        "T": _pick(("convert.json", lambda: c.T),
                   (NETWORK_FILE, lambda: net.T if net else None), (CHOSEN, lambda: x.T)),
        "W": _pick(("convert.json", lambda: c.W),
                   (NETWORK_FILE, lambda: net.W if net else None), (CHOSEN, lambda: x.W)),
        "float accuracy": _pick(("convert.json", lambda: c.float_accuracy),
                                (CHOSEN, lambda: x.float_accuracy)),
        "SNN accuracy": _pick(("convert.json", lambda: c.snn_accuracy),
                              (CHOSEN, lambda: x.snn_accuracy)),
        "latency (cycles)": _pick(("Verilator (verify.json)", lambda: ver.latency_cycles),
                                  ("cycle model (estimate.json)", lambda: cyc.latency),
                                  (CHOSEN, lambda: x.latency)),
        "interval (cycles)": _pick(("Verilator (verify.json)", lambda: ver.interval_cycles),
                                   ("cycle model (estimate.json)", lambda: cyc.interval),
                                   (CHOSEN, lambda: x.interval)),
    }
    res_src, res = _resources(inp, chosen)
    for key in ("LUT", "FF", "BRAM", "DSP"):
        v = res.get(key)
        label = {"BRAM": "BRAM (36 Kb blocks)", "LUT": "LUT (logic + memory)"}.get(key, key)
        facts[label] = (v, res_src if v is not None else "")
    lut, lut_src = facts["LUT (logic + memory)"]
    interval, iv_src = facts["interval (cycles)"]
    products = (inp.estimate.products_per_image if inp.estimate is not None else None) or (
        products_per_image(net) if net is not None else None)
    facts["lane cost (LUT per product per cycle)"] = (
        (round(lane_cost(lut, interval, products), 2), f"{lut_src} LUT, {iv_src} interval")
        if lut and interval and products else (None, ""))
    fmax = min(inp.pnr.fmax_mhz.values()) if inp.pnr and inp.pnr.fmax_mhz else None
    facts["Fmax (MHz)"] = (fmax, f"nextpnr ({inp.pnr.device})" if fmax else "")
    lat, lat_src = facts["latency (cycles)"]
    facts["latency (µs)"] = ((round(lat / fmax, 3), f"{lat_src} at the measured Fmax")
                             if fmax and lat else (None, ""))
    if ver.mismatches is not None:
        facts["bit-exact"] = (ver.mismatches == 0, f"Verilator, {num(ver.images)} images")
    else:
        facts["bit-exact"] = (None, "")
    s.data = {k: {"value": v, "source": src or None} for k, (v, src) in facts.items()}
    rows = []
    for k, (v, src) in facts.items():
        text = (acc(v) if "accuracy" in k and v is not None else
                ("yes" if v else "NO") if k == "bit-exact" and v is not None else num(v))
        rows.append([k, text, src or ("unknown" if k in ("model", "dataset", "T", "W")
                                      else "not run")])
    s.body.append(table(["quantity", "value", "source"], rows))
    return s
