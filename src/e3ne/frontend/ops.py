"""Normalised operations found in a traced model, before folding and quantisation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch


@dataclass
class Op:
    """One step of the model's chain.

    ``kind`` is one of: conv, linear, bn, relu, maxpool, avgpool, flatten, drop, final
    (softmax/log_softmax, allowed only at the end), affine (input normalisation).
    ``where`` names it for error messages, e.g. ``layer 'features.3' (Conv2d)``.
    """

    kind: str
    where: str
    name: str
    module: torch.nn.Module | None = None
    params: dict[str, Any] = field(default_factory=dict)
