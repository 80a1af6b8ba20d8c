"""residual_join.sv against U2 = U + M·s and the DESIGN §2 neuron: every lane of every
beat, random gaps on both inputs and random output stalls, under Verilator and Icarus; the
skip s unsigned T-bit activations (an identity shortcut) or signed S_W-bit potentials (a
projection shortcut's V_s, S_SIGNED = 1).

The bench (src/e3ne/hw/sim/residual_join_tb.sv) also checks the header's handshake (a
pair's beats taken together, ready = the other's valid and the credit) and the latency of
every beat (on ovld LATENCY cycles after its pair is taken, or the cycle after the beat
before it left). Several variants run side by side in one simulation (a generated
wrapper), so Verilator builds once per test. Variants without gaps and stalls measure
throughput: N beats take N + LATENCY cycles from the first input to the last output
transfer, and the first output transfer is LATENCY cycles after the first input one.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from benchutil import (
    bench_sources,
    cycles,
    parameter_errors,
    unstalled,
    write_wrapper,
    yosys_cells,
)
from reference import neuron, neuron_successive, pack, write_mem

from e3ne.flow.hdlsim import RTL_DIR, lint, run_bench

pytestmark = pytest.mark.rtl

CORE = "residual_join"
RTL = [RTL_DIR / f"{m}.sv" for m in ("mem_ram", "neuron", "stream_fifo", CORE)]
SOURCES = bench_sources("mem_ram", "neuron", "stream_fifo", CORE, tb=f"{CORE}_tb")


def latency(p: dict) -> int:
    """Header: input handshake to ovld, T + 3 cycles (stage A, the neuron's T + 1, the FIFO)."""
    return p["T"] + 3


def credit(p: dict) -> int:
    """Header: OFD = T + 5 pairs outstanding at most (the output FIFO's depth)."""
    return p["T"] + 5


def join_width(U_W: int, S_W: int, signed: int, M: int) -> int:
    """Header: SW = max(U_W, MQ_W + 1) + 1, MQ_W = bits of M·(2^S_W - 1) (unsigned s) or
    S_W + bits of M - 1 (signed s)."""
    mq_w = S_W + M.bit_length() - 1 if signed else (M * ((1 << S_W) - 1)).bit_length()
    return max(U_W, mq_w + 1) + 1


def skip_range(p: dict) -> tuple[int, int]:
    """Least and greatest skip lane value."""
    s_w = p.get("S_W", p["T"])
    if p.get("S_SIGNED", 0):
        return -(1 << (s_w - 1)), (1 << (s_w - 1)) - 1
    return 0, (1 << s_w) - 1


# (name, parameters); IGAP/SGAP/OSTALL: % of idle u source / s source / stalled sink
# cycles (SGAP defaults to IGAP)
VARIANTS = [
    ("pe1_nf1_m1", dict(PE=1, NF=1, U_W=10, T=4, M=1, TH_W=6)),
    ("pe3_nf4_m700", dict(PE=3, NF=4, U_W=12, T=4, M=700, TH_W=10)),
    ("pe2_nf3_t1", dict(PE=2, NF=3, U_W=8, T=1, M=3, TH_W=5)),
    ("pe4_nf2_t6", dict(PE=4, NF=2, U_W=16, T=6, M=5, TH_W=8)),
    ("pe2_t8_m2047", dict(PE=2, NF=1, U_W=20, T=8, M=2047, TH_W=14)),
    ("slow_sink", dict(PE=2, NF=3, U_W=12, T=4, M=700, TH_W=10, IGAP=0, OSTALL=70)),
    ("slow_u", dict(PE=1, NF=2, U_W=10, T=3, M=1, TH_W=5, IGAP=70, SGAP=0, OSTALL=5)),
    ("slow_s", dict(PE=1, NF=2, U_W=10, T=3, M=2, TH_W=5, IGAP=1, SGAP=70, OSTALL=5)),
    ("full_rate_pe1", dict(PE=1, NF=1, U_W=10, T=4, M=1, TH_W=6, IGAP=0, OSTALL=0)),
    ("full_rate_m700", dict(PE=3, NF=4, U_W=12, T=4, M=700, TH_W=10, IGAP=0, OSTALL=0)),
    ("full_rate_t1", dict(PE=2, NF=3, U_W=8, T=1, M=3, TH_W=5, IGAP=0, OSTALL=0)),
    ("signed_m1", dict(PE=2, NF=2, U_W=10, T=4, S_W=9, S_SIGNED=1, M=1, TH_W=6)),
    ("signed_m700", dict(PE=3, NF=4, U_W=14, T=4, S_W=12, S_SIGNED=1, M=700, TH_W=10)),
    ("signed_wide_u", dict(PE=1, NF=3, U_W=24, T=3, S_W=6, S_SIGNED=1, M=5, TH_W=8,
                           IGAP=50, SGAP=10, OSTALL=40)),
    ("full_rate_signed", dict(PE=2, NF=3, U_W=12, T=4, S_W=10, S_SIGNED=1, M=45, TH_W=9,
                              IGAP=0, OSTALL=0)),
]
ICARUS_VARIANTS = ["pe1_nf1_m1", "pe3_nf4_m700", "slow_s", "full_rate_m700", "signed_m700"]


def stimuli(rng: np.random.Generator, n: int, p: dict):
    """(U, s, theta ROM [NF, PE]): U half anywhere in range, half putting U2 near a
    multiple of theta; the extremes (most negative U2, largest U2) and theta = 1."""
    PE, NF, U_W, T, M, TH_W = (p[k] for k in ("PE", "NF", "U_W", "T", "M", "TH_W"))
    rom = rng.integers(1, 1 << TH_W, size=(NF, PE))
    rom[0, 0] = 1  # θ = 1: q = clamp(U2)
    theta = rom[np.arange(n) % NF]
    q_min, q_max = skip_range(p)
    q = rng.integers(q_min, q_max + 1, size=(n, PE))
    lo, hi = -(1 << (U_W - 1)), (1 << (U_W - 1)) - 1
    U = rng.integers(lo, hi + 1, size=(n, PE))
    # near the thresholds: U2 = k·θ + r with k in [-2, 2^T + 1], r in {-1, 0, 1}
    near = rng.random((n, PE)) < 0.5
    target = rng.integers(-2, (1 << T) + 2, size=(n, PE)) * theta + rng.integers(-1, 2, (n, PE))
    U = np.where(near, np.clip(target - M * q, lo, hi), U)
    U[1], q[1] = lo, q_min  # most negative U2
    U[2], q[2] = hi, q_max  # largest U2: beyond U_W bits, saturates
    U[3], q[3] = lo, q_max
    return U, q, rom


def make_variant(tmp: Path, name: str, p: dict, n: int, rng: np.random.Generator) -> dict:
    """The four files of a variant, from the numpy reference; the bench's parameters."""
    PE, NF, U_W, T, M, TH_W = (p[k] for k in ("PE", "NF", "U_W", "T", "M", "TH_W"))
    U, q, rom = stimuli(rng, n, p)
    theta = rom[np.arange(n) % NF]
    U2 = U + M * q
    out = neuron(U2, 0, theta, 0, T, 0)
    # the spiking view agrees with the closed form on every lane
    lit = [[neuron_successive(int(u), int(t), T) for u, t in zip(ur, tr, strict=True)]
           for ur, tr in zip(U2, theta, strict=True)]
    assert np.array_equal(out, np.array(lit))
    # coverage: negative U2, a sum beyond U_W bits, both clamps, theta = 1
    sw = join_width(U_W, p.get("S_W", T), p.get("S_SIGNED", 0), M)
    assert (U2 < 0).any() and (U2 >= 1 << (U_W - 1)).any()
    assert -(1 << (sw - 1)) <= U2.min() and U2.max() < 1 << (sw - 1)
    assert out.min() == 0 and out.max() == (1 << T) - 1 and (theta == 1).any()
    files = {
        "U_FILE": write_mem(tmp / f"{name}_u.mem", [pack(r, U_W) for r in U], PE * U_W),
        "S_FILE": write_mem(tmp / f"{name}_s.mem", [pack(r, p.get("S_W", T)) for r in q],
                            PE * p.get("S_W", T)),
        "EXP_FILE": write_mem(tmp / f"{name}_exp.mem", [pack(r, T) for r in out], PE * T),
        "THRESH_FILE": write_mem(tmp / f"{name}_thr.mem", [pack(r, TH_W) for r in rom],
                                 PE * TH_W),
    }
    return {**p, "N": n, "LAT": latency(p), "OFD": credit(p),
            **{k: str(v) for k, v in files.items()}}


def check_variants(tmp_path: Path, names: list[str] | None, simulator: str, n: int) -> None:
    """Run the variants in one simulation; every one passes, moves n beats each way, and
    unstalled takes n + latency cycles with its first output latency cycles after its
    first input."""
    rng = np.random.default_rng(11)
    chosen = [(name, make_variant(tmp_path, name, p, n, rng)) for name, p in VARIANTS
              if names is None or name in names]
    wrapper = write_wrapper(tmp_path / "multi_tb.sv", f"{CORE}_tb", chosen)
    out = run_bench("multi_tb", [*SOURCES, wrapper], tmp_path / simulator, simulator=simulator)
    measured = cycles(out)
    lat = dict(re.findall(r"^LATENCY (\S+) (-?\d+)$", out, re.M))
    assert set(measured) == {name for name, _ in chosen}, out
    for name, p in chosen:
        n_cycles, n_in, n_out = measured[name]
        assert (n_in, n_out) == (n, n), f"{name}: {n_in} beats in, {n_out} out"
        assert n_cycles >= n + latency(p), f"{name}: {n_cycles} cycles"
        if unstalled(p):
            assert n_cycles == n + latency(p), f"{name}: {n_cycles} cycles, model {n + latency(p)}"
            assert int(lat[name]) == latency(p), f"{name}: latency {lat[name]}"


def test_bench_verilator(tmp_path: Path) -> None:
    check_variants(tmp_path, None, "verilator", 360)


def test_bench_icarus(tmp_path: Path) -> None:
    check_variants(tmp_path, ICARUS_VARIANTS, "icarus", 120)


LINT_SETS = [
    dict(PE=1, NF=1, U_W=10, T=4, M=1, TH_W=6),
    dict(PE=4, NF=3, U_W=12, T=4, M=700, TH_W=10),
    dict(PE=2, NF=2, U_W=8, T=1, M=1, TH_W=1),
    dict(PE=8, NF=16, U_W=24, T=8, M=2047, TH_W=16),
    dict(PE=4, NF=2, U_W=16, T=4, S_W=14, S_SIGNED=1, M=1500, TH_W=12),
    dict(PE=1, NF=1, U_W=10, T=2, S_W=2, S_SIGNED=1, M=1, TH_W=4),
]


@pytest.mark.parametrize("params", LINT_SETS,
                         ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()))
def test_lint(params: dict) -> None:
    lint(CORE, RTL, params)


@pytest.mark.parametrize("params,message", [
    (dict(M=0), r"PE \(1\) >= 1, NF \(1\) >= 1, U_W \(16\) >= 2, T \(4\) >= 1, M \(0\) >= 1, "
                r"TH_W \(8\) >= 1, S_W \(4\) >= 1 \(2 if signed\), S_SIGNED \(0\) 0 or 1 "
                r"required"),
    (dict(S_SIGNED=1, S_W=1),
     r"PE \(1\) >= 1, .*, S_W \(1\) >= 1 \(2 if signed\), S_SIGNED \(1\) 0 or 1"),
    (dict(M=1 << 27, T=4), r"M\*\(2\^S_W - 1\) must be below 2\^31 \(M 134217728, S_W 4\)"),
])
def test_refuses_illegal_parameters(tmp_path: Path, params: dict, message: str) -> None:
    out = parameter_errors(CORE, RTL, params, tmp_path)
    assert re.search(CORE + r": " + message, out), out


@pytest.mark.synth
def test_yosys(tmp_path: Path) -> None:
    p = dict(PE=4, NF=3, U_W=12, T=4, M=700, TH_W=10)
    thr = write_mem(tmp_path / "thr.mem", [pack([1, 5, 300, 1023], 10)] * 3, 40)
    cells = yosys_cells(RTL, CORE, {**p, "THRESH_FILE": str(thr.resolve())}, tmp_path)
    assert not any(name.startswith("DSP") for name in cells), cells  # shift-adds only
