"""Resource model: LUT, FF, LUTRAM, BRAM, URAM, DSP of a design without synthesizing it.

The design is the list of cores ``e3ne.design.chain.build`` lays out, so the model sees exactly
the parameters the generator writes. Per core (its model in ``e3ne.hw.cores`` says which
features and which exact counts):

* **Block RAM** is counted, not fitted: every memory whose style the DSE fixes (weight
  ROMs with ``WGT_RAM = 1``, line buffers with ``LB_RAM = 1``) is packed by the rule of
  ``e3ne.hw.memory.bram_cells``, which reproduces Yosys 0.23's choices.
* **LUT, FF and LUTRAM** are linear in a few structural features of each core (gated
  weight bits, popcount adders, accumulator and neuron widths, line-buffer sites, ...),
  with non-negative coefficients fitted by relative least squares to single cores that
  Yosys synthesized (``dse/calibration.json``, written by
  ``bench/calibrate_resources.py``). The fit runs once per process (a few ms).
* **UltraRAM** is counted likewise (``e3ne.hw.memory.uram_cells``) for weights placed
  "uram" (``WGT_RAM = 3``), which a ``weight_load`` core fills at run time.
* No core multiplies, so DSP is 0.

``bench/bench_resource_model.py`` reports the model's error, per core (leave-one-out) and
on whole generated networks against ``e3ne synth``.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field, fields

import numpy as np

from e3ne.design.chain import build
from e3ne.design.folding import Fold
from e3ne.dse.calibrate import CALIBRATION_FILE
from e3ne.errors import ConfigError
from e3ne.hw.cores import CORE_MODELS, Core
from e3ne.ir import Network

__all__ = ["FITTED", "CoreEstimate", "ResourceEstimate", "Resources", "core_estimate",
           "estimate", "estimate_cores", "fit"]

FITTED = ("LUT", "FF", "LUTRAM")
KEYS = ("LUT", "FF", "LUTRAM", "BRAM36", "BRAM18", "URAM", "DSP")
BUDGET_KEYS = ("lut", "ff", "bram", "uram", "dsp")  # what a budget (e3ne.devices) names
# The top level's own logic (generate._top_text): reset register, started flag, two 32-bit
# counters (66 FF), and the counter's incrementer.
TOP_GLUE = {"LUT": 33, "FF": 66}


@dataclass(frozen=True)
class Resources:
    """FPGA resources: LUTs as logic and as memory, flip-flops, block RAM cells, UltraRAM,
    DSP. Adds up; ``fits`` a budget of ``e3ne.devices.parse_budget``."""

    LUT: int = 0
    FF: int = 0
    LUTRAM: int = 0
    BRAM36: int = 0
    BRAM18: int = 0
    URAM: int = 0
    DSP: int = 0

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

    def __add__(self, other: Resources) -> Resources:
        return Resources(**{k: getattr(self, k) + getattr(other, k) for k in KEYS})

    def needs(self) -> dict:
        """The amounts a budget names."""
        return {"lut": self.lut_total, "ff": self.FF, "bram": self.bram, "uram": self.URAM,
                "dsp": self.DSP}

    def over(self, budget: dict) -> list[str]:
        """The budget's resources this exceeds (e.g. ``lut``)."""
        need = self.needs()
        return [k for k in BUDGET_KEYS if need[k] > budget[k]]

    def fits(self, budget: dict) -> bool:
        return not self.over(budget)


@dataclass(frozen=True, kw_only=True)
class CoreEstimate(Resources):
    """Modelled resources of one core instance."""

    name: str
    module: str
    layer: str


@dataclass(frozen=True, kw_only=True)
class ResourceEstimate(Resources):
    """Modelled resources of a whole design: totals and per core."""

    cores: list[CoreEstimate] = field(default_factory=list)

    def per_layer(self) -> dict[str, dict]:
        """Resources summed over the cores that serve each layer."""
        out: dict[str, Resources] = {}
        for c in self.cores:
            key = c.layer or "(output)"
            out[key] = out.get(key, Resources()) + c
        return {k: v.totals() for k, v in out.items()}


def _nnls(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    from scipy.optimize import nnls

    return nnls(a, b)[0]


def fit(samples: list[dict]) -> dict[str, dict[str, dict[str, float]]]:
    """Coefficients per module and fitted resource, from Yosys-measured samples."""
    coef: dict[str, dict[str, dict[str, float]]] = {}
    for module, model in CORE_MODELS.items():
        rows = [s for s in samples if s["module"] == module]
        if not rows:
            continue
        computed = [model.features(s["params"]) for s in rows]  # (features, exact) per core
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


def core_estimate(module: str | type[Core], params: dict, name: str = "", layer: str = "",
                  coef: dict | None = None) -> CoreEstimate:
    """Resources of one core (its model, or its module name) with these parameters."""
    module = module if isinstance(module, str) else module.module
    if coef is None:  # the shipped calibration: memoised (the search asks again and again)
        key = tuple(sorted((k, v) for k, v in params.items() if isinstance(v, (int, float))))
        counts = _calibrated(module, key)
    else:
        counts = _counts(module, params, coef)
    return CoreEstimate(**counts, name=name, module=module, layer=layer)


@functools.cache
def _calibrated(module: str, key: tuple) -> dict:
    return _counts(module, dict(key), calibration())


def _counts(module: str, params: dict, coef: dict) -> dict:
    """LUT, FF, LUTRAM (fitted) and BRAM36, BRAM18, URAM (counted) of one core."""
    if module not in coef:
        raise ConfigError(f"resource model: no calibration for core {module!r}; run "
                          "bench/calibrate_resources.py")
    feats, exact = CORE_MODELS[module].features(params)
    out = {}
    for key in FITTED:
        c = coef[module][key]
        out[key] = int(round(sum(c[n] * v for n, v in feats.items()) + exact.get(key, 0)))
    return {**out, **{k: exact.get(k, 0) for k in ("BRAM36", "BRAM18", "URAM")}}


def estimate(net: Network, folds: dict[str, Fold], weight_port: str = "axis"
             ) -> ResourceEstimate:
    """Modelled resources of ``generate(net, folds, weight_port=...)`` (milliseconds; no
    files written)."""
    return estimate_cores(build(net, folds, weight_port=weight_port).cores)


def estimate_cores(cores: list[Core]) -> ResourceEstimate:
    ests = [core_estimate(c.module, c.model_params(), c.name, c.layer) for c in cores]
    total = sum(ests, Resources(**TOP_GLUE))
    return ResourceEstimate(**{f.name: getattr(total, f.name) for f in fields(Resources)},
                            cores=ests)
