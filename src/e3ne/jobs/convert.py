"""Step ``convert``: a model (zoo name or file:Class) -> the integer network, with accuracy."""

from __future__ import annotations

import math
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from e3ne import golden
from e3ne.api import check_config, convert
from e3ne.artifacts import ConvertDoc, ReferenceCheck
from e3ne.data import dataset_input_shape, load_dataset
from e3ne.errors import ConfigError
from e3ne.frontend.brevitas_export import export_qonnx, is_brevitas
from e3ne.frontend.onnx_import import is_onnx_spec, load_onnx, onnx_facts
from e3ne.frontend.qonnx_exec import run_qonnx
from e3ne.frontend.qonnx_import import GivenQuant
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
    weight_clip: str = "mse"  #: weight scales: least squared rounding error, or max |w|
    act_clip: str = "mse"  #: activation clips: least squared rounding error, or percentile
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
    given = None
    if is_onnx_spec(opts.model):  # the graph says
        graph_shape, given = onnx_facts(opts.model)  # and a QONNX model's T and W
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
    T = opts.T if opts.T is not None else (given.T if given else entry.T if entry else 4)
    W = opts.W if opts.W is not None else (given.W if given else entry.W if entry else 4)
    return entry, dataset, tuple(shape), pad_to, T, W, kind


def run_convert(opts: ConvertOptions, out_dir: str | Path | None = None,
                progress: bool = True) -> ConvertResult:
    """Load, convert, measure; write network.json, weights.npz, convert.json if ``out_dir``."""
    t0 = time.perf_counter()
    entry, dataset, shape, pad_to, T, W, kind = resolve(opts)
    check_config(QuantConfig(T=T, W=W, percentile=opts.percentile,
                             weight_clip=opts.weight_clip, act_clip=opts.act_clip))
    model = load_model_spec(opts.model)
    if opts.weights:
        load_weights(model, opts.weights)
    elif entry is not None and dataset in ("mnist", "digits") and dataset == entry.dataset:
        load_weights(model, cached_zoo_checkpoint(opts.model, progress=progress))
    elif progress and not is_onnx_spec(opts.model):
        log(f"{opts.model}: no --weights; converting its random initial weights")
    model.eval()
    with tempfile.TemporaryDirectory(prefix="e3ne-qonnx-") as tmp:
        qonnx_file = opts.model if is_onnx_spec(opts.model) else None
        if is_brevitas(model):  # through Brevitas's own QONNX export
            if progress:
                log(f"{opts.model}: a Brevitas model; exporting it to QONNX")
            qonnx_file = str(export_qonnx(model, shape, Path(tmp) / "model.onnx"))
            model = load_onnx(qonnx_file)[0]
        given = getattr(model, "given_quant", None)
        if given is not None:
            T, W = _given_widths(opts, given)
        cfg = QuantConfig(T=T, W=W, percentile=opts.percentile, weight_clip=opts.weight_clip,
                          act_clip=opts.act_clip,
                          **({"input_scale": given.input_scale, "rounding": given.rounding}
                             if given is not None else {}))
        check_config(cfg)
        return _convert_and_measure(opts, model, cfg, given, qonnx_file, t0, out_dir,
                                    progress, dataset, shape, pad_to, kind)


def _given_widths(opts: ConvertOptions, given: GivenQuant) -> tuple[int, int]:
    """A QONNX model's own T and W; -T/-W may only repeat them, and it is not retrained."""
    for flag, mine, theirs in (("-T", opts.T, given.T), ("-W", opts.W, given.W)):
        if mine is not None and mine != theirs:
            raise ConfigError(f"{flag} {mine}: {opts.model} is quantised already; its Quant "
                              f"nodes fix {flag[1]}={theirs} (leave {flag} out)")
    if opts.qat_epochs:
        raise ConfigError(f"--qat-epochs: {opts.model} is quantised already; train it in "
                          "Brevitas (or export the float model) instead")
    return given.T, given.W


def _convert_and_measure(opts, model, cfg, given, qonnx_file, t0, out_dir, progress,  # noqa: ANN001
                         dataset, shape, pad_to, kind) -> ConvertResult:
    T, W = cfg.T, cfg.W
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
        how = ("its own quantisation (QONNX), no calibration" if given is not None else
               f"calibrating on {len(calib)} images"
               f"{f', QAT {opts.qat_epochs} epochs' if qat else ''}")
        log(f"{opts.model}: converting at T={T}, W={W} ({how})")
    net = convert(model, calib, cfg, qat=qat, input_kind=kind,
                  meta={"model": opts.model, "dataset": dataset, "pad_to": pad_to})
    float_acc = snn_acc = None
    reference = None
    if given is not None:
        images = test if test is not None else calib
        u = golden.run_fast(net, golden.input_levels(net, images))
        reference = check_reference(net, given, qonnx_file, images, labels, progress, u)
        float_acc = reference.accuracy
        if test is not None:
            snn_acc = float((u.argmax(axis=1) == labels.numpy()).mean())
    elif test is not None:
        float_acc = evaluate(_Flattened(model) if kind == "vector" else model, test, labels)
        snn_acc = golden.accuracy(net, test, labels)
    report = ConvertDoc(float_accuracy=float_acc, snn_accuracy=snn_acc, T=T, W=W,
                        model=opts.model, dataset=dataset,
                        test_images=None if test is None else len(test),
                        calibration_images=None if given is not None else len(calib),
                        percentile=None if given is not None else opts.percentile,
                        weight_clip=None if given is not None else opts.weight_clip,
                        act_clip=None if given is not None else opts.act_clip,
                        qat_epochs=opts.qat_epochs, reference=reference)
    result = ConvertResult(net, float_acc, snn_acc, time.perf_counter() - t0, report)
    if out_dir is not None:
        result.save(out_dir)
    return result


def check_reference(net: Network, given: GivenQuant, qonnx_file: str, images: torch.Tensor,
                    labels: torch.Tensor | None, progress: bool = True,
                    u: np.ndarray | None = None) -> ReferenceCheck:
    """The qonnx executor and the golden model on the same images: classes, and scores
    (the executor's divided by the output layer's unit, so integers where exact); ``u``:
    the golden model's scores on ``images`` if the caller has them already."""
    if progress:
        log(f"{qonnx_file}: running the qonnx executor on {len(images)} images")
    ref = run_qonnx(qonnx_file, images.numpy(), progress=progress)
    if u is None:
        u = golden.run_fast(net, golden.input_levels(net, images))
    unit = net.synaptic_layers[-1].act_scale
    ref_u = ref.astype(np.float64) / unit
    same_scores = (np.abs(ref_u - u) <= 1e-6 * np.maximum(1.0, np.abs(u))).all(axis=1)
    classes = u.argmax(axis=1)
    notes = list(given.notes) + list(net.meta.get("inexact", []))
    return ReferenceCheck(
        executor="qonnx", images=len(images),
        accuracy=None if labels is None else float(
            (np.argmax(ref, axis=1) == labels.numpy()).mean()),
        class_matches=int((classes == np.argmax(ref, axis=1)).sum()),
        score_matches=int(same_scores.sum()), exact=not notes, notes=notes)


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

