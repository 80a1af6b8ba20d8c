"""mem_ram.sv: bench under Verilator and Icarus, lint, parameter checks, Yosys placement.

The bench (src/e3ne/hw/sim/mem_ram_tb.sv) applies N random commands (write and/or read,
a seeded numpy file) and scores every word read against a Python model of the memory:
read first (a word written by the same command reads old), writes ignored by a ROM
(WRITE = 0), the $readmemh image as the initial contents when there is one, otherwise only
addresses already written are read. Random input gaps and output back-pressure check that
the registered read holds while its enable is low. Variants run side by side in one
simulation (a generated wrapper), so Verilator builds once per test; both styles (LUTs and
block RAM: in simulation the same behaviour, different branches), ROM and RAM, with and
without init file, registered and combinational read. Without stalls N commands ending
with a read take N + 1 cycles (one per cycle, read latency 1 through the output beat).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from benchutil import bench_sources, flops, luts, parameter_errors, run_variants, yosys_cells
from reference import write_mem

from e3ne.flow.hdlsim import RTL_DIR, lint

pytestmark = pytest.mark.rtl

CORE = "mem_ram"
SOURCES = bench_sources(CORE)
N = 2000  # commands per variant

# (name, parameters, with init file); IGAP/OSTALL are the % of idle source / stalled sink
VARIANTS = [
    ("lut_rom_init", dict(DEPTH=40, WIDTH=12, STYLE=0, WRITE=0), True),
    ("bram_rom_init", dict(DEPTH=600, WIDTH=9, STYLE=1, WRITE=0), True),
    ("lut_ram", dict(DEPTH=33, WIDTH=8, STYLE=0, WRITE=1), False),
    ("bram_ram", dict(DEPTH=1024, WIDTH=16, STYLE=1, WRITE=1), False),
    ("lut_ram_init", dict(DEPTH=16, WIDTH=5, STYLE=0, WRITE=1), True),
    ("bram_ram_init_wide", dict(DEPTH=100, WIDTH=70, STYLE=1, WRITE=1), True),
    ("lut_comb_rom_init", dict(DEPTH=7, WIDTH=3, STYLE=0, WRITE=0, RD_REG=0), True),
    ("lut_comb_ram", dict(DEPTH=64, WIDTH=8, STYLE=0, WRITE=1, RD_REG=0), False),
    ("depth1_lut_init", dict(DEPTH=1, WIDTH=1, STYLE=0, WRITE=1), True),
    ("depth1_bram", dict(DEPTH=1, WIDTH=4, STYLE=1, WRITE=1), False),
    ("slow_sink_bram", dict(DEPTH=50, WIDTH=8, STYLE=1, WRITE=1, IGAP=0, OSTALL=70), False),
    ("full_rate_lut_ram", dict(DEPTH=20, WIDTH=8, STYLE=0, WRITE=1, IGAP=0, OSTALL=0), False),
    ("full_rate_bram_rom", dict(DEPTH=300, WIDTH=6, STYLE=1, WRITE=0, IGAP=0, OSTALL=0), True),
    ("full_rate_comb", dict(DEPTH=9, WIDTH=8, STYLE=0, WRITE=1, RD_REG=0, IGAP=0, OSTALL=0),
     True),
    ("uram_ram", dict(DEPTH=5000, WIDTH=20, STYLE=2, WRITE=1), False),
]
ICARUS_VARIANTS = ["bram_rom_init", "lut_ram", "bram_ram", "lut_ram_init",
                   "lut_comb_ram", "full_rate_bram_rom", "uram_ram"]


def addr_bits(depth: int) -> int:
    return max(1, (depth - 1).bit_length())


def word(rng: np.random.Generator, width: int) -> int:
    """A uniform random ``width``-bit word (any width, also beyond 64 bits)."""
    return int.from_bytes(rng.bytes((width + 7) // 8), "little") & ((1 << width) - 1)


def commands(params: dict, init: list[int] | None, rng: np.random.Generator
             ) -> tuple[list[int], list[int]]:
    """N random commands and the words their reads return (the memory model).

    Every command writes and/or reads with probability 1/2 each (the last one reads); without
    an init file only addresses already written are read, the first command writes.
    """
    depth, width = params["DEPTH"], params["WIDTH"]
    aw, ram = addr_bits(depth), params["WRITE"] == 1
    mem: list[int | None] = list(init) if init is not None else [None] * depth
    stim, exp = [], []
    for i in range(N):
        wr = bool(rng.integers(2)) or (i == 0 and init is None)
        rd = bool(rng.integers(2)) or i == N - 1
        waddr, wdat = int(rng.integers(depth)), word(rng, width)
        written = [a for a in range(depth) if mem[a] is not None]
        if rng.integers(4) == 0 and mem[waddr] is not None:
            raddr = waddr  # read and write one address in the same cycle: read first
        elif written:
            raddr = int(rng.choice(written))
        else:
            rd, raddr = False, 0
        if rd:
            exp.append(mem[raddr])
        if wr and ram:
            mem[waddr] = wdat
        stim.append(wdat | waddr << width | int(wr) << (width + aw)
                    | raddr << (width + aw + 1) | int(rd) << (width + 2 * aw + 1))
    return stim, exp


def make_variant(tmp: Path, name: str, params: dict, with_init: bool,
                 rng: np.random.Generator) -> dict:
    """The init image (if any), the commands and the words read, as the bench's files."""
    depth, width = params["DEPTH"], params["WIDTH"]
    init = None
    p = {**params, "INIT_FILE": ""}
    if with_init:
        init = [word(rng, width) for _ in range(depth)]
        p["INIT_FILE"] = str(write_mem(tmp / f"{name}_init.hex", init, width))
    stim, exp = commands(params, init, rng)
    cw = width + 2 * addr_bits(depth) + 2
    return {**p, "N": N, "N_OUT": len(exp),
            "STIM_FILE": str(write_mem(tmp / f"{name}_stim.hex", stim, cw)),
            "EXP_FILE": str(write_mem(tmp / f"{name}_exp.hex", exp, width))}


def check_variants(tmp_path: Path, names: list[str] | None, simulator: str) -> None:
    rng = np.random.default_rng(11)
    chosen = [(n, make_variant(tmp_path, n, p, init, rng)) for n, p, init in VARIANTS
              if names is None or n in names]
    run_variants(f"{CORE}_tb", SOURCES, chosen, tmp_path, simulator,
                 beats=lambda p: (N, p["N_OUT"]), unstalled_cycles=lambda p: N + 1)


def test_model_reads_first_and_rom_ignores_writes() -> None:
    """The bench's expectations: same-cycle write reads old; a ROM never changes."""
    rng = np.random.default_rng(0)
    stim, exp = commands(dict(DEPTH=4, WIDTH=8, WRITE=0), [1, 2, 3, 4], rng)
    assert len(stim) == N and set(exp) <= {1, 2, 3, 4}
    stim, exp = commands(dict(DEPTH=4, WIDTH=8, WRITE=1), None, rng)
    assert None not in exp and stim[-1] >> (8 + 2 * 2 + 1) == 1  # the last command reads


def test_bench_verilator(tmp_path: Path) -> None:
    check_variants(tmp_path, None, "verilator")


def test_bench_icarus(tmp_path: Path) -> None:
    check_variants(tmp_path, ICARUS_VARIANTS, "icarus")


@pytest.mark.parametrize(
    "params",
    [dict(STYLE=s, WRITE=w, RD_REG=r) for s in (0, 1) for w in (0, 1) for r in (0, 1, 2)
     if not (s == 1 and r == 0)]
    + [dict(DEPTH=1, WIDTH=1), dict(DEPTH=1000, WIDTH=72, STYLE=1), dict(DEPTH=5, WIDTH=3),
       dict(DEPTH=9000, WIDTH=40, STYLE=2, RD_REG=2)],
    ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()),
)
def test_lint(params: dict) -> None:
    lint(CORE, [RTL_DIR / f"{CORE}.sv"], params)


@pytest.mark.parametrize("params,message", [
    (dict(STYLE=3), r"STYLE \(3\) must be 0 \(LUTs\), 1 \(block RAM\) or 2 \(UltraRAM\)"),
    (dict(STYLE=2, WRITE=0), r"STYLE \(2\) UltraRAM has no initial contents: it needs WRITE \(0\)"),
    (dict(STYLE=2, RD_REG=0), r"STYLE \(2\) \(block RAM or UltraRAM\) needs a registered read"),
    (dict(STYLE=1, RD_REG=0),
     r"STYLE \(1\) \(block RAM or UltraRAM\) needs a registered read, RD_REG \(0\)"),
    (dict(WRITE=2), r"WRITE \(2\) must be 0 or 1 and RD_REG \(1\) 0, 1 or 2"),
    (dict(RD_REG=3), r"WRITE \(1\) must be 0 or 1 and RD_REG \(3\) 0, 1 or 2"),
    (dict(WIDTH=0), r"DEPTH \(16\) and WIDTH \(0\) must be >= 1"),
])
def test_refuses_illegal_parameters(tmp_path: Path, params: dict, message: str) -> None:
    out = parameter_errors(CORE, [RTL_DIR / f"{CORE}.sv"], params, tmp_path)
    assert re.search(r"mem_ram: " + message, out), out


def _lutram(cells: dict) -> int:
    return sum(n for k, n in cells.items() if k.startswith("RAM") and not k.startswith("RAMB"))


def _bram(cells: dict) -> int:
    return sum(n for k, n in cells.items() if k.startswith("RAMB"))


@pytest.mark.synth
@pytest.mark.parametrize("style,write,depth,width", [
    (0, 0, 64, 8),      # LUT logic ROM
    (1, 0, 64, 8),      # block RAM ROM, though small
    (0, 1, 1024, 16),   # distributed RAM, though deep
    (1, 1, 64, 8),      # block RAM, though small
])
def test_yosys_places_as_told(tmp_path: Path, style: int, write: int, depth: int,
                              width: int) -> None:
    """STYLE decides the placement against Yosys's own heuristics."""
    rng = np.random.default_rng(3)
    write_mem(tmp_path / "init.hex", rng.integers(0, 1 << width, depth).tolist(), width)
    params = dict(DEPTH=depth, WIDTH=width, STYLE=style, WRITE=write, INIT_FILE="init.hex")
    cells = yosys_cells([RTL_DIR / f"{CORE}.sv"], CORE, params, tmp_path)
    assert "DSP48E2" not in cells
    if style == 1:
        assert _bram(cells) >= 1 and _lutram(cells) == 0, cells
        assert flops(cells) == 0, cells  # the read register is the block RAM's
    elif write == 1:
        assert _lutram(cells) > 0 and _bram(cells) == 0, cells
        assert flops(cells) == width, cells  # just the read register
    else:
        assert _lutram(cells) == 0 and _bram(cells) == 0 and luts(cells) > 0, cells
        assert flops(cells) == width, cells


@pytest.mark.synth
@pytest.mark.parametrize("depth,width", [(4096, 72), (9000, 40), (300, 500), (16384, 72),
                                         (5000, 20)])
def test_yosys_maps_ultraram_as_counted(tmp_path: Path, depth: int, width: int) -> None:
    """STYLE 2 becomes URAM288 cells, as many as e3ne.hw.memory.uram_cells counts, and its
    read multiplexer's LUTs; no block or LUT RAM."""
    from e3ne.hw.memory import uram_cells

    params = dict(DEPTH=depth, WIDTH=width, STYLE=2, WRITE=1, RD_REG=2)
    cells = yosys_cells([RTL_DIR / f"{CORE}.sv"], CORE, params, tmp_path)
    want = uram_cells(depth, width)
    assert cells.get("URAM288", 0) == want.cells, cells
    assert _bram(cells) == 0 and _lutram(cells) == 0, cells
    assert want.luts <= luts(cells) <= want.luts + 8, (cells, want)  # + address decode
