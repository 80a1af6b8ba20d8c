"""Trace an ``nn.Module`` with torch.fx into a single chain of supported ops.

Everything unsupported is refused here, before any calibration or training, with one
line naming the module or op, where it sits, and why.
"""

from __future__ import annotations

import contextlib
import io
import operator
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.fx import GraphModule, Node, symbolic_trace
from torch.fx.passes.shape_prop import ShapeProp

from e3ne.errors import UnsupportedModel
from e3ne.frontend.ops import Op
from e3ne.layers import LAYER_KINDS

_DROP_MODULES = (nn.Dropout, nn.Dropout2d, nn.Dropout1d, nn.AlphaDropout, nn.Identity)
_BN_MODULES = (nn.BatchNorm2d, nn.BatchNorm1d)
_OTHER_ACTIVATIONS = (
    nn.Sigmoid, nn.Tanh, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU,
    nn.PReLU, nn.Softplus, nn.Mish, nn.Hardswish, nn.Hardsigmoid, nn.SELU, nn.CELU,
    nn.Softsign, nn.Tanhshrink, nn.LogSigmoid, nn.Threshold, nn.RReLU,
)
_NOT_RELU = ("only ReLU and clipped ReLU (ReLU6, Hardtanh(0, c), clamp(0, c)) can be "
             "radix-encoded")
_WHY_BY_CLASS: list[tuple[tuple[type, ...], str]] = [
    (_OTHER_ACTIVATIONS, _NOT_RELU),
    ((nn.Conv3d,), "3-D convolutions are not supported; use Conv2d or Conv1d"),
    ((nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d),
     "transposed convolutions are not supported; use Conv2d"),
    ((nn.RNNBase, nn.RNNCellBase), "recurrent layers are not supported; use Conv2d/Linear"),
    ((nn.MultiheadAttention, nn.Transformer, nn.TransformerEncoderLayer),
     "attention is not supported; use Conv2d/Linear"),
    ((nn.BatchNorm3d, nn.LayerNorm, nn.GroupNorm, nn.InstanceNorm1d, nn.InstanceNorm2d,
      nn.LocalResponseNorm),
     "only BatchNorm1d/2d right after a conv/linear layer can be folded"),
    ((nn.MaxPool3d, nn.AvgPool3d, nn.LPPool1d, nn.LPPool2d, nn.FractionalMaxPool2d),
     "only 1-D and 2-D max and average pooling are supported"),
    ((nn.Embedding, nn.EmbeddingBag), "embeddings are not supported"),
    ((nn.Upsample, nn.PixelShuffle), "upsampling is not supported"),
]
_FINAL_FUNCS = {F.softmax, F.log_softmax, torch.softmax, torch.log_softmax}
_RELU_FUNCS = {F.relu, torch.relu, F.relu_, torch.relu_}
_DROP_FUNCS = {F.dropout, F.dropout2d, F.dropout1d}
_AFFINE_FUNCS = {operator.sub: "sub", operator.truediv: "div", operator.mul: "mul",
                 operator.add: "add", operator.iadd: "add", torch.sub: "sub",
                 torch.div: "div", torch.mul: "mul", torch.add: "add"}
_IGNORED_METHODS = {"size", "dim", "contiguous"}


def _fn_name(target: Any) -> str:
    if isinstance(target, str):
        return target
    mod = getattr(target, "__module__", None) or ""
    name = getattr(target, "__name__", repr(target))
    if mod == "torch.nn.functional" and name.startswith("_") and hasattr(F, name[1:]):
        name = name[1:]  # F.threshold is F._threshold underneath
    if target is F.max_pool2d:
        name = "max_pool2d"
    short = {"torch.nn.functional": "F", "_operator": "operator"}.get(mod, mod)
    return f"{short}.{name}" if short else name


def _where(node: Node, gm: GraphModule) -> str:
    if node.op == "call_module":
        return f"layer '{node.target}' ({type(gm.get_submodule(node.target)).__name__})"
    if node.op == "call_method":
        return f"op '{node.name}' (.{node.target}()) in forward()"
    if node.op == "get_attr":
        return f"op '{node.name}' (self.{node.target}) in forward()"
    return f"op '{node.name}' ({_fn_name(node.target)}) in forward()"


def _bind(node: Node, names: list[str], defaults: dict[str, Any]) -> dict[str, Any]:
    """Positional + keyword arguments of a functional call, by parameter name."""
    bound = dict(defaults)
    bound.update(zip(names, node.args, strict=False))
    bound.update(node.kwargs)
    return bound


def _refuse(where: str, why: str) -> UnsupportedModel:
    return UnsupportedModel(f"{where}: {why}")


def _clipped_relu(where: str, name: str, lo: Any, hi: Any,
                  module: nn.Module | None = None) -> Op:
    """A clamp to [lo, hi]: a ReLU (hi None) or a ReLU clipped at hi, whose activation
    scale is then fixed by the clip (hi -> 2^T - 1) instead of calibrated."""
    for v, what in ((lo, "lower"), (hi, "upper")):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise _refuse(where, f"a clamp whose {what} bound is not a constant number "
                                 "cannot be radix-encoded")
    if lo is None or float(lo) != 0.0:
        raise _refuse(where, f"clamps to [{lo}, {hi}]; {_NOT_RELU}: the lower bound must "
                             "be 0")
    if hi is None:
        return Op("relu", where, name, module)
    if not float(hi) > 0:
        raise _refuse(where, f"clamps to [0, {hi}]; a clipped ReLU needs an upper bound > 0")
    return Op("relu", where, name, module, params={"clip": float(hi)})


def _global_mean(node: Node, where: str, name: str) -> Op:
    """``x.mean(dim=(2, 3))`` (or ``dim=2`` of a 1-D ``[N, C, L]``): global average pooling
    (AdaptiveAvgPool2d(1)), then a flatten unless ``keepdim=True`` (the chain walk adds it
    and checks the dims once it knows the input's rank)."""
    b = _bind(node, ["input", "dim", "keepdim"], {"dim": None, "keepdim": False})
    if b.get("dtype") is not None:
        raise _refuse(where, "a mean with a dtype is not supported")
    params = {"adaptive": 1, "mean_dims": b["dim"], "mean_flatten": not b["keepdim"]}
    return Op(LAYER_KINDS["avgpool"].kind, where, name, params=params,
              layer=LAYER_KINDS["avgpool"])


def _check_mean(op: Op, in_shape: tuple[int, ...] | None) -> None:
    """A mean over every spatial axis of its input (H and W, or L of a sequence)."""
    dims = op.params.pop("mean_dims")
    given = (dims,) if isinstance(dims, int) else tuple(dims) if dims is not None else ()
    rank = len(in_shape) if in_shape else 0
    spatial = list(range(2, rank))
    if not spatial or not all(isinstance(d, int) for d in given) or sorted(
            d % rank for d in given) != spatial:
        raise _refuse(op.where, f"a mean over dim={dims!r} is not supported; only the mean "
                                "over H and W (dim=(2, 3)), or over L of a 1-D [N, C, L] "
                                "input, i.e. global average pooling")


def _flatten_op(where: str, name: str, in_shape: tuple[int, ...],
                out_shape: tuple[int, ...]) -> Op:
    """A flatten the front end adds itself (before a model taking vectors, after a mean)."""
    flat = LAYER_KINDS["flatten"]
    return Op(flat.kind, where, name, layer=flat,
              params={"in_shape": in_shape, "out_shape": out_shape})


def _one_row(shape: tuple[int, ...] | None) -> tuple[int, ...] | None:
    """``[N, C, L]`` of a 1-D layer as the image ``[N, C, 1, L]``."""
    return (shape[0], shape[1], 1, shape[2]) if shape is not None and len(shape) == 3 else shape


def _classify_module(node: Node, gm: GraphModule) -> Op:
    m = gm.get_submodule(node.target)
    where, name = _where(node, gm), str(node.target)
    for cls in LAYER_KINDS.values():
        params = cls.match_module(m, where)
        if params is not None:
            return Op(cls.kind, where, name, m, params, layer=cls)
    if isinstance(m, _BN_MODULES):
        if not m.track_running_stats or m.running_mean is None:
            raise _refuse(where, "BatchNorm without running statistics cannot be folded; "
                                 "use track_running_stats=True")
        return Op("bn", where, name, m)
    if isinstance(m, nn.ReLU):
        return Op("relu", where, name, m)
    if isinstance(m, nn.Hardtanh):  # also ReLU6
        return _clipped_relu(where, name, m.min_val, m.max_val, m)
    if isinstance(m, _DROP_MODULES):
        return Op("drop", where, name, m)
    if isinstance(m, (nn.Softmax, nn.LogSoftmax)):
        return Op("final", where, name, m)
    for classes, why in _WHY_BY_CLASS:
        if isinstance(m, classes):
            raise _refuse(where, why)
    raise _refuse(where, f"module type {type(m).__name__} is not supported; supported: "
                         "Conv2d, Linear, BatchNorm1d/2d, ReLU, MaxPool2d, AvgPool2d, "
                         "Adaptive{Avg,Max}Pool2d, Flatten, Dropout, Identity, (Log)Softmax")


def _classify_function(node: Node, gm: GraphModule) -> Op | None:
    t, where, name = node.target, _where(node, gm), node.name
    for cls in LAYER_KINDS.values():
        params = cls.match_call(node.op, t, lambda names, defaults: _bind(node, names, defaults),
                                where)
        if params is not None:
            return Op(cls.kind, where, name, params=params, layer=cls)
    if node.op == "call_method":
        if t in _IGNORED_METHODS:
            return None
        if t in ("relu", "relu_"):
            return Op("relu", where, name)
        if t in ("softmax", "log_softmax"):
            return Op("final", where, name)
        if t in ("sub", "div", "mul", "add", "add_"):
            return Op("affine", where, name, params={"fn": t.rstrip("_")})
        if t in ("clamp", "clamp_", "clip", "clip_"):
            b = _bind(node, ["self", "min", "max"], {"min": None, "max": None})
            return _clipped_relu(where, name, b["min"], b["max"])
        if t in ("mean", "mean_"):
            return _global_mean(node, where, name)
        if t in ("sigmoid", "tanh", "sigmoid_", "tanh_"):
            raise _refuse(where, _NOT_RELU)
        raise _refuse(where, f".{t}() is not supported")
    if t in _RELU_FUNCS:
        return Op("relu", where, name)
    if t in _DROP_FUNCS:
        return Op("drop", where, name)
    if t in _FINAL_FUNCS:
        return Op("final", where, name)
    if t in _AFFINE_FUNCS:
        return Op("affine", where, name, params={"fn": _AFFINE_FUNCS[t]})
    if t in (operator.getitem,):
        return None
    if t is F.relu6:
        return _clipped_relu(where, name, 0, 6)
    if t in (F.hardtanh, F.hardtanh_):
        b = _bind(node, ["input", "min_val", "max_val"], {"min_val": -1.0, "max_val": 1.0})
        return _clipped_relu(where, name, b["min_val"], b["max_val"])
    if t in (torch.clamp, torch.clip, torch.clamp_, torch.clip_):
        b = _bind(node, ["input", "min", "max"], {"min": None, "max": None})
        return _clipped_relu(where, name, b["min"], b["max"])
    if t is torch.mean:
        return _global_mean(node, where, name)
    if t in (torch.sigmoid, torch.tanh, F.sigmoid, F.tanh, F.leaky_relu, F.gelu, F.silu,
             F.elu, F.softplus):
        raise _refuse(where, _NOT_RELU)
    if t in (torch.cat, torch.concat, torch.concatenate):
        b = _bind(node, ["tensors", "dim"], {"dim": 0})
        return Op("concat", where, name, params={"dim": b.get("dim", b.get("axis", 0)),
                                                 "tensors": b["tensors"]})
    if t is torch.stack:
        raise _refuse(where, "stacking is not supported; the model must be a chain of layers")
    if t in (F.conv2d, F.linear, F.conv1d, F.batch_norm):
        raise _refuse(where, "functional layers with weights are not supported; use the "
                             "nn.Conv2d / nn.Linear / nn.BatchNorm2d modules")
    raise _refuse(where, f"{_fn_name(t)} is not supported")


def _shape(node: Node) -> tuple[int, ...] | None:
    meta = node.meta.get("tensor_meta")
    return tuple(meta.shape) if meta is not None and hasattr(meta, "shape") else None


INPUT_KINDS = ("image", "vector", "sequence")


def trace_model(model: nn.Module, input_shape: tuple[int, int, int],
                input_kind: str = "image") -> list[Op]:
    """The model's single chain of ops, each with its input/output shapes in ``params``
    (always as images: ``[N, C, H, W]``, or ``[N, F]`` once flat).

    ``input_kind`` says what ``forward`` takes for the (C, H, W) stream the hardware takes:
    ``image`` that map; ``vector`` it flattened, ``[N, C·H·W]`` (the chain then starts with
    a flatten; HWC order equals PyTorch's flattening order when H = 1 or C = 1, as
    ``jobs.convert`` picks); ``sequence`` ``[N, C, L]`` with H = 1, W = L (1-D layers:
    Conv1d, pools, BatchNorm1d, a mean over L, which the chain sees as H = 1 images).
    """
    if input_kind not in INPUT_KINDS:
        raise ValueError(f"input_kind {input_kind!r}: expected one of {INPUT_KINDS}")
    if input_kind == "sequence" and input_shape[1] != 1:
        raise ValueError(f"a sequence input has H = 1, not {input_shape}")
    name = type(model).__name__
    try:
        gm = symbolic_trace(model)
    except Exception as e:  # torch.fx raises many kinds; one line is what the user needs
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        hint = ("give every module a forward()" if 'missing the required "forward"' in msg
                else "avoid data-dependent control flow")
        raise UnsupportedModel(
            f"model ({name}): torch.fx cannot trace forward() ({msg}); {hint}") from e

    # 1. Classify every node first, so unsupported ops are refused before running anything.
    placeholders = [n for n in gm.graph.nodes if n.op == "placeholder"]
    if len(placeholders) != 1:
        raise UnsupportedModel(
            f"model ({name}): forward() takes {len(placeholders)} inputs; expected one image "
            "tensor"
        )
    ops: dict[Node, Op] = {}
    for node in gm.graph.nodes:
        if node.op == "call_module":
            ops[node] = _classify_module(node, gm)
        elif node.op in ("call_function", "call_method"):
            op = _classify_function(node, gm)
            if op is not None:
                ops[node] = op

    # 2. Shapes, from one run on a batch of two.
    was_training = model.training
    model.eval()
    try:
        example = torch.rand(2, *input_shape)
        example = {"vector": example.flatten(1), "sequence": example[:, :, 0, :]}.get(
            input_kind, example)
        # ShapeProp prints a traceback of its own before it raises; the user gets one line
        with contextlib.redirect_stderr(io.StringIO()):
            ShapeProp(gm).propagate(example)
    except Exception as e:
        root = e
        while root.__cause__ is not None:
            root = root.__cause__
        msg = str(root).splitlines()[0] if str(root) else type(root).__name__
        raise UnsupportedModel(
            f"model ({name}): running it on an input of shape {tuple(example.shape[1:])} "
            f"failed ({msg}); check the input shape (--input-shape C,H,W; C,L for 1-D "
            "layers; F for a model that takes vectors)"
        ) from e
    finally:
        model.train(was_training)

    # 3. Walk the data flow: one chain from the input to the output, where a residual add
    # joins the chain's head to an earlier head (a fork is put there; e3ne.layers.residual),
    # directly or through a projection shortcut (a conv and its BatchNorm, set aside here
    # and carried by the add).
    shortcuts = _projection_shortcuts(gm, ops)
    on_shortcut = {n for _, nodes, _ in shortcuts.values() for n in nodes}
    chain: list[Op] = []
    heads: dict[Node, int] = {}  # an earlier head -> the chain's length when it was head
    if input_kind == "vector":
        n_in = int(torch.tensor(input_shape).prod())
        chain.append(_flatten_op(f"model ({name}) input", "input_flatten", (2, *input_shape),
                                 (2, n_in)))
    head = placeholders[0]
    heads[head] = len(chain)
    tensor_nodes = {n for n in gm.graph.nodes if _shape(n) is not None}
    for node in gm.graph.nodes:
        if node.op == "output":
            arg = node.args[0]
            if arg is not head:
                raise UnsupportedModel(
                    f"model ({name}): forward() must return a single tensor from its last layer"
                )
            break
        if node in on_shortcut:
            continue  # taken by its residual add
        if node not in ops:
            if node.op == "get_attr":
                continue
            if node in tensor_nodes and node is not head and node.op != "placeholder":
                raise _refuse(_where(node, gm), "is not supported")
            continue
        op = ops[node]
        inputs = [a for a in node.all_input_nodes if a in tensor_nodes and a.op != "get_attr"]
        consts = [a for a in node.all_input_nodes if a.op == "get_attr"]
        if op.kind == "concat":
            _concat(op, node, inputs, head, heads, chain, input_kind == "sequence")
            head = node
            heads[head] = len(chain)
            continue
        if len(inputs) > 1:
            _residual_add(op, node, inputs, head, heads, chain, input_kind == "sequence",
                          shortcuts.get(node))
            head = node
            heads[head] = len(chain)
            continue
        if consts and op.kind != "affine":
            raise _refuse(op.where, "uses a parameter directly in forward(); use nn modules")
        if inputs and inputs[0] is not head and inputs[0] in heads:
            raise _refuse(op.where, "starts a second branch from an earlier layer's output; "
                                    "only a residual add (x + body(x), or shortcut(x) + "
                                    "body(x) with a conv and BatchNorm as the shortcut) may "
                                    "branch, and only into the add")
        if not inputs or inputs[0] is not head:
            raise _refuse(op.where, "branches off the main chain (its input is not the "
                                    "previous layer's output); the model must be one chain")
        in_shape, out_shape = _shape(inputs[0]), _shape(node)
        if "mean_dims" in op.params:
            _check_mean(op, in_shape)
        if input_kind == "sequence":  # [N, C, L] is an image of one row
            in_shape, out_shape = _one_row(in_shape), _one_row(out_shape)
        op.params.update(in_shape=in_shape, out_shape=out_shape)
        if op.kind == "affine":
            op.params["operand"] = _affine_operand(node, gm, op)
        flatten = op.params.pop("mean_flatten", False)
        if flatten:  # a global mean without keepdim: pool to (C, 1, 1), then flatten
            op.params["out_shape"] = (*out_shape[:2], 1, 1)
        if op.layer is not None:
            op.layer.check_traced(op.params, op.where)
        chain.append(op)
        if flatten:
            chain.append(_flatten_op(op.where, f"{op.name}_flatten", op.params["out_shape"],
                                     out_shape))
        head = node
        heads[head] = len(chain)
    return chain


def _concat(op: Op, node: Node, inputs: list[Node], head: Node, heads: dict[Node, int],
            chain: list[Op], sequence: bool) -> None:
    """``torch.cat([x, body(x)], 1)`` (either order): a fork where ``x`` was the head, and
    the concatenation on the chain."""
    tensors = op.params["tensors"]
    if not isinstance(tensors, (list, tuple)) or len(tensors) != 2 or len(inputs) != 2:
        raise _refuse(op.where, "only a concatenation of two different tensors, x and "
                                "body(x), is supported")
    skip = tensors[0] if tensors[1] is head else tensors[1] if tensors[0] is head else None
    if skip is None or skip not in heads:
        raise _refuse(op.where, "concatenates tensors that are not the chain and an earlier "
                                "point of it; only cat([x, body(x)]) is supported")
    rank = 3 if sequence else 4
    a, b = _shape(skip), _shape(head)
    if len(a) != rank or len(b) != rank or a[2:] != b[2:]:
        raise _refuse(op.where, f"concatenates shapes {a[1:]} and {b[1:]}; only feature maps "
                                "of one size, along channels, are supported")
    if op.params["dim"] not in (1, 1 - rank):
        raise _refuse(op.where, f"concatenates along dim={op.params['dim']!r}; only along "
                                "channels (dim=1) is supported")
    fork_name = _insert_fork(op, skip, heads, chain)
    concat = LAYER_KINDS["concat"]
    in_shape, out_shape = _shape(head), _shape(node)
    if sequence:
        in_shape, out_shape = _one_row(in_shape), _one_row(out_shape)
    chain.append(Op(concat.kind, op.where, op.name, layer=concat, params={
        "skip": fork_name, "skip_first": tensors[0] is skip, "skip_channels": a[1],
        "in_shape": in_shape, "out_shape": out_shape}))


def _insert_fork(op: Op, skip: Node, heads: dict[Node, int], chain: list[Op]) -> str:
    """A fork right after the op whose output ``skip`` is; its name."""
    fork_name = f"{op.name}_fork"
    at = heads[skip]
    fork = Op(LAYER_KINDS["fork"].kind, f"the skip of {op.where}", fork_name,
              layer=LAYER_KINDS["fork"], params={"in_shape": None, "out_shape": None})
    chain.insert(at, fork)
    for n, pos in heads.items():  # the fork shifts what came after it
        if pos > at:
            heads[n] = pos + 1
    return fork_name


def _projection_shortcuts(gm: GraphModule, ops: dict[Node, Op]
                          ) -> dict[Node, tuple[Node, list[Node], list[Op]]]:
    """Residual adds one of whose inputs is ``bn(conv(x))`` (or ``conv(x)``) of a tensor
    ``x`` that the other input also comes from: add node -> (``x``, the shortcut's nodes
    and ops in order). The second input is taken where both are (``body(x) + sc(x)``)."""
    def tensor_args(n: Node) -> list[Node]:
        return [a for a in n.all_input_nodes if _shape(a) is not None and a.op != "get_attr"]

    found: dict[Node, tuple[Node, list[Node], list[Op]]] = {}
    for node, op in ops.items():
        if op.kind != "affine" or op.params.get("fn") != "add":
            continue
        tensors = tensor_args(node)
        if len(tensors) != 2 or tensors[0] is tensors[1]:
            continue
        for c, other in ((tensors[1], tensors[0]), (tensors[0], tensors[1])):
            nodes, cur = [], c
            while cur in ops and ops[cur].kind in ("conv", "bn") and len(cur.users) == 1:
                args = tensor_args(cur)
                if len(args) != 1:
                    break
                nodes.insert(0, cur)
                cur = args[0]
                if ops[nodes[0]].kind == "conv":
                    break
            # (conv(x) + x is an identity block whose body is one conv)
            if nodes and ops[nodes[0]].kind == "conv" and len(cur.users) >= 2 and other is not cur:
                found[node] = (cur, nodes, [ops[n] for n in nodes])
                break
    return found


def _residual_add(op: Op, node: Node, inputs: list[Node], head: Node,
                  heads: dict[Node, int], chain: list[Op], sequence: bool,
                  shortcut: tuple[Node, list[Node], list[Op]] | None = None) -> None:
    """``body(x) + x``: put a fork where ``x`` was the head and the add on the chain;
    ``body(x) + bn(conv(x))``: the same, the add carrying the shortcut's ops."""
    if op.kind != "affine" or op.params["fn"] != "add" or len(inputs) != 2:
        raise _refuse(op.where, "combines two tensors; only a residual add (x + body(x)) "
                                "is supported, not concatenation or products")
    skip = inputs[1] if inputs[0] is head else inputs[0] if inputs[1] is head else None
    if shortcut is not None and skip is not None and skip is shortcut[1][-1]:
        _projection_add(op, shortcut, head, heads, chain, sequence)
        return
    if skip is None or skip is head or skip not in heads:
        raise _refuse(op.where, "adds two tensors that are not the chain and an earlier point "
                                "of it; only a residual add with an identity shortcut "
                                "(x + body(x)) is supported")
    if _shape(skip) != _shape(head):
        raise _refuse(op.where, f"adds tensors of shapes {_shape(head)[1:]} and "
                                f"{_shape(skip)[1:]}; a residual add needs equal shapes, "
                                "or a projection shortcut of a Conv2d/Conv1d (and its "
                                "BatchNorm) on the skip")
    if len(_shape(head)) != (3 if sequence else 4):
        raise _refuse(op.where, "adds vectors; a residual add is supported between feature "
                                "maps (C, H, W) or (C, L)")
    fork_name = _insert_fork(op, skip, heads, chain)
    chain.append(Op("add", op.where, op.name, params={"skip": fork_name}))


def _projection_add(op: Op, shortcut: tuple[Node, list[Node], list[Op]], head: Node,
                    heads: dict[Node, int], chain: list[Op], sequence: bool) -> None:
    """``body(x) + bn(conv(x))``: a fork where ``x`` was the head; the add carries the
    shortcut's conv and BatchNorm ops (with their shapes)."""
    origin, nodes, sc_ops = shortcut
    if origin not in heads:
        raise _refuse(op.where, "adds a shortcut of a tensor that is not an earlier point of "
                                "the chain; only x + body(x) or shortcut(x) + body(x) is "
                                "supported")
    if len(_shape(head)) != (3 if sequence else 4):
        raise _refuse(op.where, "adds vectors; a residual add is supported between feature "
                                "maps (C, H, W) or (C, L)")
    if _shape(nodes[-1]) != _shape(head):
        raise _refuse(op.where, f"adds tensors of shapes {_shape(head)[1:]} and "
                                f"{_shape(nodes[-1])[1:]}; a residual add needs equal shapes")
    for n, o in zip(nodes, sc_ops, strict=True):
        arg = next(a for a in n.all_input_nodes if _shape(a) is not None and a.op != "get_attr")
        in_shape, out_shape = _shape(arg), _shape(n)
        if sequence:
            in_shape, out_shape = _one_row(in_shape), _one_row(out_shape)
        o.params.update(in_shape=in_shape, out_shape=out_shape)
        if o.layer is not None:
            o.layer.check_traced(o.params, o.where)
    fork_name = _insert_fork(op, origin, heads, chain)
    chain.append(Op("add", op.where, op.name, params={"skip": fork_name, "shortcut": sc_ops}))


def _affine_operand(node: Node, gm: GraphModule, op: Op) -> torch.Tensor:
    """The constant of ``x - c``, ``x / c``, ``x * c`` or ``x + c`` (scalar or per channel)."""
    args = list(node.args) + list(node.kwargs.values())
    if op.params["fn"] in ("sub", "div") and isinstance(args[0], Node) is False:
        raise _refuse(op.where, "only x - c and x / c with a constant c are supported")
    for a in args:
        if isinstance(a, (int, float)):
            return torch.tensor(float(a))
        if isinstance(a, Node) and a.op == "get_attr":
            value = gm
            for part in str(a.target).split("."):
                value = getattr(value, part)
            return torch.as_tensor(value).detach().float()
    raise _refuse(op.where, "only arithmetic with a constant (input normalisation) is supported")
