"""swu.sv against ``reference_window``: every window beat, with random stalls on both sides."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from benchutil import (
    bench_sources,
    luts,
    parameter_errors,
    run_stalled_then_unstalled,
    yosys_cells,
)
from reference import beats, out_size, reference_window, write_mem

from e3ne.flow.hdlsim import RTL_DIR, lint

SOURCES = bench_sources("mem_ram", "swu", tb="swu_tb")
CORES = [RTL_DIR / "mem_ram.sv", RTL_DIR / "swu.sv"]


def ideal_cycles(*, K, S, P, H, WD, C, CH, SIMD, images, KW, SW, PW) -> int:
    """Cycle model: input at one word per cycle, output at one beat per cycle.

    A pixel takes C / min(CH, BS) cycles to enter (BS = channels per output beat, the
    write-port word), or a beat of PX = CH/C > 1 pixels one cycle (written as it is taken,
    a cycle earlier than a gearbox's word); a window can start once
    its last pixel is in and the previous window has left; it takes K*KW*C/SIMD cycles.
    Returns the cycle of the last beat.
    """
    per_pixel = C // min(CH, min(SIMD, C))
    px = CH // C if CH > C else 1
    per_window = K * KW * C // SIMD
    t = 0
    for img in range(images):
        for oy in range(out_size(H, K, S, P)):
            for ox in range(out_size(WD, KW, SW, PW)):
                y_last = min(oy * S - P + K - 1, H - 1)
                x_last = min(ox * SW - PW + KW - 1, WD - 1)
                pixel = (img * H + y_last) * WD + x_last
                # a word is written the cycle after its gearbox takes it; a beat of px > 1
                # pixels (no gearbox) in the cycle it is taken
                ready = (pixel + 1) * per_pixel if px == 1 else pixel // px
                t = max(t, ready) + per_window
    return t


def run_swu(workdir: Path, *, K, S, P, H, WD, C, CH, T, SIMD, images=2, seed=0,
            simulator="verilator", KW=None, SW=None, PW=None) -> tuple[int, int]:
    """Bench with random stalls, then again without; return (cycles, ideal cycles).
    KW, SW, PW (the window's width, horizontal stride, padding) default to K, S, P."""
    cols = {"KW": KW, "SW": SW, "PW": PW}
    given = {k: v for k, v in cols.items() if v is not None}
    KW, SW, PW = (K if KW is None else KW), (S if SW is None else SW), (P if PW is None else PW)
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 1 << T, size=(images, H, WD, C))
    windows = np.stack([reference_window(img, K, S, P, KW, SW, PW) for img in x])
    assert windows.shape[1:3] == (out_size(H, K, S, P), out_size(WD, KW, SW, PW))
    inp = beats(x, CH, T)  # (image, y, x, c) raster, c fastest
    exp = beats(windows, SIMD, T)  # (image, oy, ox, ky, kx, c), c fastest
    workdir.mkdir(parents=True, exist_ok=True)
    write_mem(workdir / "in.mem", inp, CH * T)
    write_mem(workdir / "exp.mem", exp, SIMD * T)
    params = dict(K=K, S=S, P=P, **given, H=H, WD=WD, C=C, CH=CH, T=T, SIMD=SIMD,
                  N_IN=len(inp), N_OUT=len(exp), GAP=30, BP=30, SEED=seed + 1)
    cyc = run_stalled_then_unstalled("swu_tb", SOURCES, workdir, params, simulator)
    ideal = ideal_cycles(K=K, S=S, P=P, H=H, WD=WD, C=C, CH=CH, SIMD=SIMD, images=images,
                         KW=KW, SW=SW, PW=PW)
    return cyc, ideal


# name: K, S, P, H, WD, C, CH, T, SIMD[, KW, SW, PW]
CASES = {
    "k3_p1_nonsquare_simd1": (3, 1, 1, 6, 7, 2, 1, 4, 1),
    "k5_p2_c1_simd25": (5, 1, 2, 7, 6, 1, 1, 4, 25),
    "k5_p0_c1_simd5": (5, 1, 0, 8, 9, 1, 1, 3, 5),
    "k3_s2_p1_ch2_simd2": (3, 2, 1, 7, 8, 4, 2, 4, 2),
    "k1_s2_split_gearbox": (1, 2, 0, 5, 6, 4, 4, 2, 2),
    "k3_bigger_than_h_p2": (3, 2, 2, 2, 3, 3, 3, 4, 9),
    "k3_collect_gearbox_t1": (3, 1, 0, 5, 4, 6, 2, 1, 6),
    "k4_s3_two_rows_per_beat": (4, 3, 1, 8, 7, 2, 1, 2, 16),
    "k3_s2_whole_window": (3, 2, 1, 5, 6, 2, 1, 4, 18),
    # non-square windows: KW, SW, PW of their own
    "k3x1_column_simd_rows": (3, 1, 1, 6, 5, 2, 2, 3, 6, 1, 1, 0),
    "k1x3_s1x2_row_1d": (1, 1, 0, 1, 11, 3, 1, 4, 9, 3, 2, 1),
    "k2x5_s2x1_p1x2_taps": (2, 2, 1, 5, 9, 1, 1, 2, 5, 5, 1, 2),
    "k5x3_rows_per_beat": (5, 1, 2, 7, 6, 2, 1, 3, 30, 3, 2, 1),
    # whole windows whose output register keeps the last window's columns (SW < KW)
    "k5_c6_whole_window_shift": (5, 1, 0, 8, 9, 6, 6, 4, 150),
    "k2x3_whole_window_sw1_pad": (2, 1, 1, 5, 7, 2, 2, 3, 12, 3, 1, 1),
    "k3x4_whole_window_sw2_pad": (3, 1, 0, 6, 9, 1, 1, 4, 12, 4, 2, 1),
    # several pixels an input beat, written in one cycle into as many column banks
    "k5_c1_two_pixels_whole_window": (5, 1, 0, 8, 8, 1, 2, 4, 25),
    "k3_p1_c2_three_pixels_whole_window": (3, 1, 1, 6, 9, 2, 6, 3, 18),
    "k3_s2_p1_two_pixels_row_beats": (3, 2, 1, 7, 8, 1, 2, 4, 3),
}
VERILATOR = ["k3_p1_nonsquare_simd1", "k5_p2_c1_simd25", "k3_s2_p1_ch2_simd2",
             "k1_s2_split_gearbox", "k4_s3_two_rows_per_beat", "k1x3_s1x2_row_1d",
             "k5x3_rows_per_beat", "k5_c1_two_pixels_whole_window"]


def check(tmp_path, name, simulator):
    K, S, P, H, WD, C, CH, T, SIMD, *cols = CASES[name]
    KW, SW, PW = cols or (None, None, None)
    cyc, ideal = run_swu(tmp_path, K=K, S=S, P=P, H=H, WD=WD, C=C, CH=CH, T=T, SIMD=SIMD,
                         simulator=simulator, KW=KW, SW=SW, PW=PW)
    print(f"{name}: {cyc} cycles, ideal schedule {ideal}")
    # never a stall beyond the ideal schedule, only the 3-cycle pipeline (swu.sv header)
    assert cyc == ideal + 3, (cyc, ideal)


@pytest.mark.rtl
@pytest.mark.parametrize("name", VERILATOR)
def test_swu_verilator(tmp_path, name):
    check(tmp_path, name, "verilator")


@pytest.mark.rtl
@pytest.mark.parametrize("name", [n for n in CASES if n not in VERILATOR])
def test_swu_icarus(tmp_path, name):
    check(tmp_path, name, "icarus")


LINT_SETS = [
    dict(K=3, S=1, P=1, H=8, WD=8, C=4, CH=2, T=4, SIMD=4),
    dict(K=5, S=1, P=2, H=32, WD=32, C=1, CH=1, T=4, SIMD=25),
    dict(K=1, S=2, P=0, H=6, WD=5, C=8, CH=8, T=2, SIMD=2),
    dict(K=3, S=2, P=1, H=7, WD=9, C=3, CH=1, T=6, SIMD=9),
    dict(K=1, S=1, P=0, KW=5, SW=2, PW=2, H=1, WD=20, C=4, CH=4, T=4, SIMD=20),
    dict(K=5, S=1, P=0, H=32, WD=32, C=1, CH=2, T=4, SIMD=25),
]


@pytest.mark.rtl
@pytest.mark.parametrize("params", LINT_SETS)
def test_swu_lint(params):
    lint("swu", CORES, params)


BAD = [
    (dict(K=3, C=3, SIMD=4), r"SIMD \(4\) must divide C \(3\), or be a multiple of C dividing "
                             r"KW\*C \(9\), or a multiple of KW\*C dividing K\*KW\*C \(27\)"),
    (dict(K=3, P=3), r"padding P \(3\), PW \(3\) must lie in 0 \.\. K-1, 0 \.\. KW-1 "
                     r"\(K = 3, KW = 3\)"),
    (dict(K=3, KW=2, PW=2), r"padding P \(0\), PW \(2\) must lie in 0 \.\. K-1, 0 \.\. KW-1"),
    (dict(C=6, CH=4, SIMD=6), r"channels C \(6\) are not a multiple of CH \(4\)"),
    (dict(C=6, CH=2, SIMD=3), r"CH \(2\) and SIMD \(3\) must divide one another"),
    (dict(K=5, P=0, H=4), r"kernel 5 x 5 exceeds the padded input 4 x 8"),
    (dict(K=3, C=2, CH=4, SIMD=2), r"CH \(4\) above C \(2\) must be PX = CH/C whole pixels "
                                   r"with SIMD \(2\) >= C, PX <= 1 column banks"),
]


@pytest.mark.rtl
@pytest.mark.parametrize("params,message", BAD)
def test_swu_refuses_illegal_parameters(tmp_path, params, message):
    out = parameter_errors("swu", CORES, params, tmp_path)
    assert re.search(r"swu: " + message, out), out


@pytest.mark.synth
def test_swu_yosys(tmp_path):
    params = dict(K=3, S=1, P=1, H=8, WD=8, C=4, CH=2, T=4, SIMD=4)
    cells = yosys_cells(CORES, "swu", params, tmp_path)
    assert luts(cells) > 0
    assert not any(name.startswith("DSP") for name in cells), cells
