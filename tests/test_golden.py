"""The two golden executors agree on every value; the fast one tracks the float model."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from netgen import random_levels, random_network

from e3ne import golden
from e3ne.api import convert
from e3ne.frontend.quantize import QuantConfig


@settings(max_examples=220, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1))
def test_fast_and_literal_agree_on_random_networks(seed: int) -> None:
    net = random_network(seed)
    q0 = random_levels(net, 5, seed)
    fast, per_layer = golden.run_fast(net, q0, collect=True)
    literal = golden.run_literal(net, q0)
    np.testing.assert_array_equal(fast, literal)
    assert fast.dtype == np.int64 and fast.shape == (5, net.num_classes)
    for layer_out, shape in zip(per_layer, net.shapes()[1:], strict=True):
        assert layer_out.shape[1:] == tuple(shape)


def test_every_layer_agrees_not_only_the_output() -> None:
    """Compare the literal executor layer by layer, decoding its spike trains."""
    from e3ne.encoding import radix_decode, radix_encode

    for seed in range(30):
        net = random_network(seed)
        q0 = random_levels(net, 3, seed)
        _, per_layer = golden.run_fast(net, q0, collect=True)
        spikes = radix_encode(q0, net.T)
        for layer, expect in zip(net.layers, per_layer, strict=True):
            spikes = layer.run_literal(spikes, net.T)
            got = spikes if layer is net.layers[-1] else radix_decode(spikes)
            np.testing.assert_array_equal(got, expect, err_msg=layer.where)


def test_wide_accumulators_use_exact_fallbacks() -> None:
    """Fan-in large enough to leave float32's exact range still matches the literal path."""
    from e3ne.ir import Network
    from e3ne.layers import Conv, Flatten, Linear

    rng = np.random.default_rng(1)
    T, W = 12, 12
    wmax = (1 << (W - 1)) - 1
    conv = Conv("c", weight=rng.integers(-wmax, wmax + 1, (3, 4, 3, 3)),
                beta=rng.integers(-1000, 1000, 3), theta=rng.integers(1 << 20, 1 << 22, 3),
                shift=2, output=False)
    fc = Linear("fc", weight=rng.integers(-wmax, wmax + 1, (4, 3 * 6 * 6)),
                beta=rng.integers(-10, 10, 4), theta=None, shift=0, output=True)
    net = Network((4, 8, 8), T, W, [conv, Flatten("f"), fc]).validate()
    assert conv._exact_dtype(T) == torch.float64
    q0 = rng.integers(0, 1 << T, (4, 4, 8, 8))
    np.testing.assert_array_equal(golden.run_fast(net, q0), golden.run_literal(net, q0))


def _small_cnn(seed: int, bn: bool) -> nn.Module:
    torch.manual_seed(seed)
    layers = [nn.Conv2d(1, 4, 3, padding=1)]
    if bn:
        layers.append(nn.BatchNorm2d(4))
    layers += [nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 8, 3, stride=2), nn.ReLU(),
               nn.Flatten(), nn.Linear(8 * 2 * 2, 16), nn.ReLU(), nn.Linear(16, 5)]
    m = nn.Sequential(*layers).eval()
    if bn:
        m[1].running_mean.uniform_(-0.2, 0.2)
        m[1].running_var.uniform_(0.5, 2.0)
        m[1].weight.data.uniform_(0.5, 1.5)
    return m


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), bn=st.booleans())
def test_fast_model_tracks_float_within_quantisation_error(seed: int, bn: bool) -> None:
    """At 8 bits the SNN's dequantised scores stay within a small multiple of the
    quantisation step of the float logits, and the error shrinks as T and W grow."""
    model = _small_cnn(seed, bn)
    torch.manual_seed(seed + 1)
    x = torch.rand(64, 1, 10, 10)
    with torch.no_grad():
        z = model(x).double().numpy()
    errors = []
    for T, W in ((4, 4), (8, 8), (12, 12)):
        net = convert(model, x, QuantConfig(T=T, W=W, percentile=100.0))
        u = golden.run_fast(net, golden.input_levels(net, x)) * net.layers[-1].act_scale
        errors.append(np.abs(u - z).max() / (np.abs(z).max() + 1e-12))
    assert errors[2] < errors[1] < errors[0]
    assert errors[1] < 0.05
    assert errors[2] < 0.005
