"""Flatten: (C, H, W) -> C·H·W in PyTorch's (C, H, W) order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch
import torch.nn as nn

from e3ne.errors import UnsupportedModel
from e3ne.layers.base import Layer, Shape, register


@register
@dataclass
class Flatten(Layer):
    """(C, H, W) -> C·H·W in PyTorch's order."""

    kind: ClassVar[str] = "flatten"
    passes_input_affine: ClassVar[bool] = True

    @classmethod
    def match_module(cls, m, where: str) -> dict | None:
        if not isinstance(m, nn.Flatten):
            return None
        if m.start_dim != 1 or m.end_dim != -1:
            raise UnsupportedModel(f"{where}: only Flatten(start_dim=1, end_dim=-1) is "
                                   "supported")
        return {}

    @classmethod
    def match_call(cls, op: str, target, bind, where: str) -> dict | None:
        if op == "call_method":
            return {} if target in ("view", "reshape", "flatten") else None
        return {} if target in (torch.flatten, torch.reshape) else None

    @classmethod
    def check_traced(cls, params: dict, where: str) -> None:
        in_shape, out_shape = params["in_shape"], params["out_shape"]
        if out_shape is None or len(out_shape) != 2 or out_shape[0] != in_shape[0]:
            raise UnsupportedModel(f"{where}: reshapes {in_shape[1:]} to {out_shape[1:]}; "
                                   "only flattening each sample to a vector is supported")

    @classmethod
    def float_fields(cls, params: dict) -> dict | None:
        return None if len(params["in_shape"]) == 2 else {}  # already flat: a no-op

    @classmethod
    def float_forward(cls, spec, x: torch.Tensor, w=None, b=None) -> torch.Tensor:
        return x.reshape(x.shape[0], -1)

    @classmethod
    def from_float(cls, spec, common: dict) -> Flatten:
        return cls(spec.name)

    def out_shape(self, in_shape: Shape) -> Shape:
        return (int(np.prod(in_shape)),)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name}

    @classmethod
    def from_json(cls, d: dict[str, Any], arrays: dict[str, np.ndarray]) -> Flatten:
        return cls(name=d["name"])

    def run_fast(self, q: torch.Tensor, T: int) -> torch.Tensor:
        return q.reshape(q.shape[0], -1)

    def run_literal(self, spikes: np.ndarray, T: int) -> np.ndarray:
        return spikes.reshape(spikes.shape[0], spikes.shape[1], -1)

    def build_hw(self, design, src, shape: Shape, tag: str):
        """Free: the stream is already in HWC order; the next linear layer's weight
        columns are permuted to match (``Linear.hw_weights``)."""
        design.feature_order = tuple(shape)
        design.stage({"layer": self.name, "kind": self.kind})
        return src
