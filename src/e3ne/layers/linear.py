"""Fully connected layer as a synaptic layer (DESIGN §2), and what it becomes in hardware:
a width converter feeding a synaptic engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch

from e3ne.errors import FormatError
from e3ne.hw.cores.base import Stream, divisors
from e3ne.hw.cores.stream_dwc import convert
from e3ne.layers.base import Shape, register
from e3ne.layers.synaptic import Synaptic


@register
@dataclass
class Linear(Synaptic):
    """Fully connected layer; weight ``[C_out, C_in]``."""

    kind: ClassVar[str] = "linear"

    def out_shape(self, in_shape: Shape) -> Shape:
        return (self.out_channels,)

    def validate(self, in_shape: Shape, T: int, W: int, is_last: bool) -> None:
        if self.weight is None or self.weight.ndim != 2:
            raise FormatError(f"{self.where}: weight must be a 2-D array [C_out, C_in]")
        if tuple(in_shape) != (self.weight.shape[1],):
            raise FormatError(
                f"{self.where}: expects a flat input of {self.weight.shape[1]}, gets {in_shape}"
            )
        self._validate_common(T, W, is_last)

    def to_json(self) -> dict[str, Any]:
        return self._json_common()

    @classmethod
    def from_json(cls, d: dict[str, Any], arrays: dict[str, np.ndarray]) -> Linear:
        return cls(**cls._common_from_json(d, arrays))

    def run_fast(self, q: torch.Tensor, T: int) -> torch.Tensor:
        dtype = self._exact_dtype(T)
        v = q.to(dtype) @ self._weight_as(dtype).T
        return self.neuron_fast(v, T)

    def synaptic_current(self, s: np.ndarray) -> np.ndarray:
        return s @ self.weight.T

    # --- hardware: a width converter feeding the engine ------------------------------
    def legal_simd(self) -> list[int]:
        """Any divisor of the fan-in."""
        return list(divisors(self.fan_in))

    def hw_weights(self, order: tuple[int, int, int] | None) -> np.ndarray:
        """After a flatten of (C, H, W), the stream brings features in HWC order."""
        if order is None:
            return self.weight
        perm = np.arange(int(np.prod(order))).reshape(order).transpose(1, 2, 0).reshape(-1)
        return self.weight[:, perm]

    def hw_input(self, design, src: Stream, shape: tuple[int, ...], fold, tag: str
                 ) -> tuple[Stream, tuple[int, int, int] | None]:
        order, design.feature_order = design.feature_order, None
        return convert(design, src, fold.SIMD, tag), order
