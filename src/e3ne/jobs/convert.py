"""Step ``convert``: a model (zoo name or file:Class) -> the integer network, with accuracy."""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn as nn

from e3ne import golden
from e3ne.api import check_config, convert
from e3ne.artifacts import ConvertDoc
from e3ne.data import dataset_input_shape, load_dataset
from e3ne.errors import ConfigError
from e3ne.frontend.onnx_import import is_onnx_spec, onnx_input_shape
from e3ne.frontend.quantize import QuantConfig
from e3ne.ir import Network
from e3ne.models.loader import check_model_spec, load_model_spec, load_weights
from e3ne.models.zoo import ZOO
from e3ne.train import cached_zoo_checkpoint, evaluate, train_model


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@dataclass
class ConvertOptions:
    """Options of ``e3ne convert`` (the CLI flags of the same names)."""

    model: str  #: zoo name or path/to/file.py:ClassName
    weights: str | None = None  #: checkpoint or state_dict; zoo models default to cached training
    dataset: str | None = None  #: mnist | digits | random; zoo models default to their own
    #: (C, H, W); (C, L) for a 1-D model on [N, C, L]; (F,) for one taking [N, F] vectors;
    #: needed for random data
    input_shape: tuple[int, ...] | None = None
    T: int | None = None  #: time steps; zoo default, else 4
    W: int | None = None  #: weight bits; zoo default, else 4
    percentile: float = 99.99  #: activation clipping percentile
    calib_images: int = 1000  #: training images used for calibration
    test_images: int | None = None  #: test images for accuracy (default: whole split)
    qat_epochs: int = 0  #: quantisation-aware fine-tuning epochs (0 = post-training only)


@dataclass
class ConvertResult:
    net: Network
    float_accuracy: float | None
    snn_accuracy: float | None
    seconds: float
    report: ConvertDoc  # convert.json

    def save(self, out_dir: str | Path) -> None:
        """network.json + weights.npz + convert.json."""
        self.net.save(out_dir)
        self.report.save(out_dir)


def resolve(opts: ConvertOptions):
    check_model_spec(opts.model)
    entry = ZOO.get(opts.model)
    dataset = opts.dataset or (entry.dataset if entry else None)
    if dataset is None:
        raise ConfigError(f"model {opts.model!r}: give --dataset (mnist, digits or random)")
    shape = opts.input_shape
    if shape is None and entry is not None:
        shape = entry.input_shape
    if is_onnx_spec(opts.model):  # the graph says
        graph_shape = onnx_input_shape(opts.model)
        if shape is not None and tuple(shape) != graph_shape:
            raise ConfigError(f"--input-shape {','.join(map(str, shape))}: {opts.model} "
                              f"takes {','.join(map(str, graph_shape))}")
        shape = graph_shape
    pad_to = entry.pad_to if entry and dataset == entry.dataset else None
    kind = {1: "vector", 2: "sequence"}.get(len(shape), "image") if shape else "image"
    if kind == "sequence":  # a 1-D model on [N, C, L]: the hardware takes L pixels of C
        if dataset != "random":
            raise ConfigError(f"--input-shape {','.join(map(str, shape))}: a 1-D input "
                              f"(C,L) needs --dataset random; {dataset!r} has images")
        shape = (shape[0], 1, shape[1])
    if kind == "vector":
        # a model taking vectors: the dataset's images flattened, or F random values; the
        # hardware takes either as a stream of C·H·W values in PyTorch's flattening order
        if dataset == "random":
            shape = (1, 1, shape[0])
        else:
            native = dataset_input_shape(dataset, pad_to)
            if math.prod(native) != shape[0]:
                raise ConfigError(f"--input-shape {shape[0]}: dataset {dataset!r} has images "
                                  f"of {','.join(map(str, native))} = {math.prod(native)} "
                                  "values")
            shape = native
    if shape is None:
        if dataset == "random":
            raise ConfigError("--dataset random: give --input-shape C,H,W")
        shape = dataset_input_shape(dataset, pad_to)
    if dataset != "random":
        native = dataset_input_shape(dataset)
        if tuple(shape) != tuple(native):
            if shape[0] == native[0] and shape[1] == shape[2] and shape[1] > native[1]:
                pad_to = shape[1]
            else:
                raise ConfigError(f"--input-shape {','.join(map(str, shape))}: dataset "
                                  f"{dataset!r} has images of {','.join(map(str, native))}")
    T = opts.T if opts.T is not None else (entry.T if entry else 4)
    W = opts.W if opts.W is not None else (entry.W if entry else 4)
    return entry, dataset, tuple(shape), pad_to, T, W, kind


def run_convert(opts: ConvertOptions, out_dir: str | Path | None = None,
                progress: bool = True) -> ConvertResult:
    """Load, convert, measure; write network.json, weights.npz, convert.json if ``out_dir``."""
    t0 = time.perf_counter()
    entry, dataset, shape, pad_to, T, W, kind = resolve(opts)
    cfg = QuantConfig(T=T, W=W, percentile=opts.percentile)
    check_config(cfg)
    model = load_model_spec(opts.model)
    if opts.weights:
        load_weights(model, opts.weights)
    elif entry is not None and dataset in ("mnist", "digits") and dataset == entry.dataset:
        load_weights(model, cached_zoo_checkpoint(opts.model, progress=progress))
    elif progress:
        log(f"{opts.model}: no --weights; converting its random initial weights")
    model.eval()

    if dataset == "random":
        calib, _ = load_dataset("random", shape=shape, n=min(opts.calib_images, 64), seed=1)
        test, labels = None, None
    else:
        calib, calib_y = load_dataset(dataset, "train", pad_to=pad_to, n=opts.calib_images)
        test, labels = load_dataset(dataset, "test", pad_to=pad_to, n=opts.test_images)

    qat = None
    if opts.qat_epochs:
        if dataset == "random":
            raise ConfigError("--qat-epochs: needs a labelled dataset (mnist or digits)")
        train_x, train_y = load_dataset(dataset, "train", pad_to=pad_to)

        def qat(m):  # noqa: ANN001
            train_model(m, train_x, train_y, epochs=opts.qat_epochs, lr=1e-4,
                        progress=progress)

    if progress:
        log(f"{opts.model}: converting at T={T}, W={W} (calibrating on {len(calib)} images"
            f"{f', QAT {opts.qat_epochs} epochs' if qat else ''})")
    net = convert(model, calib, cfg, qat=qat, input_kind=kind,
                  meta={"model": opts.model, "dataset": dataset, "pad_to": pad_to})
    float_acc = snn_acc = None
    if test is not None:
        float_acc = evaluate(_Flattened(model) if kind == "vector" else model, test, labels)
        snn_acc = golden.accuracy(net, test, labels)
    report = ConvertDoc(float_accuracy=float_acc, snn_accuracy=snn_acc, T=T, W=W,
                        model=opts.model, dataset=dataset,
                        test_images=None if test is None else len(test),
                        calibration_images=len(calib), percentile=opts.percentile,
                        qat_epochs=opts.qat_epochs)
    result = ConvertResult(net, float_acc, snn_acc, time.perf_counter() - t0, report)
    if out_dir is not None:
        result.save(out_dir)
    return result


class _Flattened(nn.Module):
    """A model taking vectors, fed the dataset's images flattened (for its accuracy)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x.flatten(1))


def summary_lines(net: Network) -> list[str]:
    """A short per-layer table: name, kind, output shape, accumulator bits."""
    n = max([16, *(len(layer.name) + 2 for layer in net.layers)])
    lines = [f"{'layer':<{n}}{'kind':<9}{'output':<16}{'acc bits':>8}"]
    for layer, shape in zip(net.layers, net.shapes()[1:], strict=True):
        acc = str(layer.acc_bits(net.T)) if hasattr(layer, "acc_bits") else ""
        lines.append(f"{layer.name:<{n}}{layer.kind:<9}{'x'.join(map(str, shape)):<16}"
                     f"{acc:>8}")
    return lines


def parse_shape(text: str) -> tuple[int, ...]:
    """``C,H,W`` for images, ``C,L`` for 1-D models (``[N, C, L]``), ``F`` for a model
    whose forward takes ``[N, F]`` vectors."""
    try:
        dims = tuple(int(v) for v in text.split(","))
    except ValueError:
        dims = ()
    if len(dims) not in (1, 2, 3):
        raise ConfigError(f"--input-shape {text!r}: expected C,H,W (e.g. 1,28,28), C,L for "
                          "1-D layers (e.g. 1,128) or F for a model that takes vectors "
                          "(e.g. 16)")
    if min(dims) < 1:
        raise ConfigError(f"--input-shape {text!r}: sizes must be >= 1")
    return dims

