"""Model of ``swu.sv``: the sliding-window unit that turns a raster stream into windows."""

from __future__ import annotations

import math

import numpy as np

from e3ne.hw.cores.base import Core, Stream, clog2, register_core, serve
from e3ne.hw.cores.stream_dwc import convert
from e3ne.hw.memory import block_ram, line_buffer, lutram_sites


@register_core
class Swu(Core):
    """The writer stores one BS-channel word per cycle (an input beat of CH channels takes
    max(1, CH/BS) cycles, a word written the cycle after its gearbox has it), or a beat of
    PX = CH/C > 1 whole pixels in the cycle it is taken; window w's first beat leaves 3
    cycles after its last pixel's last word is written, and after the previous window's
    last beat."""

    module = "swu"
    sources = ("mem_ram.sv", "swu.sv")
    stage = "swu"

    @classmethod
    def ports(cls, params: dict) -> tuple[int, int]:
        return params["CH"] * params["T"], params["SIMD"] * params["T"]

    def _geometry(self) -> tuple:
        p = self.params
        k, s, pad, h, w = p["K"], p["S"], p["P"], p["H"], p["WD"]
        kw, sw, pw = _columns(p)
        oh, ow = (h + 2 * pad - k) // s + 1, (w + 2 * pw - kw) // sw + 1
        bs = min(p["SIMD"], p["C"])  # channels per written word
        return k, s, pad, h, w, p["C"], p["CH"], bs, oh, ow, k * kw * p["C"] // p["SIMD"]

    def accept_gap(self) -> int:
        if pixels_per_beat(self.params) > 1:
            return 1
        return max(1, self.params["CH"] // min(self.params["SIMD"], self.params["C"]))

    def busy(self, out_gap: int) -> int:
        _, _, _, h, w, c, ch, bs, oh, ow, nb = self._geometry()
        px = pixels_per_beat(self.params)
        return max(h * w * c // ch, h * w * c // bs // px, oh * ow * nb)

    def forward(self, t: np.ndarray, out_gap: int) -> np.ndarray:
        k, s, pad, h, w, c, ch, bs, oh, ow, nb = self._geometry()
        px = pixels_per_beat(self.params)
        if px > 1:  # a beat of px pixels, written as it is taken (no gearbox register)
            written = np.repeat(serve(t, 1), px)
        else:
            nw = max(1, ch // bs)  # writer cycles per input beat
            taken = serve(t, nw)
            per_pixel = c // ch
            written = taken[per_pixel - 1::per_pixel] + nw  # pixel's last word stored
        oy, ox = np.divmod(np.arange(oh * ow), ow)
        y = np.minimum(oy * s - pad + k - 1, h - 1)  # window's last pixel
        kw, sw, pw = _columns(self.params)
        x = np.minimum(ox * sw - pw + kw - 1, w - 1)
        ready = written[y * w + x] + 3
        return serve(np.repeat(ready, nb))

    @classmethod
    def features(cls, p: dict) -> tuple[dict, dict]:
        lb = line_buffer(p["K"], p["S"], p["P"], p["H"], p["WD"], p["C"], p["SIMD"], p["T"],
                         *_columns(p)[::2])
        bram = p.get("LB_RAM", 0) == 1
        kept = p["K"] * kept_columns(p) * p["C"] * p["T"]  # output bits kept, shifted
        sites = 0 if bram else lb.banks * lutram_sites(lb.depth, lb.width)
        feats = {
            "const": 1.0,
            "out": p["SIMD"] * p["T"],
            "banks": lb.banks * lb.width,
            "lutram": sites,
            "gear": (p["CH"] + min(p["SIMD"], p["C"])) * p["T"],
            "addr": lb.banks * clog2(lb.depth + 1) + lb.banks_per_row * clog2(lb.rows + 1),
            # each output bit picks its beat row from the BM row banks (a rotation by the
            # first row's bank), then its tap from the BN column banks; a bit the output
            # register keeps from the last window picks its row or the kept tap
            "rowsel": p["SIMD"] * p["T"] * (lb.row_banks - 1),
            "sel": (p["SIMD"] * p["T"] - kept) * (lb.banks_per_row - 1),
            "keep": kept * lb.row_banks,
        }
        return feats, block_ram([], [(lb.depth, lb.width)] * lb.banks if bram else [])

    @classmethod
    def calibration_plan(cls) -> list[dict]:
        swus = [  # K, S, P, H, WD, C, CH, T, SIMD, LB_RAM
            (5, 1, 0, 32, 32, 1, 1, 4, 25, 0), (5, 1, 0, 14, 14, 6, 6, 4, 30, 0),
            (3, 1, 0, 28, 28, 1, 1, 4, 9, 0), (3, 1, 0, 13, 13, 32, 8, 4, 32, 0),
            (2, 2, 0, 28, 28, 6, 6, 4, 6, 0), (3, 1, 1, 16, 16, 64, 16, 6, 16, 1),
            (3, 2, 1, 32, 32, 3, 3, 6, 9, 0), (3, 1, 1, 8, 8, 128, 4, 6, 4, 1),
            (2, 2, 0, 16, 16, 64, 8, 6, 8, 0), (5, 1, 2, 24, 24, 16, 4, 4, 16, 1),
            (3, 1, 1, 16, 16, 32, 32, 6, 96, 0), (3, 1, 1, 14, 14, 16, 16, 4, 48, 0),
            (3, 1, 1, 32, 32, 16, 4, 4, 16, 1), (5, 1, 2, 16, 16, 8, 8, 6, 40, 0),
            # whole windows per beat (wide muxes over rows x column banks: LeNet-5's conv2)
            (5, 1, 0, 14, 14, 6, 6, 4, 150, 0), (3, 1, 1, 14, 14, 8, 8, 4, 72, 0),
            # several pixels an input beat (LeNet-5's conv1 at two)
            (5, 1, 0, 32, 32, 1, 2, 4, 25, 0), (3, 1, 1, 15, 15, 4, 12, 4, 36, 0),
        ]
        return [{"K": k, "S": s, "P": p, "H": h, "WD": wd, "C": c, "CH": ch, "T": t,
                 "SIMD": simd, "LB_RAM": lb} for k, s, p, h, wd, c, ch, t, simd, lb in swus]


def _columns(p: dict) -> tuple[int, int, int]:
    """(KW, SW, PW): the window's width, horizontal stride and padding (default square)."""
    return p.get("KW", p["K"]), p.get("SW", p["S"]), p.get("PW", p["P"])


def pixels_per_beat(p: dict) -> int:
    """Whole pixels an input beat carries (swu.sv's PX): CH/C when CH exceeds C, else 1."""
    return p["CH"] // p["C"] if p["CH"] > p["C"] and p["CH"] % p["C"] == 0 else 1


def input_pixels(k: int, s: int, p: int, h: int, w: int, c: int, simd: int,
                 kw: int | None = None, sw: int | None = None, pw: int | None = None) -> int:
    """Pixels per input beat for a unit reading the network's input: the fewest that keep
    the input (a beat a cycle) from being slower than the unit's output beats, within what
    swu.sv takes (SIMD >= C, at most one pixel per column bank, a whole number of beats a
    row); 1 when the unit emits as many beats as it reads pixels, or more."""
    kw, sw, pw = (k if kw is None else kw), (s if sw is None else sw), (p if pw is None else pw)
    if simd < c:
        return 1
    oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * pw - kw) // sw + 1
    out_beats = oh * ow * k * kw * c // simd
    banks = line_buffer(k, s, p, h, w, c, simd, 1, kw, pw).banks_per_row
    legal = [x for x in range(1, banks + 1) if w % x == 0]
    return next((x for x in legal if -(-h * w // x) <= out_beats), legal[-1])


def kept_columns(p: dict) -> int:
    """Tap columns a window keeps from the one before it in its row (swu.sv's NS): with
    one beat per window and a stride below the width, KW - SW; otherwise none."""
    kw, sw, _ = _columns(p)
    whole = p["SIMD"] == p["K"] * kw * p["C"]
    return kw - sw if whole and sw < kw else 0


def legal_simd(k: int, c: int, kw: int | None = None) -> list[int]:
    """Window elements per beat the unit can emit for a K x KW window over C channels: a
    divisor of C; or a multiple of C dividing KW*C; or a multiple of KW*C dividing
    K*KW*C."""
    kw = k if kw is None else kw
    ok = {s for s in range(1, c + 1) if c % s == 0}
    ok |= {s for s in range(c, kw * c + 1, c) if (kw * c) % s == 0}
    ok |= {s for s in range(kw * c, k * kw * c + 1, kw * c) if (k * kw * c) % s == 0}
    return sorted(ok)


def padding_refusal(kernel: tuple[int, int], padding: tuple[int, int]) -> str | None:
    """Why the unit cannot take this padding (it must lie below the kernel), or None."""
    if padding[0] >= kernel[0] or padding[1] >= kernel[1]:
        return (f"padding {tuple(padding)} is not below the kernel {tuple(kernel)}; the "
                "hardware takes zero padding smaller than the kernel (in each direction)")
    return None


def window(design, src: Stream, shape: tuple[int, int, int], kernel: tuple[int, int],
           stride: tuple[int, int], padding: tuple[int, int], simd: int, tag: str) -> Stream:
    """A sliding-window unit over ``src`` (a C x H x W map) emitting ``simd`` window
    elements per beat; a width converter first where its gearbox needs one. A
    non-square window sets KW, SW, PW; a square one leaves them to their defaults."""
    c, h, w = shape
    (k, kw), (s, sw), (p, pw) = kernel, stride, padding
    if simd <= c and src.lanes % simd and simd % src.lanes:
        src = convert(design, src, math.gcd(src.lanes, simd), tag)
    T = src.lane_w
    oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * pw - kw) // sw + 1
    dst = design.stream(simd, T, oh * ow * k * kw * c // simd)
    lb = line_buffer(k, s, p, h, w, c, simd, T, kw, pw)
    params = {"K": k, "S": s, "P": p}
    params.update({name: v for name, v, sq in (("KW", kw, k), ("SW", sw, s), ("PW", pw, p))
                   if v != sq})
    params.update({"H": h, "WD": w, "C": c, "CH": src.lanes, "T": T, "SIMD": simd,
                   "LB_RAM": int(lb.in_bram)})
    design.add(Swu(f"u_swu_{tag}", design.layer, params, src, dst))
    return dst
