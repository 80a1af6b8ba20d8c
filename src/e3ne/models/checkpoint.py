"""Checkpoints of trained models: one file holding the zoo name, the state_dict and
JSON-like meta, read back with one-line errors for anything wrong with the file."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Any

import torch
from torch import nn

from e3ne.errors import ConfigError, FormatError
from e3ne.models.zoo import build_model

__all__ = ["CHECKPOINT_FORMAT", "CHECKPOINT_VERSION", "load_checkpoint", "save_checkpoint"]

CHECKPOINT_FORMAT = "e3ne-checkpoint"
CHECKPOINT_VERSION = 1


def _check_meta(meta: Any, where: str = "meta") -> None:
    """Reject meta values that ``torch.load(weights_only=True)`` could not read back."""
    if meta is None or isinstance(meta, (str, bool, int, float)):
        return
    if isinstance(meta, (list, tuple)):
        for i, v in enumerate(meta):
            _check_meta(v, f"{where}[{i}]")
        return
    if isinstance(meta, dict):
        for k, v in meta.items():
            if not isinstance(k, str):
                raise ConfigError(f"{where}: key {k!r} is not a str; expected str keys")
            _check_meta(v, f"{where}[{k!r}]")
        return
    raise ConfigError(
        f"{where}: a {type(meta).__name__} cannot be stored; "
        "expected str, int, float, bool, None, list, tuple or dict"
    )


def _atomic_torch_save(obj: Any, path: Path) -> None:
    """Write to a temp file in the same folder, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    # os.open with 0o666 honours the umask (mkstemp would force 0600 on a shared cache).
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def save_checkpoint(
    path: str | os.PathLike[str], model_name: str, model: nn.Module, meta: dict[str, Any]
) -> None:
    """Save weights plus provenance (``meta``) in a file ``load_checkpoint`` can check."""
    if not isinstance(meta, dict):
        raise ConfigError(f"meta: a {type(meta).__name__}; expected a dict")
    _check_meta(meta)
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    obj = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "model": str(model_name),
        "state_dict": state,
        "meta": meta,
    }
    _atomic_torch_save(obj, Path(path))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    msg = text[0] if text else ""
    if len(msg) > 160:
        msg = msg[:157] + "..."
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


def _fit_state_dict(path: Path, model: nn.Module, state: dict[str, Any]) -> None:
    """Load ``state`` into ``model``, or name the first key that does not fit."""
    expected = model.state_dict()
    for key, ref in expected.items():
        if key not in state:
            raise FormatError(
                f"checkpoint {path}: missing key {key!r}; expected every key of the model's "
                "state_dict"
            )
        got = state[key]
        if not isinstance(got, torch.Tensor):
            raise FormatError(
                f"checkpoint {path}: key {key!r} holds a {type(got).__name__}; expected a tensor"
            )
        if tuple(got.shape) != tuple(ref.shape):
            raise FormatError(
                f"checkpoint {path}: key {key!r} has shape {list(got.shape)}; "
                f"expected {list(ref.shape)}"
            )
    for key in state:
        if key not in expected:
            raise FormatError(
                f"checkpoint {path}: unexpected key {key!r}; expected only the model's keys"
            )
    model.load_state_dict(state, strict=True)


def load_checkpoint(
    path: str | os.PathLike[str], model: nn.Module | None = None
) -> tuple[nn.Module, dict[str, Any]]:
    """Read a checkpoint written by ``save_checkpoint``; return ``(model, meta)``, eval mode.

    With ``model=None`` the zoo model named in the file is built. Anything wrong with the file
    is a one-line FormatError naming it, never a raw torch traceback.
    """
    p = Path(path)
    if not p.is_file():
        what = "is not a file" if p.exists() else "no such file"
        raise FormatError(f"checkpoint {p}: {what}; expected a file written by save_checkpoint")
    try:
        obj = torch.load(p, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises many kinds here (pickle, zip, EOF, runtime)
        raise FormatError(
            f"checkpoint {p}: not a readable torch file ({_first_line(e)}); "
            "expected a file written by save_checkpoint"
        ) from None
    if not isinstance(obj, dict) or obj.get("format") != CHECKPOINT_FORMAT:
        found = obj.get("format") if isinstance(obj, dict) else type(obj).__name__
        raise FormatError(
            f"checkpoint {p}: format {found!r} is not an e3ne checkpoint; "
            f"expected format {CHECKPOINT_FORMAT!r}"
        )
    if obj.get("version") != CHECKPOINT_VERSION:
        raise FormatError(
            f"checkpoint {p}: version {obj.get('version')!r} unsupported; "
            f"expected {CHECKPOINT_VERSION}"
        )
    name, state, meta = obj.get("model"), obj.get("state_dict"), obj.get("meta")
    if not isinstance(name, str) or not isinstance(state, dict) or not isinstance(meta, dict):
        raise FormatError(
            f"checkpoint {p}: fields model/state_dict/meta are missing or of the wrong type; "
            "expected a str, a dict and a dict"
        )
    if model is None:
        try:
            model = build_model(name)
        except ConfigError:
            raise FormatError(
                f"checkpoint {p}: model {name!r} is not in the zoo; pass model= to load it"
            ) from None
    _fit_state_dict(p, model, state)
    model.eval()
    return model, dict(meta)
