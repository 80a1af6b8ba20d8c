"""Channel concatenation with a fork's skip (DESIGN §2): ``torch.cat([x, body(x)], 1)``.

A DenseNet-style block: a ``Fork`` keeps ``x``, the body runs on it, and this layer puts
the skip's channels before (``skip_first``) or after the body's, pixel by pixel. Both
are T-bit activations of one scale (the front end gives the body's last layer the
skip's scale), so the concatenation is exact and costs no arithmetic: in hardware a zip
of the two streams, one beat per pixel each (``stream_zip.sv``), the skip waiting in the
fork's skip buffer (``e3ne.layers.residual``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch

from e3ne.errors import FormatError
from e3ne.hw.cores.base import Stream
from e3ne.hw.cores.stream_zip import zip_streams
from e3ne.layers.base import Layer, Shape, register


@register
@dataclass
class Concat(Layer):
    """``cat([skip, x])`` (or ``cat([x, skip])``) along channels, ``skip`` a fork's."""

    skip: str = ""  # the fork whose output it concatenates
    skip_channels: int = 1  # its channels (the fork's shape, for out_shape)
    skip_first: bool = True  # the skip's channels come first

    kind: ClassVar[str] = "concat"
    noun: ClassVar[str] = "a concatenation"

    def reads(self) -> str | None:
        return self.skip

    def skip_refusal(self, skip_shape, in_shape, out_shape) -> str | None:
        if len(skip_shape) != 3 or len(in_shape) != 3 or skip_shape[1:] != in_shape[1:]:
            return (f"concatenates {tuple(in_shape)} with {tuple(skip_shape)}; both must be "
                    "feature maps of one size")
        if skip_shape[0] != self.skip_channels:
            return f"skip_channels={self.skip_channels} but the skip has {skip_shape[0]}"
        return None

    @classmethod
    def float_fields(cls, params: dict) -> dict | None:
        return {"skip": params["skip"], "skip_first": params["skip_first"],
                "skip_channels": params["skip_channels"]}

    @classmethod
    def float_forward(cls, spec, x: torch.Tensor, w=None, b=None, skip=None) -> torch.Tensor:
        return torch.cat([skip, x] if spec.skip_first else [x, skip], dim=1)

    @classmethod
    def from_float(cls, spec, common: dict) -> Concat:
        return cls(spec.name, skip=spec.skip, skip_channels=spec.skip_channels,
                   skip_first=spec.skip_first)

    def out_shape(self, in_shape: Shape) -> Shape:
        return (in_shape[0] + self.skip_channels, *in_shape[1:])

    def validate(self, in_shape: Shape, T: int, W: int, is_last: bool) -> None:
        if len(in_shape) != 3:
            raise FormatError(f"{self.where}: concatenates feature maps (C, H, W), gets "
                              f"{in_shape}")
        if not isinstance(self.skip_channels, int) or self.skip_channels < 1 or not self.skip:
            raise FormatError(f"{self.where}: needs a fork (skip) and skip_channels >= 1")

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "skip": self.skip,
                "skip_channels": self.skip_channels, "skip_first": self.skip_first}

    @classmethod
    def from_json(cls, d: dict[str, Any], arrays: dict[str, np.ndarray]) -> Concat:
        return cls(name=d["name"], skip=d["skip"], skip_channels=int(d["skip_channels"]),
                   skip_first=bool(d["skip_first"]))

    def run_fast(self, q: torch.Tensor, T: int, skip: torch.Tensor | None = None
                 ) -> torch.Tensor:
        skip = skip.to(q.dtype)
        return torch.cat([skip, q] if self.skip_first else [q, skip], dim=1)

    def run_literal(self, spikes: np.ndarray, T: int, skip: np.ndarray | None = None
                    ) -> np.ndarray:
        return np.concatenate([skip, spikes] if self.skip_first else [spikes, skip], axis=2)

    def build_hw(self, design, src: Stream, shape: Shape, tag: str) -> Stream:
        """A zip of the body's stream and the fork's buffered skip, a pixel a beat each."""
        dst = zip_streams(design, src, shape[0], design.skips[self.skip],
                          self.skip_channels, self.skip_first, tag)
        design.stage({"layer": self.name, "kind": self.kind, "tap": dst.doc()}, (tag, dst))
        return dst
