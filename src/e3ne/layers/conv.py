"""Conv2d with zero padding as a synaptic layer (DESIGN §2), and what it becomes in
hardware: a sliding-window unit feeding a synaptic engine, or, for a kernel that covers
its whole unpadded input (one output pixel: LeNet-5's conv3), the raster stream itself,
whose HWC order is the window's (ky, kx, c) order, so the engine starts on its first beat
instead of waiting in a line buffer for the last."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from e3ne.errors import FormatError, UnsupportedModel
from e3ne.hw.cores.base import Stream
from e3ne.hw.cores.stream_dwc import convert
from e3ne.hw.cores.swu import input_pixels, legal_simd, padding_refusal, window
from e3ne.layers.base import Shape, pair, register, window_out
from e3ne.layers.synaptic import Synaptic


@register
@dataclass
class Conv(Synaptic):
    """Conv2d with zero padding; weight ``[C_out, C_in, KH, KW]``."""

    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    kind: ClassVar[str] = "conv"

    # --- front end: nn.Conv2d --------------------------------------------------------
    @classmethod
    def match_module(cls, m, where: str) -> dict | None:
        """nn.Conv2d; nn.Conv1d as a Conv2d over one row (kernel (1, k))."""
        if not isinstance(m, (nn.Conv2d, nn.Conv1d)):
            return None
        one_d = isinstance(m, nn.Conv1d)
        if any(d != 1 for d in m.dilation):
            raise UnsupportedModel(f"{where}: dilation {tuple(m.dilation)} is not supported; "
                                   "use 1")
        if m.padding_mode != "zeros":
            raise UnsupportedModel(f"{where}: padding_mode '{m.padding_mode}' is not "
                                   "supported; only zero padding ('zeros')")
        pad = m.padding
        if isinstance(pad, str):
            if pad == "valid":
                pad = (0, 0)
            elif all(k % 2 == 1 for k in m.kernel_size):
                pad = tuple(k // 2 for k in m.kernel_size)
            else:
                raise UnsupportedModel(f"{where}: padding='same' with an even kernel is "
                                       "asymmetric; use explicit symmetric padding")
        groups = {"groups": m.groups} if m.groups != 1 else {}
        if one_d:  # one row: the 1-D window is the second axis
            return {"stride": (1, m.stride[0]), "padding": (0, tuple(pad)[0]),
                    "kernel": (1, m.kernel_size[0]), "one_d": True, **groups}
        return {"stride": tuple(m.stride), "padding": tuple(pad),
                "kernel": tuple(m.kernel_size), **groups}

    @classmethod
    def check_traced(cls, params: dict, where: str) -> None:
        if len(params["in_shape"]) != 4:
            raise UnsupportedModel(f"{where}: gets an input of shape "
                                   f"{params['in_shape'][1:]}; expected (C, H, W)")

    @classmethod
    def float_fields(cls, params: dict) -> dict | None:
        return {k: params[k] for k in ("stride", "padding", "kernel")}

    @classmethod
    def float_forward(cls, spec, x: torch.Tensor, w=None, b=None) -> torch.Tensor:
        return F.conv2d(x, w, b, stride=spec.stride, padding=spec.padding)

    @classmethod
    def fold_input_affine(cls, spec, a: torch.Tensor, b: torch.Tensor, where: str) -> None:
        w = spec.weight
        spec.bias = spec.bias + (w * b.view(1, -1, 1, 1)).sum(dim=(1, 2, 3))
        spec.weight = w * a.view(1, -1, 1, 1)

    @classmethod
    def hardware_refusal(cls, spec, is_last: bool) -> str | None:
        if is_last:
            return ("a convolution as the output layer is not supported by the hardware (its "
                    "scores would leave as a feature map); flatten and end with nn.Linear")
        return padding_refusal(spec.kernel, spec.padding)

    @classmethod
    def from_float(cls, spec, common: dict) -> Conv:
        return cls(**common, stride=tuple(spec.stride), padding=tuple(spec.padding))

    @property
    def kernel(self) -> tuple[int, int]:
        return (int(self.weight.shape[2]), int(self.weight.shape[3]))

    def out_shape(self, in_shape: Shape) -> Shape:
        _, h, w = in_shape
        (kh, kw), (sh, sw), (ph, pw) = self.kernel, self.stride, self.padding
        return (self.out_channels, window_out(h, kh, sh, ph), window_out(w, kw, sw, pw))

    def validate(self, in_shape: Shape, T: int, W: int, is_last: bool) -> None:
        self.check_geometry(in_shape)
        self._validate_common(T, W, is_last)

    def check_geometry(self, in_shape: Shape) -> None:
        """Raise FormatError unless the weights, stride and padding fit ``in_shape``."""
        if self.weight is None or self.weight.ndim != 4:
            raise FormatError(f"{self.where}: weight must be a 4-D array [C_out, C_in, KH, KW]")
        if len(in_shape) != 3 or in_shape[0] != self.weight.shape[1]:
            raise FormatError(
                f"{self.where}: expects input (C={self.weight.shape[1]}, H, W), gets {in_shape}"
            )
        if min(self.stride) < 1 or min(self.padding) < 0:
            raise FormatError(f"{self.where}: stride must be >= 1 and padding >= 0")
        if min(self.out_shape(in_shape)[1:]) < 1:
            raise FormatError(f"{self.where}: kernel larger than its padded input {in_shape}")

    def to_json(self) -> dict[str, Any]:
        d = self._json_common()
        d.update(stride=list(self.stride), padding=list(self.padding))
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any], arrays: dict[str, np.ndarray]) -> Conv:
        where = f"layer '{d['name']}' (conv)"
        return cls(
            **cls._common_from_json(d, arrays),
            stride=pair(d["stride"], "stride", where),
            padding=pair(d["padding"], "padding", where),
        )

    def run_fast(self, q: torch.Tensor, T: int, skip: torch.Tensor | None = None
                 ) -> torch.Tensor:
        return self.neuron_fast(self.membrane_fast(q, T), T, skip)

    def membrane_fast(self, q: torch.Tensor, T: int) -> torch.Tensor:
        """``V`` for activations ``q``, exact (in the dtype ``_exact_dtype`` picks)."""
        dtype = self._exact_dtype(T)
        if dtype == torch.int64:  # beyond float64's exact range: exact int64 im2col
            q = q.to(torch.int64)
            n = q.shape[0]
            _, oh, ow = self.out_shape(tuple(q.shape[1:]))
            cols = F.unfold(q.to(torch.float64), self.kernel, padding=self.padding,
                            stride=self.stride).round().to(torch.int64)  # values < 2^16
            wm = torch.from_numpy(self.weight.reshape(self.out_channels, -1))
            v = torch.einsum("ok,nkl->nol", wm, cols).reshape(n, -1, oh, ow)
        else:
            v = F.conv2d(q.to(dtype), self._weight_as(dtype), stride=self.stride,
                         padding=self.padding)
        return v

    def synaptic_current(self, s: np.ndarray) -> np.ndarray:
        (kh, kw), (sh, sw), (ph, pw) = self.kernel, self.stride, self.padding
        x = np.pad(s, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        win = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
        return np.einsum("nchwij,ocij->nohw", win, self.weight, dtype=np.int64)

    # --- hardware: a sliding-window unit feeding the engine --------------------------
    def legal_simd(self) -> list[int]:
        """A divisor of C; or a multiple of C dividing KW*C; or a multiple of KW*C dividing
        KH*KW*C."""
        kh, kw = self.kernel
        return legal_simd(kh, int(self.weight.shape[1]), kw)

    def hw_weights(self, order: tuple[int, int, int] | None) -> np.ndarray:
        """(ky, kx, c) windows, as the sliding-window unit emits them."""
        return self.weight.transpose(0, 2, 3, 1).reshape(self.out_channels, -1)

    def covers_input(self, shape: tuple[int, ...]) -> bool:
        """The kernel is the whole unpadded input: one window, the stream in its order."""
        return tuple(shape[1:]) == tuple(self.kernel) and self.padding == (0, 0)

    def input_pixels(self, fold, shape: Shape) -> int:
        """Several pixels a beat when the window unit emits fewer beats than it reads
        pixels (whole windows or rows a beat: LeNet-5's conv1 takes two)."""
        if fold is None or self.covers_input(shape):
            return 1
        c, h, w = shape
        (kh, kw), (sh, sw), (ph, pw) = self.kernel, self.stride, self.padding
        return input_pixels(kh, sh, ph, h, w, c, fold.SIMD, kw, sw, pw)

    def hw_input(self, design, src: Stream, shape: tuple[int, ...], fold, tag: str
                 ) -> tuple[Stream, None]:
        if self.covers_input(shape):
            return convert(design, src, fold.SIMD, tag), None
        return window(design, src, shape, self.kernel, self.stride, self.padding, fold.SIMD,
                      tag), None
