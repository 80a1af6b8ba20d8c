"""argmax_unit.sv: bench under Verilator and Icarus, lint, Yosys synthesis.

Stimuli are seeded numpy score vectors of several kinds (random over the whole signed
range, many ties, all equal, all negative, extremes); the expected output is each
image's score beats unchanged, then a class beat holding argmax (lowest index wins ties,
DESIGN §2) with olast = 1. Several variants run side by side in one simulation (a
generated wrapper), so Verilator builds once. Variants without stalls measure
throughput: an image takes N_CLASSES + 2 cycles (a beat every LANES cycles, the class
beat LANES + 1 after the last), so first input to last output takes that per image + 1.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from benchutil import bench_sources, run_variants, yosys_cells
from reference import beats, write_mem

from e3ne.flow.hdlsim import RTL_DIR, lint

pytestmark = pytest.mark.rtl

CORE = "argmax_unit"
SOURCES = bench_sources(CORE)
LATENCY = 1
IMAGES = 60

# name: (N_CLASSES, LANES, SCORE_W, extra bench parameters)
VARIANTS: dict[str, tuple] = {
    "c10_l2_w16": (10, 2, 16, {}),
    "c10_l10_w12": (10, 10, 12, {}),
    "c10_l1_w8": (10, 1, 8, {}),
    "c10_l5_w4": (10, 5, 4, {}),
    "c16_l16_w6": (16, 16, 6, {}),
    "c16_l4_w6": (16, 4, 6, {}),
    "c1_l1_w4": (1, 1, 4, {}),
    "c100_l4_w10": (100, 4, 10, {}),
    "c7_l7_w3": (7, 7, 3, {}),
    "c12_l3_w2": (12, 3, 2, {}),
    "slow_sink": (10, 2, 8, dict(IGAP=0, OSTALL=80)),
    "full_rate_c10_l2": (10, 2, 16, dict(IGAP=0, OSTALL=0)),
    "full_rate_c10_l10": (10, 10, 16, dict(IGAP=0, OSTALL=0)),
}
ICARUS_VARIANTS = ["c10_l2_w16", "c10_l5_w4", "c12_l3_w2"]


def scores(rng: np.random.Generator, images: int, n: int, bits: int) -> np.ndarray:
    """[images, n] signed scores; image i is of kind i % 6 (random, ties, equal, ...)."""
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    out = np.empty((images, n), dtype=np.int64)
    for i in range(images):
        kind = i % 6
        if kind == 0:  # anywhere in the signed range
            out[i] = rng.integers(lo, hi + 1, n)
        elif kind == 1:  # few distinct values: many ties for the maximum
            out[i] = rng.integers(max(lo, -2), min(hi, 1) + 1, n)
        elif kind == 2:  # all equal: class 0
            out[i] = rng.integers(lo, hi + 1)
        elif kind == 3:  # all negative
            out[i] = rng.integers(lo, 0, n)
        elif kind == 4:  # the extremes only
            out[i] = rng.choice([lo, hi], n)
        else:  # a tie for the maximum between two random positions
            out[i] = rng.integers(lo, hi, n)
            out[i, rng.choice(n, size=min(2, n), replace=False)] = hi
    return out


def make_variant(tmp: Path, name: str, rng: np.random.Generator) -> dict:
    n, lanes, bits, extra = VARIANTS[name]
    u = scores(rng, IMAGES, n, bits)
    dw = lanes * bits
    stim: list[int] = []
    exp: list[int] = []
    for image in u:
        score_beats = beats(image, lanes, bits)  # two's complement lanes
        stim += score_beats
        exp += score_beats  # olast = 0
        exp.append((1 << dw) | int(np.argmax(image)))  # class beat: np.argmax takes the first
    return dict(
        N_CLASSES=n, LANES=lanes, SCORE_W=bits, N_IN=len(stim), N_OUT=len(exp),
        STIM_FILE=str(write_mem(tmp / f"{name}_stim.hex", stim, dw)),
        EXP_FILE=str(write_mem(tmp / f"{name}_exp.hex", exp, dw + 1)),
        **extra,
    )


def check_variants(tmp_path: Path, names: list[str], simulator: str) -> None:
    rng = np.random.default_rng(99)
    chosen = [(n, make_variant(tmp_path, n, rng)) for n in names]
    run_variants(f"{CORE}_tb", SOURCES, chosen, tmp_path, simulator,
                 beats=lambda p: (p["N_IN"], p["N_OUT"]),
                 unstalled_cycles=lambda p: IMAGES * (p["N_CLASSES"] + 2) + LATENCY)


def test_bench_verilator(tmp_path: Path) -> None:
    check_variants(tmp_path, list(VARIANTS), "verilator")


def test_bench_icarus(tmp_path: Path) -> None:
    check_variants(tmp_path, ICARUS_VARIANTS, "icarus")


LINT_PARAMS = [
    dict(N_CLASSES=10, LANES=2, SCORE_W=16),
    dict(N_CLASSES=10, LANES=10, SCORE_W=12),
    dict(N_CLASSES=1, LANES=1, SCORE_W=4),
    dict(N_CLASSES=100, LANES=4, SCORE_W=10),
]


@pytest.mark.parametrize("params", LINT_PARAMS,
                         ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()))
def test_lint(params: dict) -> None:
    lint(CORE, [RTL_DIR / f"{CORE}.sv"], params)


@pytest.mark.synth
def test_yosys(tmp_path: Path) -> None:
    params = dict(N_CLASSES=10, LANES=10, SCORE_W=12)  # tree padded from 10 to 16 lanes
    cells = yosys_cells([RTL_DIR / f"{CORE}.sv"], CORE, params, tmp_path)
    assert "DSP48E2" not in cells
