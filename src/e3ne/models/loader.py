"""Find the user's model: a zoo name, ``path/to/file.py:ClassName`` or ``model.onnx``
(``e3ne.frontend.onnx_import``), plus weights."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import torch
import torch.nn as nn

from e3ne.errors import ConfigError, FormatError
from e3ne.frontend.onnx_import import is_onnx_spec, load_onnx
from e3ne.models.checkpoint import CHECKPOINT_FORMAT, load_checkpoint
from e3ne.models.zoo import ZOO, build_model


def check_model_spec(spec: str) -> None:
    """Cheap checks of a model argument, so a typo is reported before any work."""
    if spec in ZOO:
        return
    if is_onnx_spec(spec):
        if not Path(spec).is_file():
            raise ConfigError(f"model {spec!r}: file {spec} not found")
        return
    if ":" not in spec:
        raise ConfigError(f"model {spec!r}: not in the zoo ({', '.join(ZOO)}) and not of the "
                          "form path/to/file.py:ClassName or model.onnx")
    path = Path(spec.rsplit(":", 1)[0])
    if not path.is_file():
        raise ConfigError(f"model {spec!r}: file {path} not found")


def import_file(path: Path, module_name: str):  # noqa: ANN201 (a module)
    """Run a Python file as the module ``module_name`` (registered in ``sys.modules``, so
    that its classes pickle and its dataclasses resolve)."""
    module_spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_name] = module
    module_spec.loader.exec_module(module)
    return module


def load_model_spec(spec: str) -> nn.Module:
    """Instantiate a zoo model by name, or ``ClassName()`` from ``file.py:ClassName``."""
    check_model_spec(spec)
    if spec in ZOO:
        return build_model(spec)
    if is_onnx_spec(spec):
        return load_onnx(spec)[0]
    path_s, cls_name = spec.rsplit(":", 1)
    path = Path(path_s)
    try:
        module = import_file(path, f"e3ne_user_{path.stem}")
    except Exception as e:
        raise ConfigError(f"model {spec!r}: importing {path} failed "
                          f"({type(e).__name__}: {e})") from e
    cls = getattr(module, cls_name, None)
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        raise ConfigError(f"model {spec!r}: {path} has no nn.Module subclass named "
                          f"{cls_name!r}")
    try:
        return cls()
    except Exception as e:
        raise ConfigError(f"model {spec!r}: {cls_name}() failed ({type(e).__name__}: {e}); "
                          "the class must be constructible without arguments") from e


def load_weights(model: nn.Module, path: str | Path) -> nn.Module:
    """Load an e3ne checkpoint or a plain ``state_dict`` file into ``model``."""
    path = Path(path)
    if not path.is_file():
        raise FormatError(f"{path}: weights file not found")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:
        first = str(e).strip().splitlines()[-1][:200] if str(e).strip() else type(e).__name__
        raise FormatError(f"{path}: not a readable PyTorch weights file ({first})") from e
    if isinstance(obj, dict) and obj.get("format") == CHECKPOINT_FORMAT:
        return load_checkpoint(path, model)[0]
    if isinstance(obj, dict) and all(isinstance(v, torch.Tensor) for v in obj.values()):
        try:
            model.load_state_dict(obj)
        except RuntimeError as e:
            first = str(e).splitlines()[1].strip() if "\n" in str(e) else str(e)
            raise FormatError(f"{path}: does not fit the model ({first})") from e
        return model
    raise FormatError(f"{path}: neither an e3ne checkpoint nor a state_dict")
