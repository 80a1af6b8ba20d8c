"""Brevitas models in: exported to QONNX (Brevitas's own ``export_qonnx``) and read back
by the QONNX import, so a model trained with quantisation-aware training in Brevitas keeps
the bit widths and scales it learned."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import torch
from torch import nn

from e3ne.errors import ConfigError, first_line


def is_brevitas(model: nn.Module) -> bool:
    """``model`` holds Brevitas quantised layers."""
    return any(type(m).__module__.startswith("brevitas.") for m in model.modules())


def export_qonnx(model: nn.Module, input_shape: tuple[int, ...], path: str | Path) -> Path:
    """Write ``model`` (in eval mode) as a QONNX graph taking ``[1, *input_shape]``."""
    try:
        from brevitas.export import export_qonnx as _export
    except ImportError:
        raise ConfigError("a Brevitas model needs the brevitas and onnxoptimizer packages: "
                          "pip install brevitas==0.13.4 onnxoptimizer==0.4.2") from None
    path = Path(path)
    model.eval()
    try:
        with torch.no_grad(), contextlib.redirect_stdout(sys.stderr):
            _export(model, torch.zeros(1, *input_shape), str(path))
    except Exception as e:  # Brevitas's own reason, on one line
        raise ConfigError(f"{type(model).__name__}: Brevitas could not export it to QONNX "
                          f"({first_line(e)})") from None
    return path
