"""Model of ``stream_dwc.sv``: a width converter between streams of different lane counts."""

from __future__ import annotations

import math

import numpy as np

from e3ne.hw.cores.base import Core, Stream, clog2, register_core, serve


@register_core
class StreamDwc(Core):
    """Splits an input beat into R (latency 1, one output beat per cycle), or gathers R
    input beats (one per cycle) into one, offered a cycle after the R-th."""

    module = "stream_dwc"
    sources = ("stream_dwc.sv",)
    stage = "dwc"

    @classmethod
    def ports(cls, params: dict) -> tuple[int, int]:
        return params["IN_LANES"] * params["LANE_W"], params["OUT_LANES"] * params["LANE_W"]

    @property
    def _ab(self) -> tuple[int, int]:
        return self.params["IN_LANES"], self.params["OUT_LANES"]

    def accept_gap(self) -> int:
        a, b = self._ab
        return max(1, a // b)  # a split takes the next beat as the last piece leaves

    def busy(self, out_gap: int) -> int:
        a, b = self._ab
        return max(self.in_beats, self.in_beats * a // b)

    def forward(self, t: np.ndarray, out_gap: int) -> np.ndarray:
        a, b = self._ab
        if a > b:
            return serve(np.repeat(t, a // b) + 1)
        r = b // a
        return serve(t[r - 1::r] + 1)

    @classmethod
    def features(cls, params: dict) -> tuple[dict, dict]:
        return {"const": 1.0, "in": params["IN_LANES"] * params["LANE_W"],
                "out": params["OUT_LANES"] * params["LANE_W"],
                "count": clog2(max(params["IN_LANES"], params["OUT_LANES"]) + 1)}, {}

    @classmethod
    def calibration_plan(cls) -> list[dict]:
        return [{"IN_LANES": i, "OUT_LANES": o, "LANE_W": w}
                for i, o, w in [(8, 16, 4), (16, 8, 4), (6, 1, 4), (1, 60, 4), (4, 84, 4),
                                (32, 8, 6)]]


def convert(design, src: Stream, lanes: int, tag: str) -> Stream:
    """``src`` as ``lanes`` lanes per beat: itself, or through a width converter (two, via
    their gcd, when neither lane count divides the other)."""
    if src.lanes == lanes:
        return src
    if src.lanes % lanes and lanes % src.lanes:
        src = convert(design, src, math.gcd(src.lanes, lanes), tag + "_g")
    dst = design.stream(lanes, src.lane_w, src.beats * src.lanes // lanes)
    design.add(StreamDwc(f"u_dwc_{tag}", design.layer,
                         {"IN_LANES": src.lanes, "OUT_LANES": lanes, "LANE_W": src.lane_w},
                         src, dst))
    return dst
