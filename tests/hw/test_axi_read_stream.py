"""axi_read_stream.sv: bench with an AXI4 memory model under Verilator and Icarus, the
model's bursts and cycles, lint, Yosys synthesis.

The bench (src/e3ne/hw/sim/axi_read_stream_tb.sv) serves the reads from a memory of random
words with a latency, arready stalls, rvalid gaps and output back-pressure; it checks
every AR (address, length, size, INCR, no 4 KB crossing, bursts in flight) and every word
that leaves, in order. Unstalled variants also pin the cycles from start to the last word
to ``fetch_cycles`` of the model.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from benchutil import bench_sources, cycles, flops, luts, write_wrapper, yosys_cells
from reference import write_mem

from e3ne.flow.hdlsim import RTL_DIR, lint, run_bench
from e3ne.hw.cores.axi_read_stream import bursts, fetch_cycles

pytestmark = pytest.mark.rtl

CORE = "axi_read_stream"
SOURCES = bench_sources("stream_fifo", CORE, tb="axi_read_stream_tb")
UNSTALLED = dict(ARSTALL=0, IGAP=0, OSTALL=0)

VARIANTS = [
    ("stalls", dict(DATA_W=64, BURST=16, OUTSTANDING=4, N=300, LAT=12)),
    ("unaligned", dict(DATA_W=32, BURST=8, OUTSTANDING=2, N=77, BASE_BEAT=5, LAT=3)),
    ("one_beat_bursts", dict(DATA_W=16, BURST=1, OUTSTANDING=3, N=40, LAT=4)),
    ("one_word", dict(DATA_W=128, BURST=4, OUTSTANDING=1, N=1, BASE_BEAT=3, LAT=7)),
    ("bytes", dict(DATA_W=8, BURST=256, OUTSTANDING=2, N=600, BASE_BEAT=4000, LAT=20)),
    ("wide", dict(DATA_W=512, BURST=64, OUTSTANDING=2, N=200, BASE_BEAT=60, LAT=30)),
    ("slverr", dict(DATA_W=64, BURST=8, OUTSTANDING=2, N=50, LAT=5, RESP_AT=17)),
    ("full_rate", dict(DATA_W=64, BURST=16, OUTSTANDING=4, N=500, LAT=20, **UNSTALLED)),
    ("latency_bound", dict(DATA_W=64, BURST=8, OUTSTANDING=2, N=123, BASE_BEAT=3, LAT=40,
                           **UNSTALLED)),
    ("serial", dict(DATA_W=32, BURST=4, OUTSTANDING=1, N=37, BASE_BEAT=1, LAT=2,
                    **UNSTALLED)),
    # LOOP: four passes over 37 words from an unaligned base, under stalls
    ("loop", dict(DATA_W=64, BURST=16, OUTSTANDING=4, LOOP=1, BEATS=37, N=4 * 37,
                  BASE_BEAT=5, LAT=12)),
    # a pass shorter than a burst, bursts of one beat at the wrap
    ("loop_short", dict(DATA_W=32, BURST=8, OUTSTANDING=2, LOOP=1, BEATS=3, N=5 * 3,
                        BASE_BEAT=7, LAT=4)),
    # unstalled: no gap between passes, one word a cycle after the first
    ("loop_full_rate", dict(DATA_W=64, BURST=16, OUTSTANDING=4, LOOP=1, BEATS=50,
                            N=4 * 50, BASE_BEAT=9, LAT=20, **UNSTALLED)),
]
ICARUS_VARIANTS = ["unaligned", "slverr", "latency_bound", "loop_short"]


def make_variant(tmp: Path, name: str, params: dict, rng: np.random.Generator) -> dict:
    per_pass = params.get("BEATS", params["N"])  # LOOP: the passes repeat these words
    words = [int(x) for x in rng.integers(0, 1 << 62, per_pass)]
    w = params["DATA_W"]
    words = [(x | (x << 62) | (x << 124)) & ((1 << w) - 1) for x in words]
    words = words * (params["N"] // per_pass)
    f = write_mem(tmp / f"{name}.hex", words, w)
    return {**params, "STIM_FILE": str(f), "EXP_FILE": str(f)}


def run(tmp_path: Path, names: list[str] | None, simulator: str) -> dict[str, int]:
    rng = np.random.default_rng(5)
    chosen = [(n, make_variant(tmp_path, n, p, rng)) for n, p in VARIANTS
              if names is None or n in names]
    wrapper = write_wrapper(tmp_path / "multi_tb.sv", "axi_read_stream_tb", chosen)
    out = run_bench("multi_tb", [*SOURCES, wrapper], tmp_path / simulator,
                    simulator=simulator)
    moved = cycles(out)
    fetch = {m[0]: int(m[1]) for m in re.findall(r"^FETCH (\S+) (\d+)$", out, re.M)}
    for name, p in chosen:
        assert moved[name][1:] == (p["N"], p["N"]), f"{name}: {moved[name]}"
        assert name in fetch, f"{name}: no FETCH line:\n{out[-3000:]}"
        if all(p.get(k, 30) == 0 for k in UNSTALLED) and not p.get("LOOP"):
            model = fetch_cycles(p["N"], p["BURST"], p["OUTSTANDING"], p["LAT"],
                                 p.get("BASE_BEAT", 0))
            assert fetch[name] == model, f"{name}: {fetch[name]} cycles, model {model}"
    return fetch


def test_bench_verilator(tmp_path: Path) -> None:
    fetch = run(tmp_path, None, "verilator")
    # enough reads in flight hide the latency: one word a cycle after the first
    assert fetch["full_rate"] <= 500 + 20 + 4
    assert fetch["loop_full_rate"] <= 200 + 20 + 4  # and no gap between passes


def test_bench_icarus(tmp_path: Path) -> None:
    run(tmp_path, ICARUS_VARIANTS, "icarus")


def test_bursts_stop_at_block_boundaries() -> None:
    assert bursts(5, 20, 8) == [(5, 3), (8, 8), (16, 8), (24, 1)]
    assert bursts(0, 3, 1) == [(0, 1), (1, 1), (2, 1)]
    assert sum(n for _, n in bursts(4000, 600, 256)) == 600


def test_fetch_cycles_bounds() -> None:
    """Latency-bound with one burst in flight; one word a cycle with enough in flight."""
    n, lat = 64, 30
    serial = fetch_cycles(n, 8, 1, lat)
    assert serial >= (n // 8) * (lat + 8)
    assert fetch_cycles(n, 8, 8, lat) <= n + lat + 4
    with pytest.raises(ValueError):
        fetch_cycles(0, 8, 1, lat)


@pytest.mark.parametrize("params", [dict(DATA_W=64, BURST=16, OUTSTANDING=4),
                                    dict(DATA_W=8, BURST=1, OUTSTANDING=1, LEN_W=4),
                                    dict(DATA_W=512, BURST=8, OUTSTANDING=2, ADDR_W=49),
                                    dict(DATA_W=32, BURST=256, OUTSTANDING=3, LEN_W=30),
                                    dict(DATA_W=128, BURST=16, OUTSTANDING=4, LOOP=1)],
                         ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()))
def test_lint(params: dict) -> None:
    lint(CORE, [RTL_DIR / "stream_fifo.sv", RTL_DIR / f"{CORE}.sv"], params)


@pytest.mark.synth
def test_yosys(tmp_path: Path) -> None:
    """Flip-flops: the FIFO's output stage and the AR and count registers; the words wait
    in LUT RAM."""
    params = dict(DATA_W=64, BURST=16, OUTSTANDING=4, ADDR_W=32, LEN_W=24)
    cells = yosys_cells([RTL_DIR / "stream_fifo.sv", RTL_DIR / f"{CORE}.sv"], CORE, params,
                        tmp_path)
    assert flops(cells) <= 3 * 64 + 2 * 32 + 24 + 8 + 32, cells
    assert luts(cells) <= 400, cells
