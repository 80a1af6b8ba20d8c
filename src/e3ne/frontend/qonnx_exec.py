"""The qonnx executor, the reference for a QONNX model's own integer semantics.

``e3ne convert`` runs it on the test images beside the golden model, so convert.json says
how far the e3ne network is from the model as trained (and that it is not, where the
mapping is exact).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from e3ne.errors import ConfigError, FormatError, first_line


def run_qonnx(path: str | Path, images: np.ndarray, progress: bool = False) -> np.ndarray:
    """The QONNX model's outputs ``[N, classes]`` (float) on ``images`` ``[N, ...]``, one
    image at a time (exported graphs fix a batch of one)."""
    try:
        from qonnx.core.modelwrapper import ModelWrapper
        from qonnx.core.onnx_exec import execute_onnx
        from qonnx.transformation.infer_shapes import InferShapes
    except ImportError:
        raise ConfigError("checking a QONNX model needs the qonnx package: "
                          "pip install qonnx==1.0.0") from None
    model = ModelWrapper(str(path))
    if not model.check_all_tensor_shapes_specified():
        model = model.transform(InferShapes())
    consts = {t.name for t in model.graph.initializer}
    x_name = next(i.name for i in model.graph.input if i.name not in consts)
    dims = model.graph.input[[i.name for i in model.graph.input].index(x_name)]
    shape = [d.dim_value or 1 for d in dims.type.tensor_type.shape.dim]
    y_name = model.graph.output[0].name
    out = []
    for k, img in enumerate(np.asarray(images, dtype=np.float32)):
        try:
            y = execute_onnx(model, {x_name: img.reshape(shape)})[y_name]
        except Exception as e:  # the executor's own reason, on one line
            raise FormatError(f"{path}: the qonnx executor cannot run it "
                              f"({first_line(e)})") from None
        out.append(np.asarray(y).reshape(-1))
        if progress and (k + 1) % 250 == 0:
            print(f"  qonnx executor: {k + 1}/{len(images)} images", file=sys.stderr,
                  flush=True)
    return np.stack(out) if out else np.zeros((0, 0), np.float32)
