"""The rate-coded baseline: integrate-and-fire on the network's own integers, checked
against closed forms where one exists, and refused where the baseline does not apply."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from netgen import random_network

from e3ne import golden
from e3ne.errors import ConfigError
from e3ne.ir import Network
from e3ne.layers import Flatten, Linear
from e3ne.rate import input_counts, run_rate
from e3ne.synops import radix_synops


def _linear(name: str, w: np.ndarray, output: bool, theta=None, shift: int = 0,
            beta=None) -> Linear:  # noqa: ANN001
    c = w.shape[0]
    return Linear(name=name, weight=w, beta=np.zeros(c, np.int64) if beta is None else beta,
                  theta=theta, shift=shift, output=output)


def test_the_output_layer_sums_its_drive_over_the_steps() -> None:
    """One linear layer: scores = L·2^F·Σ w·c0 + S·β exactly (c0: the input counts)."""
    rng = np.random.default_rng(0)
    T, S = 4, 11
    w = rng.integers(-3, 4, (5, 12))
    beta = rng.integers(-40, 40, 5)
    net = Network((1, 1, 12), T, 3, [Flatten(name="f"), _linear("fc", w, True, shift=2,
                                                                  beta=beta)]).validate()
    x = rng.random((7, 1, 1, 12))
    c0 = input_counts(net, x, S).reshape(7, -1)
    want = 15 * (c0 @ w.T << 2) + S * beta
    np.testing.assert_array_equal(run_rate(net, x, S), want)


def test_a_hidden_neuron_fires_its_charge_over_threshold() -> None:
    """Non-negative weights and drive at most L·θ per step: the count is exactly
    floor(charge / (L·θ)), the charge being L·2^F·Σ w·c_in + S·β."""
    rng = np.random.default_rng(1)
    T, S, L = 3, 20, 7
    w = rng.integers(0, 2, (4, 6))
    theta = np.full(4, 6 * L, np.int64)  # drive L·Σ w·s <= 6·L <= L·θ
    net = Network((1, 1, 6), T, 2, [
        Flatten(name="f"), _linear("h", w, False, theta=theta),
        _linear("out", np.eye(4, dtype=np.int64), True)]).validate()
    x = rng.random((9, 1, 1, 6))
    c0 = input_counts(net, x, S).reshape(9, -1)
    counts = (L * (c0 @ w.T)) // (L * theta)
    np.testing.assert_array_equal(run_rate(net, x, S), L * counts)


def test_counts_follow_the_input_scale() -> None:
    net = random_network(3)
    x = torch.full((1, *net.input_shape), 0.5)
    assert (input_counts(net, x, 10) == 5).all()
    net.input_scale = 1.0 / (2 * ((1 << net.T) - 1))  # the full level at x = 0.5
    assert (input_counts(net, x, 10) == 10).all()


@pytest.mark.parametrize("seed", [2, 5, 11])
def test_random_chains_run(seed: int) -> None:
    """Any conv/pool/linear chain runs (padding, strides, saturation, negative drive)."""
    net = random_network(seed)
    x = np.random.default_rng(seed).random((3, *net.input_shape))
    out = run_rate(net, x, 5)
    assert out.shape == (3, net.num_classes) and out.dtype == np.int64


def test_residual_networks_are_refused() -> None:
    net = next(n for n in (random_network(s, residual=True) for s in range(40))
               if any(layer.saves for layer in n.layers))
    with pytest.raises(ConfigError, match="rate-coded baseline takes chains"):
        run_rate(net, np.zeros((1, *net.input_shape)), 3)


def test_synaptic_operations_count_spikes_meeting_nonzero_weights() -> None:
    """Radix: popcount(q) spikes per input; rate: the input counts; each spike adds into
    every output whose weight to it is not zero (checked by hand on one linear layer)."""
    rng = np.random.default_rng(4)
    T, S = 3, 9
    w = rng.integers(-1, 2, (6, 10))
    net = Network((1, 1, 10), T, 2, [Flatten(name="f"), _linear("fc", w, True)]).validate()
    x = rng.random((5, 1, 1, 10))
    nz = (w != 0).sum(axis=0)  # outputs each input reaches
    q0 = golden.input_levels(net, x).reshape(5, -1)
    bits = sum((q0 >> b) & 1 for b in range(T))
    assert radix_synops(net, golden.input_levels(net, x))["fc"] == (bits @ nz).sum() / 5
    ops: dict = {}
    run_rate(net, x, S, synops=ops)
    c0 = input_counts(net, x, S).reshape(5, -1)
    assert ops["fc"] == ops["total"] == (c0 @ nz).sum() / 5
