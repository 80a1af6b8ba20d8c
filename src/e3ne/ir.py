"""The network IR: an input spec and a chain of integer layers (DESIGN §2).

Saved as ``network.json`` (structure, format version, checksum of the weights) beside
``weights.npz`` (integer arrays). Loading validates everything and reports a corrupt,
truncated or mismatched pair in one line that names the file.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from e3ne.errors import FormatError
from e3ne.layers import LAYER_KINDS, Layer, Synaptic
from e3ne.layers.base import Shape
from e3ne.layers.residual import check_residuals

FORMAT = "e3ne-network"
FORMAT_VERSION = 1
NETWORK_FILE = "network.json"
WEIGHTS_FILE = "weights.npz"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so saved files are byte-identical


@dataclass
class Network:
    """A radix-encoded SNN: T-bit activations, W-bit weights, a chain of layers."""

    input_shape: tuple[int, int, int]
    T: int
    W: int
    layers: list[Layer]
    meta: dict[str, Any] = field(default_factory=dict)
    #: the float value of one input level: a pixel x becomes round(x / input_scale),
    #: clamped to T bits; None is 1/(2^T-1), pixels in [0, 1] spanning every level (a
    #: QONNX model's input Quant gives its own)
    input_scale: float | None = None

    @property
    def synaptic_layers(self) -> list[Synaptic]:
        return [layer for layer in self.layers if isinstance(layer, Synaptic)]

    @property
    def num_classes(self) -> int:
        return self.synaptic_layers[-1].out_channels

    def shapes(self) -> list[Shape]:
        """Shapes (no batch axis) of the input and of every layer's output."""
        shapes: list[Shape] = [tuple(self.input_shape)]
        for layer in self.layers:
            shapes.append(tuple(layer.out_shape(shapes[-1])))
        return shapes

    def validate(self) -> Network:
        """Check every invariant of the IR; raise FormatError naming the first broken one."""
        if not (isinstance(self.T, int) and 1 <= self.T <= 16):
            raise FormatError(f"network: T={self.T!r} must be an integer from 1 to 16")
        if not (isinstance(self.W, int) and 2 <= self.W <= 16):
            raise FormatError(f"network: W={self.W!r} must be an integer from 2 to 16")
        shape = tuple(self.input_shape)
        if len(shape) != 3 or min(shape) < 1:
            raise FormatError(f"network: input shape {shape} must be (C, H, W) with sizes >= 1")
        if self.input_scale is not None and not (isinstance(self.input_scale, float)
                                                 and 0 < self.input_scale < float("inf")):
            raise FormatError(f"network: input scale {self.input_scale!r} must be a positive "
                              "number")
        synaptic = self.synaptic_layers
        if not synaptic:
            raise FormatError("network: has no synaptic (conv/linear) layer")
        if self.layers[-1] is not synaptic[-1]:
            raise FormatError(
                f"{self.layers[-1].where}: nothing may follow the output layer "
                f"'{synaptic[-1].name}'"
            )
        names = [layer.name for layer in self.layers]
        if len(set(names)) != len(names):
            raise FormatError("network: layer names must be unique")
        for layer in self.layers:
            layer.validate(shape, self.T, self.W, layer is synaptic[-1])
            shape = tuple(layer.out_shape(shape))
        check_residuals(self.layers, self.shapes())
        return self

    # --- storage -------------------------------------------------------------------
    def _arrays(self) -> dict[str, np.ndarray]:
        return {
            f"{i}/{key}": np.ascontiguousarray(arr, dtype=np.int64)
            for i, layer in enumerate(self.layers)
            for key, arr in sorted(layer.arrays().items())
        }

    def save(self, out_dir: str | Path) -> None:
        """Write network.json and weights.npz into ``out_dir`` (deterministic bytes)."""
        self.validate()
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        arrays = self._arrays()
        doc = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "T": self.T,
            "W": self.W,
            "input": {"shape": list(self.input_shape), **(
                {"scale": self.input_scale} if self.input_scale is not None else {})},
            "layers": [
                dict(layer.to_json(), out_shape=list(s), **(
                    {"acc_bits": layer.acc_bits(self.T)} if isinstance(layer, Synaptic) else {}
                ))
                for layer, s in zip(self.layers, self.shapes()[1:], strict=True)
            ],
            "weights_sha256": _checksum(arrays),
            "meta": self.meta,
        }
        (out / NETWORK_FILE).write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n")
        _write_npz(out / WEIGHTS_FILE, arrays)

    @classmethod
    def load(cls, in_dir: str | Path) -> Network:
        """Read and validate network.json + weights.npz from ``in_dir``."""
        d = Path(in_dir)
        doc = _read_json(d / NETWORK_FILE)
        arrays = _read_npz(d / WEIGHTS_FILE)
        return _from_doc(doc, arrays, d)


def _checksum(arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for key in sorted(arrays):
        a = arrays[key]
        h.update(key.encode() + repr(a.shape).encode() + a.astype("<i8").tobytes())
    return h.hexdigest()


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, arrays[key].astype("<i8"), allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue())


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise FormatError(f"{path}: not found; write it with 'e3ne convert'")
    try:
        doc = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise FormatError(f"{path}: not valid JSON ({e}); the file is corrupt or truncated") from e
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise FormatError(f"{path}: not an e3ne network file (no \"format\": \"{FORMAT}\")")
    if doc.get("format_version") != FORMAT_VERSION:
        raise FormatError(
            f"{path}: format version {doc.get('format_version')!r} is not supported; "
            f"this e3ne reads version {FORMAT_VERSION}"
        )
    return doc


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise FormatError(f"{path}: not found; it must sit beside network.json")
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, KeyError, zlib.error) as e:
        raise FormatError(f"{path}: corrupt or truncated ({type(e).__name__}: {e})") from e


def _from_doc(doc: dict[str, Any], arrays: dict[str, np.ndarray], d: Path) -> Network:
    jpath, npath = d / NETWORK_FILE, d / WEIGHTS_FILE
    try:
        layer_docs = doc["layers"]
        shape = tuple(int(v) for v in doc["input"]["shape"])
        T, W = doc["T"], doc["W"]
        input_scale = doc["input"].get("scale")
        input_scale = None if input_scale is None else float(input_scale)
    except (KeyError, TypeError, ValueError) as e:
        raise FormatError(f"{jpath}: missing or malformed field {e}") from e
    if not isinstance(layer_docs, list):
        raise FormatError(f"{jpath}: 'layers' must be a list")
    if doc.get("weights_sha256") != _checksum(arrays):
        raise FormatError(
            f"{npath}: does not belong to {jpath.name} (weights checksum differs); "
            "save both files together"
        )
    layers: list[Layer] = []
    for i, ld in enumerate(layer_docs):
        kind = ld.get("kind") if isinstance(ld, dict) else None
        if kind not in LAYER_KINDS:
            raise FormatError(
                f"{jpath}: layer {i} has unknown kind {kind!r}; "
                f"expected one of {', '.join(sorted(LAYER_KINDS))}"
            )
        mine = {k.split("/", 1)[1]: v for k, v in arrays.items() if k.split("/", 1)[0] == str(i)}
        try:
            layers.append(LAYER_KINDS[kind].from_json(ld, mine))
        except KeyError as e:
            raise FormatError(
                f"{jpath}: layer {i} ('{ld.get('name')}', {kind}) lacks field {e}"
            ) from e
    net = Network(input_shape=shape, T=T, W=W, layers=layers, meta=doc.get("meta", {}),
                  input_scale=input_scale)
    net.validate()
    for ld, layer in zip(layer_docs, layers, strict=True):
        if isinstance(layer, Synaptic) and ld.get("acc_bits") != layer.acc_bits(T):
            raise FormatError(f"{jpath}: {layer.where}: acc_bits does not match its weights")
    return net
