"""stream_zip.sv: bench under Verilator and Icarus, lint, Yosys.

The bench (src/e3ne/hw/sim/stream_zip_tb.sv) sends N random beats on each input (seeded
numpy files) and scores the output against their concatenation, beat k = {i_k, s_k} with
s_k in the low B_W bits, with random gaps on both inputs and random output stalls. It
checks the header's handshake (a pair's beats taken together, ready = the other's valid
and Room, at most 2 pairs held) and the latency of every beat (on ovld 1 cycle after its
pair is taken, or the cycle after the beat before it left). Several variants run side by
side in one simulation (a generated wrapper), so Verilator builds once per test. Variants
without gaps and stalls measure throughput and latency: first input to last output takes
N + 1 cycles (one pair per cycle, latency 1), the first output transfer 1 cycle after the
first input one.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from benchutil import (
    bench_sources,
    cycles,
    flops,
    parameter_errors,
    rerun,
    unstalled,
    write_wrapper,
    yosys_cells,
)
from reference import write_mem

from e3ne.flow.hdlsim import RTL_DIR, lint, run_bench

pytestmark = pytest.mark.rtl

CORE = "stream_zip"
SOURCES = bench_sources(CORE)
LATENCY = 1  # header: a pair taken at edge n is on odat after that edge

# (name, parameters); IGAP/SGAP/OSTALL: % of idle i source / s source / stalled sink
# cycles (SGAP defaults to IGAP)
VARIANTS = [
    ("random", dict(A_W=8, B_W=8)),
    ("width1", dict(A_W=1, B_W=1)),
    ("odd", dict(A_W=3, B_W=5, IGAP=20, SGAP=50, OSTALL=40)),
    ("wide", dict(A_W=64, B_W=8, IGAP=10, SGAP=40, OSTALL=50)),
    ("slow_i", dict(A_W=5, B_W=3, IGAP=70, SGAP=0, OSTALL=5)),
    ("slow_s", dict(A_W=8, B_W=1, IGAP=0, SGAP=70, OSTALL=5)),
    ("slow_sink", dict(A_W=8, B_W=8, IGAP=0, OSTALL=70)),
    ("full_rate", dict(A_W=8, B_W=8, IGAP=0, OSTALL=0)),
    ("full_rate_w1", dict(A_W=1, B_W=1, IGAP=0, OSTALL=0)),
    ("full_rate_odd", dict(A_W=3, B_W=5, IGAP=0, OSTALL=0)),
    ("full_rate_wide", dict(A_W=64, B_W=8, IGAP=0, OSTALL=0)),
]
ICARUS_VARIANTS = ["odd", "wide", "slow_s", "full_rate_w1", "full_rate_wide"]


def no_gaps(p: dict) -> bool:
    """Unstalled: neither source idles (SGAP defaults to IGAP) and the sink never stalls."""
    return unstalled(p) and p.get("SGAP", p.get("IGAP", 30)) == 0


def words(rng: np.random.Generator, n: int, width: int) -> list[int]:
    return [int.from_bytes(rng.bytes((width + 7) // 8), "little") & ((1 << width) - 1)
            for _ in range(n)]


def zipped(i: list[int], s: list[int], b_w: int) -> list[int]:
    """Header: odat = {idat_k, sdat_k}, sdat_k in the low B_W bits."""
    return [(a << b_w) | b for a, b in zip(i, s, strict=True)]


def write_files(tmp: Path, prefix: str, p: dict, n: int, rng: np.random.Generator) -> dict:
    """I_FILE, S_FILE and EXP_FILE of n random pairs; the first two pairs put all ones in
    one half and zeros in the other, so a swapped or shifted half cannot pass."""
    a_w, b_w = p["A_W"], p["B_W"]
    i, s = words(rng, n, a_w), words(rng, n, b_w)
    i[:2], s[:2] = [(1 << a_w) - 1, 0], [0, (1 << b_w) - 1]
    return {
        "I_FILE": str(write_mem(tmp / f"{prefix}i.hex", i, a_w)),
        "S_FILE": str(write_mem(tmp / f"{prefix}s.hex", s, b_w)),
        "EXP_FILE": str(write_mem(tmp / f"{prefix}exp.hex", zipped(i, s, b_w), a_w + b_w)),
    }


def check_variants(tmp_path: Path, names: list[str] | None, simulator: str, n: int) -> None:
    """Run the variants in one simulation; every one passes, moves n beats each way, and
    unstalled takes n + 1 cycles with its first output 1 cycle after its first input."""
    rng = np.random.default_rng(5)
    chosen = [(name, {**p, "N": n, "LAT": LATENCY, **write_files(tmp_path, name + "_", p, n, rng)})
              for name, p in VARIANTS if names is None or name in names]
    wrapper = write_wrapper(tmp_path / "multi_tb.sv", f"{CORE}_tb", chosen)
    out = run_bench("multi_tb", [*SOURCES, wrapper], tmp_path / simulator, simulator=simulator)
    measured = cycles(out)
    lat = dict(re.findall(r"^LATENCY (\S+) (-?\d+)$", out, re.M))
    assert set(measured) == {name for name, _ in chosen}, out
    for name, p in chosen:
        n_cycles, n_in, n_out = measured[name]
        assert (n_in, n_out) == (n, n), f"{name}: {n_in} beats in, {n_out} out"
        assert n_cycles >= n + LATENCY, f"{name}: {n_cycles} cycles"
        if no_gaps(p):
            assert n_cycles == n + LATENCY, f"{name}: {n_cycles} cycles, model {n + LATENCY}"
            assert int(lat[name]) == LATENCY, f"{name}: latency {lat[name]}"
    assert any(no_gaps(p) for _, p in chosen) and not all(no_gaps(p) for _, p in chosen)


def test_bench_verilator(tmp_path: Path) -> None:
    check_variants(tmp_path, None, "verilator", 1500)


def test_bench_icarus(tmp_path: Path) -> None:
    check_variants(tmp_path, ICARUS_VARIANTS, "icarus", 400)


def test_stalled_then_unstalled(tmp_path: Path) -> None:
    """The bench alone (default file names), with its default gaps and stalls, then rerun
    with +GAP=0 +BP=0: the first beat is out 1 cycle after it is taken (LATENCY line) and
    N pairs take N + 1 cycles."""
    workdir = tmp_path / "icarus"
    workdir.mkdir()
    n, p = 500, dict(A_W=7, B_W=9)
    files = write_files(workdir, "", p, n, np.random.default_rng(3))
    assert [Path(f).name for f in files.values()] == ["i.hex", "s.hex", "exp.hex"]
    out = run_bench(f"{CORE}_tb", SOURCES, workdir, {**p, "N": n}, simulator="icarus")
    assert cycles(out)[f"{CORE}_tb"][0] > n + LATENCY, out
    out = rerun(workdir, "icarus", ["+GAP=0", "+BP=0"])
    assert re.search(rf"^LATENCY {CORE}_tb {LATENCY}$", out, re.M), out
    assert re.search(rf"^CYCLES {CORE}_tb {n + LATENCY} IN {n} OUT {n}$", out, re.M), out


@pytest.mark.parametrize("a_w,b_w", [(1, 1), (3, 5), (8, 8), (64, 8), (1, 200)])
def test_lint(a_w: int, b_w: int) -> None:
    lint(CORE, [RTL_DIR / f"{CORE}.sv"], dict(A_W=a_w, B_W=b_w))


def test_refuses_illegal_parameters(tmp_path: Path) -> None:
    out = parameter_errors(CORE, [RTL_DIR / f"{CORE}.sv"], dict(A_W=0, B_W=4), tmp_path)
    assert re.search(rf"{CORE}: A_W \(0\) and B_W \(4\) must be at least 1", out), out


@pytest.mark.synth
def test_yosys(tmp_path: Path) -> None:
    a_w, b_w = 12, 5
    cells = yosys_cells([RTL_DIR / f"{CORE}.sv"], CORE, dict(A_W=a_w, B_W=b_w), tmp_path)
    # a 2-pair buffer of registers (H, B) and 3 control flops (HVld, BVld, Room)
    assert 2 * (a_w + b_w) <= flops(cells) <= 2 * (a_w + b_w) + 4, cells
