"""The exploration jobs: search one network, sweep T and W, and write what was found.

``explore.json`` holds every feasible design the search visited for each (T, W), with
its modelled latency, interval and resources, whether it is on the Pareto front
(latency, LUT, BRAM) and whether it is the one chosen; ``estimate.json`` holds the
models' view of one design (per stage cycles, per core resources) next to its RTL.
"""

from __future__ import annotations

from e3ne.artifacts import (
    CycleEstimate,
    CycleStage,
    EstimateDoc,
    ResourceEstimate,
    ResourceTotals,
    StageResources,
)
from e3ne.design.folding import Fold
from e3ne.devices import get_device
from e3ne.dse import cycles as cycle_model
from e3ne.dse import resources as resource_model
from e3ne.dse.lane_cost import lane_cost, products_per_image
from e3ne.dse.search import SearchResult
from e3ne.errors import ConfigError
from e3ne.ir import Network

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
                 chosen_by: str | None = None, weight_port: str = "axis") -> EstimateDoc:
    """The models' view of one design (``estimate.json``)."""
    pace = get_device(device).port_cycles_per_beat(clock_mhz) if device else 1.0
    cyc = cycle_model.estimate(net, folds, pace)
    res = resource_model.estimate(net, folds, weight_port)
    products = products_per_image(net)
    return EstimateDoc(
        about="modelled, not measured: cycles from e3ne.dse.cycles, resources from "
              "e3ne.dse.resources (Yosys-calibrated); compare verify.json / synth.json; "
              "latency_us is at the assumed clock_mhz (the Vivado constraint), not a "
              "measured one (e3ne pnr measures Fmax)",
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
        chosen_by=chosen_by, products_per_image=products,
        lane_cost=round(lane_cost(res.lut_total, cyc.interval, products), 3))


def point_rows(res: SearchResult, T: int, W: int, acc: tuple) -> list[dict]:
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
