"""Lane cost: LUTs per spike x weight-bit product per cycle (DESIGN.md §3)."""

from __future__ import annotations

import torch

from e3ne.api import convert
from e3ne.dse.lane_cost import lane_cost, products_per_image
from e3ne.frontend.quantize import QuantConfig
from e3ne.models import build_model


def test_lenet5_products_by_hand() -> None:
    """conv1 28x28x6 outputs of 25 inputs, conv2 10x10x16 of 150, conv3 120 of 400,
    fc 84 of 120 and 10 of 84; each x T=4 spike planes x W=3 weight bits."""
    torch.manual_seed(0)
    net = convert(build_model("lenet5"), torch.rand(4, 1, 32, 32), QuantConfig(T=4, W=3))
    outputs_x_fan_in = 28 * 28 * 6 * 25 + 10 * 10 * 16 * 150 + 120 * 400 + 84 * 120 + 10 * 84
    assert products_per_image(net) == outputs_x_fan_in * 4 * 3 == 4_998_240
    # the figure DESIGN.md quotes for the released design: 15.7k LUT at 2,000 cycles
    assert round(lane_cost(15_652, 2_000, products_per_image(net)), 1) == 6.3
