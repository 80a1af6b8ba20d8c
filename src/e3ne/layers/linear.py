"""Fully connected layer as a synaptic layer (DESIGN §2), and what it becomes in hardware:
a width converter feeding a synaptic engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from e3ne.errors import FormatError, UnsupportedModel
from e3ne.hw.cores.base import Stream, divisors
from e3ne.hw.cores.stream_dwc import convert
from e3ne.layers.base import Shape, register
from e3ne.layers.synaptic import Synaptic


@register
@dataclass
class Linear(Synaptic):
    """Fully connected layer; weight ``[C_out, C_in]``."""

    kind: ClassVar[str] = "linear"

    # --- front end: nn.Linear --------------------------------------------------------
    @classmethod
    def match_module(cls, m, where: str) -> dict | None:
        return {} if isinstance(m, nn.Linear) else None

    @classmethod
    def check_traced(cls, params: dict, where: str) -> None:
        if len(params["in_shape"]) != 2:
            raise UnsupportedModel(f"{where}: gets an input of shape "
                                   f"{params['in_shape'][1:]}; flatten it first")

    @classmethod
    def float_forward(cls, spec, x: torch.Tensor, w=None, b=None) -> torch.Tensor:
        return F.linear(x, w, b)

    @classmethod
    def fold_input_affine(cls, spec, a: torch.Tensor, b: torch.Tensor, where: str) -> None:
        w = spec.weight
        reps = w.shape[1] // a.numel()
        if reps * a.numel() != w.shape[1]:
            raise UnsupportedModel(f"{where}: cannot map the per-channel normalisation onto "
                                   f"{w.shape[1]} input features")
        av, bv = a.repeat_interleave(reps), b.repeat_interleave(reps)
        spec.bias = spec.bias + w @ bv
        spec.weight = w * av.view(1, -1)

    @classmethod
    def from_float(cls, spec, common: dict) -> Linear:
        return cls(**common)

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
        return self.neuron_fast(self.membrane_fast(q, T), T)

    def membrane_fast(self, q: torch.Tensor, T: int) -> torch.Tensor:
        """``V`` for activations ``q``, exact (in the dtype ``_exact_dtype`` picks)."""
        dtype = self._exact_dtype(T)
        return q.to(dtype) @ self._weight_as(dtype).T

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
