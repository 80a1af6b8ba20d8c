"""Model of ``stream_fifo.sv`` as a core of its own: a residual block's skip buffer."""

from __future__ import annotations

import numpy as np

from e3ne.hw.cores.base import Core, clog2, register_core, serve
from e3ne.hw.memory import block_ram, buffer_in_bram, lutram_sites


@register_core
class StreamFifo(Core):
    """DEPTH beats, first in first out; a beat entering an empty FIFO leaves a cycle
    later, one a cycle (its memory in LUT RAM, or block RAM with STYLE 1)."""

    module = "stream_fifo"
    sources = ("stream_fifo.sv",)
    stage = "fifo"

    @staticmethod
    def parameters(width: int, depth: int) -> dict:
        """The RTL parameters, the memory placed by ``buffer_in_bram``."""
        return {"WIDTH": width, "DEPTH": depth,
                "STYLE": int(buffer_in_bram(depth - 1, width))}

    @classmethod
    def ports(cls, params: dict) -> tuple[int, int]:
        return params["WIDTH"], params["WIDTH"]

    def busy(self, out_gap: int) -> int:
        return self.in_beats * max(1, out_gap)

    def forward(self, t: np.ndarray, out_gap: int) -> np.ndarray:
        return serve(t + 1, max(1, out_gap))

    @classmethod
    def features(cls, params: dict) -> tuple[dict, dict]:
        w, d = params["WIDTH"], params["DEPTH"]
        bram = params.get("STYLE", 0) == 1 and d > 1
        mem = 0 if bram or d == 1 else lutram_sites(d - 1, w)
        return ({"const": 1.0, "width": w, "mem": mem, "ptr": clog2(d + 1)},
                block_ram([], [(d - 1, w)] if bram else []))

    @classmethod
    def calibration_plan(cls) -> list[dict]:
        return [cls.parameters(w, d) for w, d in
                [(4, 2), (16, 8), (24, 40), (64, 20), (36, 130), (48, 300), (96, 70),
                 (16, 600), (128, 16)]]
