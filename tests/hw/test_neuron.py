"""neuron.sv against the DESIGN §2 neuron: every lane of every beat, random stalls."""

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
from reference import neuron, neuron_successive, pack, write_mem

from e3ne.flow.hdlsim import RTL_DIR, lint

SOURCES = bench_sources("neuron")


def stimuli(rng, n, PE, ACC_W, F, B_W, TH_W, T):
    """(V, beta, theta) of shape [n, PE]: half anywhere in range, half near the thresholds."""
    theta = rng.integers(1, 1 << TH_W, size=(n, PE))
    theta[0] = 1  # θ = 1: q = clamp(U)
    beta = rng.integers(-(1 << (B_W - 1)), 1 << (B_W - 1), size=(n, PE))
    v_lo, v_hi = -(1 << (ACC_W - 1)), (1 << (ACC_W - 1)) - 1
    V = rng.integers(v_lo, v_hi + 1, size=(n, PE))
    # near the thresholds: U = k·θ + r with k in [-2, 2^T + 1], r in {-1, 0, 1}
    near = rng.random((n, PE)) < 0.5
    k = rng.integers(-2, (1 << T) + 2, size=(n, PE))
    r = rng.integers(-1, 2, size=(n, PE))
    target = k * theta + r
    V_near = np.clip((target - beta) >> F, v_lo, v_hi)
    V = np.where(near, V_near, V)
    V[1] = v_lo  # most negative membrane
    V[2] = v_hi  # largest membrane, saturates
    return V, beta, theta


def run_neuron(workdir: Path, *, PE, ACC_W, F, B_W, TH_W, T, OUTPUT=0, n=200, seed=0,
               simulator="verilator") -> int:
    """Bench with random stalls, then again without; return the unstalled cycles."""
    rng = np.random.default_rng(seed)
    V, beta, theta = stimuli(rng, n, PE, ACC_W, F, B_W, TH_W, T)
    out = neuron(V, beta, theta, F, T, output=OUTPUT)
    U = (V << F) + beta
    if not OUTPUT:
        # the spiking view agrees with the closed form on every lane
        lit = [[neuron_successive(int(u), int(t), T) for u, t in zip(ur, tr, strict=False)]
               for ur, tr in zip(U, theta, strict=False)]
        assert np.array_equal(out, np.array(lit))
        assert out.min() == 0 and out.max() == (1 << T) - 1  # both clamps exercised
    assert (U < 0).any()
    OUT_W = max(ACC_W + F, B_W) + 1
    odw = OUT_W if OUTPUT else T
    words = [pack(V[i], ACC_W) | pack(beta[i], B_W) << (PE * ACC_W)
             | pack(theta[i], TH_W) << (PE * (ACC_W + B_W)) for i in range(n)]
    workdir.mkdir(parents=True, exist_ok=True)
    write_mem(workdir / "in.mem", words, PE * (ACC_W + B_W + TH_W))
    write_mem(workdir / "exp.mem", [pack(o, odw) for o in out], PE * odw)
    params = dict(PE=PE, ACC_W=ACC_W, F=F, B_W=B_W, TH_W=TH_W, T=T, OUTPUT=OUTPUT,
                  OUT_W=OUT_W, N_IN=n, N_OUT=n, GAP=30, BP=30, SEED=seed + 1)
    return run_stalled_then_unstalled("neuron_tb", SOURCES, workdir, params, simulator)


CASES = {
    "t4_pe3_f2": dict(PE=3, ACC_W=12, F=2, B_W=8, TH_W=6, T=4),
    "t1_pe1": dict(PE=1, ACC_W=8, F=0, B_W=6, TH_W=4, T=1),
    "t6_wide_theta_wide_beta": dict(PE=2, ACC_W=14, F=0, B_W=20, TH_W=12, T=6),
    "t8_f5": dict(PE=2, ACC_W=10, F=5, B_W=12, TH_W=9, T=8),
    "output_layer": dict(PE=4, ACC_W=12, F=3, B_W=10, TH_W=5, T=4, OUTPUT=1),
    "output_relu": dict(PE=3, ACC_W=12, F=2, B_W=10, TH_W=5, T=4, OUTPUT=2),
}


def latency(case) -> int:
    """Documented pipeline latency: T+1 cycles (hidden layer) or 1 (output layer)."""
    return 1 if case.get("OUTPUT") else case["T"] + 1


@pytest.mark.rtl
@pytest.mark.parametrize("name", ["t4_pe3_f2", "t1_pe1", "t8_f5", "output_layer",
                                  "output_relu"])
def test_neuron_verilator(tmp_path, name):
    n = 200
    # one beat per cycle after the pipeline latency
    assert run_neuron(tmp_path, **CASES[name], n=n) == n + latency(CASES[name])


@pytest.mark.rtl
@pytest.mark.parametrize("name", list(CASES))
def test_neuron_icarus(tmp_path, name):
    n = 80
    assert run_neuron(tmp_path, **CASES[name], n=n, simulator="icarus") == n + latency(CASES[name])


LINT_SETS = [
    dict(PE=1, ACC_W=16, F=0, B_W=8, TH_W=8, T=4, OUTPUT=0),
    dict(PE=4, ACC_W=20, F=3, B_W=24, TH_W=10, T=1, OUTPUT=0),
    dict(PE=8, ACC_W=12, F=2, B_W=8, TH_W=4, T=6, OUTPUT=0),
    dict(PE=2, ACC_W=16, F=1, B_W=8, TH_W=8, T=4, OUTPUT=1, OUT_W=24),
    dict(PE=2, ACC_W=16, F=1, B_W=8, TH_W=8, T=4, OUTPUT=2, OUT_W=24),
]


@pytest.mark.rtl
@pytest.mark.parametrize("params", LINT_SETS)
def test_neuron_lint(params):
    lint("neuron", [RTL_DIR / "neuron.sv"], params)


@pytest.mark.rtl
@pytest.mark.parametrize("params,message", [
    (dict(ACC_W=1), r"PE \(1\) >= 1, ACC_W \(1\) >= 2, B_W \(8\) >= 1, TH_W \(8\) >= 1, "
                    r"T \(4\) >= 1, F \(0\) >= 0 required"),
    (dict(OUTPUT=3), r"OUTPUT \(3\) must be 0 \(hidden\), 1 \(output: U\) or 2"),
])
def test_neuron_refuses_illegal_parameters(tmp_path, params, message):
    out = parameter_errors("neuron", [RTL_DIR / "neuron.sv"], params, tmp_path)
    assert re.search(r"neuron: " + message, out), out


@pytest.mark.synth
@pytest.mark.parametrize("output", [0, 1])
def test_neuron_yosys(tmp_path, output):
    params = dict(PE=4, ACC_W=14, F=2, B_W=10, TH_W=8, T=4, OUTPUT=output)
    cells = yosys_cells([RTL_DIR / "neuron.sv"], "neuron", params, tmp_path)
    assert luts(cells) > 0
    assert not any(name.startswith("DSP") for name in cells), cells  # shifts and adds only
