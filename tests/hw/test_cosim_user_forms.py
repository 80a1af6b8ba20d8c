"""Models written the way users write them (vectors in, clipped ReLUs, a global mean, an
output ReLU) converted through the front end, and networks with non-square and 1-D windows,
generated and co-simulated bit-exact (Verilator), the cycle model checked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from netgen import random_folds, random_levels

from e3ne.api import convert
from e3ne.design.folding import Fold, default_fold
from e3ne.design.generate import generate
from e3ne.dse.cycles import estimate
from e3ne.flow import verify
from e3ne.frontend.quantize import QuantConfig
from e3ne.ir import Network
from e3ne.layers import AvgPool, Conv, Flatten, Linear, MaxPool

pytestmark = pytest.mark.rtl


class VectorMlp(nn.Module):
    """forward() takes [N, 12]; Hardtanh(0, 2) and F.relu6 as activations; the output
    layer ends in a ReLU (its scores are max(U, 0))."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(12, 16)
        self.act = nn.Hardtanh(0.0, 2.0)
        self.fc2 = nn.Linear(16, 8)
        self.fc3 = nn.Linear(8, 3)

    def forward(self, x):
        return F.relu(self.fc3(F.relu6(self.fc2(self.act(self.fc1(x))))))


class ConvMean(nn.Module):
    """ReLU6 module, clamp(0, c) after a max pool, a global mean over H and W."""

    def __init__(self) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(2, 4, 3, padding=1)
        self.act = nn.ReLU6(inplace=True)
        self.c2 = nn.Conv2d(4, 6, 3)
        self.fc = nn.Linear(6, 4)

    def forward(self, x):
        x = self.act(self.c1(x))
        x = torch.clamp(F.max_pool2d(self.c2(x), 2), 0, 3.0)
        return self.fc(x.mean(dim=(2, 3)))


class Kws1d(nn.Module):
    """A 1-D net on [N, 2, 32]: Conv1d + BatchNorm1d, F.max_pool1d, a strided Conv1d,
    AvgPool1d, then a mean over L, as keyword-spotting and ECG nets are written."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv1d(2, 6, 5, padding=2), nn.BatchNorm1d(6),
                                  nn.ReLU(inplace=True))
        self.c2 = nn.Conv1d(6, 8, 3, stride=2, padding="valid")
        self.pool = nn.AvgPool1d(3, stride=1, padding=1)
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        x = F.max_pool1d(self.body(x), 2)
        x = self.pool(F.relu(self.c2(x)))
        return self.fc(x.mean(-1))


class DepthwiseSeparable(nn.Module):
    """A MobileNet-style block: a depthwise 3x3 (groups = C) with BatchNorm and ReLU6,
    then a pointwise 1x1, a strided grouped conv, a global mean."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(2, 4, 3)
        self.dw = nn.Sequential(nn.Conv2d(4, 4, 3, padding=1, groups=4), nn.BatchNorm2d(4),
                                nn.ReLU6(inplace=True))
        self.pw = nn.Conv2d(4, 8, 1)
        self.grouped = nn.Conv2d(8, 8, 3, stride=2, groups=2)
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        x = F.relu(self.stem(x))
        x = F.relu(self.pw(self.dw(x)))
        return self.fc(F.relu(self.grouped(x)).mean((2, 3)))


@pytest.mark.parametrize("model,calib,seed", [
    (VectorMlp, (12,), 21),
    (DepthwiseSeparable, (2, 9, 9), 24),
    (ConvMean, (2, 8, 8), 22),
    (Kws1d, (2, 32), 23),
])
def test_user_written_forms_are_bit_exact(model, calib, seed: int, tmp_path: Path) -> None:
    torch.manual_seed(seed)
    x = torch.rand(64, *calib) * 3
    net = convert(model().eval(), x, QuantConfig(T=3, W=4))
    d = tmp_path / "d"
    net.save(d)
    generate(net, random_folds(net, seed), d)
    for stalls in (False, True):
        r = verify.run(d, random_levels(net, 6, seed), stalls=stalls, progress=False)
        assert r.mismatches == 0, r.first_mismatch
        assert r.latency_cycles > 0


def _conv(rng, name: str, cin: int, cout: int, kernel, stride, padding) -> Conv:
    return Conv(name, weight=rng.integers(-3, 4, size=(cout, cin, *kernel)),
                beta=rng.integers(-20, 20, size=cout), theta=rng.integers(20, 60, size=cout),
                shift=0, output=False, stride=stride, padding=padding)


def _non_square_network() -> Network:
    """(3, 1) and (1, 3) kernels with their own strides and paddings, a (1, 2) max pool
    and a (2, 3) average pool with padding: each axis its own window."""
    rng = np.random.default_rng(0)
    layers = [_conv(rng, "c0", 2, 4, (3, 1), (1, 1), (1, 0)),
              MaxPool("p0", (1, 2), (1, 2), (0, 0)),
              _conv(rng, "c1", 4, 5, (1, 3), (2, 1), (0, 1)),
              AvgPool("p1", (2, 3), (1, 2), (1, 1)), Flatten("f")]
    shape = Network((2, 7, 9), 3, 3, layers).shapes()[-1]
    layers.append(Linear("fc", weight=rng.integers(-3, 4, size=(3, int(np.prod(shape)))),
                         beta=rng.integers(-10, 10, size=3), output=True))
    return Network((2, 7, 9), 3, 3, layers).validate()


def _one_d_network() -> Network:
    """A 1-D net (H = 1): kernels (1, 5) and (1, 3), strides 2 and 1, a (1, 2) pool."""
    rng = np.random.default_rng(1)
    layers = [_conv(rng, "c0", 3, 6, (1, 5), (1, 2), (0, 2)),
              MaxPool("p0", (1, 2), (1, 2), (0, 0)),
              _conv(rng, "c1", 6, 4, (1, 3), (1, 1), (0, 1)), Flatten("f")]
    shape = Network((3, 1, 24), 3, 4, layers).shapes()[-1]
    layers.append(Linear("fc", weight=rng.integers(-7, 8, size=(4, int(np.prod(shape)))),
                         beta=rng.integers(-10, 10, size=4), output=True))
    return Network((3, 1, 24), 3, 4, layers).validate()


@pytest.mark.parametrize("make,folds", [
    (_non_square_network, {}),
    (_non_square_network, {"c0": Fold(2, 1, 1), "c1": Fold(1, 12, 3)}),
    (_non_square_network, {"c0": Fold(4, 6, 3), "c1": Fold(5, 4, 1)}),
    (_one_d_network, {"c0": Fold(3, 15, 1), "c1": Fold(2, 6, 3)}),
], ids=["nonsquare-default", "nonsquare-rows", "nonsquare-windows", "one-d"])
def test_non_square_windows_are_bit_exact(make, folds, tmp_path: Path) -> None:
    net = make()
    full = {layer.name: default_fold(layer, net.T) for layer in net.synaptic_layers}
    full.update(folds)
    d = tmp_path / "d"
    net.save(d)
    generate(net, full, d)
    model = estimate(net, full)
    for stalls in (False, True):
        r = verify.run(d, random_levels(net, 5, 1), stalls=stalls, progress=False)
        assert r.mismatches == 0, r.first_mismatch
        if not stalls:  # the cycle model follows each axis's own window
            assert r.latency_cycles == model.latency, (r.latency_cycles, model.latency)
