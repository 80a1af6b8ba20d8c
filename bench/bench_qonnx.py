"""A Brevitas LeNet-5 (W3, 4-bit activations) through QONNX: the e3ne golden model against
the qonnx executor on the MNIST test split, and its RTL co-simulated.

    .venv/bin/python bench/bench_qonnx.py [--epochs 30] [--verify-images 1000] [--workers 2]

Trains examples/brevitas_lenet5.py twice (FLOOR activations: exact by construction; ROUND:
ties differ), exports each to QONNX, converts it (convert.json's reference check: classes
and integer scores image by image), then compiles the FLOOR model for the default device
and verifies it (plain and with random stalls). Writes bench/results/qonnx.json; our own
QAT figure is quoted from bench/results/accuracy.json. Minutes: not part of CI.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import time
from pathlib import Path

import torch
from e3ne_common import provenance

from e3ne.artifacts import EstimateDoc
from e3ne.data import load_dataset
from e3ne.frontend.brevitas_export import export_qonnx
from e3ne.jobs import run_verify
from e3ne.jobs.compile import run_compile
from e3ne.jobs.convert import ConvertOptions, run_convert
from e3ne.train import evaluate, train_model

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "qonnx.json"


def _example():  # noqa: ANN202 (the example module)
    spec = importlib.util.spec_from_file_location("brevitas_lenet5",
                                                  ROOT / "examples" / "brevitas_lenet5.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def train(variant: str, epochs: int, seed: int, out: Path) -> dict:
    ex = _example()
    torch.manual_seed(seed)
    model = ex.LeNet5W3A4Round() if variant == "round" else ex.LeNet5W3A4()
    x, y = load_dataset("mnist", "train", pad_to=32)
    t0 = time.perf_counter()
    train_model(model, x, y, epochs=epochs, lr=2e-3, seed=seed, shift=2)
    xt, yt = load_dataset("mnist", "test", pad_to=32)
    path = export_qonnx(model, (1, 32, 32), out / f"lenet5_w3a4_{variant}.onnx")
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    return {"variant": variant, "epochs": epochs, "seed": seed, "onnx": str(shown),
            "train_seconds": round(time.perf_counter() - t0, 1),
            "brevitas_accuracy": evaluate(model, xt, yt)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--verify-images", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=str(ROOT / "bench" / "out" / "qonnx"))
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for variant in ("floor", "round"):
        row = train(variant, a.epochs, a.seed, out)
        onnx_file = str(out / f"lenet5_w3a4_{variant}.onnx")
        res = run_convert(ConvertOptions(model=onnx_file, dataset="mnist"), out / variant)
        ref = res.report.reference
        row.update(qonnx_accuracy=ref.accuracy, e3ne_accuracy=res.snn_accuracy,
                   images=ref.images, class_matches=ref.class_matches,
                   score_matches=ref.score_matches, exact=ref.exact, notes=ref.notes,
                   T=res.net.T, W=res.net.W)
        print(f"{variant}: Brevitas {row['brevitas_accuracy']:.4f}, qonnx {ref.accuracy:.4f}, "
              f"e3ne {res.snn_accuracy:.4f}; classes {ref.class_matches}/{ref.images}, "
              f"scores {ref.score_matches}/{ref.images}", flush=True)
        rows.append(row)
    floor = rows[0]
    d = out / "design"
    t0 = time.perf_counter()
    run_compile(ConvertOptions(model=str(out / "lenet5_w3a4_floor.onnx"), dataset="mnist"), d)
    est = EstimateDoc.load(d)
    floor["design"] = {"device": "default (xc7z020)", "latency_modelled": est.cycles.latency,
                       "compile_seconds": round(time.perf_counter() - t0, 1)}
    t0 = time.perf_counter()
    doc = run_verify(d, images=a.verify_images, stalls=True, workers=a.workers)
    floor["design"].update(verify_images=a.verify_images, mismatches=doc["mismatches"],
                           runs=[{k: r[k] for k in ("images", "stalls", "mismatches",
                                                    "latency_cycles", "interval_cycles")}
                                 for r in doc["runs"]],
                           verify_seconds=round(time.perf_counter() - t0, 1))
    print(f"floor design: {a.verify_images} images, {doc['mismatches']} mismatches", flush=True)
    acc = json.loads((ROOT / "bench" / "results" / "accuracy.json").read_text())
    ours = next((r for r in acc["sweep"] if r["model"] == "lenet5"
                 and (r["T"], r["W"]) == (4, 3)), None)
    RESULTS.write_text(json.dumps({
        **provenance("bench/bench_qonnx.py"), "models": rows,
        "ours_lenet5_T4_W3": ours}, indent=1) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
