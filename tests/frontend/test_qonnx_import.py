"""QONNX models in: the model's own integers kept (no calibration), the golden model equal
to the qonnx executor where the mapping is exact and the difference measured where not,
Brevitas modules taken directly, and bad QONNX graphs refused in one line naming the node."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper

from e3ne import golden
from e3ne.cli import main
from e3ne.errors import E3neError
from e3ne.frontend.onnx_import import load_onnx
from e3ne.frontend.qonnx_exec import run_qonnx
from e3ne.jobs.convert import ConvertOptions, check_reference, resolve, run_convert

QD = "qonnx.custom_op.general"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "brevitas_lenet5.py"


def _t(name: str, v) -> onnx.TensorProto:  # noqa: ANN001
    return numpy_helper.from_array(np.asarray(v, np.float32), name)


def _quant(x: str, out: str, s: str, bits: str, *, signed: int, narrow: int = 0,
           mode: str = "FLOOR", zp: str = "zero", op: str = "Quant") -> onnx.NodeProto:
    ins = [x, s] if op == "BipolarQuant" else [x, s, zp, bits]
    kw = {} if op == "BipolarQuant" else dict(signed=signed, narrow=narrow, rounding_mode=mode)
    return helper.make_node(op, ins, [out], name=f"/{out}/{op}", domain=QD, **kw)


def qonnx_graph(path: Path, seed: int = 0, *, replace: dict | None = None,
                extra: list | None = None, inits: list | None = None,
                in_shape=(1, 1, 6, 6)) -> Path:
    """x -> Quant (4-bit input) -> Conv (3-bit Quant weights, 32-bit Quant bias) -> Relu
    -> Quant (4-bit, FLOOR) -> MaxPool -> Flatten -> Gemm (3-bit weights, Quant bias);
    power-of-two scales, so the mapping is exact. ``replace`` swaps nodes by output name."""
    rng = np.random.default_rng(seed)
    s_in, s_w, s_a, s_f = 2.0 ** -4, 2.0 ** -2, 2.0 ** -3, 2.0 ** -3
    nodes = [
        _quant("x", "xq", "s_in", "b4", signed=0, mode="ROUND"),
        _quant("w", "wq", "s_w", "b3", signed=1, narrow=1, mode="ROUND"),
        _quant("b", "bq", "s_b", "b32", signed=1, mode="ROUND"),
        helper.make_node("Conv", ["xq", "wq", "bq"], ["c"], name="/conv/Conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"], name="/relu/Relu"),
        _quant("r", "a", "s_a", "b4", signed=0),
        helper.make_node("MaxPool", ["a"], ["p"], name="/pool/MaxPool", kernel_shape=[2, 2],
                         strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"], name="/flat/Flatten"),
        _quant("fw", "fwq", "s_f", "b3", signed=1, narrow=1, mode="ROUND"),
        _quant("fb", "fbq", "s_fb", "b32", signed=1, mode="ROUND"),
        helper.make_node("Gemm", ["f", "fwq", "fbq"], ["y"], name="/fc/Gemm", transB=1),
    ]
    for out, node in (replace or {}).items():
        nodes = [node if n is not None and n.output[0] == out else n for n in nodes]
    nodes = [n for n in nodes if n is not None] + list(extra or [])
    c, h = 4, in_shape[2] // 2
    tensors = [_t("w", rng.normal(0, 0.5, (c, 1, 3, 3))), _t("b", rng.normal(0, 0.05, c)),
               _t("fw", rng.normal(0, 0.3, (5, c * h * h))), _t("fb", rng.normal(0, 0.1, 5)),
               _t("s_in", s_in), _t("s_w", s_w), _t("s_a", s_a), _t("s_f", s_f),
               _t("s_b", s_in * s_w), _t("s_fb", s_a * s_f), _t("zero", 0.0),
               _t("b3", 3), _t("b4", 4), _t("b32", 32), *(inits or [])]
    g = helper.make_graph(nodes, "q", [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, list(in_shape))], [helper.make_tensor_value_info(
            "y", TensorProto.FLOAT, [1, 5])], tensors)
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17),
                                                helper.make_opsetid(QD, 1)])
    onnx.save(model, str(path))
    return path


def _convert_file(path: Path):  # noqa: ANN202
    return run_convert(ConvertOptions(model=str(path), dataset="random",
                                      input_shape=(1, 6, 6)), progress=False)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_golden_equals_the_qonnx_executor_exactly(seed: int, tmp_path: Path) -> None:
    """Random weights at power-of-two scales, FLOOR activations: the model's own integer
    weights, and every score of every image equal to the executor's (in the output unit)."""
    path = qonnx_graph(tmp_path / "q.onnx", seed)
    res = _convert_file(path)
    net = res.net
    assert (net.T, net.W, net.input_scale) == (4, 3, 2.0 ** -4)
    w = onnx.numpy_helper.to_array(next(t for t in onnx.load(str(path)).graph.initializer
                                        if t.name == "w"))
    np.testing.assert_array_equal(net.synaptic_layers[0].weight,
                                  np.clip(np.round(w / 0.25), -3, 3))
    x = torch.rand(200, 1, 6, 6)
    ref = run_qonnx(path, x.numpy())
    u = golden.run_fast(net, golden.input_levels(net, x))
    unit = net.synaptic_layers[-1].act_scale
    np.testing.assert_array_equal(u, ref.astype(np.float64) / unit)  # integers, all equal
    assert np.ptp(u) > 0  # not a trivial network
    chk = check_reference(net, _given(path), str(path), x, None, False)
    assert (chk.exact, chk.class_matches, chk.score_matches) == (True, 200, 200)


def _given(path: Path):  # noqa: ANN202
    return load_onnx(path)[0].given_quant


def test_round_is_converted_with_the_difference_measured(tmp_path: Path) -> None:
    """ROUND activations round exact ties to even; e3ne rounds them up: convert.json says so
    and counts the images where the two differ (scales chosen so that ties occur)."""
    path = qonnx_graph(tmp_path / "r.onnx", 3, replace={"a": _quant("r", "a", "s_a", "b4",
                                                                       signed=0, mode="ROUND")})
    res = _convert_file(path)
    ref = res.report.reference
    assert ref.exact is False and any("to the even one" in n for n in ref.notes)
    x = torch.rand(300, 1, 6, 6)
    chk = check_reference(res.net, _given(path), str(path), x, None, False)
    u = golden.run_fast(res.net, golden.input_levels(res.net, x))
    own = np.rint(run_qonnx(path, x.numpy()) / res.net.synaptic_layers[-1].act_scale)
    assert chk.score_matches == int((u == own).all(axis=1).sum()) < 300


def test_brevitas_module_and_its_qonnx_export_convert_alike(tmp_path: Path) -> None:
    """The example's Brevitas LeNet-5 (untrained, so quick): `e3ne convert file.py:Class`
    exports it itself; the same network as from its QONNX file; the executor agrees on
    every image."""
    spec = f"{EXAMPLE}:LeNet5W3A4"
    out = tmp_path / "m"
    assert main(["convert", spec, "--dataset", "mnist", "--input-shape", "1,32,32",
                 "--out", str(out)]) == 0
    doc = json.loads((out / "convert.json").read_text())
    ref = doc["reference"]
    assert ref["exact"] and ref["class_matches"] == ref["score_matches"] == ref["images"]
    assert doc["float_accuracy"] == ref["accuracy"] and doc["T"] == 4 and doc["W"] == 3


def test_cli_compiles_and_verifies_a_qonnx_file(tmp_path: Path) -> None:
    path = qonnx_graph(tmp_path / "q.onnx", 4, in_shape=(1, 1, 8, 8))
    out = tmp_path / "d"
    assert main(["compile", str(path), "--dataset", "digits", "--out", str(out)]) == 0
    plan = json.loads((out / "rtl" / "plan.json").read_text())
    assert plan["input_scale"] == 2.0 ** -4
    assert main(["verify", str(out), "--images", "8"]) == 0
    assert json.loads((out / "verify.json").read_text())["mismatches"] == 0


# --- bad input: one line, naming the file and the node -------------------------------
def _relu_quant(s: str = "s_a", bits: str = "b4", **kw) -> dict:  # noqa: ANN003
    return {"a": _quant("r", "a", s, bits, **{"signed": 0, **kw})}


BAD = {
    "signed_activation": ({"replace": _relu_quant(signed=1)}, r"'/a/Quant' \(Quant\): a "
                          "signed activation"),
    "narrow_activation": ({"replace": _relu_quant(narrow=1)}, r"narrow-range activation"),
    "zero_point": ({"replace": _relu_quant(zp="one"), "inits": [_t("one", 1.0)]},
                   r"zero point"),
    "per_channel_activation": ({"replace": _relu_quant(s="s4"), "inits": [
        _t("s4", np.full((1, 4, 1, 1), 0.125))]}, r"4 activation scales \(per channel\)"),
    "two_widths": ({"replace": _relu_quant(bits="b3")}, r"a 3-bit activation, but the input "
                   "is 4-bit"),
    "ceil_rounding": ({"replace": _relu_quant(mode="CEIL")}, r"rounding_mode CEIL"),
    "floor_input": ({"replace": {"xq": _quant("x", "xq", "s_in", "b4", signed=0)}},
                    r"the input Quant rounds with FLOOR"),
    "bipolar_activation": ({"replace": {"a": _quant("r", "a", "s_a", "b4", signed=0,
                                                    op="BipolarQuant")}},
                           r"bipolar \(signed, \+-1\) activation"),
    "trunc": ({"replace": {"a": helper.make_node("Trunc", ["r", "s_a", "zero", "b4", "b3"],
                                                 ["a"], name="/t/Trunc", domain=QD)}},
              r"Trunc: Brevitas's truncating average pool"),
    "unquantised_input": ({"replace": {"xq": helper.make_node("Identity", ["x"], ["xq"],
                                                              name="/i/Identity")}},
                          r"the graph input is not quantised"),
    "unquantised_weights": ({"replace": {"wq": helper.make_node("Identity", ["w"], ["wq"],
                                                                name="/wi/Identity")}},
                            r"'/conv/Conv' \(Conv\): its weights are not quantised"),
    "unquantised_relu": ({"replace": {"a": helper.make_node("Identity", ["r"], ["a"],
                                                            name="/ai/Identity")}},
                         r"'/relu/Relu' \(Relu\): its output is not quantised"),
    "requantised": ({"replace": {"f": None}, "extra": [
        _quant("p", "p2", "s_w", "b4", signed=0),
        helper.make_node("Flatten", ["p2"], ["f"], name="/flat/Flatten")]},
        r"requantises a 0.125-scaled activation to scale 0.25"),
    "dynamic_scale": ({"replace": _relu_quant(s="c")}, r"its scale is not an initialiser"),
    "zero_weight_point": ({"replace": {"wq": _quant("w", "wq", "s_w", "b3", signed=1,
                                                    narrow=1, zp="one")},
                           "inits": [_t("one", 1.0)]}, r"'/wq/Quant' \(Quant\): zero point"),
    "residual_join": ({"replace": {"p": None, "f": None}, "extra": [
        helper.make_node("Add", ["a", "xq"], ["s"], name="/add/Add"),
        helper.make_node("MaxPool", ["s"], ["p"], name="/pool/MaxPool", kernel_shape=[2, 2],
                         strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"], name="/flat/Flatten")]},
        r"'/add/Add' \(Add\): a residual join in a QONNX graph"),
    "unknown_custom_op": ({"replace": {"a": helper.make_node("MultiThreshold", ["r", "s_a"],
                                                             ["a"], name="/mt/MT",
                                                             domain=QD)}},
                          r"MultiThreshold: an operator e3ne does not know"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_qonnx_graphs_are_refused_in_one_line(case: str, tmp_path: Path) -> None:
    kw, message = BAD[case]
    path = qonnx_graph(tmp_path / f"{case}.onnx", **kw)
    with pytest.raises(E3neError, match=message) as e:
        load_onnx(path)
    text = str(e.value)
    assert "\n" not in text and str(path) in text


def test_widths_and_retraining_are_the_models_own(tmp_path: Path, capsys) -> None:
    """T and W come from the graph (so explore and compile take them too); -T/-W may only
    repeat them; QAT is refused."""
    path = qonnx_graph(tmp_path / "q.onnx")
    assert resolve(ConvertOptions(model=str(path), dataset="random"))[4:6] == (4, 3)
    for flags, message in ((["-T", "3"], "-T 3: "), (["-W", "4"], "-W 4: "),
                           (["--qat-epochs", "1"], "--qat-epochs: ")):
        assert main(["convert", str(path), "--dataset", "random", "--out",
                     str(tmp_path / "o"), *flags]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].count(message) == 1 and "quantised already" in err[0]
    assert main(["convert", str(path), "--dataset", "random", "-T", "4", "--out",
                 str(tmp_path / "o")]) == 0
