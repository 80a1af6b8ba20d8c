"""Model of ``argmax_unit.sv``: passes the output layer's scores and appends the class."""

from __future__ import annotations

import numpy as np

from e3ne.hw.cores.base import Core, Stream, register_core, serve


@register_core
class ArgmaxUnit(Core):
    """Scores pass one register, a beat taken at most every LANES cycles (its lanes are
    compared one a cycle); the class beat (with ``olast``) leaves LANES + 1 cycles after
    the last score beat is taken; an image takes N_CLASSES + 2 cycles."""

    module = "argmax_unit"
    sources = ("argmax_unit.sv",)
    stage = "argmax"

    @classmethod
    def ports(cls, params: dict) -> tuple[int, int]:
        w = params["LANES"] * params["SCORE_W"]
        return w, w

    @classmethod
    def aux_ports(cls, params: dict) -> list[tuple[str, bool, int]]:
        return [("olast", False, 1)]

    def aux_connections(self) -> dict[str, str]:
        return {"olast": "out_last"}

    def accept_gap(self) -> int:
        return self.params["LANES"]

    def busy(self, out_gap: int) -> int:
        return self.params["N_CLASSES"] + 2

    def forward(self, t: np.ndarray, out_gap: int) -> np.ndarray:
        taken = serve(t, self.params["LANES"])
        out = taken + 1
        return np.append(out, taken[-1] + self.params["LANES"] + 2)

    @classmethod
    def features(cls, params: dict) -> tuple[dict, dict]:
        # the shift register and output register per lane bit, one comparator
        return {"const": 1.0, "lanes": params["LANES"] * params["SCORE_W"],
                "score": params["SCORE_W"]}, {}

    @classmethod
    def calibration_plan(cls) -> list[dict]:
        return [{"N_CLASSES": n, "LANES": ln, "SCORE_W": w}
                for n, ln, w in [(10, 1, 14), (10, 5, 16), (100, 4, 20)]]


def classify(design, src: Stream, num_classes: int) -> Stream:
    """The scores of ``src`` and then the class index, one more beat, on a new stream."""
    out = design.stream(src.lanes, src.lane_w, num_classes // src.lanes + 1)
    design.add(ArgmaxUnit("u_argmax", "", {"N_CLASSES": num_classes, "LANES": src.lanes,
                                           "SCORE_W": src.lane_w}, src, out))
    return out
