"""Model of ``pool_unit.sv``: max or average over the window beats a ``swu`` emits."""

from __future__ import annotations

import numpy as np

from e3ne.hw.cores.base import Acceptor, Core, Stream, clog2, register_core, serve


@register_core
class PoolUnit(Core):
    """One input beat per cycle; output beat g of a pixel leaves one cycle after the
    last-tap beat of channel group g. Its output register is one beat deep: a last-tap
    beat waits until the previous result is taken, which matters when the consumer takes
    a beat only every R > 1 cycles (a width converter or swu gearbox that splits beats):
    the CF results of a pixel come in CF consecutive cycles. The consumer's own input
    buffer counts (``Core.acceptor``: a fork takes two beats ahead of its consumers)."""

    module = "pool_unit"
    sources = ("div_const.sv", "pool_unit.sv")
    stage = "pool"

    @classmethod
    def ports(cls, params: dict) -> tuple[int, int]:
        w = params["SIMD"] * params["T"]
        return w, w

    @property
    def _shape(self) -> tuple[int, int, int]:
        """(windows, taps per window, channel groups per tap)."""
        p = self.params
        kk, cf = p["K"] * p.get("KW", p["K"]), p["C"] // p["SIMD"]
        return self.in_beats // (kk * cf), kk, cf

    def per_window(self, r: int) -> int:
        """Steady-state cycles per pixel. With the consumer taking one beat per R cycles,
        result 1 of a pixel is taken at once, the pool takes last tap k >= 2 as result k-1
        is taken (R cycles apart), so a pixel costs (KK-1)*CF + 2 + (CF-2)*R cycles, and
        never less than the consumer's CF*R (CF = 1: max(KK, R))."""
        _, kk, cf = self._shape
        if cf == 1:
            return max(kk, r)
        return max((kk - 1) * cf + 2 + (cf - 2) * r, cf * r)

    def busy(self, out_gap: int) -> int:
        return self._shape[0] * self.per_window(out_gap)

    def forward(self, t: np.ndarray, out_gap: int) -> np.ndarray:
        windows, kk, cf = self._shape
        r = out_gap
        if r == 1:  # the consumer takes every result at once: never a wait
            t = serve(t).reshape(windows, kk * cf)
            return (t[:, (kk - 1) * cf:] + 1).reshape(-1)
        out = np.empty(windows * cf, dtype=np.int64)
        first_last = (kk - 1) * cf  # index of the first last-tap beat in a window
        taken, accepted, k = -(1 << 62), -(1 << 62), 0
        consumer = self.reader.acceptor() if self.reader is not None else Acceptor(r)
        for j, tj in enumerate(t.tolist()):
            taken = max(tj, taken + 1)
            if j % (kk * cf) >= first_last:
                taken = max(taken, accepted)  # output register free (or freeing)
                out[k] = taken + 1
                accepted = consumer.take(taken + 1)
                k += 1
        assert k == len(out) and len(t) == windows * kk * cf
        return out

    @classmethod
    def features(cls, p: dict) -> tuple[dict, dict]:
        st = p["SIMD"] * p["T"]
        kk = p["K"] * p.get("KW", p["K"])
        return {"const": 1.0, "lanes": st, "avg": st * p["MODE"] * (clog2(kk) + 2),
                "depth": (p["C"] // p["SIMD"]) * st}, {}

    @classmethod
    def calibration_plan(cls) -> list[dict]:
        return [{"T": t, "C": c, "K": k, "SIMD": simd, "MODE": m}
                for t, c, k, simd, m in [(4, 6, 2, 6, 0), (4, 32, 2, 8, 0), (6, 64, 2, 16, 0),
                                         (4, 16, 2, 1, 0), (4, 8, 2, 8, 1), (6, 32, 3, 4, 1)]]


def pool(design, window: Stream, channels: int, kernel: tuple[int, int], average: bool,
         tag: str) -> Stream:
    """A pool unit over the KH x KW window beats of ``window`` (from a ``swu``)."""
    k, kw = kernel
    dst = design.stream(window.lanes, window.lane_w, window.beats // (k * kw))
    params = {"T": window.lane_w, "C": channels, "K": k, **({"KW": kw} if kw != k else {}),
              "SIMD": window.lanes, "MODE": int(average)}
    design.add(PoolUnit(f"u_pool_{tag}", design.layer, params, window, dst))
    return dst
