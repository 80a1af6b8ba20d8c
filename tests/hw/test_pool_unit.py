"""pool_unit.sv: bench under Verilator and Icarus, reciprocal proof check, lint, Yosys.

Stimuli are SWU window streams built from seeded numpy feature maps (zero padding,
overlapping K=3/S=2 and non-overlapping windows, T = 1..6); expected outputs come from
the DESIGN §2 formulas (max of the window; floor((sum + floor(KK/2)) / KK)). Several
variants run side by side in one simulation (a generated wrapper), so Verilator builds
once. Variants without stalls measure throughput: one input beat per cycle, so first
input to last output takes N_IN + 1 cycles.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from benchutil import bench_sources, run_variants, yosys_cells
from reference import beats, write_mem

from e3ne.flow.hdlsim import RTL_DIR, lint
from e3ne.hw.cores import CORE_MODELS
from e3ne.layers import AvgPool, MaxPool

pytestmark = pytest.mark.rtl

CORE = "pool_unit"
RTL = [RTL_DIR / f for f in CORE_MODELS[CORE].sources]  # the core and what it needs
SOURCES = [*RTL, *bench_sources(CORE)[1:]]
LATENCY = 1
MAX, AVG = 0, 1

# name: (T, C, SIMD, K, S, P, H, W, MODE, extra bench parameters)
VARIANTS: dict[str, tuple] = {
    "max_k2s2_t4": (4, 4, 2, 2, 2, 0, 8, 8, MAX, {}),
    "avg_k2s2_t3": (3, 6, 3, 2, 2, 0, 6, 8, AVG, {}),
    "max_k3s2p1_t1": (1, 2, 1, 3, 2, 1, 7, 7, MAX, {}),
    "avg_k3s2p1_t6": (6, 4, 4, 3, 2, 1, 7, 6, AVG, {}),
    "avg_k3s3_t2": (2, 2, 2, 3, 3, 0, 9, 9, AVG, {}),
    "max_k3s1p1_t6": (6, 8, 4, 3, 1, 1, 5, 5, MAX, {}),
    "avg_k5s1p2_t5": (5, 3, 1, 5, 1, 2, 6, 6, AVG, {}),
    "max_k5s2p2_t2": (2, 8, 8, 5, 2, 2, 7, 7, MAX, {}),
    "avg_k1_t4": (4, 2, 1, 1, 1, 0, 5, 4, AVG, {}),
    "avg_k3_slow_sink": (3, 4, 2, 3, 2, 1, 7, 7, AVG, dict(IGAP=0, OSTALL=80)),
    "full_rate_max_k3": (4, 4, 2, 3, 2, 1, 7, 7, MAX, dict(IGAP=0, OSTALL=0)),
    "full_rate_avg_k5": (5, 2, 1, 5, 1, 2, 5, 5, AVG, dict(IGAP=0, OSTALL=0)),
}
ICARUS_VARIANTS = ["max_k3s2p1_t1", "avg_k3s2p1_t6", "avg_k2s2_t3"]
EXHAUSTIVE_T = 6  # avg windows whose sums cover [0, KK*(2^T-1)], for KK = 4, 9, 25


# --- reference (DESIGN §2) ------------------------------------------------------------
def pool_reference(x: np.ndarray, k: int, s: int, p: int, mode: int) -> np.ndarray:
    """Pool an [H, W, C] map of T-bit integers with zero padding; returns [OH, OW, C]."""
    win = windows(x, k, s, p)  # [OH, OW, K, K, C]
    if mode == MAX:
        return win.max(axis=(2, 3))
    kk = k * k
    return (win.sum(axis=(2, 3)) + kk // 2) // kk


def windows(x: np.ndarray, k: int, s: int, p: int) -> np.ndarray:
    """Zero-padded windows of an [H, W, C] map: [OH, OW, KY, KX, C]."""
    xp = np.pad(x, ((p, p), (p, p), (0, 0)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(0, 1))[::s, ::s]
    return win.transpose(0, 1, 3, 4, 2)


def feature_map(rng: np.random.Generator, t: int, h: int, w: int, c: int) -> np.ndarray:
    """Random T-bit activations, a third of them zero (as after ReLU)."""
    x = rng.integers(0, 2**t, size=(h, w, c))
    return np.where(rng.random((h, w, c)) < 1 / 3, 0, x)


def exhaustive_windows(rng: np.random.Generator, t: int, kk: int) -> np.ndarray:
    """Windows for C=2: lane 0 sums to every value in [0, KK*(2^T-1)], lane 1 the rest."""
    top = 2**t - 1
    sums = np.arange(kk * top + 1)
    win = np.zeros((len(sums), kk, 2), dtype=np.int64)
    for i, total in enumerate(sums):
        for lane, target in enumerate((total, kk * top - total)):
            taps = np.minimum(np.maximum(target - top * np.arange(kk), 0), top)
            win[i, :, lane] = rng.permutation(taps)
    return win


# --- the reciprocal division (mirrors recip_shift() in div_const.sv) ---------------------
def recip_shift(nmax: int, d: int) -> int:
    for s in range(63):
        m = -(-(1 << s) // d)
        if nmax * (m * d - (1 << s)) < (1 << s):
            return s
    raise AssertionError("no shift below 63")


@pytest.mark.parametrize("t", range(1, 9))
def test_reciprocal_is_exact(t: int) -> None:
    """floor(N*M / 2^SH) == floor(N / KK) for every N the avg datapath can see."""
    for k in range(1, 8):
        kk = k * k
        nmax = kk * (2**t - 1) + kk // 2
        sh = recip_shift(nmax, kk)
        m = -(-(1 << sh) // kk)
        n = np.arange(nmax + 1, dtype=np.int64)
        assert np.array_equal((n * m) >> sh, n // kk), (t, k)
        assert ((nmax * m) >> sh) <= 2**t - 1  # the quotient fits T bits


def test_reference_matches_golden() -> None:
    """The formulas used here agree with the golden model's pooling layers."""
    rng = np.random.default_rng(7)
    for name, (t, c, _simd, k, s, p, h, w, mode, _extra) in VARIANTS.items():
        x = feature_map(rng, t, h, w, c)
        layer = (AvgPool if mode == AVG else MaxPool)(
            name=name, kernel=(k, k), stride=(s, s), padding=(p, p))
        gold = layer.run_fast(torch.from_numpy(x.transpose(2, 0, 1)[None]), t)[0].numpy()
        assert np.array_equal(gold.transpose(1, 2, 0), pool_reference(x, k, s, p, mode)), name


# --- benches ------------------------------------------------------------------------------
def make_variant(tmp: Path, name: str, rng: np.random.Generator) -> dict:
    if name.startswith("exhaustive_"):  # exhaustive_k3 (3 x 3) or exhaustive_2x3 (2 x 3)
        size = name.removeprefix("exhaustive_")
        k, kw = (int(size[1:]),) * 2 if size.startswith("k") else map(int, size.split("x"))
        t, c, simd, mode = EXHAUSTIVE_T, 2, 2, AVG
        kk = k * kw
        win = exhaustive_windows(rng, t, kk)  # [N, KK, C]
        stream = win.reshape(-1)
        expected = (win.sum(axis=1) + kk // 2) // kk
        extra: dict = {"KW": kw} if kw != k else {}
    else:
        t, c, simd, k, s, p, h, w, mode, extra = VARIANTS[name]
        x = feature_map(rng, t, h, w, c)
        stream = windows(x, k, s, p).reshape(-1)  # per pixel: (ky, kx, c), c fastest
        expected = pool_reference(x, k, s, p, mode)
    stim = beats(stream, simd, t)
    exp = beats(expected, simd, t)
    return dict(
        T=t, C=c, K=k, SIMD=simd, MODE=mode, N_IN=len(stim), N_OUT=len(exp),
        STIM_FILE=str(write_mem(tmp / f"{name}_stim.hex", stim, simd * t)),
        EXP_FILE=str(write_mem(tmp / f"{name}_exp.hex", exp, simd * t)),
        **extra,
    )


def check_variants(tmp_path: Path, names: list[str], simulator: str) -> None:
    rng = np.random.default_rng(2024)
    chosen = [(n, make_variant(tmp_path, n, rng)) for n in names]
    run_variants(f"{CORE}_tb", SOURCES, chosen, tmp_path, simulator,
                 beats=lambda p: (p["N_IN"], p["N_OUT"]),
                 unstalled_cycles=lambda p: p["N_IN"] + LATENCY)  # one input beat per cycle


def test_bench_verilator(tmp_path: Path) -> None:
    exhaustive = [*(f"exhaustive_k{k}" for k in (2, 3, 5)), "exhaustive_2x3", "exhaustive_1x5"]
    check_variants(tmp_path, [*VARIANTS, *exhaustive], "verilator")


def test_bench_icarus(tmp_path: Path) -> None:
    check_variants(tmp_path, ICARUS_VARIANTS, "icarus")


# --- lint and synthesis ---------------------------------------------------------------------
LINT_PARAMS = [
    dict(T=4, C=8, K=2, SIMD=2, MODE=MAX),
    dict(T=6, C=3, K=5, SIMD=1, MODE=AVG),
    dict(T=1, C=4, K=3, SIMD=4, MODE=AVG),
    dict(T=3, C=2, K=1, SIMD=1, MODE=MAX),
    dict(T=4, C=4, K=1, KW=3, SIMD=2, MODE=AVG),
]


@pytest.mark.parametrize("params", LINT_PARAMS,
                         ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()))
def test_lint(params: dict) -> None:
    lint(CORE, RTL, params)


@pytest.mark.synth
@pytest.mark.parametrize("params", [dict(T=4, C=32, K=2, SIMD=4, MODE=MAX),
                                    dict(T=6, C=8, K=3, SIMD=2, MODE=AVG)],
                         ids=["max", "avg"])
def test_yosys(tmp_path: Path, params: dict) -> None:
    cells = yosys_cells(RTL, CORE, params, tmp_path)
    assert "DSP48E2" not in cells, "the reciprocal multiply must use adders, not a DSP"
