"""Memory placement: the block-RAM packing rule against Yosys, and weight placement."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import pytest

from e3ne.flow.yosys import cell_counts
from e3ne.hw.memory import bram_cells, line_buffer, rom_logic_luts, weights_in_bram


def _yosys_rom(tmp_path: Path, depth: int, width: int, style: str) -> dict[str, int]:
    aw = max(1, (depth - 1).bit_length())
    rng = random.Random(depth * 1000 + width)  # every bit column varies, as weights do
    (tmp_path / "r.mem").write_text("".join(f"{rng.getrandbits(width):x}\n"
                                            for _ in range(depth)))
    (tmp_path / "rom.sv").write_text(
        f"module rom(input logic clk, input logic en, input logic [{aw - 1}:0] a,\n"
        f"  output logic [{width - 1}:0] q);\n"
        f"  (* rom_style = \"{style}\" *) logic [{width - 1}:0] m [0:{depth - 1}];\n"
        "  initial $readmemh(\"r.mem\", m);\n"
        "  always_ff @(posedge clk) if (en) q <= m[a];\nendmodule\n")
    (tmp_path / "s.ys").write_text("read_verilog -sv rom.sv\nsynth_xilinx -flatten -family "
                                   "xcup -top rom\ntee -q -o st.json stat -json\n")
    subprocess.run(["yosys", "-q", "-s", "s.ys"], cwd=tmp_path, check=True,
                   capture_output=True)
    return cell_counts(json.loads((tmp_path / "st.json").read_text()), "rom")


@pytest.mark.synth
@pytest.mark.parametrize("depth,width", [(16, 120), (30, 240), (64, 37), (1024, 19),
                                         (1500, 20), (3000, 6), (4096, 12), (18432, 48),
                                         (12000, 64)])
def test_bram_packing_rule_matches_yosys(depth: int, width: int, tmp_path: Path) -> None:
    cells = _yosys_rom(tmp_path, depth, width, "block")
    model = bram_cells(depth, width)
    assert cells.get("RAMB36E2", 0) == model.n36
    assert cells.get("RAMB18E2", 0) == model.n18
    # the read multiplexer of a folded or stacked memory: present exactly when Yosys builds
    # one (its size is an estimate: Yosys's decoder differs from a plain LUT6 tree)
    luts = sum(n for c, n in cells.items() if c.startswith("LUT"))
    assert (luts > 0) == (model.luts > 0), (luts, model.luts)


def test_weights_placement() -> None:
    assert not weights_in_bram("auto", 1, 4000)  # one word: constants, never a BRAM
    assert weights_in_bram("bram", 1, 40) and not weights_in_bram("lut", 5000, 400)
    # a deep ROM is cheaper in BRAM; a shallow narrow one in LUTs
    assert weights_in_bram("auto", 1024, 72) and not weights_in_bram("auto", 4, 12)
    # a LUT-tight budget (many LUTs per BRAM are precious) moves more ROMs to BRAM
    d, w = 40, 120
    assert weights_in_bram("auto", d, w, luts_per_bram36=20) != \
        weights_in_bram("auto", d, w, luts_per_bram36=10_000)
    assert rom_logic_luts(1, 500) == 0 and rom_logic_luts(64, 10) == 10


def test_line_buffer_geometry() -> None:
    # one bank: the 4 live rows are row words of its address, 18 columns x 8 words each
    lb = line_buffer(k=3, s=1, p=1, h=5, wd=17, c=64, simd=8, T=4)
    assert (lb.rows, lb.row_banks, lb.banks_per_row, lb.depth, lb.width) == (4, 1, 1, 576, 32)
    assert lb.banks == 1 and lb.in_bram
    # LeNet conv1, a whole 5x5 window a beat: 10 row slots in 5 row banks of 2 row words,
    # 5 column banks of 7 columns (row words 8 apart: the row word is the high address bit)
    lb = line_buffer(k=5, s=1, p=0, h=32, wd=32, c=1, simd=25, T=4)
    assert (lb.rows, lb.row_banks, lb.banks_per_row, lb.depth) == (10, 5, 5, 15)
    assert lb.banks == 25 and not lb.in_bram
    # LeNet conv2, a kernel row a beat: one row bank of all 10 slots, 5 column banks
    lb = line_buffer(k=5, s=1, p=0, h=14, wd=14, c=6, simd=30, T=4)
    assert (lb.rows, lb.row_banks, lb.banks_per_row, lb.depth, lb.width) == (10, 1, 5, 30, 24)
