"""Per-layer parallelism of synaptic engines: PE (output channels at once), SIMD (window
elements at once) and TP (spike planes at once), with the legality rules of the cores, and
where the layer's weights live (``weights``: "lut" logic, "bram" block RAM, "uram" UltraRAM
loaded at run time, "ext" streamed from DDR, or "auto").

A fold file is JSON: ``{"<layer name>": {"PE": 4, "SIMD": 9, "TP": 1, "weights": "bram"},
...}``; layers it does not name get the default fold, fields it omits the default's.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from e3ne.errors import ConfigError
from e3ne.hw.cores.base import divisors as _divisors
from e3ne.hw.cores.weight_load import WIDE_BUS
from e3ne.hw.memory import WEIGHT_PLACES
from e3ne.ir import Network
from e3ne.layers import Synaptic


@dataclass(frozen=True)
class Fold:
    PE: int = 1
    SIMD: int = 1
    TP: int = 1
    weights: str = "auto"  # "lut" | "bram" | "uram" | "auto" | "ext" (hw.memory.WEIGHT_PLACES)


def divisors(n: int) -> list[int]:
    return list(_divisors(n))


def legal_simd(layer: Synaptic) -> list[int]:
    """SIMD values the cores that ``layer`` becomes accept (``Synaptic.legal_simd``)."""
    return layer.legal_simd()


def stream_keeps_up(fold: Fold, T: int, W: int) -> bool:
    """Whether streamed weights ("ext") reach the engine as fast as it takes them: a word
    of PE*SIMD*W bits is ceil(bits / port) beats of the weight port, and the engine uses
    one every T/TP cycles (each word serves its T/TP plane groups)."""
    return fold.PE * fold.SIMD * W <= (T // fold.TP) * WIDE_BUS


def check_fold(layer: Synaptic, fold: Fold, T: int, where: str = "fold",
               W: int | None = None) -> None:
    """Raise ConfigError naming the layer and the legal values if ``fold`` is illegal
    (``W`` given: also a streamed fold the weight port cannot keep pace with)."""
    c_out = layer.out_channels
    if fold.PE not in divisors(c_out):
        raise ConfigError(f"{where}: {layer.where}: PE={fold.PE} does not divide its "
                          f"{c_out} output channels; use one of {_fmt(divisors(c_out))}")
    simd = legal_simd(layer)
    if fold.SIMD not in simd:
        raise ConfigError(f"{where}: {layer.where}: SIMD={fold.SIMD} is not legal; use one "
                          f"of {_fmt(simd)}")
    if fold.TP not in divisors(T):
        raise ConfigError(f"{where}: {layer.where}: TP={fold.TP} does not divide T={T}; use "
                          f"one of {_fmt(divisors(T))}")
    if fold.weights not in WEIGHT_PLACES:
        raise ConfigError(f"{where}: {layer.where}: weights={fold.weights!r} is not a "
                          f"placement; use one of {', '.join(WEIGHT_PLACES)}")
    if fold.weights == "ext" and W is not None and not stream_keeps_up(fold, T, W):
        bits, np_ = fold.PE * fold.SIMD * W, T // fold.TP
        raise ConfigError(
            f"{where}: {layer.where}: weights 'ext' stream a word of PE*SIMD*W = {bits} bits, "
            f"{-(-bits // WIDE_BUS)} beats of the {WIDE_BUS}-bit weight port, but the engine "
            f"takes one every T/TP = {np_} cycle(s); use PE*SIMD*W <= {np_ * WIDE_BUS} "
            "(a smaller PE or SIMD, or a smaller TP)")


def _fmt(values: list[int]) -> str:
    return ", ".join(map(str, values)) if len(values) <= 12 else (
        ", ".join(map(str, values[:10])) + f", ... {values[-1]}")


def default_fold(layer: Synaptic, T: int) -> Fold:
    """A simple legal default until the design-space exploration chooses: all spike planes
    at once, the whole kernel window of one channel group per beat (capped at 64 lanes),
    and PE up to 8."""
    simd = max(s for s in legal_simd(layer) if s <= 64)
    pe = max(p for p in divisors(layer.out_channels) if p <= 8)
    return Fold(PE=pe, SIMD=simd, TP=T)


def load_folds(net: Network, path: str | Path | None) -> dict[str, Fold]:
    """Folds for every synaptic layer: from a fold file where given, else the default."""
    given: dict[str, dict] = {}
    if path is not None:
        p = Path(path)
        try:
            given = json.loads(p.read_text())
        except FileNotFoundError:
            raise ConfigError(f"--fold {p}: file not found") from None
        except json.JSONDecodeError as e:
            raise ConfigError(f"--fold {p}: not valid JSON ({e})") from None
        if not isinstance(given, dict):
            raise ConfigError(f"--fold {p}: expected an object of layer name -> "
                              "{\"PE\", \"SIMD\", \"TP\"}")
        names = {layer.name for layer in net.synaptic_layers}
        unknown = sorted(set(given) - names)
        if unknown:
            raise ConfigError(f"--fold {p}: no synaptic layer named {unknown[0]!r}; layers: "
                              f"{', '.join(sorted(names))}")
    folds = {}
    for layer in net.synaptic_layers:
        fold = default_fold(layer, net.T)
        if layer.name in given:
            entry = given[layer.name]
            bad = set(entry) - {"PE", "SIMD", "TP", "weights"} if isinstance(entry, dict) \
                else {"?"}
            if bad or not all(isinstance(v, str) if k == "weights" else
                              isinstance(v, int) and not isinstance(v, bool)
                              for k, v in entry.items()):
                raise ConfigError(f"--fold {path}: layer {layer.name!r}: expected integer "
                                  "fields PE, SIMD, TP and optionally weights (one of "
                                  f"{', '.join(WEIGHT_PLACES)})")
            fold = Fold(**{**asdict(fold), **entry})
        check_fold(layer, fold, net.T, where=f"--fold {path}" if path else "fold")
        folds[layer.name] = fold
    return folds
