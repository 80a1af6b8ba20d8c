"""Normalised operations found in a traced model, before folding and quantisation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from e3ne.layers import Layer


@dataclass
class Op:
    """One step of the model's chain.

    ``layer`` is the IR layer kind it becomes (``e3ne.layers``; ``kind`` is then that
    kind's name), or None for the front end's own ops: bn, relu, drop, final
    (softmax/log_softmax, allowed only at the end), affine (input normalisation).
    ``where`` names it for error messages, e.g. ``layer 'features.3' (Conv2d)``.
    """

    kind: str
    where: str
    name: str
    module: torch.nn.Module | None = None
    params: dict[str, Any] = field(default_factory=dict)
    layer: type[Layer] | None = None
