"""Calibrate activation scales and turn the folded float network into the integer IR.

Scales (DESIGN §2): the input LSB is ``s_0 = 1/(2^T-1)``; a hidden layer's output LSB is
``s_l = clip_l/(2^T-1)`` with ``clip_l`` the clip of least squared rounding error of its
float ReLU outputs on calibration data (``act_clip="mse"``, the default: it matters most
at T = 2, where 3 levels make the clip decisive) or a percentile of them
(``"percentile"``), or the bound ``c`` of a clipped ReLU (ReLU6, Hardtanh(0, c)); weights
get one scale per output channel, ``sw_c = α_c·max|w_c|/(2^(W-1)-1)`` with the clip ratio
``α_c`` that minimises the channel's squared rounding error (``weight_clip="mse"``, the
default; ``"max"``: ``α_c = 1``; at W = 3 the search is worth about 2 points on LeNet-5)
(one per layer for the output layer, so its ``U_c`` stay comparable across classes, and
for a residual join, whose skip is rescaled by one integer ``M = round(2^F·s_skip/(sw·s_in))``,
F then also large enough for ``M`` to have ``theta_bits`` significant bits).
With ``s_in`` the LSB of the layer's input, ``z_c/s_l ≈ V_c·sw_c·s_in/s_l + b_c/s_l``,
so ``θ_c = round(2^F·s_l/(sw_c·s_in))`` with ``F`` just large enough that every ``θ_c``
has ``theta_bits`` significant bits, and ``β_c = round(b_c·θ_c/s_l) + floor(θ_c/2)``
(the half-θ makes the neuron's floor a rounding).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from e3ne.errors import UnsupportedModel
from e3ne.frontend.fold import FloatNet
from e3ne.ir import Network
from e3ne.layers import Layer


@dataclass
class QuantConfig:
    """Options of post-training quantisation."""

    T: int = 4  #: time steps = activation bits
    W: int = 4  #: weight bits
    percentile: float = 99.99  #: activation clip, percentile of each layer's float ReLU outputs
    theta_bits: int = 10  #: significant bits of the smallest threshold θ (sets F)
    #: weight scale per channel: "mse" (the clip of least squared rounding error) or "max"
    weight_clip: str = "mse"
    #: activation clip per layer: "mse" (least squared rounding error, searched up to the
    #: percentile) or "percentile" (the percentile itself)
    act_clip: str = "mse"
    #: float value of one input level; None: 1/(2^T-1) (a QONNX input Quant gives its own)
    input_scale: float | None = None
    #: how a hidden layer's output is rounded to its level: "nearest" (ties up: half θ in
    #: β) or "floor" (a QONNX Quant with rounding_mode FLOOR)
    rounding: str = "nearest"


WEIGHT_CLIPS = ("mse", "max")
ACT_CLIPS = ("mse", "percentile")
_MSE_SAMPLE = 200_000  # positive activations the clip search looks at (a fixed draw)


def mse_clip(acts: np.ndarray, T: int, upper: float) -> float:
    """The clip in (0, upper] of least squared error of T-bit rounding to nearest (with
    saturation) over the positive activations; zeros are exact at any clip."""
    a = acts[acts > 0]
    if a.size > _MSE_SAMPLE:
        a = np.random.default_rng(0).choice(a, _MSE_SAMPLE, replace=False)
    if not a.size or not upper > 0:
        return upper
    qmax = (1 << T) - 1
    best, best_err = upper, float("inf")
    for c in np.geomspace(upper / 64, upper, 128):
        s = c / qmax
        err = float(((np.clip(np.floor(a / s + 0.5), 0, qmax) * s - a) ** 2).sum())
        if err < best_err:
            best, best_err = float(c), err
    return best


_RATIOS = torch.linspace(0.3, 1.0, 71, dtype=torch.float64)  # candidate clips / max|w|


def weight_scales(w: torch.Tensor, W: int, per_channel: bool,
                  clip: str = "mse") -> torch.Tensor:
    """LSB of the integer weights, one per output channel (``[C_out]``): ``clip`` "max"
    puts max|w| on the top level; "mse" picks, per channel (or for the whole tensor), the
    clip ratio of least squared error ``Σ (w - sw·clamp(round(w/sw)))²``."""
    wmax = (1 << (W - 1)) - 1
    flat = w.detach().reshape(w.shape[0], -1).double()
    if not per_channel:
        flat = flat.reshape(1, -1)
    m = flat.abs().amax(dim=1)
    if clip == "mse" and flat.numel():
        best, best_err = m.clone(), torch.full_like(m, float("inf"))
        for ratio in _RATIOS:  # one pass per ratio: memory stays one weight tensor
            s = torch.where(m > 0, m * ratio / wmax, torch.ones_like(m)).unsqueeze(1)
            err = ((torch.clamp(torch.round(flat / s), -wmax, wmax) * s - flat) ** 2).sum(1)
            better = err < best_err
            best = torch.where(better, m * ratio, best)
            best_err = torch.where(better, err, best_err)
        m = best
    sw = torch.where(m > 0, m / wmax, torch.ones_like(m))
    return sw.expand(w.shape[0]).to(w.dtype) if not per_channel else sw.to(w.dtype)


def calibrate(net: FloatNet, images: torch.Tensor, cfg: QuantConfig,
              batch_size: int = 256) -> list[float]:
    """LSB ``s_l`` of each hidden synaptic layer's output, from float activations."""
    records: list[list[torch.Tensor]] = []
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            rec: list[torch.Tensor] = []
            net(images[start:start + batch_size].float(), record=rec)
            records.append(rec)
    scales = []
    qmax = (1 << cfg.T) - 1
    hidden = [spec for spec in net.synaptic_specs() if spec.relu]
    for i in range(len(records[0]) if records else 0):
        if hidden[i].clip is not None:  # a clipped ReLU: its bound is the top code
            scales.append(hidden[i].clip / qmax)
            continue
        acts = torch.cat([r[i].reshape(-1) for r in records]).double().numpy()
        clip = float(np.percentile(acts, cfg.percentile)) if acts.size else 0.0
        if not clip > 0:
            clip = float(acts.max()) if acts.size and acts.max() > 0 else 1.0
        if cfg.act_clip == "mse":
            clip = mse_clip(acts, cfg.T, clip)
        scales.append(clip / qmax)
    tie_concat_scales(net, scales, cfg.T)
    return scales


def tie_concat_scales(net: FloatNet, scales: list[float], T: int) -> None:
    """A concatenation joins two activations into one layer's input, which has one LSB:
    the body's last layer takes the skip's (the fork's input LSB), in place."""
    cur, at_fork = -1, {}  # the synaptic layer whose output is the current activation
    k = -1
    for spec in net.specs:
        if spec.synaptic:
            k += 1
            cur = k
        elif spec.layer.saves:
            at_fork[spec.name] = cur
        elif spec.skip is not None and cur != at_fork[spec.skip]:
            src = at_fork[spec.skip]
            if net.synaptic_specs()[cur].clip is not None:
                raise UnsupportedModel(f"layer '{spec.name}' (concat): its body ends in a "
                                       "clipped ReLU, whose scale must also be the skip's; "
                                       "use ReLU there")
            scales[cur] = 1.0 / ((1 << T) - 1) if src == -1 else scales[src]


def _shortcut(net: FloatNet, spec, W: int, cfg: QuantConfig) -> tuple[Layer, float]:
    """A join's projection shortcut as an IR conv emitting ``V_s`` (no bias: the join's β
    takes it), and its weight LSB (one per layer: ``M`` is one integer)."""
    wmax = (1 << (W - 1)) - 1
    sc = spec.shortcut
    w = net.shortcut_weights[net.shortcut_index[spec.name]].detach().double()
    sw = float(weight_scales(w, W, per_channel=False, clip=cfg.weight_clip)[0])
    wq = torch.clamp(torch.round(w / sw), -wmax, wmax).to(torch.int64).numpy()
    c = wq.shape[0]
    common = dict(name=sc.name, weight=wq, beta=np.zeros(c, np.int64), theta=None, shift=0,
                  output=True, act_scale=1.0)
    return sc.layer.from_float(sc, common), sw


def _given_weights(spec, w: torch.Tensor, wmax: int, last: bool
                   ) -> tuple[torch.Tensor, torch.Tensor]:
    """The model's own integer weights (QONNX) and their LSB per output channel, made
    positive (a channel whose folded BatchNorm flipped its sign has its integers negated)."""
    sw = spec.weight_lsb.double().abs()
    if not bool((sw > 0).all()):
        raise UnsupportedModel(f"layer '{spec.name}': a weight scale is zero (a BatchNorm "
                               "with a zero scale?); e3ne needs every channel's to be positive")
    if last and float(sw.max() - sw.min()) > 1e-12 * float(sw.max()):
        raise UnsupportedModel(f"layer '{spec.name}': the output layer's weights have one "
                               "scale per channel (per-channel quantisation or a BatchNorm); "
                               "e3ne's scores share one unit, so quantise it per tensor")
    shape = (-1, *([1] * (w.dim() - 1)))
    x = w / sw.view(shape)
    wq = torch.round(x)
    if x.numel() and (float((x - wq).abs().max()) > 1e-6 or float(wq.abs().max()) > wmax):
        raise UnsupportedModel(f"layer '{spec.name}': its weights are not integers of at "
                               f"most {wmax} in magnitude at their given scale")
    return wq, sw


def to_network(net: FloatNet, act_scales: list[float], cfg: QuantConfig,
               meta: dict | None = None) -> Network:
    """Integer IR from the float network and its calibrated activation LSBs.

    A layer with its own integer weights (``weight_lsb``, from QONNX) keeps them; where a
    given scale ratio is not a dyadic number (θ/2^F, β rounded), ``meta["inexact"]`` says
    which layer and why, so the caller can measure the difference."""
    T, W = cfg.T, cfg.W
    wmax = (1 << (W - 1)) - 1
    s_in = cfg.input_scale if cfg.input_scale is not None else 1.0 / ((1 << T) - 1)
    half = cfg.rounding == "nearest"
    inexact: list[str] = []
    layers: list[Layer] = []
    k = 0
    n_syn = len(net.synaptic_specs())
    fork_scales: dict[str, float] = {}  # a fork's activation LSB, for its join
    for spec in net.specs:
        if not spec.synaptic:
            if spec.layer.saves:
                fork_scales[spec.name] = s_in
            layers.append(spec.layer.from_float(spec, {}))
            continue
        w = net.weights[k].detach().double()
        b = net.biases[k].detach().double()
        last = k == n_syn - 1
        if spec.weight_lsb is not None:
            wq, sw = _given_weights(spec, w, wmax, last)
        else:
            sw = weight_scales(w, W, per_channel=net.per_channel(k),
                               clip=cfg.weight_clip).double()
            wq = torch.clamp(torch.round(w / sw.view(-1, *([1] * (w.dim() - 1)))), -wmax,
                             wmax)
        wq = wq.to(torch.int64).numpy()
        join: dict = {}  # a residual join's skip and rescale M
        if last:
            shift = 0
            unit = float(sw[0]) * s_in  # float value of one unit of V
            beta = np.round(b.numpy() / unit).astype(np.int64)
            theta, act_scale = None, unit
            if spec.weight_lsb is not None and not np.array_equal(beta * unit, b.numpy()):
                inexact.append(f"{spec.name}: bias not a multiple of the output unit")
        else:
            s_out = act_scales[k]
            ratio = s_out / (sw.numpy() * s_in)  # θ / 2^F
            shift = max(0, math.ceil(cfg.theta_bits - math.log2(float(ratio.min()))))
            if spec.skip is not None:  # M·q_skip in U's unit, as many bits as θ
                s_skip = fork_scales[spec.skip]  # float value of one unit of the skip
                if spec.shortcut is not None:  # of V_s: the shortcut's weight LSB too
                    shortcut = _shortcut(net, spec, W, cfg)
                    s_skip *= shortcut[1]
                    b = b + net.shortcut_biases[net.shortcut_index[spec.name]].detach().double()
                skip_ratio = s_skip / (float(sw[0]) * s_in)  # M / 2^F
                shift = max(shift, math.ceil(cfg.theta_bits - math.log2(skip_ratio)))
            shift = min(shift, 30)
            if spec.skip is not None:
                join = {"skip": spec.skip,
                        "skip_mult": max(1, int(round(skip_ratio * 2.0 ** shift)))}
                if spec.shortcut is not None:
                    join["shortcut"] = shortcut[0]
            theta = np.maximum(np.round(ratio * 2.0 ** shift), 1).astype(np.int64)
            beta_f = b.numpy() * theta / s_out
            beta = (np.round(beta_f) + (theta // 2 if half else 0)).astype(np.int64)
            act_scale = s_out
            if spec.weight_lsb is not None:
                if not np.array_equal(theta, ratio * 2.0 ** shift):
                    inexact.append(f"{spec.name}: threshold ratio not dyadic "
                                   f"(theta rounded at F={shift})")
                if not np.array_equal(np.round(beta_f), beta_f):
                    inexact.append(f"{spec.name}: bias not a multiple of the input unit")
                if half and not (theta % 2 == 0).all():
                    inexact.append(f"{spec.name}: odd threshold, half of it rounded")
        common = dict(name=spec.name, weight=wq, beta=beta, theta=theta, shift=int(shift),
                      output=last, output_relu=last and spec.out_relu,
                      act_scale=float(act_scale), **join)
        layers.append(spec.layer.from_float(spec, common))
        if not last:
            s_in = act_scales[k]
        k += 1
    meta = dict(meta or {})
    if inexact:
        meta["inexact"] = inexact
    return Network(tuple(net.input_shape), T, W, layers, meta,
                   input_scale=cfg.input_scale).validate()
