"""How much logic a design spends per unit of work: LUTs per spike x weight-bit product
per cycle (DESIGN.md §3).

A synaptic layer's work per image is one AND of a spike and a weight bit for every
output value, input of its window, time step and weight bit:
``out values x fan-in x T x W`` products. A design that finishes an image every
``interval`` cycles on ``LUT`` look-up tables spends ``LUT * interval / products`` LUTs per
product per cycle. A LUT-based compressor removes at most about 1.75 bits per LUT, so the
floor is about 0.6-1; FINN's SFC-max is about 4.4.
"""

from __future__ import annotations

import math

from e3ne.ir import Network


def products_per_image(net: Network) -> int:
    """Spike x weight-bit products of one image over all synaptic layers."""
    shapes = net.shapes()
    total = 0
    for i, layer in enumerate(net.layers):
        if layer.synaptic:
            total += math.prod(shapes[i + 1]) * layer.fan_in * net.T * net.W
    return total


def lane_cost(luts: float, interval: float, products: int) -> float:
    """LUTs per spike x weight-bit product per cycle."""
    return luts * interval / products
