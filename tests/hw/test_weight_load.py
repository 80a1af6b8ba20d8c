"""weight_load.sv: bench under Verilator and Icarus, lint, Yosys synthesis.

The bench (src/e3ne/hw/sim/weight_load_tb.sv) streams a loader's words and then more beats
through it, with random input gaps and output back-pressure; it checks every write
(address and word) as it happens, ``done``, and that the beats after the words pass on
unchanged. Unstalled variants also pin the pace: one beat a cycle, no bubble. (A chain's
last loader, ``PASS = 0``, drops those beats instead: linted here, and run in every
co-simulation of a design with UltraRAM weights.)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from benchutil import bench_sources, flops, run_variants, yosys_cells
from reference import write_mem

from e3ne.flow.hdlsim import RTL_DIR, lint
from e3ne.hw.cores.weight_load import WeightLoad

pytestmark = pytest.mark.rtl

CORE = "weight_load"
SOURCES = bench_sources("stream_fifo", CORE, tb="weight_load_tb")
NX = 40  # beats after the loader's words

VARIANTS = [
    ("one_beat", dict(BUS=16, DEPTH=8, WIDTH=12)),
    ("exact_beat", dict(BUS=16, DEPTH=5, WIDTH=16)),
    ("two_beats", dict(BUS=16, DEPTH=7, WIDTH=20)),
    ("many_beats", dict(BUS=8, DEPTH=6, WIDTH=61)),
    ("one_word", dict(BUS=32, DEPTH=1, WIDTH=96)),
    ("pow2_depth", dict(BUS=64, DEPTH=16, WIDTH=150)),
    ("slow_sink", dict(BUS=16, DEPTH=4, WIDTH=40, IGAP=0, OSTALL=70)),
    ("full_rate", dict(BUS=16, DEPTH=9, WIDTH=33, IGAP=0, OSTALL=0)),
    ("full_rate_1", dict(BUS=64, DEPTH=3, WIDTH=64, IGAP=0, OSTALL=0)),
]
ICARUS_VARIANTS = ["two_beats", "one_word", "full_rate"]


def _draw(rng: np.random.Generator, bits: int) -> int:
    """A random ``bits``-bit integer (numpy draws at most 62 bits at a time)."""
    v = 0
    for k in range(0, bits, 62):
        v |= int(rng.integers(0, 1 << min(62, bits - k))) << k
    return v


def make_variant(tmp: Path, name: str, params: dict, rng: np.random.Generator) -> dict:
    """Random words in the generator's beats (``WeightLoad.beats``), then random beats."""
    bus, depth, width = params["BUS"], params["DEPTH"], params["WIDTH"]
    words = [_draw(rng, width) for _ in range(depth)]
    beats = WeightLoad.beats(words, width, bus)
    assert len(beats) == depth * -(-width // bus)
    tail = [_draw(rng, bus) for _ in range(NX)]
    return {**params, "NX": NX,
            "STIM_FILE": str(write_mem(tmp / f"{name}_stim.hex", beats + tail, bus)),
            "WORD_FILE": str(write_mem(tmp / f"{name}_words.hex", words, width)),
            "EXP_FILE": str(write_mem(tmp / f"{name}_exp.hex", tail, bus))}


def check_variants(tmp_path: Path, names: list[str] | None, simulator: str) -> None:
    rng = np.random.default_rng(11)
    chosen = [(n, make_variant(tmp_path, n, p, rng)) for n, p in VARIANTS
              if names is None or n in names]

    def n_in(p: dict) -> int:
        return p["DEPTH"] * -(-p["WIDTH"] // p["BUS"]) + NX

    run_variants("weight_load_tb", SOURCES, chosen, tmp_path, simulator,
                 beats=lambda p: (n_in(p), NX), unstalled_cycles=lambda p: n_in(p) + 1)


def test_bench_verilator(tmp_path: Path) -> None:
    check_variants(tmp_path, None, "verilator")


def test_bench_icarus(tmp_path: Path) -> None:
    check_variants(tmp_path, ICARUS_VARIANTS, "icarus")


@pytest.mark.parametrize("params", [dict(BUS=64, DEPTH=16, WIDTH=8),
                                    dict(BUS=64, DEPTH=5, WIDTH=200),
                                    dict(BUS=32, DEPTH=1, WIDTH=64),
                                    dict(BUS=8, DEPTH=300, WIDTH=17),
                                    dict(BUS=64, DEPTH=9, WIDTH=6, PASS=0),
                                    dict(BUS=16, DEPTH=4, WIDTH=40, PASS=0)],
                         ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()))
def test_lint(params: dict) -> None:
    lint(CORE, [RTL_DIR / "stream_fifo.sv", RTL_DIR / f"{CORE}.sv"], params)


@pytest.mark.synth
def test_yosys(tmp_path: Path) -> None:
    """Flip-flops: the word's shift register, the write word and address, counters and
    the pass-through FIFO's output stage."""
    params = dict(BUS=64, DEPTH=512, WIDTH=200)
    cells = yosys_cells([RTL_DIR / "stream_fifo.sv", RTL_DIR / f"{CORE}.sv"], CORE, params,
                        tmp_path)
    nb = -(-200 // 64)
    assert flops(cells) <= (nb - 1) * 64 + 200 + 9 + 2 * 64 + 32, cells
