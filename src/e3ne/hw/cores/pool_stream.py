"""Model of ``pool_stream.sv``: max or average pooling straight off the raster stream, for
kernel = stride and no padding (one row of partial results instead of swu + pool_unit)."""

from __future__ import annotations

import functools

import numpy as np

from e3ne.hw.cores.base import Core, Stream, clog2, register_core, serve
from e3ne.hw.memory import lutram_sites


def recip_shift(nmax: int, d: int) -> int:
    """Smallest s with nmax * (ceil(2^s/d)*d - 2^s) < 2^s (as in div_const.sv)."""
    for s in range(63):
        p = 1 << s
        if nmax * (-(-p // d) * d - p) < p:
            return s
    return 62


def naf_digits(m: int) -> int:
    """Nonzero digits of ``m`` in non-adjacent form (the shifted copies of the divide)."""
    mh = m >> 1
    return bin((m + mh) ^ mh).count("1")


@functools.cache
def _steady_waits(k: int, h: int, wd: int, cf: int, r: int) -> int:
    """Stall cycles per image, images back to back, input offered every cycle, consumer
    taking a beat every ``r`` cycles.

    Only last taps wait (pool_stream.sv). Between two last taps with ``g`` other input
    beats, each taken in one cycle, the state ``d`` = (edge the previous output beat is
    transferred) - (edge its last tap was taken), in [1, r], gives the wait
    ``max(0, d - g - 1)`` and the next state ``max(1, min(d + r - g - 1, r))``. Both are
    nondecreasing in ``d``, so along a row of equal windows, along the rows of an image
    and from image to image the state moves monotonically to a fixed point within r steps:
    the loops stop there and count the rest at the fixed point's rate."""
    oh, ow = h // k, wd // k
    g_win = (k - 1) * cf  # other beats between a window's last taps and the next window's
    g_row = (wd - ow * k) * cf + (k - 1) * wd * cf + (k - 1) * cf
    g_img = g_row + (h - oh * k) * wd * cf

    def step(d: int, g: int) -> tuple[int, int]:
        return max(0, d - g - 1), max(1, min(d + r - g - 1, r))

    def window(d: int, g: int) -> tuple[int, int]:
        w, d = step(d, g)
        for _ in range(cf - 1):
            wi, d = step(d, 0)
            w += wi
        return w, d

    def repeat(unit, d: int, n: int) -> tuple[int, int]:
        """``unit`` applied n times from state d: (total waits, final state)."""
        total = 0
        for i in range(n):
            w, nd = unit(d)
            total += w
            if nd == d:  # fixed point: the rest repeats this one
                return total + w * (n - 1 - i), d
            d = nd
        return total, d

    def row(d: int, g: int) -> tuple[int, int]:
        w, d = window(d, g)
        w2, d = repeat(lambda x: window(x, g_win), d, ow - 1)
        return w + w2, d

    def image(d: int) -> tuple[int, int]:
        w, d = row(d, g_img)
        w2, d = repeat(lambda x: row(x, g_row), d, oh - 1)
        return w + w2, d

    d = 1  # nothing waiting before the first image
    for _ in range(r + 2):
        w, nd = image(d)
        if nd == d:
            return w
        d = nd
    raise AssertionError("pool_stream: no steady state")  # monotone: cannot happen


@register_core
class PoolStream(Core):
    """One input beat per cycle, no bubble between rows or images; output beat k leaves one
    cycle after its last-tap input beat need(k) (the dropped rows and columns are taken
    like the others). The output register is one beat deep: a last tap waits until the
    previous result is taken, which matters when the consumer takes a beat only every
    R > 1 cycles; the other beats never wait for the consumer."""

    module = "pool_stream"
    sources = ("div_const.sv", "pool_stream.sv")
    stage = "pool"

    @classmethod
    def ports(cls, params: dict) -> tuple[int, int]:
        w = params["CH"] * params["T"]
        return w, w

    @property
    def _geometry(self) -> tuple[int, int, int, int]:
        """(K, H, WD, CF)."""
        p = self.params
        return p["K"], p["H"], p["WD"], p["C"] // p["CH"]

    def last_taps(self) -> np.ndarray:
        """need(k) within an image: the input beat that is output beat k's last tap."""
        k, h, wd, cf = self._geometry
        oy, ox, g = np.meshgrid(np.arange(h // k), np.arange(wd // k), np.arange(cf),
                                indexing="ij")
        return (((oy * k + k - 1) * wd + ox * k + k - 1) * cf + g).reshape(-1)

    def busy(self, out_gap: int) -> int:
        """All H*WD*CF input beats of an image (the dropped ones too) at one per cycle,
        plus the waits of the last taps for a consumer slower than one beat per cycle."""
        k, h, wd, cf = self._geometry
        waits = _steady_waits(k, h, wd, cf, out_gap) if out_gap > 1 else 0
        return h * wd * cf + waits

    def forward(self, t: np.ndarray, out_gap: int) -> np.ndarray:
        k, h, wd, cf = self._geometry
        assert len(t) == h * wd * cf == self.in_beats, (len(t), h, wd, cf)
        need = self.last_taps()
        r = out_gap
        if r == 1:  # the consumer takes every result at once: never a wait
            return serve(t)[need] + 1
        is_last = np.zeros(len(t), dtype=bool)
        is_last[need] = True
        out = np.empty(len(need), dtype=np.int64)
        taken, accepted, n = -(1 << 62), -(1 << 62), 0
        for tj, last in zip(t.tolist(), is_last.tolist(), strict=True):
            taken = max(tj, taken + 1)
            if last:
                taken = max(taken, accepted)  # output register free (or freeing)
                out[n] = taken + 1
                accepted = max(taken + 1, accepted + r)
                n += 1
        return out

    @staticmethod
    def _widths(p: dict) -> tuple[int, int, int]:
        """(partial result bits AW, product bits PW, nonzero digits of the reciprocal)."""
        kk = p["K"] * p["K"]
        if p["MODE"] != 1:
            return p["T"], 0, 0
        nmax = kk * (2 ** p["T"] - 1) + kk // 2
        aw = clog2(nmax + 1)
        sh = recip_shift(nmax, kk)
        m = -(-(1 << sh) // kk)
        return aw, aw + clog2(m + 1), naf_digits(m)

    @classmethod
    def features(cls, p: dict) -> tuple[dict, dict]:
        ch, cf, k = p["CH"], p["C"] // p["CH"], p["K"]
        aw, pw, digits = cls._widths(p)
        words = (p["WD"] // k) * cf if k > 1 else 0  # K = 1: no memory
        avg = ch * (aw + max(0, digits - 1) * pw) if p["MODE"] == 1 else 0
        # max: a T-bit compare and select per lane, which Yosys/ABC maps superlinearly in T
        # (16 lanes: ~8 LUTs a lane at T = 4, ~27 at T = 6)
        cmp = ch * p["T"] ** 2 if p["MODE"] == 0 else 0
        ctrl = clog2(p["WD"]) + clog2(p["H"]) + 2 * clog2(k) + clog2(cf) + 2 * clog2(words)
        return {"const": 1.0, "lanes": ch * p["T"], "mem": words * ch * aw,
                "sites": lutram_sites(words, ch * aw), "avg": avg, "cmp": cmp,
                "ctrl": ctrl}, {}

    @classmethod
    def calibration_plan(cls) -> list[dict]:
        return [{"T": t, "C": c, "CH": ch, "K": k, "H": h, "WD": wd, "MODE": m}
                for t, c, ch, k, h, wd, m in [
                    (4, 6, 6, 2, 28, 28, 0),  # LeNet-5
                    (4, 16, 4, 2, 10, 10, 0),
                    (4, 32, 8, 2, 26, 26, 0),  # Fang
                    (4, 32, 8, 2, 11, 11, 0),
                    (4, 16, 8, 2, 14, 14, 1),
                    (6, 8, 2, 3, 12, 12, 1),
                    (6, 16, 16, 3, 9, 9, 0),
                    (4, 64, 4, 2, 32, 32, 0),
                    (6, 64, 8, 2, 32, 32, 0),  # AlexNet / VGG-11 (CIFAR)
                    (6, 256, 8, 2, 8, 8, 0)]]


def stream_pool(design, src: Stream, shape: tuple[int, int, int], k: int, average: bool,
                tag: str) -> Stream:
    """A streaming pool unit over ``src`` (a C x H x W map, raster order), kernel = stride
    = ``k``, no padding."""
    c, h, w = shape
    dst = design.stream(src.lanes, src.lane_w, (h // k) * (w // k) * (c // src.lanes))
    design.add(PoolStream(f"u_pool_{tag}", design.layer,
                          {"T": src.lane_w, "C": c, "CH": src.lanes, "K": k, "H": h, "WD": w,
                           "MODE": int(average)}, src, dst))
    return dst
