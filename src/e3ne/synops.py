"""Synaptic operations per image: the spike x weight additions a network actually performs
(a spike meeting a non-zero weight), the usual measure of an SNN's work.

Radix coding: input i of a synaptic layer spikes popcount(q_i) times over its T steps;
rate coding: c_i times (its count over the S steps, ``e3ne.rate``). Either way a layer
performs ``Σ_c Σ_i [w_ci ≠ 0]·n_i`` additions, computed exactly as the layer's own
membrane with its weights replaced by their non-zero indicator. This counts work, not
hardware: e3ne's engines are dense (every lane works every cycle), so these figures
compare codings, and the cycle model stays the measure of time.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from e3ne import golden
from e3ne.ir import Network
from e3ne.layers import Synaptic

_COUNT_T = 16  # spike counts up to 2^16 - 1 per input: exact dtype chosen for that


def layer_synops(layer: Synaptic, spikes_per_input: np.ndarray) -> int:
    """Additions of ``layer`` given each input's spike count ``[N, ...]`` (summed over N)."""
    nz = dataclasses.replace(layer, weight=(layer.weight != 0).astype(np.int64),
                             beta=np.zeros_like(layer.beta), shift=0, skip=None,
                             shortcut=None)
    v = nz.membrane_fast(torch.from_numpy(np.ascontiguousarray(spikes_per_input,
                                                               np.int64)), _COUNT_T)
    return int(v.to(torch.float64).sum().item())


def popcount(q: np.ndarray) -> np.ndarray:
    q = np.asarray(q, dtype=np.int64).copy()
    n = np.zeros_like(q)
    while q.any():
        n += q & 1
        q >>= 1
    return n


def radix_synops(net: Network, q0: np.ndarray) -> dict[str, float]:
    """Per synaptic layer (and ``"total"``), additions per image under radix coding."""
    q0 = np.asarray(q0, dtype=np.int64)
    _, outs = golden.run_fast(net, q0, collect=True)
    inputs = [q0, *outs[:-1]]
    per = {layer.name: layer_synops(layer, popcount(x)) / len(q0)
           for layer, x in zip(net.layers, inputs, strict=True) if isinstance(layer, Synaptic)}
    per["total"] = sum(per.values())
    return per
