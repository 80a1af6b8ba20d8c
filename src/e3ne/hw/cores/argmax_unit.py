"""Model of ``argmax_unit.sv``: passes the output layer's scores and appends the class."""

from __future__ import annotations

import numpy as np

from e3ne.hw.cores.base import Core, Stream, clog2, register_core, serve


@register_core
class ArgmaxUnit(Core):
    """Scores pass one register; the class beat (with ``olast``) follows the last score."""

    module = "argmax_unit"
    sources = ("argmax_unit.sv",)
    stage = "argmax"
    extra_ports = (("olast", "out_last"),)

    @classmethod
    def ports(cls, params: dict) -> tuple[int, int]:
        w = params["LANES"] * params["SCORE_W"]
        return w, w

    def busy(self, out_gap: int) -> int:
        return self.in_beats + 1

    def forward(self, t: np.ndarray, out_gap: int) -> np.ndarray:
        out = serve(t + 1)
        return np.append(out, out[-1] + 1)

    @classmethod
    def features(cls, params: dict) -> tuple[dict, dict]:
        return {"const": 1.0, "lanes": params["LANES"] * params["SCORE_W"],
                "score": params["SCORE_W"] * (clog2(params["LANES"]) + 1)}, {}

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
