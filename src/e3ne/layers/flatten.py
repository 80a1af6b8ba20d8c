"""Flatten: (C, H, W) -> C·H·W in PyTorch's (C, H, W) order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch

from e3ne.layers.base import Layer, Shape, register


@register
@dataclass
class Flatten(Layer):
    """(C, H, W) -> C·H·W in PyTorch's order."""

    kind: ClassVar[str] = "flatten"

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
