"""Spike activity: how often each layer fires at each time step.

Radix coding makes the cost of a time step proportional to its spikes (the synaptic
engine is spike-gated), and the MSB steps of a well-calibrated network are sparse; this
measures it from the golden model's per-layer outputs.
"""

from __future__ import annotations

import numpy as np

from e3ne import golden
from e3ne.errors import ConfigError
from e3ne.ir import Network
from e3ne.layers import Flatten, Synaptic

INPUT = "input"


def bit_fractions(q: np.ndarray, T: int) -> list[float]:
    """Fraction of non-zero spikes per step t = 0..T-1 of T-bit values ``q`` (MSB first:
    the spike at t is bit T-1-t)."""
    q = np.asarray(q, dtype=np.int64)
    if q.size == 0:
        return [0.0] * T
    return [float(((q >> (T - 1 - t)) & 1).mean()) for t in range(T)]


def spike_activity(net: Network, q0: np.ndarray) -> dict[str, list[float]]:
    """Per spiking layer (the input encoding first, as ``"input"``), the fraction of
    neurons x images that spike at each time step t = 0..T-1.

    The output layer emits signed membrane potentials, not spikes, and is left out; so is
    Flatten, whose spikes are exactly its input's (it is a reshape, not a stage).
    """
    q0 = np.asarray(q0)
    if q0.ndim != 4 or tuple(q0.shape[1:]) != tuple(net.input_shape):
        raise ConfigError(f"input levels of shape {q0.shape}: expected [N, "
                          f"{', '.join(map(str, net.input_shape))}] for this network")
    if any(layer.name == INPUT for layer in net.layers):
        raise ConfigError(f"layer name {INPUT!r}: reserved for the input encoding in "
                          "the activity report; rename the layer")
    _, outs = golden.run_fast(net, q0, collect=True)
    activity = {INPUT: bit_fractions(q0, net.T)}
    for layer, out in zip(net.layers, outs, strict=True):
        if isinstance(layer, Flatten) or (isinstance(layer, Synaptic) and layer.output):
            continue
        activity[layer.name] = bit_fractions(out, net.T)
    return activity
