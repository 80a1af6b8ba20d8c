"""Residual blocks (DESIGN §2): a fork keeps its input for a later layer that adds it.

``y = relu(body(x) + x)`` with an identity shortcut becomes two IR nodes: a ``Fork`` where
``x`` is taken (it passes ``x`` on unchanged and saves it) and, on the body's last
convolution, ``skip`` = the fork's name and ``skip_mult`` = ``M``: that layer's neuron fires
``q = clamp(floor((V·2^F + β + M·q_skip) / θ), 0, 2^T-1)`` (``e3ne.layers.synaptic``).
``M = round(s_skip·2^F / (s_w·s_in))`` carries the skip into the unit of ``U``; its
rounding is the only approximation, and the front end gives ``M`` as many significant bits
as ``θ``. Exactly the integers above are what the golden model, the RTL and the cost
models compute.

In hardware the fork copies the stream (``stream_fork.sv``); the copy waits in a skip
buffer (``stream_fifo.sv``) sized from the design's timing so that the join never waits
for it and the fork never waits for the join (``e3ne.hw.cores.residual_join``), and the
body's last engine emits ``U`` to a join neuron (``residual_join.sv``) that adds
``M·q_skip`` and fires.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch

from e3ne.errors import FormatError
from e3ne.hw.cores.base import Stream
from e3ne.hw.cores.residual_join import skip_buffer
from e3ne.layers.base import Layer, Shape, register


@register
@dataclass
class Fork(Layer):
    """Where a residual block starts: the identity, its output also saved for the join."""

    kind: ClassVar[str] = "fork"
    saves: ClassVar[bool] = True
    noun: ClassVar[str] = "a residual block's fork"

    @classmethod
    def from_float(cls, spec, common: dict) -> Fork:
        return cls(spec.name)

    @classmethod
    def float_forward(cls, spec, x: torch.Tensor, w=None, b=None) -> torch.Tensor:
        return x

    def out_shape(self, in_shape: Shape) -> Shape:
        return tuple(in_shape)

    def validate(self, in_shape: Shape, T: int, W: int, is_last: bool) -> None:
        if len(in_shape) != 3:
            raise FormatError(f"{self.where}: a residual block needs a feature map (C, H, W), "
                              f"gets {in_shape}")

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name}

    @classmethod
    def from_json(cls, d: dict[str, Any], arrays: dict[str, np.ndarray]) -> Fork:
        return cls(name=d["name"])

    def run_fast(self, q: torch.Tensor, T: int) -> torch.Tensor:
        return q

    def run_literal(self, spikes: np.ndarray, T: int) -> np.ndarray:
        return spikes

    def build_hw(self, design, src: Stream, shape: Shape, tag: str) -> Stream:
        """A fork core; its copy goes to a skip buffer the join later reads (through the
        join's projection shortcut first, if it has one)."""
        reader = design.readers[self.name]
        project = None
        if getattr(reader, "shortcut", None) is not None:
            def project(d, copy):
                return reader.build_shortcut(d, copy, shape, f"{tag}_sc")
        # the reader's skip lanes: a join's PE, a concatenation's skip pixel (its zip takes
        # one a beat); gathered before the buffer, which can then feed one a cycle
        lanes = design.fold(reader).PE if reader.synaptic else reader.skip_channels
        main, skip = skip_buffer(design, src, tag, project, lanes)
        design.skips[self.name] = skip
        design.stage({"layer": self.name, "kind": self.kind})
        return main


def check_residuals(layers: list[Layer], shapes: list[Shape]) -> None:
    """Every fork is read once, later, by a layer that can take its skip (a convolution
    adding it, a concatenation); raise FormatError naming the first that is not."""
    forks: dict[str, int] = {}
    joined: set[str] = set()
    for i, layer in enumerate(layers):
        if layer.saves:
            forks[layer.name] = i
        name = layer.reads()
        if name is None:
            continue
        if name not in forks:
            raise FormatError(f"{layer.where}: reads the skip of fork '{name}', which does "
                              "not come before it")
        if name in joined:
            raise FormatError(f"{layer.where}: fork '{name}' is joined twice")
        joined.add(name)
        why = layer.skip_refusal(tuple(shapes[forks[name]]), tuple(shapes[i]),
                                 tuple(shapes[i + 1]))
        if why:
            raise FormatError(f"{layer.where}: {why} (the skip of fork '{name}')")
    for name in forks:
        if name not in joined:
            raise FormatError(f"layer '{name}' (fork): no layer reads its skip")
