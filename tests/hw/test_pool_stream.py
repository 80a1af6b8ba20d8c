"""pool_stream.sv: bench under Verilator and Icarus, exact cycle recurrence, lint, Yosys.

Stimuli are seeded numpy feature maps (images back to back, H and WD also not multiples
of K, so the uncovered rows and columns must be dropped; T = 1..6; C = CH and C > CH;
K = 1..4); expected outputs come from the DESIGN §2 formulas with PyTorch's floor
semantics (max of the window; floor((sum + floor(KK/2)) / KK)), checked against the
golden model's pooling layers. Several variants run side by side in one simulation (a
generated wrapper), so Verilator builds once. Timed variants log the cycle of every
input offer, input transfer, first output valid and output transfer; the test replays the
recurrence of the pool_stream.sv header on them and requires exact equality.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import torch
from benchutil import bench_sources, luts, parameter_errors, run_variants, yosys_cells
from reference import beats, write_mem

from e3ne.flow.hdlsim import RTL_DIR, lint
from e3ne.hw.cores import CORE_MODELS
from e3ne.layers import AvgPool, MaxPool

pytestmark = pytest.mark.rtl

CORE = "pool_stream"
RTL = [RTL_DIR / f for f in CORE_MODELS[CORE].sources]  # the core and what it needs
SOURCES = [*RTL, *bench_sources(CORE)[1:]]
MAX, AVG = 0, 1
NEVER = -(1 << 62)


# --- reference (DESIGN §2) ------------------------------------------------------------
def pool_reference(x: np.ndarray, k: int, mode: int) -> np.ndarray:
    """Pool [N, H, W, C] maps of T-bit integers, kernel = stride = k, no padding, floor
    semantics (uncovered rows/columns dropped); returns [N, H//k, W//k, C]."""
    n, h, w, c = x.shape
    oh, ow = h // k, w // k
    win = x[:, : oh * k, : ow * k].reshape(n, oh, k, ow, k, c)
    if mode == MAX:
        return win.max(axis=(2, 4))
    kk = k * k
    return (win.sum(axis=(2, 4)) + kk // 2) // kk


def feature_maps(rng: np.random.Generator, t: int, n: int, h: int, w: int,
                 c: int) -> np.ndarray:
    """Random T-bit activations, a third of them zero (as after ReLU)."""
    x = rng.integers(0, 2**t, size=(n, h, w, c))
    return np.where(rng.random((n, h, w, c)) < 1 / 3, 0, x)


def exhaustive_maps(rng: np.random.Generator, t: int, k: int) -> np.ndarray:
    """One [H, W, 2] map whose windows' lane-0 sums take every value in [0, KK*(2^T-1)]
    (lane 1 the complement), in random tap order, plus an uncovered bottom row and right
    column of random values."""
    kk, top = k * k, 2**t - 1
    sums = np.arange(kk * top + 1)
    ow = int(np.ceil(np.sqrt(len(sums))))
    oh = -(-len(sums) // ow)
    win = rng.integers(0, top + 1, size=(oh * ow, kk, 2))
    for i, total in enumerate(sums):
        for lane, target in enumerate((total, kk * top - total)):
            taps = np.minimum(np.maximum(target - top * np.arange(kk), 0), top)
            win[i, :, lane] = rng.permutation(taps)
    body = win.reshape(oh, ow, k, k, 2).transpose(0, 2, 1, 3, 4).reshape(oh * k, ow * k, 2)
    x = rng.integers(0, top + 1, size=(oh * k + 1, ow * k + 1, 2))
    x[: oh * k, : ow * k] = body
    return x[None]


# --- the cycle recurrence of the pool_stream.sv header -----------------------------------
def last_taps(*, K: int, H: int, WD: int, C: int, CH: int) -> np.ndarray:
    """need(k) within one image: the input beat that is output beat k's last tap."""
    cf = C // CH
    oy, ox, g = np.meshgrid(np.arange(H // K), np.arange(WD // K), np.arange(cf),
                            indexing="ij")
    return (((oy * K + K - 1) * WD + ox * K + K - 1) * cf + g).reshape(-1)


def pool_stream_times(t_in: np.ndarray, *, K: int, H: int, WD: int, C: int,
                      CH: int) -> np.ndarray:
    """Cycles of the output beats (consumer always ready) from the cycles ``t_in`` at
    which the input beats are offered (whole images): out[k] = max(in[need(k)] + 1,
    out[k-1] + 1) with in[i] = max(t_in[i], in[i-1] + 1)."""
    t = np.asarray(t_in, dtype=np.int64)
    g = np.arange(len(t), dtype=np.int64)
    taken = g + np.maximum.accumulate(t - g)  # one input beat per cycle
    per_image = H * WD * (C // CH)
    need = (np.arange(len(t) // per_image)[:, None] * per_image
            + last_taps(K=K, H=H, WD=WD, C=C, CH=CH)[None, :]).reshape(-1)
    return taken[need] + 1


def pool_stream_schedule(avail, *, K: int, H: int, WD: int, C: int, CH: int, r: int = 1,
                         xfer=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(input transfers, first valid edge and transfer of each output beat), from the
    input offers ``avail``, for a consumer that takes a beat at most every ``r`` cycles
    (``xfer[k] = max(valid[k], xfer[k-1] + r)``) or, with ``xfer`` given, at those cycles:
        take[i]  = max(avail[i], take[i-1] + 1, i == need(k) ? xfer[k-1] : -inf)
        valid[k] = take[need(k)] + 1."""
    per_image = H * WD * (C // CH)
    is_last = np.zeros(per_image, dtype=bool)
    is_last[last_taps(K=K, H=H, WD=WD, C=C, CH=CH)] = True
    taken, valid, out = [], [], []
    tk, x_prev = NEVER, NEVER
    for i, a in enumerate(np.asarray(avail, dtype=np.int64).tolist()):
        tk = max(a, tk + 1)
        if is_last[i % per_image]:
            tk = max(tk, x_prev)  # the output register is free, or freed in this cycle
            valid.append(tk + 1)
            x_prev = int(xfer[len(out)]) if xfer is not None else max(tk + 1, x_prev + r)
            out.append(x_prev)
        taken.append(tk)
    return np.array(taken), np.array(valid), np.array(out)


def test_recurrence_forms_agree() -> None:
    """The closed numpy form is the loop with r = 1, and the loop's r = 1 never stalls."""
    rng = np.random.default_rng(3)
    for K, H, WD, C, CH in [(2, 5, 7, 4, 2), (3, 9, 10, 3, 3), (1, 3, 4, 2, 1)]:
        n = 2 * H * WD * (C // CH)
        avail = np.cumsum(rng.integers(0, 3, size=n))
        taken, valid, xfer = pool_stream_schedule(avail, K=K, H=H, WD=WD, C=C, CH=CH)
        closed = pool_stream_times(avail, K=K, H=H, WD=WD, C=C, CH=CH)
        assert np.array_equal(valid, closed) and np.array_equal(xfer, closed)
        assert np.array_equal(taken, np.maximum.accumulate(avail - np.arange(n))
                              + np.arange(n))


@pytest.mark.parametrize("K", [1, 2, 3, 4])
def test_steady_window_cost_with_slow_consumer(K: int) -> None:
    """The header's steady-state figure: along a window row's last input row, a window
    costs max(K*CF, (K-1)*CF + 2 + (CF-2)*R, CF*R) cycles (CF = 1: max(K, R)) when the
    consumer takes a beat every R cycles and the input comes every cycle."""
    for cf, r in [(c, r) for c in (1, 2, 3, 4, 6) for r in (1, 2, 3, 5, 8, 13)]:
        geo = dict(K=K, H=K, WD=40 * K, C=cf, CH=1)
        taken, _, _ = pool_stream_schedule(np.arange(K * 40 * K * cf), **geo, r=r)
        window_start = taken[last_taps(**geo)[::cf]]  # each window's first last tap
        cost = max(K, r) if cf == 1 else max(K * cf, (K - 1) * cf + 2 + (cf - 2) * r, cf * r)
        assert np.all(np.diff(window_start)[-10:] == cost), (K, cf, r)


def test_reference_matches_golden() -> None:
    """The formulas used here agree with the golden model's pooling layers."""
    rng = np.random.default_rng(7)
    for name, (t, c, _ch, k, h, w, mode, n, _extra) in VARIANTS.items():
        x = feature_maps(rng, t, n, h, w, c)
        layer = (AvgPool if mode == AVG else MaxPool)(
            name=name, kernel=(k, k), stride=(k, k), padding=(0, 0))
        gold = layer.run_fast(torch.from_numpy(x.transpose(0, 3, 1, 2)), t).numpy()
        assert np.array_equal(gold.transpose(0, 2, 3, 1), pool_reference(x, k, mode)), name


# --- benches ------------------------------------------------------------------------------
# name: (T, C, CH, K, H, WD, MODE, images, extra bench parameters)
VARIANTS: dict[str, tuple] = {
    "max_k2_c4ch2_t4": (4, 4, 2, 2, 8, 8, MAX, 2, {}),
    "avg_k2_c6ch3_odd_t3": (3, 6, 3, 2, 7, 9, AVG, 2, {}),
    "max_k3_c2ch2_t1": (1, 2, 2, 3, 8, 7, MAX, 2, {}),
    "avg_k3_c8ch2_t6": (6, 8, 2, 3, 10, 11, AVG, 2, {}),
    "avg_k2_c1_t5": (5, 1, 1, 2, 5, 6, AVG, 3, {}),
    "max_k2_c16ch4_t2": (2, 16, 4, 2, 11, 10, MAX, 2, {}),
    "avg_k4_c2ch1_t6": (6, 2, 1, 4, 9, 13, AVG, 2, {}),
    "max_k3_minimal_t5": (5, 3, 3, 3, 3, 4, MAX, 3, {}),
    "max_k1_t6": (6, 3, 1, 1, 4, 5, MAX, 2, {}),
    "avg_k1_t2": (2, 4, 4, 1, 3, 3, AVG, 2, {}),
    "avg_k3_slow_sink": (3, 4, 2, 3, 7, 8, AVG, 2, dict(IGAP=0, OSTALL=80)),
    "full_rate_max_k2": (4, 6, 6, 2, 9, 8, MAX, 2, dict(IGAP=0, OSTALL=0)),
    "full_rate_avg_k3_cf4": (4, 8, 2, 3, 7, 10, AVG, 2, dict(IGAP=0, OSTALL=0)),
}
# timed variants: the log is compared with pool_stream_schedule (r: RGAP of the bench)
TIMED: dict[str, tuple] = {
    "timed_ready_max_k2": (4, 6, 6, 2, 9, 8, MAX, 2, dict(IGAP=30, OSTALL=0)),
    "timed_ready_avg_k3_cf3": (5, 6, 2, 3, 8, 10, AVG, 2, dict(IGAP=40, OSTALL=0)),
    "timed_ready_full_rate_cf4": (3, 16, 4, 2, 10, 10, MAX, 2, dict(IGAP=0, OSTALL=0)),
    "timed_r2_cf4": (4, 16, 4, 2, 10, 10, MAX, 2, dict(IGAP=0, OSTALL=0, RGAP=2)),
    "timed_r3_cf2_gaps": (4, 4, 2, 2, 7, 9, AVG, 2, dict(IGAP=20, OSTALL=0, RGAP=3)),
    "timed_r5_k2_cf1": (3, 2, 2, 2, 9, 12, MAX, 2, dict(IGAP=0, OSTALL=0, RGAP=5)),
    "timed_random_sink": (4, 8, 2, 2, 6, 7, AVG, 2, dict(IGAP=25, OSTALL=50)),
}
EXHAUSTIVE = {"exhaustive_avg_k2_t6": (2, 2), "exhaustive_avg_k3_t6_ch1": (3, 1)}
ICARUS_VARIANTS = ["avg_k2_c6ch3_odd_t3", "max_k3_c2ch2_t1", "max_k1_t6",
                   "timed_ready_avg_k3_cf3", "timed_r3_cf2_gaps"]
EXHAUSTIVE_T = 6


def geometry(name: str) -> dict:
    if name in EXHAUSTIVE:
        k, ch = EXHAUSTIVE[name]
        return dict(T=EXHAUSTIVE_T, C=2, CH=ch, K=k, MODE=AVG)
    t, c, ch, k, _h, _w, mode, _n, _extra = {**VARIANTS, **TIMED}[name]
    return dict(T=t, C=c, CH=ch, K=k, MODE=mode)


def make_variant(tmp: Path, name: str, rng: np.random.Generator) -> dict:
    g = geometry(name)
    if name in EXHAUSTIVE:
        x = exhaustive_maps(rng, g["T"], g["K"])
        extra: dict = {}
    else:
        t, c, _ch, _k, h, w, _mode, n, extra = {**VARIANTS, **TIMED}[name]
        x = feature_maps(rng, t, n, h, w, c)
    expected = pool_reference(x, g["K"], g["MODE"])
    stim = beats(x, g["CH"], g["T"])  # (image, y, x, c), c fastest
    exp = beats(expected, g["CH"], g["T"])
    p = dict(**g, H=x.shape[1], WD=x.shape[2], N_IN=len(stim), N_OUT=len(exp),
             STIM_FILE=str(write_mem(tmp / f"{name}_stim.hex", stim, g["CH"] * g["T"])),
             EXP_FILE=str(write_mem(tmp / f"{name}_exp.hex", exp, g["CH"] * g["T"])),
             **extra)
    if name in TIMED:
        p.update(LOG=1, LOG_FILE=str(tmp / f"{name}_cycles.log"))
    return p


def unstalled_cycles(p: dict) -> int:
    """First input to last output transfer, inclusive, input offered every cycle (and the
    consumer ready RGAP cycles after each transfer)."""
    geo = {k: p[k] for k in ("K", "H", "WD", "C", "CH")}
    r = p.get("RGAP", 1)
    if r == 1:
        return int(pool_stream_times(np.arange(p["N_IN"]), **geo)[-1]) + 1
    return int(pool_stream_schedule(np.arange(p["N_IN"]), **geo, r=r)[2][-1]) + 1


def read_log(path: Path) -> dict[str, np.ndarray]:
    events: dict[str, list[int]] = {"A": [], "I": [], "V": [], "O": []}
    for line in path.read_text().split("\n"):
        if line.strip():
            kind, cyc = line.split()
            events[kind].append(int(cyc))
    return {k: np.array(v, dtype=np.int64) for k, v in events.items()}


def check_timing(name: str, p: dict) -> None:
    """The logged cycles are exactly those of the header's recurrence."""
    ev = read_log(Path(p["LOG_FILE"]))
    assert (len(ev["A"]), len(ev["I"])) == (p["N_IN"], p["N_IN"]), name
    assert (len(ev["V"]), len(ev["O"])) == (p["N_OUT"], p["N_OUT"]), name
    geo = {k: p[k] for k in ("K", "H", "WD", "C", "CH")}
    r = p.get("RGAP", 1)
    # random sink: replay with its measured transfers; else the modelled consumer
    xfer = ev["O"] if p.get("OSTALL", 30) else None
    taken, valid, out = pool_stream_schedule(ev["A"], **geo, r=r, xfer=xfer)
    assert np.array_equal(taken, ev["I"]), f"{name}: input transfers differ from the model"
    assert np.array_equal(valid, ev["V"]), f"{name}: output valid cycles differ from the model"
    assert np.array_equal(out, ev["O"]), f"{name}: output transfers differ from the model"
    if r == 1 and not p.get("OSTALL", 30):
        # consumer always ready: the closed form, applied to the input transfer cycles
        assert np.array_equal(ev["O"], pool_stream_times(ev["I"], **geo)), name
        assert np.array_equal(ev["I"], ev["A"]), f"{name}: stalled with a ready consumer"


def check_variants(tmp_path: Path, names: list[str], simulator: str) -> None:
    rng = np.random.default_rng(2025)
    chosen = [(n, make_variant(tmp_path, n, rng)) for n in names]
    run_variants(f"{CORE}_tb", SOURCES, chosen, tmp_path, simulator,
                 beats=lambda p: (p["N_IN"], p["N_OUT"]), unstalled_cycles=unstalled_cycles)
    for name, p in chosen:
        if name in TIMED:
            check_timing(name, p)


def test_bench_verilator(tmp_path: Path) -> None:
    check_variants(tmp_path, [*VARIANTS, *TIMED, *EXHAUSTIVE], "verilator")


def test_bench_icarus(tmp_path: Path) -> None:
    check_variants(tmp_path, ICARUS_VARIANTS, "icarus")


# --- parameters, lint and synthesis ---------------------------------------------------------
BAD = [
    (dict(C=6, CH=4), r"CH \(4\) does not divide C \(6\)"),
    (dict(K=3, H=2, WD=8), r"kernel K \(3\) exceeds the input 2 x 8 \(H x WD\)"),
    (dict(K=0), r"K \(0\), C \(8\) and CH \(2\) must be at least 1"),
    (dict(MODE=2), r"MODE \(2\) must be 0 \(max\) or 1 \(avg\)"),
    (dict(T=17), r"T \(17\) must be in 1\.\.16"),
]


@pytest.mark.parametrize("params,message", BAD)
def test_refuses_illegal_parameters(tmp_path: Path, params: dict, message: str) -> None:
    out = parameter_errors(CORE, RTL, params, tmp_path)
    assert re.search(r"pool_stream: " + message, out), out


LINT_PARAMS = [
    dict(T=4, C=6, CH=6, K=2, H=28, WD=28, MODE=MAX),
    dict(T=4, C=16, CH=4, K=2, H=10, WD=10, MODE=MAX),
    dict(T=6, C=8, CH=2, K=3, H=10, WD=11, MODE=AVG),
    dict(T=1, C=2, CH=1, K=1, H=3, WD=3, MODE=AVG),
    dict(T=3, C=1, CH=1, K=2, H=2, WD=2, MODE=MAX),
    dict(T=5, C=4, CH=4, K=5, H=5, WD=12, MODE=AVG),
]


@pytest.mark.parametrize("params", LINT_PARAMS,
                         ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()))
def test_lint(params: dict) -> None:
    lint(CORE, RTL, params)


@pytest.mark.synth
@pytest.mark.parametrize("params", [dict(T=4, C=6, CH=6, K=2, H=28, WD=28, MODE=MAX),
                                    dict(T=6, C=8, CH=2, K=3, H=10, WD=11, MODE=AVG)],
                         ids=["max", "avg"])
def test_yosys(tmp_path: Path, params: dict) -> None:
    cells = yosys_cells(RTL, CORE, params, tmp_path)
    assert luts(cells) > 0
    assert not any(n.startswith("DSP") for n in cells), "the divide must use adders"
    assert not any(n.startswith("RAMB") for n in cells), cells
    assert any(n.startswith("RAM") for n in cells), f"row memory not in LUT RAM: {cells}"
