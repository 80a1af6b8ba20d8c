"""ONNX files in: a float ONNX graph rebuilt as the PyTorch module it describes.

The graph's nodes become the modules and calls the PyTorch front end already takes
(``e3ne.frontend.trace``): Conv -> ``nn.Conv1d/2d``, Gemm (or MatMul + Add) -> ``nn.Linear``,
BatchNormalization -> ``nn.BatchNorm1d/2d``, Relu / Clip(0, c) -> ``nn.ReLU`` /
``nn.Hardtanh(0, c)``, MaxPool / AveragePool / GlobalAveragePool -> pools, Flatten and a
flattening Reshape -> ``nn.Flatten``, Dropout / Identity -> nothing, Softmax /
LogSoftmax at the end, Add and Concat (residual blocks, concatenations). So an ONNX model
is calibrated, quantised and refused exactly like the PyTorch one, and every check of the
front end applies to it too.

Module names come from the node names PyTorch's exporter writes (``/features/features.0/Conv``
-> ``features.0``), so a model exported with ``torch.onnx.export`` converts to the same
network (layer names included) as the module it came from; other graphs get names from
their nodes. The input shape is the graph's (its batch axis may be symbolic; no other).
"""

from __future__ import annotations

import operator
import re
from pathlib import Path

import numpy as np
import torch
import torch.fx as fx
from torch import nn

from e3ne.errors import ConfigError, FormatError, first_line
from e3ne.frontend.qonnx_import import GivenQuant, is_qonnx, node_attrs, rewrite_qonnx

SUPPORTED = ("Conv", "Gemm", "MatMul", "Add", "BatchNormalization", "Relu", "Clip",
             "MaxPool", "AveragePool", "GlobalAveragePool", "Flatten", "Reshape", "Dropout",
             "Identity", "Softmax", "LogSoftmax", "Concat")
MIN_OPSET, MAX_OPSET = 7, 23  # default-domain opsets whose operators these match


def is_onnx_spec(spec: str) -> bool:
    return spec.lower().endswith(".onnx")


class _Graph:
    """The ONNX graph's tensors as the rebuilt graph's values, and its constants."""

    def __init__(self, path: Path) -> None:
        import onnx
        from onnx import numpy_helper

        self.path = path
        try:
            model = onnx.load(str(path))
        except Exception as e:  # a truncated or foreign file: protobuf's own message
            raise FormatError(f"{path}: not a readable ONNX model ({first_line(e, 160)})"
                              ) from None
        opsets = {o.domain or "ai.onnx": o.version for o in model.opset_import}
        v = opsets.get("ai.onnx")
        if v is None or not MIN_OPSET <= v <= MAX_OPSET:
            raise FormatError(f"{path}: opset {v} of the default domain; e3ne reads opsets "
                              f"{MIN_OPSET} to {MAX_OPSET}")
        self.model, self.g = model, model.graph
        self.consts = {t.name: numpy_helper.to_array(t) for t in self.g.initializer}
        for n in self.g.node:  # Constant nodes are constants too
            if n.op_type == "Constant":
                self.consts[n.output[0]] = numpy_helper.to_array(
                    next(a.t for a in n.attribute if a.name == "value"))
        # a QONNX graph: its Quant nodes read off and rewritten away (e3ne.frontend.qonnx)
        self.given: GivenQuant | None = None
        self.lsbs: dict[str, np.ndarray] = {}  # a quantised weight tensor -> its LSB
        if is_qonnx(model):
            self.given, self.lsbs = rewrite_qonnx(model, path, self.consts)
        for n in self.g.node:  # an Identity of a constant (shared weights) is one too
            if n.op_type == "Identity" and n.input[0] in self.consts:
                self.consts[n.output[0]] = self.consts[n.input[0]]

    def where(self, node) -> str:  # noqa: ANN001
        return f"{self.path}: node {node.name or node.output[0]!r} ({node.op_type})"

    def const(self, node, k: int, what: str) -> np.ndarray:  # noqa: ANN001
        if k >= len(node.input) or node.input[k] not in self.consts:
            name = node.input[k] if k < len(node.input) else "missing"
            raise FormatError(f"{self.where(node)}: its {what} ({name}) is not an "
                              "initialiser or constant; e3ne needs fixed weights")
        return self.consts[node.input[k]]

    def set_lsb(self, node, m: nn.Module, k: int, out_axis: int) -> None:  # noqa: ANN001
        """A quantised weight's LSB per output channel onto its module (``weight_lsb``),
        for the fold to keep the model's own integers."""
        lsb = self.lsbs.get(node.input[k])
        if lsb is None:
            return
        rows = np.moveaxis(lsb, out_axis, 0).reshape(lsb.shape[out_axis], -1)
        if (rows != rows[:, :1]).any():
            raise FormatError(f"{self.where(node)}: its weight scale varies within an output "
                              "channel; e3ne takes one per tensor or per output channel")
        m.weight_lsb = torch.from_numpy(rows[:, 0].copy())

    def input_shape(self) -> tuple[int, ...]:
        inputs = [i for i in self.g.input if i.name not in self.consts]
        if len(inputs) != 1:
            raise FormatError(f"{self.path}: {len(inputs)} graph inputs "
                              f"({', '.join(i.name for i in inputs)}); e3ne takes one")
        dims = inputs[0].type.tensor_type.shape.dim
        shape = [d.dim_value if d.HasField("dim_value") else None for d in dims]
        if len(shape) < 2 or any(d is None or d < 1 for d in shape[1:]):
            raise FormatError(f"{self.path}: input {inputs[0].name!r} has shape "
                              f"{[d if d is not None else '?' for d in shape]}; e3ne needs "
                              "fixed sizes after the batch axis")
        if inputs[0].type.tensor_type.elem_type != 1:
            raise FormatError(f"{self.path}: input {inputs[0].name!r} is not float32")
        return tuple(shape[1:])


def _module_name(node, taken: set[str]) -> str:  # noqa: ANN001
    """``/features/features.0/Conv`` -> ``features.0``, ``/features/features.3/conv1/Conv``
    -> ``features.3.conv1``, ``/features/features.4/downsample/downsample.0/Conv`` ->
    ``features.4.downsample.0`` (PyTorch's exporter names nodes by their module);
    otherwise the node's name (or op) made a Python-safe dotted name."""
    parts = [p for p in (node.name or "").split("/") if p][:-1]  # the scopes, not the op
    name = ""
    for part in parts:  # a child's name, or (a Sequential's) its parent's name + ".k"
        last = name.rsplit(".", 1)[-1]
        name = (name[:len(name) - len(last)] + part if name and part.startswith(last + ".")
                else f"{name}.{part}" if name else part)
    if not name or not all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*|\d+", p)
                           for p in name.split(".")):
        stem = re.sub(r"\W+", "_", node.name or node.op_type).strip("_").lower() or "node"
        name = stem if not stem[0].isdigit() else f"n_{stem}"
    base, k = name, 1
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


def _pads(g: _Graph, node, a: dict, rank: int) -> tuple[int, ...]:  # noqa: ANN001
    if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise FormatError(f"{g.where(node)}: auto_pad={a['auto_pad']!r}; e3ne reads explicit "
                          "pads only (export with auto_pad NOTSET)")
    pads = list(a.get("pads", [0] * (2 * rank)))
    if pads[:rank] != pads[rank:]:
        raise FormatError(f"{g.where(node)}: pads {pads} pad the two sides differently; "
                          "e3ne takes symmetric padding only")
    return tuple(pads[:rank])


def _conv(g: _Graph, node, a: dict) -> nn.Module:  # noqa: ANN001
    w = g.const(node, 1, "weight")
    rank = w.ndim - 2
    if rank not in (1, 2):
        raise FormatError(f"{g.where(node)}: a {rank}-D convolution; e3ne takes 1-D and 2-D")
    if any(d != 1 for d in a.get("dilations", [1] * rank)):
        raise FormatError(f"{g.where(node)}: dilations {a['dilations']}; e3ne takes 1 only")
    groups = int(a.get("group", 1))
    cls = nn.Conv1d if rank == 1 else nn.Conv2d
    m = cls(w.shape[1] * groups, w.shape[0], tuple(w.shape[2:]),
            stride=tuple(a.get("strides", [1] * rank)), padding=_pads(g, node, a, rank),
            groups=groups, bias=len(node.input) > 2 and bool(node.input[2]))
    m.weight.data = torch.from_numpy(np.array(w, dtype=np.float32))
    if m.bias is not None:
        m.bias.data = torch.from_numpy(np.array(g.const(node, 2, "bias"), dtype=np.float32))
    g.set_lsb(node, m, 1, 0)
    return m


def _linear(w: np.ndarray, b: np.ndarray | None) -> nn.Module:
    m = nn.Linear(w.shape[1], w.shape[0], bias=b is not None)
    m.weight.data = torch.from_numpy(np.array(w, dtype=np.float32))
    if b is not None:
        m.bias.data = torch.from_numpy(np.array(b, dtype=np.float32).reshape(-1))
    return m


def _matmul(g: _Graph, node, w: np.ndarray, b: np.ndarray | None) -> nn.Module:  # noqa: ANN001
    m = _linear(w.T, b)
    g.set_lsb(node, m, 1, 1)
    return m


def _gemm(g: _Graph, node, a: dict) -> nn.Module:  # noqa: ANN001
    if a.get("transA", 0) or float(a.get("alpha", 1.0)) != 1.0 or (
            len(node.input) > 2 and float(a.get("beta", 1.0)) != 1.0):
        raise FormatError(f"{g.where(node)}: transA, alpha or beta other than the defaults; "
                          "e3ne takes Y = X W^T + b")
    w = g.const(node, 1, "weight")
    w = w if a.get("transB", 0) else w.T
    b = g.const(node, 2, "bias") if len(node.input) > 2 and node.input[2] else None
    m = _linear(w, b)
    g.set_lsb(node, m, 1, 0 if a.get("transB", 0) else 1)
    return m


def _batchnorm(g: _Graph, node, a: dict, image: bool) -> nn.Module:  # noqa: ANN001
    scale, bias, mean, var = (g.const(node, k, what) for k, what in
                              enumerate(("scale", "bias", "mean", "variance"), 1))
    m = (nn.BatchNorm2d if image else nn.BatchNorm1d)(len(scale),
                                                      eps=float(a.get("epsilon", 1e-5)))
    for t, v in ((m.weight, scale), (m.bias, bias), (m.running_mean, mean),
                 (m.running_var, var)):
        t.data = torch.from_numpy(np.array(v, dtype=np.float32))
    return m


def _pool(g: _Graph, node, a: dict) -> nn.Module:  # noqa: ANN001
    k = tuple(a["kernel_shape"])
    rank = len(k)
    if a.get("ceil_mode", 0):
        raise FormatError(f"{g.where(node)}: ceil_mode=1; e3ne takes ceil_mode 0")
    if any(d != 1 for d in a.get("dilations", [1] * rank)):
        raise FormatError(f"{g.where(node)}: dilations {a['dilations']}; e3ne takes 1 only")
    s, p = tuple(a.get("strides", [1] * rank)), _pads(g, node, a, rank)
    if node.op_type == "MaxPool":
        if len(node.output) > 1 and node.output[1]:
            raise FormatError(f"{g.where(node)}: returns indices; e3ne takes the values only")
        return (nn.MaxPool1d if rank == 1 else nn.MaxPool2d)(k if rank > 1 else k[0],
                                                             s if rank > 1 else s[0],
                                                             p if rank > 1 else p[0])
    cls = nn.AvgPool1d if rank == 1 else nn.AvgPool2d
    return cls(k if rank > 1 else k[0], s if rank > 1 else s[0], p if rank > 1 else p[0],
               count_include_pad=bool(a.get("count_include_pad", 0)))


def onnx_facts(path: str | Path) -> tuple[tuple[int, ...], GivenQuant | None]:
    """The input shape (without the batch axis) of the ONNX model at ``path``, and a QONNX
    model's own quantisation (T, W, input scale, rounding; None for float ONNX), from one
    reading of the file."""
    g = _Graph(Path(path))
    return g.input_shape(), g.given


def load_onnx(path: str | Path) -> tuple[nn.Module, tuple[int, ...]]:
    """The ONNX model at ``path`` as a module (an ``fx.GraphModule``) and its input shape
    (without the batch axis); FormatError or ConfigError naming the file and node for
    anything it cannot take."""
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise ConfigError("ONNX models need the onnx package: pip install onnx") from None
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"model {str(path)!r}: file {p} not found")
    g = _Graph(p)
    shape = g.input_shape()
    root = nn.Module()
    graph = fx.Graph()
    x_name = next(i.name for i in g.g.input if i.name not in g.consts)
    values: dict[str, fx.Node] = {x_name: graph.placeholder("x")}
    taken: set[str] = set()
    nodes = [n for n in g.g.node if n.op_type != "Constant" and not (
        n.op_type == "Identity" and n.input[0] in g.consts)]
    pending_matmul: dict[str, tuple] = {}  # MatMul output -> (input value, weight, name)

    def value(node, k: int) -> fx.Node:  # noqa: ANN001
        name = node.input[k]
        if name in pending_matmul:  # a MatMul not followed by its bias Add: a Linear alone
            src, w, mname, mm = pending_matmul.pop(name)
            values[name] = _add_module(root, graph, mname, _matmul(g, mm, w, None), src)
        if name not in values:
            raise FormatError(f"{g.where(node)}: input {name!r} is neither the graph input "
                              "nor computed by a node e3ne takes")
        return values[name]

    for i, node in enumerate(nodes):
        op, a, out = node.op_type, node_attrs(node), node.output[0]
        if node.domain not in ("", "ai.onnx"):
            raise FormatError(f"{g.where(node)}: operator domain {node.domain!r} (a custom "
                              "operator); e3ne reads plain ONNX operators: "
                              f"{', '.join(SUPPORTED)}")
        if op not in SUPPORTED:
            raise FormatError(f"{g.where(node)}: operator {op} is not supported; e3ne takes "
                              f"{', '.join(SUPPORTED)}")
        last = i == len(nodes) - 1
        if op == "Conv":
            values[out] = _add_module(root, graph, _module_name(node, taken),
                                      _conv(g, node, a), value(node, 0))
        elif op == "Gemm":
            values[out] = _add_module(root, graph, _module_name(node, taken),
                                      _gemm(g, node, a), value(node, 0))
        elif op == "MatMul":
            w = g.const(node, 1, "weight")
            if w.ndim != 2:
                raise FormatError(f"{g.where(node)}: a MatMul by a {w.ndim}-D tensor; e3ne "
                                  "takes a matrix (a fully connected layer)")
            pending_matmul[out] = (value(node, 0), w, _module_name(node, taken), node)
        elif op == "Add" and (node.input[0] in pending_matmul
                              and node.input[1] in g.consts):
            src, w, mname, mm = pending_matmul.pop(node.input[0])
            values[out] = _add_module(root, graph, mname,
                                      _matmul(g, mm, w, g.consts[node.input[1]]), src)
        elif op == "Add":
            if any(n in g.consts for n in node.input):
                raise FormatError(f"{g.where(node)}: adds a constant; e3ne takes a bias only "
                                  "as part of a Conv, Gemm or MatMul")
            values[out] = graph.call_function(operator.add, (value(node, 0), value(node, 1)))
        elif op == "Concat":
            values[out] = graph.call_function(torch.cat, (
                [value(node, k) for k in range(len(node.input))],), {"dim": int(a["axis"])})
        elif op == "BatchNormalization":
            if len(node.output) > 1 and any(node.output[1:]):
                raise FormatError(f"{g.where(node)}: a training-mode BatchNormalization; "
                                  "export the model in eval mode")
            values[out] = _add_module(root, graph, _module_name(node, taken),
                                      _batchnorm(g, node, a, len(shape) == 3),
                                      value(node, 0))
        elif op == "Relu":
            values[out] = _add_module(root, graph, _module_name(node, taken), nn.ReLU(),
                                      value(node, 0))
        elif op == "Clip":
            lo = a.get("min") if "min" in a else (
                float(g.const(node, 1, "min")) if len(node.input) > 1 and node.input[1]
                else None)
            hi = a.get("max") if "max" in a else (
                float(g.const(node, 2, "max")) if len(node.input) > 2 and node.input[2]
                else None)
            if lo != 0 or hi is None or hi <= 0:
                raise FormatError(f"{g.where(node)}: clips to [{lo}, {hi}]; e3ne takes a "
                                  "clipped ReLU, Clip(0, c) with c > 0")
            values[out] = _add_module(root, graph, _module_name(node, taken),
                                      nn.Hardtanh(0.0, float(hi)), value(node, 0))
        elif op in ("MaxPool", "AveragePool"):
            values[out] = _add_module(root, graph, _module_name(node, taken),
                                      _pool(g, node, a), value(node, 0))
        elif op == "GlobalAveragePool":
            rank = len(shape) - 1
            values[out] = _add_module(root, graph, _module_name(node, taken),
                                      (nn.AdaptiveAvgPool1d if rank == 1 else
                                       nn.AdaptiveAvgPool2d)(1), value(node, 0))
        elif op == "Flatten":
            if int(a.get("axis", 1)) != 1:
                raise FormatError(f"{g.where(node)}: Flatten(axis={a['axis']}); e3ne takes "
                                  "axis 1 (keep the batch axis)")
            values[out] = _add_module(root, graph, _module_name(node, taken), nn.Flatten(),
                                      value(node, 0))
        elif op == "Reshape":
            target = [int(v) for v in g.const(node, 1, "shape").reshape(-1)]
            if len(target) != 2 or target[1] not in (-1,) and target[0] not in (-1, 0, 1):
                raise FormatError(f"{g.where(node)}: Reshape to {target}; e3ne takes a "
                                  "flatten to [N, -1] only")
            values[out] = _add_module(root, graph, _module_name(node, taken), nn.Flatten(),
                                      value(node, 0))
        elif op in ("Dropout", "Identity"):
            values[out] = value(node, 0)
        elif op in ("Softmax", "LogSoftmax"):
            if not last:
                raise FormatError(f"{g.where(node)}: {op} before the end; e3ne takes it as "
                                  "the last node only (the class is its argmax)")
            values[out] = value(node, 0)
    outs = [o.name for o in g.g.output]
    if len(outs) != 1:
        raise FormatError(f"{p}: {len(outs)} graph outputs; e3ne takes one")
    if outs[0] in pending_matmul:
        src, w, mname, mm = pending_matmul.pop(outs[0])
        values[outs[0]] = _add_module(root, graph, mname, _matmul(g, mm, w, None), src)
    if outs[0] not in values:
        raise FormatError(f"{p}: output {outs[0]!r} is not computed by the nodes e3ne takes")
    graph.output(values[outs[0]])
    module = fx.GraphModule(root, graph, class_name=re.sub(r"\W", "_", p.stem) or "Onnx")
    module.given_quant = g.given  # a QONNX graph's own quantisation (None: plain ONNX)
    return module.eval(), shape


def _add_module(root: nn.Module, graph: fx.Graph, name: str, m: nn.Module,
                src: fx.Node) -> fx.Node:
    """``m`` at the dotted path ``name`` under ``root`` (containers made on the way), called
    on ``src``."""
    *parents, leaf = name.split(".")
    owner = root
    for part in parents:
        if not hasattr(owner, part):
            owner.add_module(part, nn.Module())
        owner = getattr(owner, part)
    owner.add_module(leaf, m)
    return graph.call_module(name, (src,))
