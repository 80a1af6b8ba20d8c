"""Max and average pooling on T-bit activations (DESIGN §2), with zero padding.

Max pooling of radix trains needs no decoding: reading the trains MSB first, a window's
maximum is found bit-serially by dropping, at each step, the candidates whose spike is
lower than the best one seen (the literal executor does exactly that).
Average pooling is ``floor((Σ window + floor(k/2)) / k)`` with ``k`` the window size,
padded zeros included.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from e3ne.encoding import radix_decode, radix_encode
from e3ne.errors import FormatError, UnsupportedModel
from e3ne.hw.cores.base import Stream
from e3ne.hw.cores.pool_stream import stream_pool
from e3ne.hw.cores.pool_unit import pool
from e3ne.hw.cores.swu import window
from e3ne.layers.base import Layer, Shape, pair, register, window_out


def _two(v) -> tuple[int, int]:
    return (int(v), int(v)) if isinstance(v, int) else (int(v[0]), int(v[1]))


def _one(v) -> int:
    """A 1-D pool's size: an int or a 1-tuple."""
    return int(v) if isinstance(v, int) else int(v[0])


@dataclass
class Pool(Layer):
    kernel: tuple[int, int] = (2, 2)
    stride: tuple[int, int] = (2, 2)
    padding: tuple[int, int] = (0, 0)

    # --- front end: nn.{Max,Avg}Pool2d, their adaptive forms and F.* -----------------
    modules: ClassVar[tuple[type, ...]] = ()  # (the pooling module, its adaptive form)
    functions: ClassVar[tuple] = ()  # (F.x_pool2d, F.adaptive_x_pool2d)
    modules_1d: ClassVar[tuple[type, ...]] = ()  # the same in 1-D: one row, (1, k) windows
    functions_1d: ClassVar[tuple] = ()
    call_args: ClassVar[list[str]] = []  # F.x_pool2d's parameters, in order

    @classmethod
    def _options(cls, where: str, kernel, stride, padding, extra: dict) -> dict:
        """Check the options of this kind we cannot take; the window parameters."""
        if extra.get("ceil_mode"):
            raise UnsupportedModel(f"{where}: ceil_mode=True is not supported; use "
                                   "ceil_mode=False")
        k = _two(kernel)
        return {"kernel": k, "stride": _two(stride) if stride not in (None, ()) else k,
                "padding": _two(padding)}

    @classmethod
    def match_module(cls, m, where: str) -> dict | None:
        plain, adaptive = cls.modules
        plain_1d, adaptive_1d = cls.modules_1d
        if isinstance(m, (adaptive, adaptive_1d)):
            return {"adaptive": m.output_size}
        if not isinstance(m, (plain, plain_1d)):
            return None
        extra = {k: getattr(m, k) for k in ("dilation", "ceil_mode", "return_indices",
                                             "count_include_pad", "divisor_override")
                 if hasattr(m, k)}
        if isinstance(m, plain_1d):
            return cls._options_1d(where, m.kernel_size, m.stride, m.padding, extra)
        return cls._options(where, m.kernel_size, m.stride, m.padding, extra)

    @classmethod
    def _options_1d(cls, where: str, kernel, stride, padding, extra: dict) -> dict:
        """A 1-D pool as a 2-D one over one row."""
        k = _one(kernel)
        s = k if stride in (None, ()) else _one(stride)
        return cls._options(where, (1, k), (1, s), (0, _one(padding)),
                            {**extra, "dilation": _one(extra.get("dilation", 1))})

    @classmethod
    def match_call(cls, op: str, target, bind, where: str) -> dict | None:
        plain, adaptive = cls.functions
        plain_1d, adaptive_1d = cls.functions_1d
        if op != "call_function":
            return None
        if target is adaptive or target is adaptive_1d:
            return {"adaptive": bind(["input", "output_size"], {})["output_size"]}
        if target is not plain and target is not plain_1d:
            return None
        b = bind(cls.call_args, {"stride": None, "padding": 0, "dilation": 1})
        if target is plain_1d:
            return cls._options_1d(where, b["kernel_size"], b["stride"], b["padding"], b)
        return cls._options(where, b["kernel_size"], b["stride"], b["padding"], b)

    @classmethod
    def check_traced(cls, params: dict, where: str) -> None:
        in_shape, out_shape = params["in_shape"], params["out_shape"]
        if len(in_shape) != 4:
            raise UnsupportedModel(f"{where}: gets an input of shape {in_shape[1:]}; "
                                   "expected (C, H, W)")
        if "adaptive" in params:
            (h, w), (oh, ow) = in_shape[2:], out_shape[2:]
            if h % oh or w % ow:
                raise UnsupportedModel(f"{where}: adaptive pooling from {h}x{w} to {oh}x{ow} "
                                       "has unequal windows; the output size must divide "
                                       "the input size")
            k = (h // oh, w // ow)
            params.update(kernel=k, stride=k, padding=(0, 0))

    @classmethod
    def float_fields(cls, params: dict) -> dict | None:
        return {k: params[k] for k in ("kernel", "stride", "padding")}

    @classmethod
    def from_float(cls, spec, common: dict) -> Pool:
        return cls(spec.name, tuple(spec.kernel), tuple(spec.stride), tuple(spec.padding))

    def out_shape(self, in_shape: Shape) -> Shape:
        c, h, w = in_shape
        (kh, kw), (sh, sw), (ph, pw) = self.kernel, self.stride, self.padding
        return (c, window_out(h, kh, sh, ph), window_out(w, kw, sw, pw))

    def validate(self, in_shape: Shape, T: int, W: int, is_last: bool) -> None:
        if len(in_shape) != 3:
            raise FormatError(f"{self.where}: needs a (C, H, W) input, gets {in_shape}")
        if min(self.kernel) < 1 or min(self.stride) < 1 or min(self.padding) < 0:
            raise FormatError(f"{self.where}: kernel and stride must be >= 1, padding >= 0")
        if self.padding[0] * 2 > self.kernel[0] or self.padding[1] * 2 > self.kernel[1]:
            raise FormatError(f"{self.where}: padding must be at most half the kernel")
        if min(self.out_shape(in_shape)[1:]) < 1:
            raise FormatError(f"{self.where}: kernel larger than its padded input {in_shape}")

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "kernel": list(self.kernel),
            "stride": list(self.stride),
            "padding": list(self.padding),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any], arrays: dict[str, np.ndarray]) -> Pool:
        where = f"layer '{d['name']}' ({cls.kind})"
        return cls(
            name=d["name"],
            kernel=pair(d["kernel"], "kernel", where),
            stride=pair(d["stride"], "stride", where),
            padding=pair(d["padding"], "padding", where),
        )

    def windows(self, x: np.ndarray) -> np.ndarray:
        """Zero-padded windows over the last two axes: ``[..., OH, OW, KH, KW]``."""
        (kh, kw), (sh, sw), (ph, pw) = self.kernel, self.stride, self.padding
        pad = [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)]
        win = np.lib.stride_tricks.sliding_window_view(np.pad(x, pad), (kh, kw), axis=(-2, -1))
        return win[..., ::sh, ::sw, :, :]

    averages: ClassVar[bool] = False

    def build_hw(self, design, src: Stream, shape: Shape, tag: str) -> Stream:
        """Windows that tile the map (kernel = stride, no padding): a streaming pool unit
        on the layer's input stream; otherwise a sliding-window unit feeding a pool unit."""
        (k, kw), (s, sw), (p, pw) = self.kernel, self.stride, self.padding
        if k == kw == s == sw and p == pw == 0:
            dst = stream_pool(design, src, shape, k, self.averages, tag)
        else:
            win = window(design, src, shape, self.kernel, self.stride, self.padding, src.lanes,
                         tag)
            dst = pool(design, win, shape[0], self.kernel, self.averages, tag)
        design.stage({"layer": self.name, "kind": self.kind, "index": design.index,
                      "tap": dst.doc()}, (tag, dst))
        return dst


@register
@dataclass
class MaxPool(Pool):
    kind: ClassVar[str] = "maxpool"
    modules = (nn.MaxPool2d, nn.AdaptiveMaxPool2d)
    functions = (F.max_pool2d, F.adaptive_max_pool2d)
    modules_1d = (nn.MaxPool1d, nn.AdaptiveMaxPool1d)
    functions_1d = (F.max_pool1d, F.adaptive_max_pool1d)
    call_args = ["input", "kernel_size", "stride", "padding", "dilation", "ceil_mode",
                 "return_indices"]

    @classmethod
    def _options(cls, where: str, kernel, stride, padding, extra: dict) -> dict:
        if _two(extra.get("dilation", 1)) != (1, 1):
            raise UnsupportedModel(f"{where}: dilated max pooling is not supported; use "
                                   "dilation=1")
        if extra.get("return_indices"):
            raise UnsupportedModel(f"{where}: return_indices=True is not supported")
        return super()._options(where, kernel, stride, padding, extra)

    @classmethod
    def float_forward(cls, spec, x: torch.Tensor, w=None, b=None) -> torch.Tensor:
        ph, pw = spec.padding
        return F.max_pool2d(F.pad(x, (pw, pw, ph, ph)), spec.kernel, spec.stride)

    def run_fast(self, q: torch.Tensor, T: int) -> torch.Tensor:
        ph, pw = self.padding
        if ph or pw:  # zero padding (PyTorch pads max pooling with -inf)
            q = F.pad(q, (pw, pw, ph, ph))
        if q.dtype == torch.int64:
            q = q.to(torch.float64)  # T-bit values: exact
        return F.max_pool2d(q, self.kernel, self.stride)

    def run_literal(self, spikes: np.ndarray, T: int) -> np.ndarray:
        win = self.windows(spikes.astype(bool))  # [T, N, C, OH, OW, KH, KW]
        alive = np.ones(win.shape[1:], dtype=bool)
        out = np.zeros(win.shape[:-2], dtype=np.uint8)
        for t in range(T):
            bit = (win[t] & alive).any(axis=(-2, -1))
            out[t] = bit
            alive &= win[t] | ~bit[..., None, None]
        return out


@register
@dataclass
class AvgPool(Pool):
    kind: ClassVar[str] = "avgpool"
    averages: ClassVar[bool] = True
    commutes_with_relu: ClassVar[bool] = False  # the mean of ReLUs is not ReLU of the mean
    noun: ClassVar[str] = "average pooling"
    modules = (nn.AvgPool2d, nn.AdaptiveAvgPool2d)
    functions = (F.avg_pool2d, F.adaptive_avg_pool2d)
    modules_1d = (nn.AvgPool1d, nn.AdaptiveAvgPool1d)
    functions_1d = (F.avg_pool1d, F.adaptive_avg_pool1d)
    call_args = ["input", "kernel_size", "stride", "padding", "ceil_mode",
                 "count_include_pad", "divisor_override"]

    @classmethod
    def _options(cls, where: str, kernel, stride, padding, extra: dict) -> dict:
        if extra.get("divisor_override") is not None:
            raise UnsupportedModel(f"{where}: divisor_override is not supported")
        if not extra.get("count_include_pad", True) and _two(padding) != (0, 0):
            raise UnsupportedModel(f"{where}: count_include_pad=False with padding is not "
                                   "supported; use count_include_pad=True or padding=0")
        return super()._options(where, kernel, stride, padding, extra)

    @classmethod
    def float_forward(cls, spec, x: torch.Tensor, w=None, b=None) -> torch.Tensor:
        ph, pw = spec.padding
        return F.avg_pool2d(F.pad(x, (pw, pw, ph, ph)), spec.kernel, spec.stride)

    @property
    def window_size(self) -> int:
        return self.kernel[0] * self.kernel[1]

    def run_fast(self, q: torch.Tensor, T: int) -> torch.Tensor:
        ph, pw = self.padding
        x = F.pad(q, (pw, pw, ph, ph)).to(torch.float64)  # sums < 2^53: exact
        k = self.window_size
        s = F.avg_pool2d(x, self.kernel, self.stride, divisor_override=1).round()
        return torch.floor((s + k // 2) / k).to(q.dtype)  # exact: see Synaptic.neuron_fast

    def run_literal(self, spikes: np.ndarray, T: int) -> np.ndarray:
        q = radix_decode(spikes)
        k = self.window_size
        s = self.windows(q).sum(axis=(-2, -1))
        return radix_encode((s + k // 2) // k, T)
