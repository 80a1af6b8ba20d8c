"""div_const.sv: floor(n / D) for every n in [0, NMAX], under Verilator and Icarus; its
parameter checks, lint, and Yosys (adders, no DSP)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from benchutil import luts, parameter_errors, yosys_cells

from e3ne.flow.hdlsim import RTL_DIR, lint, run_bench
from e3ne.hw import SIM_DIR

CORE = "div_const"
RTL = [RTL_DIR / f"{CORE}.sv"]
SOURCES = [*RTL, SIM_DIR / f"{CORE}_tb.sv"]


def pool_case(t: int, k: int) -> dict:
    """The pool cores' divide: window sum plus floor(KK/2), over KK = K*K."""
    kk = k * k
    return dict(NMAX=kk * (2**t - 1) + kk // 2, D=kk, QW=t)


CASES = {
    "pool_t4_k2": pool_case(4, 2),  # power of two: a plain shift
    "pool_t4_k3": pool_case(4, 3),
    "pool_t6_k3": pool_case(6, 3),
    "pool_t6_k5": pool_case(6, 5),
    "pool_t1_k7": pool_case(1, 7),
    "d1": dict(NMAX=37, D=1, QW=6),
    "nmax0": dict(NMAX=0, D=3, QW=1),
    "d_above_nmax": dict(NMAX=5, D=9, QW=1),
}


# every case under Verilator, a few under Icarus (slower to build per case)
RUNS = [(n, "verilator") for n in sorted(CASES)] + \
    [(n, "icarus") for n in ("nmax0", "pool_t4_k3", "pool_t6_k5")]


@pytest.mark.rtl
@pytest.mark.parametrize(("name", "simulator"), RUNS)
def test_every_quotient(tmp_path: Path, name: str, simulator: str) -> None:
    out = run_bench(f"{CORE}_tb", SOURCES, tmp_path, CASES[name], simulator=simulator)
    assert f"({CASES[name]['NMAX'] + 1} values)" in out


@pytest.mark.rtl
@pytest.mark.parametrize("params,message", [
    (dict(NMAX=10, D=0, QW=4), r"D \(0\) must be >= 1 and NMAX \(10\) >= 0"),
    (dict(NMAX=100, D=3, QW=5), r"QW \(5\) bits cannot hold floor\(NMAX / D\) = 33"),
])
def test_refuses_illegal_parameters(tmp_path: Path, params: dict, message: str) -> None:
    out = parameter_errors(CORE, RTL, params, tmp_path)
    assert re.search(r"div_const: " + message, out), out


@pytest.mark.rtl
@pytest.mark.parametrize("name", sorted(CASES))
def test_lint(name: str) -> None:
    lint(CORE, RTL, CASES[name])


@pytest.mark.synth
def test_yosys_uses_adders_only(tmp_path: Path) -> None:
    cells = yosys_cells(RTL, CORE, CASES["pool_t6_k3"], tmp_path)
    assert luts(cells) > 0
    assert not any(n.startswith("DSP") for n in cells), cells
