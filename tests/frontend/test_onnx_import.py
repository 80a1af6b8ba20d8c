"""ONNX models in: zoo models exported by torch.onnx.export convert to the very network
their PyTorch modules convert to; the rebuilt module computes what onnxruntime computes;
bad ONNX files and graphs are refused in one line naming the file and the node."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper

from e3ne.api import convert
from e3ne.cli import main
from e3ne.errors import E3neError
from e3ne.frontend.onnx_import import load_onnx
from e3ne.frontend.quantize import QuantConfig
from e3ne.models import ZOO, build_model


def export(model: torch.nn.Module, x: torch.Tensor, path: Path) -> Path:
    """torch.onnx.export as the docs advise: do_constant_folding=False keeps BatchNorm a
    node of its own (folded, PyTorch fuses it into the conv in float32 and the weights then
    differ from the module's in the last bits)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, x, str(path), dynamo=False, do_constant_folding=False)
    return path


def _same_network(a, b) -> bool:
    if [ly.to_json() for ly in a.layers] != [ly.to_json() for ly in b.layers]:
        return False
    for la, lb in zip(a.layers, b.layers, strict=True):
        xa, xb = la.arrays(), lb.arrays()
        if xa.keys() != xb.keys() or not all(np.array_equal(xa[k], xb[k]) for k in xa):
            return False
    return (a.input_shape, a.T, a.W) == (b.input_shape, b.T, b.W)


@pytest.mark.parametrize("name", ["lenet5", "mobilenet_tiny", "resnet8", "kws", "alexnet"])
def test_exported_zoo_model_converts_to_the_same_network(name: str, tmp_path: Path) -> None:
    """Layer names, fields and every integer array equal (conv + BN, ReLU6, depthwise,
    residual blocks with projection shortcuts, 1-D)."""
    entry = ZOO[name]
    model = build_model(name).eval()
    x = torch.rand(16, *entry.input_shape)
    rebuilt, shape = load_onnx(export(model, x[:1], tmp_path / f"{name}.onnx"))
    assert shape == tuple(entry.input_shape)
    cfg = QuantConfig(T=entry.T, W=entry.W)
    assert _same_network(convert(model, x, cfg), convert(rebuilt, x, cfg))


@pytest.mark.parametrize("name", ["lenet5", "resnet8", "kws"])
def test_rebuilt_module_computes_what_onnxruntime_computes(name: str, tmp_path: Path) -> None:
    import onnxruntime as ort

    entry = ZOO[name]
    model = build_model(name).eval()
    path = export(model, torch.rand(1, *entry.input_shape), tmp_path / "m.onnx")
    rebuilt, _ = load_onnx(path)
    x = torch.rand(1, *entry.input_shape)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    ref = sess.run(None, {sess.get_inputs()[0].name: x.numpy()})[0]
    with torch.no_grad():
        np.testing.assert_allclose(rebuilt(x).numpy(), ref, rtol=1e-4, atol=1e-5)


def test_cli_converts_and_compiles_an_onnx_file(tmp_path: Path) -> None:
    """`e3ne convert model.onnx` takes the graph's input shape; the design verifies."""
    model = build_model("lenet5").eval()
    path = export(model, torch.rand(1, 1, 32, 32), tmp_path / "lenet5.onnx")
    out = tmp_path / "d"
    assert main(["compile", str(path), "--dataset", "mnist", "--calib-images", "64",
                 "--out", str(out)]) == 0
    assert main(["verify", str(out), "--images", "4"]) == 0


# --- bad input: one line, naming the file and the node -------------------------------
X = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 6, 6])
Y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)


def _w(name: str, *shape: int) -> TensorProto:
    return numpy_helper.from_array(np.ones(shape, np.float32), name)


def _conv_graph(**attrs) -> tuple[list, list]:
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], name="/conv/Conv",
                            kernel_shape=[3, 3], **attrs)
    return [node], [_w("w", 2, 1, 3, 3), _w("b", 2)]


def _save(path: Path, nodes: list, inits: list, inputs=(X,), opset: int = 17,
          outputs=(Y,)) -> Path:
    g = helper.make_graph(nodes, "g", list(inputs), list(outputs), inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)]), str(path))
    return path


def _relu_then(op: str, **attrs) -> tuple[list, list]:
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="/act/Relu"),
             helper.make_node(op, ["r"], ["y"], name=f"/p/{op}", **attrs)]
    return nodes, []


BAD = {
    "unsupported_op": (lambda: ([helper.make_node("Sigmoid", ["x"], ["y"], name="/s/Sigmoid")],
                                []), {}, r"node '/s/Sigmoid' \(Sigmoid\): operator Sigmoid is "
                                     r"not supported"),
    "asymmetric_pads": (lambda: _conv_graph(pads=[0, 0, 1, 1]), {},
                        r"node '/conv/Conv' \(Conv\): pads \[0, 0, 1, 1\] pad the two sides "
                        "differently"),
    "dilation": (lambda: _conv_graph(dilations=[2, 2]), {}, r"dilations \[2, 2\]"),
    "auto_pad": (lambda: _conv_graph(auto_pad="SAME_UPPER"), {}, r"auto_pad"),
    "missing_initialiser": (lambda: ([helper.make_node("Conv", ["x", "w"], ["y"],
                                                       name="/conv/Conv", kernel_shape=[3, 3])],
                                     []), {}, r"its weight \(w\) is not an initialiser"),
    "signed_activation": (lambda: ([helper.make_node("Clip", ["x"], ["y"], name="/c/Clip",
                                                     min=-1.0, max=1.0)], []),
                          {"opset": 10}, r"clips to \[-1.0, 1.0\]"),
    "custom_domain": (lambda: ([helper.make_node("Foo", ["x"], ["y"], name="/q/Foo",
                                                 domain="com.example")], []), {},
                      r"operator domain 'com.example'"),
    "softmax_not_last": (lambda: ([helper.make_node("Softmax", ["x"], ["s"], name="/sm"),
                                   helper.make_node("Relu", ["s"], ["y"], name="/r/Relu")],
                                  []), {}, r"Softmax before the end"),
    "ceil_mode": (lambda: _relu_then("MaxPool", kernel_shape=[2, 2], ceil_mode=1), {},
                  r"ceil_mode=1"),
    "flatten_axis": (lambda: _relu_then("Flatten", axis=2), {}, r"Flatten\(axis=2\)"),
    "gemm_alpha": (lambda: ([helper.make_node("Flatten", ["x"], ["f"], name="/f/Flatten"),
                             helper.make_node("Gemm", ["f", "w", "b"], ["y"], name="/fc/Gemm",
                                              alpha=2.0, transB=1)],
                            [_w("w", 3, 36), _w("b", 3)]), {}, r"alpha or beta"),
    "old_opset": (lambda: _conv_graph(), {"opset": 5}, r"opset 5 of the default domain"),
    "dynamic_shape": (lambda: _conv_graph(), {"inputs": (helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, ["N", 1, "H", 6]),)}, r"input 'x' has shape \['\?', 1, '\?', 6\]"),
    "two_inputs": (lambda: ([helper.make_node("Add", ["x", "x2"], ["y"], name="/a/Add")], []),
                   {"inputs": (X, helper.make_tensor_value_info("x2", TensorProto.FLOAT,
                                                                [1, 1, 6, 6]))},
                   r"2 graph inputs \(x, x2\)"),
    "matmul_3d": (lambda: ([helper.make_node("MatMul", ["x", "w"], ["y"], name="/m/MatMul")],
                           [_w("w", 2, 6, 6)]), {}, r"a MatMul by a 3-D tensor"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_graphs_are_refused_in_one_line(case: str, tmp_path: Path) -> None:
    build, kw, message = BAD[case]
    nodes, inits = build()
    path = _save(tmp_path / f"{case}.onnx", nodes, inits, **kw)
    with pytest.raises(E3neError, match=message) as e:
        load_onnx(path)
    text = str(e.value)
    assert "\n" not in text and str(path) in text


def test_truncated_and_missing_files(tmp_path: Path, capsys) -> None:
    nodes, inits = _conv_graph()
    good = _save(tmp_path / "good.onnx", nodes, inits)
    cut = tmp_path / "cut.onnx"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with pytest.raises(E3neError, match=r"cut.onnx: not a readable ONNX model"):
        load_onnx(cut)
    assert main(["convert", str(tmp_path / "nope.onnx"), "--dataset", "digits",
                 "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope.onnx not found" in err[0], err
    assert main(["convert", str(cut), "--dataset", "digits", "--out",
                 str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a readable ONNX model" in err[0], err
