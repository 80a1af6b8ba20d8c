"""The user-facing jobs behind the CLI: convert a model, the demo."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from e3ne import golden
from e3ne.api import check_config, convert
from e3ne.artifacts import ConvertDoc
from e3ne.data import dataset_input_shape, load_dataset
from e3ne.errors import ConfigError
from e3ne.flow.verify import verification_images as verify_images
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
    input_shape: tuple[int, int, int] | None = None  #: (C, H, W); needed for random
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


def _resolve(opts: ConvertOptions):
    check_model_spec(opts.model)
    entry = ZOO.get(opts.model)
    dataset = opts.dataset or (entry.dataset if entry else None)
    if dataset is None:
        raise ConfigError(f"model {opts.model!r}: give --dataset (mnist, digits or random)")
    shape = opts.input_shape
    pad_to = entry.pad_to if entry and dataset == entry.dataset else None
    if shape is None:
        shape = entry.input_shape if entry else None
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
    return entry, dataset, tuple(shape), pad_to, T, W


def run_convert(opts: ConvertOptions, out_dir: str | Path | None = None,
                progress: bool = True) -> ConvertResult:
    """Load, convert, measure; write network.json, weights.npz, convert.json if ``out_dir``."""
    t0 = time.perf_counter()
    entry, dataset, shape, pad_to, T, W = _resolve(opts)
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
    net = convert(model, calib, cfg, qat=qat,
                  meta={"model": opts.model, "dataset": dataset, "pad_to": pad_to})
    float_acc = snn_acc = None
    if test is not None:
        float_acc = evaluate(model, test, labels)
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


def summary_lines(net: Network) -> list[str]:
    """A short per-layer table: name, kind, output shape, accumulator bits."""
    lines = [f"{'layer':<16}{'kind':<9}{'output':<16}{'acc bits':>8}"]
    for layer, shape in zip(net.layers, net.shapes()[1:], strict=True):
        acc = str(layer.acc_bits(net.T)) if hasattr(layer, "acc_bits") else ""
        lines.append(f"{layer.name:<16}{layer.kind:<9}{'x'.join(map(str, shape)):<16}{acc:>8}")
    return lines


@dataclass
class CompileResult:
    plan: object  # e3ne.hw.generate.Plan
    folds: dict
    estimate: dict  # estimate.json
    chosen_by: str  # "explore" or "--fold FILE"


def run_compile(opts: ConvertOptions, out_dir: str | Path, fold_file: str | None = None,
                device: str | None = None, budget: str | None = None,
                objective: str = "latency", interval: int | None = None,
                clock_mhz: float = 200.0, converted: ConvertResult | None = None
                ) -> CompileResult:
    """convert + choose folds + generate: DIR/network.json, weights.npz, convert.json,
    DIR/rtl, DIR/estimate.json, DIR/vivado and DIR/host.

    Folds come from ``fold_file`` when given (layers it omits get the default), else from
    the design-space search for ``device`` (default xc7z020) within ``budget``. A network
    ``converted`` already (from ``opts``) is saved instead of converting again."""
    from e3ne.devices import get_device
    from e3ne.dse.explore import DEFAULT_DEVICE, estimate_doc
    from e3ne.dse.search import check_options, search
    from e3ne.flow.vivado import write_vivado_project
    from e3ne.host import write_host_driver
    from e3ne.hw.folding import load_folds
    from e3ne.hw.generate import generate

    if fold_file is not None and not Path(fold_file).is_file():
        raise ConfigError(f"--fold {fold_file}: file not found")
    if fold_file is not None and (budget or interval):
        raise ConfigError("--fold: a fold file fixes the design; drop --budget/--interval "
                          "or the fold file")
    device = get_device(device or DEFAULT_DEVICE).name
    if fold_file is None:
        check_options(device, budget, objective, interval)
    if converted is None:
        res = run_convert(opts, out_dir)
    else:
        res = converted
        res.save(out_dir)
    if fold_file is not None:
        folds, chosen_by, bud = load_folds(res.net, fold_file), f"--fold {fold_file}", None
    else:
        found = search(res.net, device, budget, objective, interval)
        folds, chosen_by, bud = found.chosen.folds, "explore", found.budget
        c = found.chosen
        log(f"{opts.model}: explored {len(found.points)} designs for {device} in "
            f"{found.seconds:.2f} s; chosen: latency {c.latency:,} cycles, interval "
            f"{c.interval:,}, {c.lut:,} LUT, {c.resources.FF:,} FF, "
            f"{c.resources.bram:g} BRAM36 (modelled)")
    log(f"{opts.model}: generating RTL into {Path(out_dir) / 'rtl'}")
    plan = generate(res.net, folds, out_dir)
    est = estimate_doc(res.net, folds, device, bud, clock_mhz, chosen_by)
    est.save(out_dir)
    write_vivado_project(out_dir, device=device, clock_mhz=clock_mhz)
    write_host_driver(out_dir)
    return CompileResult(plan, folds, est.to_json(), chosen_by)


def run_verify(design_dir: str | Path, images: int = 100, dataset: str | None = None,
               stalls: bool = False, trace: bool = False) -> dict:
    """Co-simulate and compare; write DIR/verify.json."""
    from e3ne.flow import verify

    net = Network.load(design_dir)
    q0 = verify_images(net, images, dataset)
    results = [verify.run(design_dir, q0, trace=trace)]
    if stalls:
        results.append(verify.run(design_dir, q0, stalls=True, trace=trace))
    doc = verify.write_report(design_dir, results)
    if doc["mismatches"] and trace:
        for r in results:
            if r.first_mismatch:
                log(f"first mismatch: {r.first_mismatch}")
    return doc


def accuracy_sweep(model: str, Ts=(2, 3, 4, 6), Ws=(3,), qat_epochs: int = 3,
                   out_root: str | Path | None = None, progress: bool = True) -> list[dict]:
    """Float vs radix-SNN test accuracy over T and W, post-training and after QAT."""
    rows = []
    for W in Ws:
        for T in Ts:
            row = {"model": model, "T": T, "W": W}
            for key, epochs in (("ptq", 0), ("qat", qat_epochs)):
                if key == "qat" and not epochs:
                    continue
                out = None if out_root is None else Path(out_root) / f"{model}-T{T}-W{W}-{key}"
                if progress:
                    log(f"{model}: T={T} W={W} {key.upper()}")
                res = run_convert(ConvertOptions(model=model, T=T, W=W, qat_epochs=epochs),
                                  out, progress=False)
                row["float"], row[key] = res.float_accuracy, res.snn_accuracy
            rows.append(row)
    return rows


def format_sweep(rows: list[dict]) -> list[str]:
    """The sweep as a text table."""
    has_qat = any("qat" in r for r in rows)
    head = f"{'model':<8}{'T':>3}{'W':>3}{'float':>8}{'SNN PTQ':>9}"
    lines = [head + (f"{'SNN QAT':>9}{'QAT-float':>10}" if has_qat else "")]
    for r in rows:
        line = f"{r['model']:<8}{r['T']:>3}{r['W']:>3}{r['float']:>8.3f}{r['ptq']:>9.3f}"
        if has_qat:
            line += f"{r['qat']:>9.3f}{r['qat'] - r['float']:>+10.3f}"
        lines.append(line)
    return lines


def parse_shape(text: str) -> tuple[int, int, int]:
    try:
        c, h, w = (int(v) for v in text.split(","))
    except ValueError:
        raise ConfigError(f"--input-shape {text!r}: expected C,H,W (e.g. 1,28,28)") from None
    if min(c, h, w) < 1:
        raise ConfigError(f"--input-shape {text!r}: sizes must be >= 1")
    return (c, h, w)

