"""spike_dot.sv: every lane's sum against a plain multiply-accumulate, with random stalls,
under Verilator and Icarus, and its compressor tree's depth against the resource model's
mirror; the extremes of the lane sum; parameter checks; lint; Yosys."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from benchutil import luts, parameter_errors, yosys_cells

from e3ne.flow.hdlsim import RTL_DIR, lint, run_bench
from e3ne.hw import SIM_DIR
from e3ne.hw.cores.synaptic_engine import LEVELS, compressor

CORE = "spike_dot"
RTL = [RTL_DIR / f"{CORE}.sv"]
SOURCES = [*RTL, SIM_DIR / f"{CORE}_tb.sv"]

CASES = {
    "lenet_conv2": dict(PE=2, SIMD=30, TP=4, W=3),  # 12 leaves: 4 levels, 2 stages
    "one_leaf_pair": dict(PE=1, SIMD=1, TP=1, W=2),  # a single subtraction
    "w6_tp2_every_level": dict(PE=3, SIMD=7, TP=2, W=6, LEVELS=1),
    "popcount_w4": dict(PE=2, SIMD=16, TP=1, W=4, ADDER=1),
    "simd40_three_levels": dict(PE=1, SIMD=40, TP=4, W=3, LEVELS=3),
    "w8_tp8": dict(PE=1, SIMD=5, TP=8, W=8),  # 64 leaves, odd counts on the way up
}
RUNS = [(n, "verilator") for n in CASES] + [(n, "icarus") for n in ("lenet_conv2",
                                                                      "w6_tp2_every_level")]


@pytest.mark.rtl
@pytest.mark.parametrize(("name", "simulator"), RUNS)
def test_every_part(tmp_path: Path, name: str, simulator: str) -> None:
    p = CASES[name]
    out = run_bench(f"{CORE}_tb", SOURCES, tmp_path, {**p, "N": 300}, simulator=simulator)
    assert "(300 parts)" in out
    # the resource model's mirror of the tree builds the same levels
    tree = compressor(p["SIMD"], p["W"], p["TP"], p.get("ADDER", 2), p.get("LEVELS", LEVELS))
    assert f"levels={tree['levels']} " in out, out


@pytest.mark.rtl
@pytest.mark.parametrize("params,message", [
    (dict(W=1), r"W \(1\) >= 2"),
    (dict(ADDER=0), r"ADDER \(0\) must be 1 \(popcount\) or 2 \(compressor\)"),
    (dict(LEVELS=0), r"LEVELS \(0\) must be >= 1"),
])
def test_refuses_illegal_parameters(tmp_path: Path, params: dict, message: str) -> None:
    out = parameter_errors(CORE, RTL, params, tmp_path)
    assert re.search(r"spike_dot: .*" + message, out), out


@pytest.mark.rtl
@pytest.mark.parametrize("params", list(CASES.values()))
def test_lint(params: dict) -> None:
    lint(CORE, RTL, params)


@pytest.mark.synth
def test_yosys_adders_only(tmp_path: Path) -> None:
    cells = yosys_cells(RTL, CORE, CASES["lenet_conv2"], tmp_path)
    assert luts(cells) > 0
    assert not any(name.startswith("DSP") for name in cells), cells
