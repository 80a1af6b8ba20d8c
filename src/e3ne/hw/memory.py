"""Where memories go and what they cost: block RAM packing, LUT RAM and LUT-logic ROMs.

The generated cores fix every large memory's style (``WGT_RAM`` in synaptic_engine.sv,
``LB_RAM`` in swu.sv) instead of leaving it to the synthesis tool's heuristics, so the DSE
decides placement and the resource model can count it exactly.

Block RAM packing follows Yosys 0.23 ``memory_libmap`` for Xilinx (measured, see
``bram_cells``): a memory of ``depth`` x ``width`` bits becomes copies of one primitive in
one aspect ratio, RAMB18 (16K x 1 .. 512 x 36) or RAMB36 (32K x 1 .. 512 x 72), possibly
folded to ``f`` words per (wide) row ("swizzled": depth/f rows of f*width bits across the
cells); a read picks one of (cell rows x f) words per bit through LUT multiplexers. The
cheapest in 18 Kb halves wins, then the smaller multiplexer, then the fewer cells.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

# (depth, width) aspect ratios; 512 x 36 / 512 x 72 are the simple-dual-port wide modes.
RAMB18_SHAPES = ((16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18), (512, 36))
RAMB36_SHAPES = ((32768, 1), (16384, 2), (8192, 4), (4096, 9), (2048, 18), (1024, 36),
                 (512, 72))

# "ext": weights streamed from external memory (DDR) on m_axi_weights, read again for every
# window (axi_read_stream.stream_weights), for networks whose weights exceed the device.
MAX_SWIZZLE = 16  # words per (wide) row that the packing search tries

# "uram": UltraRAM (UltraScale+), filled at run time through s_axis_weights (weight_load.sv).
WEIGHT_PLACES = ("auto", "lut", "bram", "uram", "ext")
# A block RAM36 is worth this many LUTs when nothing else says (xc7z020: 53,200 LUT /
# 140 BRAM36 = 380): "auto" weights go to block RAM when that saves more LUTs per BRAM.
DEFAULT_LUTS_PER_BRAM36 = 380.0


@dataclass(frozen=True)
class BramCells:
    """Block RAM primitives of one memory, and the LUTs of its read multiplexer."""

    n36: int = 0
    n18: int = 0
    luts: int = 0

    @property
    def bram36(self) -> float:
        """In 36 Kb blocks (a RAMB18 is half of one)."""
        return self.n36 + self.n18 / 2


def _packing(depth: int, width: int, shapes: tuple[tuple[int, int], ...],
             max_fold: int = MAX_SWIZZLE) -> tuple[int, int]:
    """The cheapest packing of a ``depth`` x ``width`` memory into copies of one of
    ``shapes`` (cell depth, width), ``f`` words folded into a row: (cells,
    read-multiplexer LUTs), as Yosys's memory_libmap picks (fewest cells, then mux; the
    first found of equals)."""
    best: tuple[int, int] | None = None
    for d, w in shapes:
        for f in range(1, max_fold + 1):
            rows = math.ceil(depth / (f * d))  # cell rows, each f words deep per row
            cells = rows * math.ceil(f * width / w)
            mux = width * math.ceil((rows * f - 1) / 3)  # (rows*f):1 per bit, LUT6 = 4:1
            if best is None or (cells, mux) < best:
                best = (cells, mux)
    return best


@functools.cache
def bram_cells(depth: int, width: int, ram: bool = False) -> BramCells:
    """Block RAM cells Yosys maps a ``depth`` x ``width`` memory to (style "block"). A ROM
    may fold several words into a wide row; a written memory (``ram``) keeps one word a
    row (its write port has no enable per word: a line-buffer bank of 1,152 x 24 bits is
    3 RAMB18 under Yosys, not one RAMB36 row of three words)."""
    if depth < 1 or width < 1:
        return BramCells()
    fold = 1 if ram else MAX_SWIZZLE
    c18, m18 = _packing(depth, width, RAMB18_SHAPES, fold)
    c36, m36 = _packing(depth, width, RAMB36_SHAPES, fold)
    # in 18 Kb halves, then the smaller multiplexer, then the fewer cells
    if (c18, m18, c18) <= (2 * c36, m36, c36):
        return BramCells(n18=c18, luts=m18)
    return BramCells(n36=c36, luts=m36)


URAM_SHAPE = (4096, 72)  # URAM288: one aspect ratio, no initial contents


@dataclass(frozen=True)
class UramCells:
    """UltraRAM primitives of one memory, and the LUTs of its read multiplexer."""

    cells: int = 0
    luts: int = 0


@functools.cache
def uram_cells(depth: int, width: int) -> UramCells:
    """URAM288 cells Yosys (``synth_xilinx -family xcup``) maps a ``depth`` x ``width``
    RAM of style "ultra" to: 4096 x 72 cells, narrow words folded into a row (measured,
    tests/hw/test_mem_ram.py)."""
    if depth < 1 or width < 1:
        return UramCells()
    return UramCells(*_packing(depth, width, (URAM_SHAPE,)))


def block_ram(mems: list[tuple[int, int]], rams: list[tuple[int, int]] | None = None
              ) -> dict[str, int]:
    """Exact block-RAM cells (and their read-multiplexer LUTs) of (depth, width) ROMs
    ``mems`` and written memories ``rams`` in block RAM, as a core model's exactly counted
    resources."""
    out = {"BRAM36": 0, "BRAM18": 0, "LUT": 0}
    for depth, width, ram in [(d, w, False) for d, w in mems] + [
            (d, w, True) for d, w in rams or []]:
        c = bram_cells(depth, width, ram)
        out["BRAM36"] += c.n36
        out["BRAM18"] += c.n18
        out["LUT"] += c.luts
    return out


def rom_logic_luts(depth: int, width: int) -> int:
    """LUTs of a ROM built as logic (style "logic"), random contents: one LUT per output
    bit per 64 words plus the multiplexers that join them; a one-word ROM is constants."""
    if depth <= 1:
        return 0
    blocks = math.ceil(depth / 64)
    mux = 0 if blocks == 1 else math.ceil(blocks / 4)  # F7/F8 muxes take 4 blocks per LUT
    return width * (blocks + mux)


def lutram_sites(depth: int, width: int) -> int:
    """LUT sites of a simple-dual-port distributed RAM (style "distributed"): RAM32M16
    (32 x 14 bits in 8 sites) or RAM64M8 (64 x 7 in 8 sites), stacked for deeper ones."""
    if depth < 1 or width < 1:
        return 0
    if depth <= 32:
        return 8 * math.ceil(width / 14)
    return 8 * math.ceil(width / 7) * math.ceil(depth / 64)


def buffer_in_bram(depth: int, width: int) -> bool:
    """The rule for memories the DSE does not trade (line-buffer banks, an engine's window
    buffer, its bias/threshold ROMs): block RAM once deep (LUT RAM gets costly past a few
    64-word stacks) and big enough to fill a fair part of a RAMB18; LUTs otherwise."""
    return depth > 128 and depth * width >= 4096


def weights_in_bram(place: str, depth: int, width: int,
                    luts_per_bram36: float = DEFAULT_LUTS_PER_BRAM36) -> bool:
    """Resolve a weight placement: "lut", "bram", or "auto" (block RAM when it saves more
    LUTs than a block is worth; never for a one-word ROM, which is constants); "ext" and
    "uram" are neither."""
    if place == "bram":
        return True
    if place in ("lut", "ext", "uram") or depth <= 1:
        return False
    return rom_logic_luts(depth, width) > luts_per_bram36 * bram_cells(depth, width).bram36


@dataclass(frozen=True)
class LineBuffer:
    """The line-buffer banks of a sliding-window unit (localparams R, BM, BN, DB, W of
    swu.sv): BM x BN banks, the row slots folded into each bank's address."""

    rows: int  # R, live rows
    row_banks: int  # BM, rows a beat reads (one bank row each)
    banks_per_row: int  # BN
    depth: int  # DB, words per bank: RR row words of D column words, DS apart
    width: int  # W, bits per word

    @property
    def banks(self) -> int:
        return self.row_banks * self.banks_per_row

    @property
    def in_bram(self) -> bool:
        return buffer_in_bram(self.depth, self.width)


def line_buffer(k: int, s: int, p: int, h: int, wd: int, c: int, simd: int, T: int,
                kw: int | None = None, pw: int | None = None) -> LineBuffer:
    """Bank geometry of ``swu`` with these parameters (as its header derives it); ``kw``,
    ``pw``: the window's width and horizontal padding (default ``k``, ``p``)."""
    kw, pw = (k if kw is None else kw), (p if pw is None else pw)
    bs = simd if simd <= c else c
    bn = 1 if simd <= c else (simd // c if simd <= kw * c else kw)
    bm = 1 if simd <= kw * c else simd // (kw * c)
    rb = 2 * (k - p) + ((h + 2 * p - k) % s if h + 2 * p >= k else 0)
    rows = max(k + s, rb)
    row_words = -(-rows // bm)  # RR = RP / BM, RP = R rounded up to a multiple of BM
    d = ((pw + wd - 1) // bn + 1) * (c // bs)  # column words of a row word
    stride = d if bm == 1 else 1 << (d - 1).bit_length()  # DS: a power of two for BM > 1
    return LineBuffer(rows, bm, bn, (row_words - 1) * stride + d, bs * T)
