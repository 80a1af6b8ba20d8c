"""Fold a traced chain into a float network of synaptic layers with ReLU flags.

BatchNorm folds into the preceding conv/linear, input normalisation into the first one,
Dropout/Identity vanish, and the chain is checked against the rules of DESIGN §2: every
hidden synaptic layer reaches a ReLU or a clipped ReLU, whose bound is kept (max pooling
and flatten may sit in between, as they commute with ReLU, clipping and rounding), nothing
but (log-)softmax follows the output layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F

from e3ne.errors import UnsupportedModel
from e3ne.frontend.ops import Op
from e3ne.layers import Layer


@dataclass
class FloatLayer:
    """One layer of the folded float network."""

    layer: type[Layer]  # the IR layer kind it becomes (e3ne.layers)
    name: str
    weight: torch.Tensor | None = None
    bias: torch.Tensor | None = None
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    kernel: tuple[int, int] = (1, 1)
    relu: bool = False  # hidden synaptic layer (its output goes through ReLU)
    clip: float | None = None  # a clipped ReLU's upper bound: fixes the activation scale
    out_relu: bool = False  # the output layer ends in a ReLU: it emits max(U, 0)
    skip: str | None = None  # closes a residual block: the fork whose output it adds
    skip_first: bool = True  # a concatenation: the skip's channels come first
    skip_channels: int = 0  # a concatenation: the skip's channels
    shortcut: FloatLayer | None = None  # a residual join's projection of the skip (a conv)
    sources: list[str] = field(default_factory=list)  # model modules folded into it
    #: given quantisation (QONNX): per output channel, the float value of one unit of the
    #: model's own integer weights (BatchNorm folded in, so a channel's may be negative);
    #: None: the weights are quantised from their float values
    weight_lsb: torch.Tensor | None = None

    @property
    def synaptic(self) -> bool:
        return self.layer.synaptic

    @property
    def kind(self) -> str:
        return self.layer.kind


def _bn_fold(layer: FloatLayer, op: Op) -> None:
    bn = op.module
    if layer.weight.shape[0] != bn.num_features:
        raise UnsupportedModel(f"{op.where}: has {bn.num_features} features but follows "
                               f"'{layer.name}' with {layer.weight.shape[0]} channels")
    std = torch.sqrt(bn.running_var.double() + bn.eps)
    gamma = bn.weight.double() if bn.affine else torch.ones_like(std)
    beta = bn.bias.double() if bn.affine else torch.zeros_like(std)
    scale = gamma / std
    layer.weight = layer.weight * scale.view(-1, *([1] * (layer.weight.dim() - 1)))
    layer.bias = (layer.bias - bn.running_mean.double()) * scale + beta
    if layer.weight_lsb is not None:
        layer.weight_lsb = layer.weight_lsb * scale
    layer.sources.append(op.name)


def _ungroup(w: torch.Tensor, groups: int) -> torch.Tensor:
    """A grouped (depthwise: groups = C_in) conv's weight ``[C_out, C_in/G, KH, KW]`` as
    the dense ``[C_out, C_in, KH, KW]`` with zeros outside each output channel's group:
    the same function exactly, run by the dense engine (every zero weight still costs a
    product slot in the schedule, though synthesis drops its ROM bits)."""
    c_out, c_g = w.shape[:2]
    dense = torch.zeros((c_out, c_g * groups, *w.shape[2:]), dtype=w.dtype)
    per = c_out // groups
    for g in range(groups):
        dense[g * per:(g + 1) * per, g * c_g:(g + 1) * c_g] = w[g * per:(g + 1) * per]
    return dense


def _per_channel(op: Op, c: int) -> torch.Tensor:
    v = op.params["operand"].double()
    if v.numel() == 1:
        return v.reshape(1).expand(c).clone()
    if v.numel() == c:
        return v.reshape(c)
    raise UnsupportedModel(f"{op.where}: normalisation constant of shape {tuple(v.shape)} is "
                           f"neither a scalar nor one value per input channel ({c})")


def _float_synaptic(op: Op) -> FloatLayer:
    """A conv/linear op as a float layer (float64 weights; grouped convs made dense)."""
    m = op.module
    w = m.weight.detach().double().clone()
    if op.params.get("one_d"):  # Conv1d [C_out, C_in, k] -> [C_out, C_in, 1, k]
        w = w.unsqueeze(2)
    if op.params.get("groups", 1) > 1:
        w = _ungroup(w, op.params["groups"])
    bias = (m.bias.detach().double().clone() if m.bias is not None
            else torch.zeros(w.shape[0], dtype=torch.float64))
    lsb = getattr(m, "weight_lsb", None)  # set by the QONNX import
    if lsb is not None:
        lsb = torch.as_tensor(lsb, dtype=torch.float64).reshape(-1).expand(w.shape[0]).clone()
    return FloatLayer(op.layer, op.name, w, bias, sources=[op.name], weight_lsb=lsb,
                      **op.layer.float_fields(op.params))


def _float_shortcut(ops: list[Op]) -> FloatLayer:
    """A projection shortcut, its conv and then BatchNorms (as the front end found it),
    as one float conv with a bias."""
    layer = _float_synaptic(ops[0])
    for bn in ops[1:]:
        _bn_fold(layer, bn)
    return layer


def fold_chain(chain: list[Op], input_channels: int) -> list[FloatLayer]:
    """Chain of ops -> float layers (float64 weights), checking the layering rules."""
    layers: list[FloatLayer] = []
    a = torch.ones(input_channels, dtype=torch.float64)  # input affine a·x + b
    b = torch.zeros(input_channels, dtype=torch.float64)
    affine_where: str | None = None
    pending: FloatLayer | None = None  # synaptic layer still waiting for its ReLU
    last_syn_op: Op | None = None
    finished_by: Op | None = None  # softmax seen
    since_syn: list[Op] = []  # ops between the pending layer and now
    last = max((i for i, o in enumerate(chain) if o.layer is not None and o.layer.synaptic),
               default=-1)  # the output layer's place in the chain

    for i, op in enumerate(chain):
        after_output = pending is not None and i > last  # (pending is the output layer)
        if finished_by is not None and op.kind not in ("final", "drop"):
            raise UnsupportedModel(f"{op.where}: comes after {finished_by.where}; only the "
                                   "model's output may be (log-)softmaxed")
        if op.kind == "drop":
            continue
        if pending is not None and pending.skip is not None and op.kind != "relu":
            raise UnsupportedModel(f"{op.where}: follows the residual add into "
                                   f"{last_syn_op.where}; the add must be followed by its "
                                   "ReLU (x = relu(body(x) + x))")
        if op.kind == "add":  # a residual add into the pending layer, before its ReLU
            if pending is None or since_syn or not pending.layer.kind == "conv" or i > last:
                why = ("a residual add into the output layer is not supported; end the "
                       "block with its ReLU before the output layer" if i > last else
                       "a residual add must follow the block's last Conv2d/Conv1d directly "
                       "(only its BatchNorm in between) and come before that layer's ReLU")
                raise UnsupportedModel(f"{op.where}: {why}")
            pending.skip = op.params["skip"]
            pending.sources.append(op.name)
            if op.params.get("shortcut"):
                pending.shortcut = _float_shortcut(op.params["shortcut"])
            continue
        if op.layer is not None and op.layer.saves and pending is not None:
            raise UnsupportedModel(f"{op.where}: a residual block must start from an "
                                   f"activation, not between {last_syn_op.where} and its "
                                   "ReLU")
        if op.kind == "affine":
            if pending or any(not lay.layer.passes_input_affine for lay in layers):
                raise UnsupportedModel(f"{op.where}: arithmetic is only supported at the start "
                                       "of forward() (input normalisation)")
            v = _per_channel(op, input_channels)
            fn = op.params["fn"]
            if fn == "sub":
                b = b - v
            elif fn == "add":
                b = b + v
            elif fn == "mul":
                a, b = a * v, b * v
            else:
                if (v == 0).any():
                    raise UnsupportedModel(f"{op.where}: divides by zero")
                a, b = a / v, b / v
            affine_where = op.where
            continue
        if op.layer is not None and op.layer.synaptic:
            if pending is not None:
                raise UnsupportedModel(
                    f"{last_syn_op.where}: is followed by {op.where} without "
                    "a ReLU in between; every hidden conv/linear layer needs one"
                )
            layer = _float_synaptic(op)
            if affine_where is not None:
                op.layer.fold_input_affine(layer, a, b, op.where)
                affine_where = None
            layers.append(layer)
            pending, last_syn_op, since_syn = layer, op, []
            continue
        if affine_where is not None and (op.kind == "relu" or (
                op.layer is not None and not op.layer.passes_input_affine)):
            raise UnsupportedModel(f"{op.where}: sits between the input normalisation "
                                   f"({affine_where}) and the first conv/linear layer")
        if after_output and op.kind not in ("relu", "final") and not (
                op.kind == "bn" and not pending.out_relu) and (
                op.layer is None or op.layer.float_fields(op.params) is not None):
            # after the output layer only its BatchNorm, a ReLU, a softmax and what vanishes
            # (a flatten of the flat scores) may come; a BatchNorm after that ReLU would
            # otherwise fold into the layer, before its ReLU
            its_relu = ", and its ReLU" if pending.out_relu else ""
            raise UnsupportedModel(f"{op.where}: nothing but (log-)softmax may follow "
                                   f"{last_syn_op.where}, the output layer{its_relu}")
        if op.kind == "bn":
            if pending is None or since_syn:
                raise UnsupportedModel(f"{op.where}: BatchNorm must directly follow a "
                                       "conv/linear layer to be folded")
            _bn_fold(pending, op)
            continue
        if op.kind == "relu":
            clip = op.params.get("clip")
            if after_output:  # the output layer's ReLU: carried exactly, scores max(U, 0)
                if clip is not None:
                    raise UnsupportedModel(f"{op.where}: a clipped ReLU after "
                                           f"{last_syn_op.where}, the output layer, is not "
                                           "supported; use ReLU")
                pending.out_relu = True
                continue
            if pending is not None:
                pending.relu = True
                pending.clip = clip
                pending = None
            elif clip is not None:
                raise UnsupportedModel(f"{op.where}: a clipped ReLU must be the activation of "
                                       "a conv/linear layer (only max pooling and flatten "
                                       "may sit between them)")
            continue  # ReLU on non-negative values is the identity
        if op.kind == "final":
            if pending is None:
                raise UnsupportedModel(f"{op.where}: softmax is only allowed after the output "
                                       "layer")
            finished_by = op
            continue
        if op.layer is not None and not op.layer.commutes_with_relu and pending is not None:
            raise UnsupportedModel(f"{op.where}: {op.layer.noun} between {last_syn_op.where} "
                                   "and its ReLU does not commute with ReLU; move it after the "
                                   "ReLU")
        if op.layer is not None:
            fields = op.layer.float_fields(op.params)
            if fields is None:
                continue  # vanishes (e.g. flattening what is already flat)
            layers.append(FloatLayer(op.layer, op.name, sources=[op.name], **fields))
        since_syn.append(op)

    syn = [layer for layer in layers if layer.synaptic]
    if not syn:
        raise UnsupportedModel("model: has no Conv2d, Conv1d or Linear layer")
    return layers


class FloatNet(nn.Module):
    """The folded float network, runnable in float for calibration, checks and QAT."""

    def __init__(self, layers: list[FloatLayer], input_shape: tuple[int, int, int]):
        super().__init__()
        self.specs = layers
        self.input_shape = tuple(input_shape)
        self.weights = nn.ParameterList(
            [nn.Parameter(layer.weight.float().clone()) for layer in layers if layer.synaptic])
        self.biases = nn.ParameterList(
            [nn.Parameter(layer.bias.float().clone()) for layer in layers if layer.synaptic])
        # projection shortcuts, in the order of their joins (``shortcut_index``)
        sc = [layer.shortcut for layer in layers if layer.shortcut is not None]
        self.shortcut_weights = nn.ParameterList(
            [nn.Parameter(s.weight.float().clone()) for s in sc])
        self.shortcut_biases = nn.ParameterList([nn.Parameter(s.bias.float().clone())
                                                 for s in sc])
        self.shortcut_index = {layer.name: i for i, layer in enumerate(
            [lay for lay in layers if lay.shortcut is not None])}

    def synaptic_specs(self) -> list[FloatLayer]:
        return [layer for layer in self.specs if layer.synaptic]

    def forward(self, x: torch.Tensor, quant=None, record: list | None = None) -> torch.Tensor:
        """Float forward. ``quant`` (a ``FakeQuant``) applies the integer semantics with
        straight-through gradients; ``record`` collects each hidden layer's ReLU output."""
        if quant is not None:
            x = quant.input(x)
        k = 0
        saved: dict[str, torch.Tensor] = {}  # forks' outputs, for their residual adds
        for layer in self.specs:
            if layer.synaptic:
                w, b = self.weights[k], self.biases[k]
                if quant is not None:
                    w = quant.weight(w, k)
                x = layer.layer.float_forward(layer, x, w, b)
                if layer.skip is not None:
                    x = x + self._skip(layer, saved[layer.skip], quant)
                if layer.relu:
                    x = F.relu(x) if layer.clip is None else torch.clamp(x, 0.0, layer.clip)
                    if record is not None:
                        record.append(x.detach())
                    if quant is not None:
                        x = quant.activation(x, k)
                elif layer.out_relu:
                    x = F.relu(x)
                k += 1
            else:
                skip = {"skip": saved[layer.skip]} if layer.skip is not None else {}
                x = layer.layer.float_forward(layer, x, **skip)
                if layer.layer.saves:
                    saved[layer.name] = x
        return x

    def _skip(self, layer: FloatLayer, skip: torch.Tensor, quant) -> torch.Tensor:
        """What a residual join adds: the fork's output, or its projection shortcut's."""
        if layer.shortcut is None:
            return skip
        j = self.shortcut_index[layer.name]
        w, b = self.shortcut_weights[j], self.shortcut_biases[j]
        if quant is not None:
            w = quant.shortcut_weight(w)
        return layer.shortcut.layer.float_forward(layer.shortcut, skip, w, b)

    def per_channel(self, k: int) -> bool:
        """Synaptic layer ``k`` has one weight scale per output channel: not the output
        layer (its scores share a unit) nor a residual join (the skip's rescale M is one
        integer per layer)."""
        specs = self.synaptic_specs()
        return k != len(specs) - 1 and specs[k].skip is None
