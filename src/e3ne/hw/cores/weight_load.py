"""Model of ``weight_load.sv``: fills one engine's UltraRAM from the weight stream.

UltraRAM has no initial contents, so an engine whose weights are placed "uram" is written
at run time: the top level gains an ``s_axis_weights`` port, and one loader per such
engine, chained on it in the order of the layers, takes its engine's words and passes the
rest on. Images are held off until every loader is done. The loaders sit off the image
path: the cycle model never reaches them (their streams start at ``s_axis_weights``), the
resource model counts them like any core.
"""

from __future__ import annotations

from e3ne.hw.cores.base import Core, OffImagePath, clog2, register_core
from e3ne.hw.memory import lutram_sites

WEIGHT_BUS = 64  # s_axis_weights data bits, for a weight image of up to WIDE_AFTER beats
WIDE_BUS, WIDE_AFTER = 512, 1 << 20  # wider past 2^20 beats (5.2 ms at an assumed 200 MHz)


@register_core
class WeightLoad(OffImagePath, Core):
    """Writes DEPTH words of WIDTH bits, NB = ceil(WIDTH/BUS) beats each, then passes
    every further beat on (PASS 1: a two-beat FIFO) or drops it (PASS 0: the chain's last).
    Runs once after reset, before any image."""

    module = "weight_load"
    sources = ("stream_fifo.sv", "weight_load.sv")
    stage = "load"

    @staticmethod
    def parameters(bus: int, depth: int, width: int, passes: bool = False) -> dict:
        return {"BUS": bus, "DEPTH": depth, "WIDTH": width, "PASS": int(passes)}

    @classmethod
    def ports(cls, params: dict) -> tuple[int, int]:
        return params["BUS"], params["BUS"]

    @classmethod
    def aux_ports(cls, params: dict) -> list[tuple[str, bool, int]]:
        return [("we", False, 1), ("waddr", False, max(1, clog2(params["DEPTH"]))),
                ("wdat", False, params["WIDTH"]), ("done", False, 1)]

    def aux_connections(self) -> dict[str, str]:
        return {port: f"{self.name}_{port}" for port, _, _ in self.aux_ports(self.params)}

    @staticmethod
    def beats(words: list[int], width: int, bus: int) -> list[int]:
        """The stream beats of ``words`` (unsigned, ``width`` bits): each cut into
        ceil(width/bus) beats, little end first, the last one zero-padded."""
        nb, mask = -(-width // bus), (1 << bus) - 1
        return [(w >> (b * bus)) & mask for w in words for b in range(nb)]

    # --- resources -------------------------------------------------------------------
    @classmethod
    def features(cls, params: dict) -> tuple[dict, dict]:
        bus, depth, width = params["BUS"], params["DEPTH"], params["WIDTH"]
        nb, fifo = -(-width // bus), params.get("PASS", 1)
        return ({"const": 1.0, "shift": (nb - 1) * bus, "word": width,
                 "count": clog2(depth + 1) + clog2(nb + 1), "bus": bus * fifo,
                 "fifomem": lutram_sites(1, bus) * fifo}, {})

    @classmethod
    def calibration_plan(cls) -> list[dict]:
        return [cls.parameters(b, d, w, p) for b, d, w, p in
                [(64, 16, 8, 1), (64, 512, 200, 1), (32, 4096, 72, 1), (64, 64, 1536, 1),
                 (128, 300, 60, 1), (64, 2048, 384, 1), (64, 16, 8, 0), (64, 512, 200, 0),
                 (64, 64, 1536, 0), (64, 9, 6, 0)]]


def port_width(loads: list[tuple[int, int]]) -> int:
    """The weight port's bits: 64, or 512 when the image would take more than
    ``WIDE_AFTER`` beats at 64 (``loads``: (words, bits a word) per loader), so that a
    large network loads in a fraction of a second and its co-simulation does not spend
    most of its cycles loading."""
    beats = sum(d * -(-w // WEIGHT_BUS) for d, w in loads)
    return WEIGHT_BUS if beats <= WIDE_AFTER else WIDE_BUS
