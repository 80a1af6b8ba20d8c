"""QONNX graphs in: the model's own quantisation kept, read off its Quant nodes.

A QONNX graph (what Brevitas's ``export_qonnx`` writes) is a float ONNX graph with
``Quant`` / ``BipolarQuant`` nodes on its weights, biases and activations. This module
rewrites it into the plain ONNX graph ``e3ne.frontend.onnx_import`` takes, plus what the
Quant nodes say, so nothing is recalibrated:

- a Quant of a constant (weights, biases) becomes its dequantized value; for weights
  the float value of one integer unit (``weight_lsb``) is kept, so the integers are
  exactly the model's;
- the input's unsigned Quant gives the input scale and ``T`` (its bit width);
- an unsigned Quant of an activation (after its Relu, which it subsumes) becomes a
  clipped ReLU ``Clip(0, scale·(2^T-1))``: the clipped ReLU's bound is exactly what fixes
  an e3ne activation's scale; a Quant of an already quantised value at its own scale
  (after a max pool) is the identity and vanishes.

Where QONNX's integers cannot be ours the node is refused, one line naming it: a signed
or narrow activation, a zero point, per-channel activation scales, activations of two
widths, a Trunc (Brevitas's truncating average pool), residual joins. What maps but not
always exactly is stated in ``GivenQuant.notes`` (``ROUND`` rounds ties to even; the
neuron rounds them up) and measured against the qonnx executor by ``e3ne convert``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from e3ne.errors import FormatError

QONNX_DOMAINS = ("qonnx.custom_op.general", "finn.custom_op.general", "finn")
ROUNDINGS = {"FLOOR": "floor", "ROUND": "nearest"}  # QONNX rounding_mode -> e3ne's


@dataclass
class GivenQuant:
    """What a QONNX graph's Quant nodes fix: widths, the input scale, the rounding."""

    T: int  #: activation bits (every activation Quant's, the input's too)
    W: int  #: weight bits (enough for every weight Quant's integers)
    input_scale: float  #: the input Quant's scale
    rounding: str  #: "floor" or "nearest", the activation Quants' rounding_mode
    notes: list[str] = field(default_factory=list)  #: where the mapping is not exact


def is_qonnx(model) -> bool:  # noqa: ANN001 (an onnx.ModelProto)
    return any(n.domain in QONNX_DOMAINS for n in model.graph.node)


def node_attrs(node) -> dict:  # noqa: ANN001
    """An ONNX node's attributes by name."""
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def quant_ints(x: np.ndarray, scale: np.ndarray, zeropt: np.ndarray, bits: float,
               signed: bool, narrow: bool, mode: str) -> np.ndarray:
    """QONNX ``Quant``'s integers ``clamp(round(x/scale + zeropt))`` (in x's float type, as
    the qonnx executor computes them), before ``(q - zeropt)·scale`` dequantizes them."""
    b = int(bits)
    lo = -(1 << (b - 1)) + int(narrow) if signed else 0
    hi = (1 << (b - 1)) - 1 if signed else (1 << b) - 1 - int(narrow)
    y = x / scale + zeropt
    rnd = {"ROUND": np.round, "FLOOR": np.floor, "CEIL": np.ceil, "ROUND_TO_ZERO": np.fix,
           "UP": lambda v: np.sign(v) * np.ceil(np.abs(v)), "DOWN": np.fix}[mode]
    return np.clip(rnd(y), lo, hi)


class _Rewrite:
    """One pass over the QONNX graph, in node order."""

    def __init__(self, model, path: Path, consts: dict[str, np.ndarray]) -> None:  # noqa: ANN001
        self.model, self.path, self.consts = model, path, consts
        self.g = model.graph
        self.lsbs: dict[str, np.ndarray] = {}  # dequantized weight -> its LSB (full shape)
        self.on_grid: dict[str, float] = {}  # quantised activation -> its scale
        self.T: int | None = None
        self.input_scale: float | None = None
        self.rounding: tuple[str, str] | None = None  # (mode, the node that set it)
        self.weight_bits = 2
        self.notes: list[str] = []
        self.consumers: dict[str, list] = {}
        for n in self.g.node:
            for name in n.input:
                self.consumers.setdefault(name, []).append(n)
        self.producer = {o: n for n in self.g.node for o in n.output}
        self.x_name = next((i.name for i in self.g.input if i.name not in consts), None)

    def where(self, node) -> str:  # noqa: ANN001
        return f"{self.path}: node {node.name or node.output[0]!r} ({node.op_type})"

    def const(self, node, k: int, what: str) -> np.ndarray:  # noqa: ANN001
        if k >= len(node.input) or node.input[k] not in self.consts:
            raise FormatError(f"{self.where(node)}: its {what} is not an initialiser; e3ne "
                              "needs fixed quantisation parameters")
        return np.asarray(self.consts[node.input[k]])

    def run(self) -> GivenQuant:
        from onnx import helper

        kept = []
        for node in self.g.node:
            if node.domain in QONNX_DOMAINS:
                new = self.quant(node)
                if new is not None:
                    kept.append(new)
                continue
            if node.op_type in ("Add", "Concat") and sum(
                    i not in self.consts for i in node.input) > 1:
                raise FormatError(f"{self.where(node)}: a residual join in a QONNX graph; "
                                  "e3ne takes QONNX chains without joins so far (export "
                                  "the float model to ONNX instead)")
            if node.op_type == "Relu":
                users = self.consumers.get(node.output[0], [])
                if not users or any(u.domain not in QONNX_DOMAINS for u in users):
                    raise FormatError(f"{self.where(node)}: its output is not quantised by a "
                                      "Quant node; in a QONNX model e3ne takes every "
                                      "activation quantised (QuantReLU)")
                # the Quant that follows clamps at 0 too: the Relu passes its input on
                kept.append(helper.make_node("Identity", [node.input[0]], [node.output[0]],
                                             name=node.name))
                continue
            kept.append(node)
        if self.T is None:
            raise FormatError(f"{self.path}: the graph input is not quantised by a Quant "
                              "node; e3ne takes a QONNX model whose input is (QuantIdentity "
                              "first)")
        for n in kept:
            if n.op_type in ("Conv", "Gemm", "MatMul") and n.input[1] not in self.lsbs:
                raise FormatError(f"{self.where(n)}: its weights are not quantised by a "
                                  "Quant node; in a QONNX model e3ne takes quantised weights "
                                  "only")
        del self.g.node[:]
        self.g.node.extend(kept)
        keep = [o for o in self.model.opset_import if o.domain not in QONNX_DOMAINS]
        del self.model.opset_import[:]
        self.model.opset_import.extend(keep)
        mode = self.rounding[0] if self.rounding else "FLOOR"
        if mode == "ROUND":
            self.notes.append("QONNX ROUND rounds an activation that lies exactly halfway "
                              "between two levels to the even one; e3ne's neuron rounds it up")
        return GivenQuant(T=self.T, W=self.weight_bits, input_scale=self.input_scale,
                          rounding=ROUNDINGS[mode], notes=self.notes)

    def quant(self, node):  # noqa: ANN001, ANN201 (onnx NodeProto or None)
        from onnx import helper, numpy_helper

        op, a = node.op_type, node_attrs(node)
        if op not in ("Quant", "BipolarQuant"):
            why = ("Brevitas's truncating average pool, whose rounding is not e3ne's average "
                   "(use a max pool or an unquantised AvgPool before a QuantReLU)"
                   if op == "Trunc" else "an operator e3ne does not know")
            raise FormatError(f"{self.where(node)}: {node.domain}.{op}: {why}; e3ne takes "
                              "Quant and BipolarQuant")
        x_name, out = node.input[0], node.output[0]
        mode = a.get("rounding_mode", b"ROUND")
        mode = (mode.decode() if isinstance(mode, bytes) else mode).upper()
        scale = self.const(node, 1, "scale").astype(np.float32)
        if not (scale > 0).all():
            raise FormatError(f"{self.where(node)}: a scale that is not positive")
        if x_name in self.consts:  # a weight or a bias
            x = np.asarray(self.consts[x_name], dtype=np.float32)
            if op == "BipolarQuant":
                q, bits = np.where(x >= 0, 1.0, -1.0).astype(np.float32), 2
            else:
                zp = self.const(node, 2, "zero point").astype(np.float32)
                b = self.const(node, 3, "bit width")
                if (zp != 0).any():
                    raise FormatError(f"{self.where(node)}: zero point {zp.ravel()[:4]}; e3ne "
                                      "takes symmetric quantisation (zero point 0)")
                if b.size != 1 or float(b) != int(b) or not 1 <= int(b) <= 32:
                    raise FormatError(f"{self.where(node)}: bit width {b.ravel()[:4]} is not "
                                      "one integer from 1 to 32")
                signed, narrow = bool(a.get("signed", 1)), bool(a.get("narrow", 0))
                try:
                    q = quant_ints(x, scale, zp, float(b), signed, narrow, mode)
                except KeyError:
                    raise FormatError(f"{self.where(node)}: rounding_mode {mode!r} is not "
                                      "a QONNX mode") from None
                bits = int(b) if signed and (narrow or q.min(initial=0) > -(1 << (int(b) - 1))
                                             ) else int(b) + 1
            users = self.consumers.get(out, [])
            if any(u.op_type in ("Conv", "Gemm", "MatMul") and u.input[1] == out
                   for u in users):
                self.weight_bits = max(self.weight_bits, bits)
                self.lsbs[out] = np.broadcast_to(scale, x.shape).astype(np.float64)
            self.consts[out] = (q * scale).astype(np.float32)
            self.g.initializer.append(numpy_helper.from_array(self.consts[out], out))
            return None
        # an activation
        if op == "BipolarQuant":
            raise FormatError(f"{self.where(node)}: a bipolar (signed, +-1) activation; e3ne's "
                              "activations are unsigned (spike counts)")
        zp = self.const(node, 2, "zero point")
        b = self.const(node, 3, "bit width")
        if a.get("signed", 1):
            raise FormatError(f"{self.where(node)}: a signed activation; e3ne's activations "
                              "are unsigned: quantise after the ReLU (QuantReLU, signed=0)")
        if a.get("narrow", 0):
            raise FormatError(f"{self.where(node)}: a narrow-range activation (top level "
                              "2^b-2); e3ne's T-bit activations use every level (narrow=0)")
        if (zp != 0).any():
            raise FormatError(f"{self.where(node)}: zero point {zp.ravel()[:4]}; e3ne takes "
                              "zero point 0")
        if scale.size != 1:
            raise FormatError(f"{self.where(node)}: {scale.size} activation scales (per "
                              "channel); e3ne takes one per tensor")
        if b.size != 1 or float(b) != int(b) or not 1 <= int(b) <= 16:
            raise FormatError(f"{self.where(node)}: bit width {b.ravel()[:4]}; e3ne's "
                              "activations have 1 to 16 bits")
        s, bits = float(scale.reshape(())), int(b)
        if x_name == self.x_name:  # the input's Quant: the input levels
            if mode != "ROUND":
                raise FormatError(f"{self.where(node)}: the input Quant rounds with {mode}; "
                                  "e3ne's input levels round to nearest: use ROUND there")
            self.T, self.input_scale = bits, s
            self.on_grid[out] = s
            return helper.make_node("Identity", [x_name], [out], name=node.name)
        if self.T is not None and bits != self.T:
            raise FormatError(f"{self.where(node)}: a {bits}-bit activation, but the input "
                              f"is {self.T}-bit; e3ne runs every activation at one width T")
        if mode not in ROUNDINGS:
            raise FormatError(f"{self.where(node)}: rounding_mode {mode}; e3ne's neuron "
                              "rounds with FLOOR or ROUND (ties up)")
        if self.rounding is not None and self.rounding[0] != mode:
            raise FormatError(f"{self.where(node)}: rounds with {mode} but "
                              f"{self.rounding[1]} with {self.rounding[0]}; e3ne rounds "
                              "every layer alike")
        self.rounding = self.rounding or (mode, self.where(node))
        src = self._grid_source(x_name)
        if src is not None:  # already on a grid (after a max pool): same scale, no-op
            if src != s:
                raise FormatError(f"{self.where(node)}: requantises a {src:g}-scaled "
                                  f"activation to scale {s:g}; e3ne keeps one scale per "
                                  "activation")
            self.on_grid[out] = s
            return helper.make_node("Identity", [x_name], [out], name=node.name)
        lo, hi = out + "__e3ne_min", out + "__e3ne_max"
        for name, v in ((lo, 0.0), (hi, s * ((1 << bits) - 1))):
            self.consts[name] = np.array(v, dtype=np.float32)
            self.g.initializer.append(numpy_helper.from_array(self.consts[name], name))
        self.on_grid[out] = s
        return helper.make_node("Clip", [x_name, lo, hi], [out], name=node.name)

    def _grid_source(self, name: str) -> float | None:
        """The scale of the quantised activation ``name`` is (through max pools and
        flattens, which keep a grid), or None."""
        while name not in self.on_grid:
            p = self.producer.get(name)
            if p is None or p.op_type not in ("MaxPool", "Flatten", "Reshape", "Identity",
                                              "Dropout"):
                return None
            name = p.input[0]
        return self.on_grid[name]


def rewrite_qonnx(model, path: Path, consts: dict[str, np.ndarray]
                  ) -> tuple[GivenQuant, dict[str, np.ndarray]]:  # noqa: ANN001
    """Rewrite the QONNX ``model`` in place into plain ONNX (``consts`` gains the
    dequantized tensors); its given quantisation, and each quantised weight tensor's LSB
    (broadcast to the weight's shape)."""
    r = _Rewrite(model, path, consts)
    given = r.run()
    return given, r.lsbs
