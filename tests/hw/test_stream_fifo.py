"""stream_fifo.sv: bench under Verilator and Icarus, lint, Yosys synthesis.

The bench (src/e3ne/hw/sim/stream_fifo_tb.sv) sends N random beats (a seeded numpy file)
and scores every output beat against the same file, with random input gaps and output
back-pressure. Several parameter variants run side by side in one simulation (a generated
wrapper), so Verilator builds once per test. Variants without stalls measure throughput:
the cycle count from the first input to the last output must be N + 1 (one beat per
cycle, latency 1).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from benchutil import bench_sources, flops, run_variants, yosys_cells
from reference import write_mem

from e3ne.flow.hdlsim import RTL_DIR, lint

pytestmark = pytest.mark.rtl

CORE = "stream_fifo"
SOURCES = bench_sources(CORE)
LATENCY = 1
N = 2000  # beats per variant

# (name, parameters); IGAP/OSTALL are the % of idle source / stalled sink cycles
VARIANTS = [
    ("depth1", dict(WIDTH=8, DEPTH=1)),
    ("depth2", dict(WIDTH=8, DEPTH=2)),
    ("depth3_npot", dict(WIDTH=8, DEPTH=3)),
    ("depth16_pot", dict(WIDTH=8, DEPTH=16)),
    ("depth17_potp1", dict(WIDTH=5, DEPTH=17)),
    ("depth40_wide", dict(WIDTH=37, DEPTH=40)),
    ("width1", dict(WIDTH=1, DEPTH=5)),
    ("slow_sink", dict(WIDTH=8, DEPTH=3, IGAP=0, OSTALL=70)),
    ("slow_source", dict(WIDTH=8, DEPTH=3, IGAP=70, OSTALL=0)),
    ("full_rate_d1", dict(WIDTH=8, DEPTH=1, IGAP=0, OSTALL=0)),
    ("full_rate_d2", dict(WIDTH=8, DEPTH=2, IGAP=0, OSTALL=0)),
    ("full_rate_d3", dict(WIDTH=8, DEPTH=3, IGAP=0, OSTALL=0)),
]
ICARUS_VARIANTS = ["depth1", "depth3_npot", "full_rate_d2"]


def make_variant(tmp: Path, name: str, params: dict, rng: np.random.Generator) -> dict:
    """N random WIDTH-bit beats: the stimuli, and (a FIFO) the expected output."""
    words = rng.integers(0, 1 << params["WIDTH"], N).tolist()
    beats = str(write_mem(tmp / f"{name}.hex", words, params["WIDTH"]))
    return {**params, "N": N, "STIM_FILE": beats, "EXP_FILE": beats}


def check_variants(tmp_path: Path, names: list[str] | None, simulator: str) -> None:
    rng = np.random.default_rng(5)
    chosen = [(n, make_variant(tmp_path, n, p, rng)) for n, p in VARIANTS
              if names is None or n in names]
    run_variants(f"{CORE}_tb", SOURCES, chosen, tmp_path, simulator,
                 beats=lambda p: (N, N), unstalled_cycles=lambda p: N + LATENCY)


def test_bench_verilator(tmp_path: Path) -> None:
    check_variants(tmp_path, None, "verilator")


def test_bench_icarus(tmp_path: Path) -> None:
    check_variants(tmp_path, ICARUS_VARIANTS, "icarus")


@pytest.mark.parametrize(
    "params", [dict(WIDTH=8, DEPTH=1), dict(WIDTH=8, DEPTH=2), dict(WIDTH=1, DEPTH=3),
               dict(WIDTH=64, DEPTH=100)],
    ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()),
)
def test_lint(params: dict) -> None:
    lint(CORE, [RTL_DIR / f"{CORE}.sv"], params)


@pytest.mark.synth
@pytest.mark.parametrize("depth,style", [(40, 0), (600, 1)])  # LUTRAM and block RAM
def test_yosys(tmp_path: Path, depth: int, style: int) -> None:
    width = 16
    cells = yosys_cells([RTL_DIR / f"{CORE}.sv"], CORE,
                        dict(WIDTH=width, DEPTH=depth, STYLE=style), tmp_path)
    assert "DSP48E2" not in cells
    # the storage is an inferred RAM: only the output stage and control are flip-flops
    assert flops(cells) <= 2 * width + 32, cells
    assert any(k.startswith("RAMB" if style else "RAM") for k in cells), cells
    assert style or not any(k.startswith("RAMB") for k in cells), cells
