"""Model of ``stream_fork.sv``: one stream copied to two (a residual block's fork)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from e3ne.hw.cores.base import Acceptor, Core, Stream, register_core, serve


class ForkAcceptor(Acceptor):
    """stream_fork.sv's input: a beat a cycle while both two-beat buffers have room. Its
    ready is low after an edge that leaves a buffer with 2 beats, so beat k is taken no
    earlier than the edge after its slower consumer took beat k-2 (``gap`` apart)."""

    def __init__(self, gap: int) -> None:
        super().__init__(gap)
        self.pops = (self.last, self.last)  # when the slower consumer took beats k-2, k-1

    def take(self, ready: int) -> int:
        a = max(ready, self.last + 1, self.pops[0] + 1)
        self.pops = (self.pops[1], max(a + 1, self.pops[1] + self.gap))
        self.last = a
        return a


@register_core
@dataclass
class StreamFork(Core):
    """Every input beat leaves on both outputs one cycle later, one beat a cycle; each
    output has its own two-beat buffer, so a consumer that stalls holds the fork only
    once its buffer is full."""

    skip: Stream | None = None  # the second output (``s*`` ports)

    module = "stream_fork"
    sources = ("stream_fork.sv",)
    stage = "fork"

    def outputs(self) -> list[tuple[str, Stream]]:
        return [("o", self.dst), ("s", self.skip)]

    @classmethod
    def ports(cls, params: dict) -> tuple[int, int]:
        return params["WIDTH"], params["WIDTH"]

    @classmethod
    def side_ports(cls, params: dict) -> list[tuple[str, bool, int]]:
        return [("s", False, params["WIDTH"])]

    def pace(self, consumer_gap: int) -> None:
        """A fork is as slow as its slower consumer: once a buffer is full it takes a beat
        only as that consumer does, so its producer is told that pace (``accept_gap``)."""
        self.info["gap"] = max(1, consumer_gap)

    def accept_gap(self) -> int:
        return self.info.get("gap", 1)

    def acceptor(self) -> Acceptor:
        return ForkAcceptor(self.accept_gap())

    def busy(self, out_gap: int) -> int:
        return self.in_beats * max(1, out_gap)

    def forward(self, t: np.ndarray, out_gap: int) -> np.ndarray:
        return serve(t + 1, max(1, out_gap))

    def forward_all(self, ins: list[np.ndarray], out_gap: int) -> list[np.ndarray]:
        t = self.forward(ins[0], out_gap)
        return [t, t]

    @classmethod
    def features(cls, params: dict) -> tuple[dict, dict]:
        return {"const": 1.0, "width": params["WIDTH"]}, {}

    @classmethod
    def calibration_plan(cls) -> list[dict]:
        return [{"WIDTH": w} for w in (4, 16, 36, 64, 128, 256)]
