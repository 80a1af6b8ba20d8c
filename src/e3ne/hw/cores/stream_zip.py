"""Model of ``stream_zip.sv``: two streams concatenated beat by beat (a channel concat)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from e3ne.hw.cores.base import Core, Stream, register_core, serve
from e3ne.hw.cores.residual_join import skip_lanes
from e3ne.hw.cores.stream_dwc import convert


@register_core
@dataclass
class StreamZip(Core):
    """Beat k of both inputs taken together, ``{i, s}`` (``s`` in the low bits) on the
    output a cycle later, one pair a cycle; a two-beat output buffer."""

    skip: Stream | None = None  # the second input (``s*`` ports, the low lanes)

    module = "stream_zip"
    sources = ("stream_zip.sv",)
    stage = "zip"

    def inputs(self) -> list[tuple[str, Stream]]:
        return [("i", self.src), ("s", self.skip)]

    @classmethod
    def ports(cls, params: dict) -> tuple[int, int]:
        return params["A_W"], params["A_W"] + params["B_W"]

    @classmethod
    def side_ports(cls, params: dict) -> list[tuple[str, bool, int]]:
        return [("s", True, params["B_W"])]

    def busy(self, out_gap: int) -> int:
        return self.in_beats * max(1, out_gap)

    def taken(self, t_i: np.ndarray, t_s: np.ndarray) -> np.ndarray:
        return serve(np.maximum(t_i, t_s))

    def forward(self, t: np.ndarray, out_gap: int) -> np.ndarray:
        return serve(serve(t) + 1, max(1, out_gap))

    def forward_all(self, ins: list[np.ndarray], out_gap: int) -> list[np.ndarray]:
        return [self.forward(np.maximum(ins[0], ins[1]), out_gap)]

    @classmethod
    def features(cls, params: dict) -> tuple[dict, dict]:
        return {"const": 1.0, "width": params["A_W"] + params["B_W"]}, {}

    @classmethod
    def calibration_plan(cls) -> list[dict]:
        return [{"A_W": a, "B_W": b} for a, b in [(4, 4), (16, 8), (24, 36), (64, 64),
                                                   (128, 32), (6, 250)]]


def zip_streams(design, body: Stream, c_body: int, skip: Stream, c_skip: int,
                skip_first: bool, tag: str) -> Stream:
    """The body's stream (``c_body`` channels a pixel) and the fork's buffered skip
    (``c_skip``), each converted to one pixel a beat, zipped into one beat of both pixels'
    channels (the skip's first when ``skip_first``: the zip's low lanes are its ``s``)."""
    b = convert(design, body, c_body, f"{tag}_body")
    k = skip_lanes(design, skip, c_skip, 1, tag)
    low, high = (k, b) if skip_first else (b, k)
    dst = design.stream(c_body + c_skip, body.lane_w, b.beats)
    design.add(StreamZip(f"u_zip_{tag}", design.layer,
                         {"A_W": high.width, "B_W": low.width}, high, dst, skip=low))
    return dst
