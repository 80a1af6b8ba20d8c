"""Models written the way users write them (vectors in, clipped ReLUs, a global mean) are
converted through the front end, generated and co-simulated bit-exact (Verilator)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from netgen import random_folds, random_levels

from e3ne.api import convert
from e3ne.design.generate import generate
from e3ne.flow import verify
from e3ne.frontend.quantize import QuantConfig

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


@pytest.mark.parametrize("model,calib,seed", [
    (VectorMlp, (12,), 21),
    (ConvMean, (2, 8, 8), 22),
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
