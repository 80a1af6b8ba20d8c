"""Rate coding of the same integer network, for comparison only (golden model, no RTL).

The standard integrate-and-fire conversion: an activation is a spike count over ``S``
steps instead of a T-bit number over T steps. With ``L = 2^T - 1`` levels of the radix
network, a hidden neuron's count ``c ≈ S·q/L`` when it integrates, every step,
``L·2^F·Σ_i w_i·s_i,t + β`` and fires (subtracting ``L·θ``) on reaching ``L·θ``: over S
steps it fires ``(2^F·Σ w·c_in + S·β/L)/θ`` times, the radix neuron's ``U/θ`` scaled from L
levels to S. All in integers, from the network's own ``w``, ``β``, ``θ``, ``F``. Max pooling
passes each step the spike of the input with the highest count so far (ties to the
first); average pooling is an integrate-and-fire unit of threshold k (starting at k/2, the
radix average's rounding). The output layer sums its input over the steps.

Rate coding needs ``2^T - 1`` steps for the resolution radix coding reaches in T: this
module makes that measurable (``bench/bench_rate.py``).
"""

from __future__ import annotations

import numpy as np
import torch

from e3ne.errors import ConfigError
from e3ne.ir import Network
from e3ne.layers import AvgPool, Flatten, Layer, MaxPool, Synaptic
from e3ne.synops import layer_synops


def input_counts(net: Network, images: np.ndarray | torch.Tensor, steps: int) -> np.ndarray:
    """Pixels -> input spike counts in [0, S]: the radix input level's fraction of L, at S."""
    x = images.detach().cpu().numpy() if isinstance(images, torch.Tensor) else images
    x = np.asarray(x, dtype=np.float64)
    full = 1.0 if net.input_scale is None else net.input_scale * ((1 << net.T) - 1)
    return np.clip(np.floor(x / full * steps + 0.5), 0, steps).astype(np.int64)


def _spread(counts: np.ndarray, steps: int, t: int) -> np.ndarray:
    """Step t of evenly spread trains: fires when floor((t+1)·c/S) > floor(t·c/S)."""
    return ((t + 1) * counts // steps - t * counts // steps).astype(np.int64)


class _State:
    """One layer's membrane (or counts) across the steps."""

    def __init__(self, layer: Layer, T: int) -> None:
        if not isinstance(layer, (Synaptic, MaxPool, AvgPool, Flatten)) or getattr(
                layer, "skip", None) is not None or layer.saves:
            raise ConfigError(f"{layer.where}: the rate-coded baseline takes chains of "
                              "conv, linear, pooling and flatten layers only")
        self.layer, self.T, self.levels = layer, T, (1 << T) - 1
        self.m: np.ndarray | None = None

    def step(self, s: np.ndarray) -> np.ndarray:
        layer = self.layer
        if isinstance(layer, Flatten):
            return s.reshape(s.shape[0], -1)
        if isinstance(layer, MaxPool):
            self.m = s.copy() if self.m is None else self.m + s  # counts so far
            cw, sw = layer.windows(self.m), layer.windows(s)
            shape = cw.shape[:-2] + (-1,)
            pick = cw.reshape(shape).argmax(axis=-1)[..., None]
            return np.take_along_axis(sw.reshape(shape), pick, axis=-1)[..., 0]
        if isinstance(layer, AvgPool):
            k = layer.window_size
            total = layer.windows(s).sum(axis=(-2, -1))
            self.m = (np.full(total.shape, k // 2, np.int64) if self.m is None else self.m)
            self.m += total
            fire = self.m >= k
            self.m -= np.where(fire, k, 0)
            return fire.astype(np.int64)
        v = layer.membrane_fast(torch.from_numpy(s), self.T).to(torch.int64).numpy()
        shape = (1, -1) + (1,) * (v.ndim - 2)
        drive = self.levels * (v << layer.shift) + layer.beta.reshape(shape)
        self.m = drive if self.m is None else self.m + drive
        if layer.output:
            return self.m
        thr = self.levels * layer.theta.reshape(shape)
        fire = self.m >= thr
        self.m -= np.where(fire, thr, 0)
        return fire.astype(np.int64)


def run_rate(net: Network, images: np.ndarray | torch.Tensor, steps: int,
             batch_size: int = 500, synops: dict | None = None) -> np.ndarray:
    """The output layer's summed input ``[N, classes]`` after ``steps`` rate-coded steps
    (the class is its argmax, ties to the lowest index). ``synops``, if given, gains per
    synaptic layer (and ``"total"``) the additions per image (``e3ne.synops``)."""
    if not isinstance(steps, int) or steps < 1:
        raise ConfigError(f"steps {steps!r}: expected an integer >= 1")
    counts = input_counts(net, images, steps)
    if counts.ndim == 3:
        counts = counts[None]
    out = []
    with torch.inference_mode():
        for start in range(0, len(counts), batch_size):
            c = counts[start:start + batch_size]
            states = [_State(layer, net.T) for layer in net.layers]
            fed: list = [0] * len(states)  # spikes each layer received, per input
            for t in range(steps):
                s = _spread(c, steps, t)
                for k, st in enumerate(states):
                    if synops is not None and isinstance(st.layer, Synaptic):
                        fed[k] = fed[k] + s
                    s = st.step(s)
            out.append(s)
            if synops is not None:
                for st, n in zip(states, fed, strict=True):
                    if isinstance(st.layer, Synaptic):
                        synops[st.layer.name] = synops.get(st.layer.name, 0) + \
                            layer_synops(st.layer, n)
    if synops is not None and len(counts):
        for key in [k for k in synops if k != "total"]:
            synops[key] /= len(counts)
        synops["total"] = sum(v for k, v in synops.items() if k != "total")
    return np.concatenate(out) if out else np.zeros((0, net.num_classes), np.int64)


def rate_accuracy(net: Network, images: np.ndarray | torch.Tensor, labels, steps: int
                  ) -> float:
    y = labels.numpy() if isinstance(labels, torch.Tensor) else np.asarray(labels)
    return float((run_rate(net, images, steps).argmax(axis=1) == y).mean())
