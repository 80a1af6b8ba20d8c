"""stream_fork.sv: bench under Verilator and Icarus, lint, Yosys.

The bench (src/e3ne/hw/sim/stream_fork_tb.sv) sends N random beats (a seeded numpy file)
and scores both outputs against the same file, with random input gaps and independent
random back-pressure on each output; it checks the header's rule for irdy (low exactly
while either 2-beat buffer is full) and that no beat leaves in the cycle it is taken.
Several variants run side by side in one simulation (a generated wrapper), so Verilator
builds once per test. Variants without gaps and stalls measure throughput and latency:
first input to last output takes N + 1 cycles (one beat per cycle, latency 1).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from benchutil import bench_sources, flops, run_variants, yosys_cells
from reference import write_mem

from e3ne.flow.hdlsim import RTL_DIR, lint, run_bench

pytestmark = pytest.mark.rtl

CORE = "stream_fork"
SOURCES = bench_sources(CORE)
LATENCY = 1
N = 2000  # beats per variant

# (name, parameters); IGAP/OSTALL/SSTALL: % of idle source / stalled sink o / sink s
# cycles (SSTALL defaults to OSTALL)
VARIANTS = [
    ("random", dict(WIDTH=8)),
    ("width1", dict(WIDTH=1)),
    ("wide", dict(WIDTH=67, IGAP=10, OSTALL=50, SSTALL=20)),
    ("slow_o", dict(WIDTH=8, IGAP=1, OSTALL=70, SSTALL=0)),
    ("slow_s", dict(WIDTH=8, IGAP=1, OSTALL=0, SSTALL=70)),
    ("busy_both", dict(WIDTH=5, IGAP=0, OSTALL=60, SSTALL=60)),
    ("slow_source", dict(WIDTH=8, IGAP=70, OSTALL=10, SSTALL=10)),
    ("full_rate", dict(WIDTH=8, IGAP=0, OSTALL=0)),
    ("full_rate_w1", dict(WIDTH=1, IGAP=0, OSTALL=0)),
]
ICARUS_VARIANTS = ["random", "slow_s", "full_rate"]


def make_variant(tmp: Path, name: str, params: dict, rng: np.random.Generator) -> dict:
    """N random WIDTH-bit beats: the stimuli, and (on both outputs) the expected beats."""
    width = params["WIDTH"]
    words = [int.from_bytes(rng.bytes((width + 7) // 8), "little") & ((1 << width) - 1)
             for _ in range(N)]
    beats = str(write_mem(tmp / f"{name}.hex", words, params["WIDTH"]))
    return {**params, "N": N, "STIM_FILE": beats, "EXP_FILE": beats}


def check_variants(tmp_path: Path, names: list[str] | None, simulator: str) -> None:
    rng = np.random.default_rng(7)
    chosen = [(n, make_variant(tmp_path, n, p, rng)) for n, p in VARIANTS
              if names is None or n in names]
    measured = run_variants(f"{CORE}_tb", SOURCES, chosen, tmp_path, simulator,
                            beats=lambda p: (N, N), unstalled_cycles=lambda p: N + LATENCY)
    assert all(measured[n][0] >= N + LATENCY for n, _ in chosen), measured


def test_bench_verilator(tmp_path: Path) -> None:
    check_variants(tmp_path, None, "verilator")


def test_bench_icarus(tmp_path: Path) -> None:
    check_variants(tmp_path, ICARUS_VARIANTS, "icarus")


def test_latency_standalone(tmp_path: Path) -> None:
    """The bench alone, unstalled: the first beat is on both outputs one cycle after it is
    taken (LATENCY line), and N beats take N + 1 cycles."""
    workdir = tmp_path / "icarus"
    workdir.mkdir()
    width = 12
    words = np.random.default_rng(3).integers(0, 1 << width, N).tolist()
    write_mem(workdir / "stim.hex", words, width)  # the bench's default file names
    write_mem(workdir / "exp.hex", words, width)
    out = run_bench(f"{CORE}_tb", SOURCES, workdir, dict(WIDTH=width, N=N, IGAP=0, OSTALL=0),
                    simulator="icarus")
    assert re.search(rf"^LATENCY {CORE}_tb {LATENCY}$", out, re.M), out
    assert re.search(rf"^CYCLES {CORE}_tb {N + LATENCY} IN {N} OUT {N}$", out, re.M), out


@pytest.mark.parametrize("width", [1, 8, 256])
def test_lint(width: int) -> None:
    lint(CORE, [RTL_DIR / f"{CORE}.sv"], dict(WIDTH=width))


@pytest.mark.synth
def test_yosys(tmp_path: Path) -> None:
    width = 16
    cells = yosys_cells([RTL_DIR / f"{CORE}.sv"], CORE, dict(WIDTH=width), tmp_path)
    # two 2-beat buffers of registers and a few control flops
    assert 4 * width <= flops(cells) <= 4 * width + 8, cells
