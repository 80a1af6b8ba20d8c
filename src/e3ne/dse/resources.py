"""Resource model: LUT, FF, LUTRAM, BRAM, URAM, DSP of a design without synthesizing it.

The design is the list of cores ``e3ne.hw.generate.core_instances`` returns, so the model
sees exactly the parameters the generator writes. Per core:

* **Block RAM** is counted, not fitted: every memory whose style the DSE fixes (weight
  ROMs with ``WGT_RAM = 1``, line buffers with ``LB_RAM = 1``) is packed by the rule of
  ``e3ne.hw.memory.bram_cells``, which reproduces Yosys 0.23's choices.
* **LUT, FF and LUTRAM** are linear in a few structural features of each core (gated
  weight bits, popcount adders, accumulator and neuron widths, line-buffer sites, ...),
  with non-negative coefficients fitted by relative least squares to single cores that
  Yosys synthesized (``dse/calibration.json``, written by
  ``bench/calibrate_resources.py``). The fit runs once per process (a few ms).
* No core multiplies, so DSP is 0; UltraRAM is never inferred (it cannot be initialised).

``bench/bench_resource_model.py`` reports the model's error, per core (leave-one-out) and
on whole generated networks against ``e3ne synth``.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field

import numpy as np

from e3ne.dse.calibrate import CALIBRATION_FILE
from e3ne.errors import ConfigError
from e3ne.hw.folding import Fold
from e3ne.hw.generate import Core, core_instances
from e3ne.hw.memory import bram_cells, line_buffer, lutram_sites, rom_logic_luts
from e3ne.ir import Network

__all__ = ["ResourceEstimate", "CoreEstimate", "estimate", "core_estimate", "FITTED"]

FITTED = ("LUT", "FF", "LUTRAM")
KEYS = ("LUT", "FF", "LUTRAM", "BRAM36", "BRAM18", "URAM", "DSP")
# The top level's own logic (generate._top_text): reset register, started flag, two 32-bit
# counters (66 FF), and the counter's incrementer.
TOP_GLUE = {"LUT": 33, "FF": 66}


def _clog2(n: int) -> int:
    return max(0, math.ceil(math.log2(n))) if n > 1 else 0


def _cells(mems: list[tuple[int, int]]) -> dict:
    """Exact block-RAM cells (and their read-multiplexer LUTs) of memories in block RAM."""
    out = {"BRAM36": 0, "BRAM18": 0, "LUT": 0}
    for depth, width in mems:
        c = bram_cells(depth, width)
        out["BRAM36"] += c.n36
        out["BRAM18"] += c.n18
        out["LUT"] += c.luts
    return out


def _engine(p: dict) -> tuple[dict, dict]:
    pe, simd, tp, T, W = p["PE"], p["SIMD"], p["TP"], p["T"], p["W"]
    nf, sf, np_ = p["C_OUT"] // pe, p["MW"] // simd, T // tp
    acc, f, b_w, th_w = p["ACC_W"], p["F"], p["B_W"], p["TH_W"]
    out = p["OUTPUT"] == 1
    uw = max(acc + f, b_w) + 1
    wgt, win, par = (p.get(k, 0) == 1 for k in ("WGT_RAM", "WIN_RAM", "PAR_RAM"))
    ext = p.get("WGT_RAM", 0) == 2  # streamed in: no ROM on chip, the word still registered
    depth, width = nf * sf, pe * simd * W
    ps_w = W + tp + _clog2(simd + 1) + 1
    par_w = pe * (b_w + (0 if out else th_w))
    feats = {
        "const": 1.0,
        "gated": pe * simd * tp * W,  # spike-gated 3:2 counters
        "tree": pe * simd * tp * W * _clog2(simd + 1),  # the counter tree's adds
        "planeadd": pe * W * tp * ps_w,  # popcounts shifted and summed per plane pair
        "acc": pe * acc,  # Horner accumulator
        "bias": pe * uw,  # U = V*2^F + beta
        "neuron": pe * uw * (1 if out else T),  # successive-subtraction stages
        "chunk": simd * tp * (np_ - 1),  # spike-plane select
        "rom": 0 if wgt or ext else rom_logic_luts(depth, width),
        "wreg": 0 if wgt else width,  # the weight word register, in LUTs ...
        "wreg_bram": width if wgt else 0,  # ... or at a block RAM's output
        "par": 0 if par else rom_logic_luts(nf, par_w),
        "parw": par_w,
        "win": 0 if win else lutram_sites(2 * sf, simd * T),
        "ctrl": _clog2(depth + 1) + _clog2(2 * sf + 1),
        # pipeline registers of the RTL: window word, spike chunk, partial sums, Horner
        # accumulator and its output, bias/threshold through three stages
        "regs": simd * T + simd * tp + pe * ps_w + 2 * pe * acc + 3 * par_w,
    }
    live = p.get("WGT_BITS", width)  # constant bit columns are dropped by synthesis
    mems = ([(depth, live)] if wgt else []) + ([(2 * sf, simd * T)] if win else [])
    if par:
        mems += [(nf, pe * b_w)] + ([] if out else [(nf, pe * th_w)])
    return feats, _cells(mems)


def _swu(p: dict) -> tuple[dict, dict]:
    lb = line_buffer(p["K"], p["S"], p["P"], p["H"], p["WD"], p["C"], p["SIMD"], p["T"])
    bram = p.get("LB_RAM", 0) == 1
    sites = 0 if bram else lb.banks * lutram_sites(lb.depth, lb.width)
    feats = {
        "const": 1.0,
        "out": p["SIMD"] * p["T"],
        "banks": lb.banks * lb.width,
        "lutram": sites,
        "gear": (p["CH"] + min(p["SIMD"], p["C"])) * p["T"],
        "addr": lb.banks * _clog2(lb.depth + 1) + lb.banks_per_row * _clog2(lb.rows + 1),
        "rowmux": p["SIMD"] * p["T"] * _clog2(lb.rows),  # a tap's row slot
        "colmux": p["SIMD"] * p["T"] * _clog2(lb.banks_per_row),  # its column bank
    }
    return feats, _cells([(lb.depth, lb.width)] * lb.banks if bram else [])


def _pool(p: dict) -> tuple[dict, dict]:
    st = p["SIMD"] * p["T"]
    kk = p["K"] * p["K"]
    return {"const": 1.0, "lanes": st, "avg": st * p["MODE"] * (_clog2(kk) + 2),
            "depth": (p["C"] // p["SIMD"]) * st}, {}


def _dwc(p: dict) -> tuple[dict, dict]:
    return {"const": 1.0, "in": p["IN_LANES"] * p["LANE_W"],
            "out": p["OUT_LANES"] * p["LANE_W"],
            "count": _clog2(max(p["IN_LANES"], p["OUT_LANES"]) + 1)}, {}


def _argmax(p: dict) -> tuple[dict, dict]:
    return {"const": 1.0, "lanes": p["LANES"] * p["SCORE_W"],
            "score": p["SCORE_W"] * (_clog2(p["LANES"]) + 1)}, {}


FEATURES = {"synaptic_engine": _engine, "swu": _swu, "pool_unit": _pool,
            "stream_dwc": _dwc, "argmax_unit": _argmax}


def _nnls(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    from scipy.optimize import nnls

    return nnls(a, b)[0]


def fit(samples: list[dict]) -> dict[str, dict[str, dict[str, float]]]:
    """Coefficients per module and fitted resource, from Yosys-measured samples."""
    coef: dict[str, dict[str, dict[str, float]]] = {}
    for module, feat_fn in FEATURES.items():
        rows = [s for s in samples if s["module"] == module]
        if not rows:
            continue
        computed = [feat_fn(s["params"]) for s in rows]  # (features, exact) per core
        names = list(computed[0][0])
        x = np.array([[f[n] for n in names] for f, _ in computed], float)
        coef[module] = {}
        for key in FITTED:
            exact = np.array([e.get(key, 0) for _, e in computed], float)
            y = np.array([s["yosys"][key] for s in rows], float) - exact
            w = 1.0 / np.maximum(np.abs(y + exact), 20.0)  # relative error, floor 20 units
            c = _nnls(x * w[:, None], y * w)
            coef[module][key] = dict(zip(names, map(float, c), strict=True))
    return coef


@functools.cache
def calibration() -> dict[str, dict[str, dict[str, float]]]:
    """The fitted coefficients of the shipped calibration samples (fitted once)."""
    return fit(json.loads(CALIBRATION_FILE.read_text())["samples"])


@dataclass(frozen=True)
class CoreEstimate:
    """Modelled resources of one core instance."""

    name: str
    module: str
    layer: str
    LUT: int
    FF: int
    LUTRAM: int
    BRAM36: int
    BRAM18: int
    URAM: int = 0
    DSP: int = 0

    @property
    def bram(self) -> float:
        """Block RAM in 36 Kb blocks."""
        return self.BRAM36 + self.BRAM18 / 2


def core_estimate(module: str, params: dict, name: str = "", layer: str = "",
                  coef: dict | None = None) -> CoreEstimate:
    """Resources of one core with these parameters."""
    if coef is None:  # the shipped calibration: memoised (the search asks again and again)
        key = tuple(sorted((k, v) for k, v in params.items() if not isinstance(v, str)))
        counts = _calibrated(module, key)
    else:
        counts = _counts(module, params, coef)
    return CoreEstimate(name, module, layer, *counts)


@functools.cache
def _calibrated(module: str, key: tuple) -> tuple[int, ...]:
    return _counts(module, dict(key), calibration())


def _counts(module: str, params: dict, coef: dict) -> tuple[int, ...]:
    """(LUT, FF, LUTRAM, BRAM36, BRAM18) of one core."""
    if module not in coef:
        raise ConfigError(f"resource model: no calibration for core {module!r}; run "
                          "bench/calibrate_resources.py")
    feats, exact = FEATURES[module](params)
    out = {}
    for key in FITTED:
        c = coef[module][key]
        out[key] = int(round(sum(c[n] * v for n, v in feats.items()) + exact.get(key, 0)))
    return (out["LUT"], out["FF"], out["LUTRAM"], exact.get("BRAM36", 0),
            exact.get("BRAM18", 0))


@dataclass(frozen=True)
class ResourceEstimate:
    """Modelled resources of a whole design: totals and per core."""

    LUT: int
    FF: int
    LUTRAM: int
    BRAM36: int
    BRAM18: int
    URAM: int = 0
    DSP: int = 0
    cores: list[CoreEstimate] = field(default_factory=list)

    @property
    def bram(self) -> float:
        """Block RAM in 36 Kb blocks (what a budget's ``bram`` counts)."""
        return self.BRAM36 + self.BRAM18 / 2

    @property
    def lut_total(self) -> int:
        """LUTs as logic plus LUTs as memory: what a device's LUT count covers."""
        return self.LUT + self.LUTRAM

    def totals(self) -> dict:
        return {k: getattr(self, k) for k in KEYS}

    def per_layer(self) -> dict[str, dict]:
        """Resources summed over the cores that serve each layer."""
        out: dict[str, dict] = {}
        for c in self.cores:
            row = out.setdefault(c.layer or "(output)", dict.fromkeys(KEYS, 0))
            for k in KEYS:
                row[k] += getattr(c, k)
        return out


def estimate(net: Network, folds: dict[str, Fold], widths: dict | None = None) -> ResourceEstimate:
    """Modelled resources of ``generate(net, folds)`` (milliseconds; no files written)."""
    return estimate_cores(core_instances(net, folds, widths))


def estimate_cores(cores: list[Core]) -> ResourceEstimate:
    ests = [core_estimate(c.module, {**c.params, **c.info}, c.name, c.layer) for c in cores]
    tot = {k: sum(getattr(e, k) for e in ests) + TOP_GLUE.get(k, 0) for k in KEYS}
    return ResourceEstimate(**tot, cores=ests)
