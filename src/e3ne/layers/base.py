"""The layer-kind registry.

Each layer kind lives in one module that defines its IR node (typed, validated fields),
how it is stored, and its two golden executors; it registers itself with
``@register``. Generic code (IR loading, the golden model) only calls these hooks, so a
new kind touches one file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch

from e3ne.errors import FormatError

Shape = tuple[int, ...]

LAYER_KINDS: dict[str, type[Layer]] = {}


def register(cls: type[Layer]) -> type[Layer]:
    """Class decorator: make a layer kind known to the IR loader by its ``kind``."""
    if cls.kind in LAYER_KINDS:
        raise RuntimeError(f"layer kind {cls.kind!r} registered twice")
    LAYER_KINDS[cls.kind] = cls
    return cls


def pair(v: Any, what: str, where: str) -> tuple[int, int]:
    """Normalise an int or a 2-sequence of ints to a pair, or raise FormatError."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return (int(v), int(v))
    if isinstance(v, (list, tuple)) and len(v) == 2 and all(
        isinstance(e, (int, np.integer)) and not isinstance(e, bool) for e in v
    ):
        return (int(v[0]), int(v[1]))
    raise FormatError(f"{where}: {what} must be an int or a pair of ints, got {v!r}")


def window_out(size: int, k: int, s: int, p: int) -> int:
    """Output length of a window of ``k`` with stride ``s`` over ``size`` padded by ``p``."""
    return (size + 2 * p - k) // s + 1


@dataclass
class Layer:
    """Base of every IR node: a named step from one integer tensor to the next."""

    name: str
    kind: ClassVar[str] = ""
    synaptic: ClassVar[bool] = False  # has weights, a neuron and a fold (Conv, Linear)
    commutes_with_relu: ClassVar[bool] = True  # may sit between a layer and its ReLU
    noun: ClassVar[str] = "this layer"  # what it is, in messages
    passes_input_affine: ClassVar[bool] = False  # input normalisation may fold across it

    @property
    def where(self) -> str:
        return f"layer '{self.name}' ({self.kind})"

    # --- shapes and checks -------------------------------------------------------
    def out_shape(self, in_shape: Shape) -> Shape:
        """Shape of one output sample (no batch axis) for an input of ``in_shape``."""
        raise NotImplementedError

    def validate(self, in_shape: Shape, T: int, W: int, is_last: bool) -> None:
        """Raise FormatError if the node's fields are inconsistent or out of range."""

    # --- storage -------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """Fields other than arrays, as plain JSON values (``kind`` and ``name`` included)."""
        raise NotImplementedError

    def arrays(self) -> dict[str, np.ndarray]:
        """Integer arrays to store in weights.npz, keyed by field name."""
        return {}

    @classmethod
    def from_json(cls, d: dict[str, Any], arrays: dict[str, np.ndarray]) -> Layer:
        raise NotImplementedError

    # --- residual blocks -----------------------------------------------------------
    saves: ClassVar[bool] = False  # a fork: its output is also kept for a later layer

    def reads(self) -> str | None:
        """The name of a fork whose saved output this layer also reads (a residual join:
        its executors then take it as ``skip``), or None."""
        return None

    def skip_refusal(self, skip_shape: Shape, in_shape: Shape, out_shape: Shape
                     ) -> str | None:
        """Why this layer cannot take a fork's skip of ``skip_shape``, or None."""
        return "cannot read a fork's skip"

    # --- golden executors --------------------------------------------------------
    def run_fast(self, q: torch.Tensor, T: int) -> torch.Tensor:
        """Whole-batch integer step. Tensors hold exact integers, in int64 or in a float
        dtype whose exact range covers them (the output's dtype is the step's choice)."""
        raise NotImplementedError

    def run_literal(self, spikes: np.ndarray, T: int) -> np.ndarray:
        """Spike-by-spike step on trains ``[T, N, ...]`` (uint8); the output layer
        returns its signed membrane potentials ``U`` ``[N, ...]`` (int64) instead."""
        raise NotImplementedError

    # --- hardware ----------------------------------------------------------------
    @classmethod
    def hardware_refusal(cls, spec, is_last: bool) -> str | None:
        """Why the generated hardware cannot take this kind here (checked at convert,
        before any work), or None."""
        return None

    def input_pixels(self, fold, shape: Shape) -> int:
        """Pixels per s_axis beat when this layer reads the network's input: 1 unless its
        first core can take more in a cycle and needs them (a window unit)."""
        return 1

    def build_hw(self, design, src, shape: Shape, tag: str):
        """Append the cores this layer becomes to ``design`` (an ``e3ne.design.chain.Design``),
        reading ``src``, the stream of its input of ``shape``; return its output stream."""
        raise NotImplementedError

    # --- front end (torch) -------------------------------------------------------
    @classmethod
    def match_module(cls, m, where: str) -> dict | None:
        """Op parameters if the ``nn.Module`` ``m`` is this kind (UnsupportedModel if it is,
        in a form we cannot take), else None."""
        return None

    @classmethod
    def match_call(cls, op: str, target, bind, where: str) -> dict | None:
        """The same for a traced call: ``op`` is fx's call_function or call_method,
        ``bind(names, defaults)`` its arguments by parameter name."""
        return None

    @classmethod
    def check_traced(cls, params: dict, where: str) -> None:
        """Check (and complete) the op's parameters once its traced ``in_shape`` and
        ``out_shape`` (batch axis first) are known; UnsupportedModel if they don't fit."""

    @classmethod
    def float_fields(cls, params: dict) -> dict | None:
        """Fields of this kind's layer in the folded float network (``FloatLayer``), or None
        where it vanishes there."""
        return {}

    @classmethod
    def float_forward(cls, spec, x: torch.Tensor, w=None, b=None) -> torch.Tensor:
        """Float forward of one ``FloatLayer`` of this kind."""
        raise NotImplementedError

    @classmethod
    def from_float(cls, spec, common: dict) -> Layer:
        """The integer IR node from a ``FloatLayer`` (``common``: a synaptic layer's
        quantised fields)."""
        raise NotImplementedError
