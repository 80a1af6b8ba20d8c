"""stream_dwc.sv: bench under Verilator and Icarus, lint, Yosys synthesis.

The bench (src/e3ne/hw/sim/stream_dwc_tb.sv) sends N beats of random lanes (a seeded numpy
file) and checks each output beat against the next OUT_LANES lanes in stream order, with
random input gaps and output back-pressure. Several variants run side by side in one
simulation (a generated wrapper), so Verilator builds once. Variants without stalls
measure throughput: the narrow side moves one beat per cycle, so first input to last
output takes max(input beats, output beats) + latency cycles (latency 0 for
IN_LANES == OUT_LANES, else 1).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from benchutil import bench_sources, flops, run_variants, yosys_cells
from reference import beats, write_mem

from e3ne.flow.hdlsim import RTL_DIR, lint

pytestmark = pytest.mark.rtl

CORE = "stream_dwc"
SOURCES = bench_sources(CORE)
N = 1200  # input beats per variant

# (name, parameters); IGAP/OSTALL are the % of idle source / stalled sink cycles
VARIANTS = [
    ("split4to1", dict(IN_LANES=4, OUT_LANES=1, LANE_W=8)),
    ("split4to2", dict(IN_LANES=4, OUT_LANES=2, LANE_W=5)),
    ("split3to1", dict(IN_LANES=3, OUT_LANES=1, LANE_W=4)),
    ("split6to2_wide", dict(IN_LANES=6, OUT_LANES=2, LANE_W=40)),
    ("gather1to4", dict(IN_LANES=1, OUT_LANES=4, LANE_W=8)),
    ("gather2to6", dict(IN_LANES=2, OUT_LANES=6, LANE_W=3)),
    ("gather1to3_bit", dict(IN_LANES=1, OUT_LANES=3, LANE_W=1)),
    ("equal3", dict(IN_LANES=3, OUT_LANES=3, LANE_W=6)),
    ("equal1", dict(IN_LANES=1, OUT_LANES=1, LANE_W=16)),
    ("split_slow_sink", dict(IN_LANES=4, OUT_LANES=1, LANE_W=8, IGAP=0, OSTALL=70)),
    ("gather_slow_source", dict(IN_LANES=1, OUT_LANES=4, LANE_W=8, IGAP=70, OSTALL=0)),
    ("full_rate_split", dict(IN_LANES=4, OUT_LANES=1, LANE_W=8, IGAP=0, OSTALL=0)),
    ("full_rate_split3", dict(IN_LANES=6, OUT_LANES=2, LANE_W=8, IGAP=0, OSTALL=0)),
    ("full_rate_gather", dict(IN_LANES=1, OUT_LANES=4, LANE_W=8, IGAP=0, OSTALL=0)),
    ("full_rate_equal", dict(IN_LANES=2, OUT_LANES=2, LANE_W=8, IGAP=0, OSTALL=0)),
]
ICARUS_VARIANTS = ["split3to1", "gather2to6", "equal3", "full_rate_split"]


def make_variant(tmp: Path, name: str, p: dict, rng: np.random.Generator) -> dict:
    """N beats of random lanes, and the same lanes regrouped OUT_LANES to a beat."""
    lanes = rng.integers(0, 1 << p["LANE_W"], N * p["IN_LANES"])
    return {
        **p, "N": N,
        "STIM_FILE": str(write_mem(tmp / f"{name}_stim.hex", beats(lanes, p["IN_LANES"],
                                   p["LANE_W"]), p["IN_LANES"] * p["LANE_W"])),
        "EXP_FILE": str(write_mem(tmp / f"{name}_exp.hex", beats(lanes, p["OUT_LANES"],
                                  p["LANE_W"]), p["OUT_LANES"] * p["LANE_W"])),
    }


def beats_moved(p: dict) -> tuple[int, int]:
    return N, N * p["IN_LANES"] // p["OUT_LANES"]


def unstalled_cycles(p: dict) -> int:
    """The narrow side moves a beat per cycle; latency 0 when IN_LANES == OUT_LANES, else 1."""
    return max(beats_moved(p)) + (0 if p["IN_LANES"] == p["OUT_LANES"] else 1)


def check_variants(tmp_path: Path, names: list[str] | None, simulator: str) -> None:
    rng = np.random.default_rng(6)
    chosen = [(n, make_variant(tmp_path, n, p, rng)) for n, p in VARIANTS
              if names is None or n in names]
    run_variants(f"{CORE}_tb", SOURCES, chosen, tmp_path, simulator,
                 beats=beats_moved, unstalled_cycles=unstalled_cycles)


def test_bench_verilator(tmp_path: Path) -> None:
    check_variants(tmp_path, None, "verilator")


def test_bench_icarus(tmp_path: Path) -> None:
    check_variants(tmp_path, ICARUS_VARIANTS, "icarus")


@pytest.mark.parametrize(
    "params",
    [dict(IN_LANES=4, OUT_LANES=1, LANE_W=8), dict(IN_LANES=2, OUT_LANES=6, LANE_W=3),
     dict(IN_LANES=3, OUT_LANES=3, LANE_W=5), dict(IN_LANES=1, OUT_LANES=2, LANE_W=1)],
    ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()),
)
def test_lint(params: dict) -> None:
    lint(CORE, [RTL_DIR / f"{CORE}.sv"], params)


@pytest.mark.synth
@pytest.mark.parametrize(
    "params",
    [dict(IN_LANES=6, OUT_LANES=2, LANE_W=8), dict(IN_LANES=2, OUT_LANES=6, LANE_W=8)],
    ids=["split", "gather"],
)
def test_yosys(tmp_path: Path, params: dict) -> None:
    cells = yosys_cells([RTL_DIR / f"{CORE}.sv"], CORE, params, tmp_path)
    assert "DSP48E2" not in cells
    # one buffer of the wide side, plus a few control bits
    wide = max(params["IN_LANES"], params["OUT_LANES"]) * params["LANE_W"]
    assert wide <= flops(cells) <= wide + 8, cells
