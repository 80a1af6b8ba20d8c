"""Quantisation-aware fine-tuning with the exact integer semantics (straight-through).

The folded float network is trained with weights rounded to their W-bit grid (per-channel
scales, per-layer for the output layer, as in ``quantize``), inputs to T-bit levels and
hidden activations clamped and rounded to the calibrated ``s_l`` grid. Rounding passes
gradients straight through; clamping passes them only inside its range. Afterwards
``to_network`` uses the same scales, so the IR computes what was trained.
"""

from __future__ import annotations

import torch

from e3ne.frontend.fold import FloatNet
from e3ne.frontend.quantize import QuantConfig, weight_scales


def _ste_round(x: torch.Tensor) -> torch.Tensor:
    return x + (torch.floor(x + 0.5) - x).detach()


class FakeQuant:
    """Integer-semantics forward hooks for ``FloatNet.forward(quant=...)``."""

    def __init__(self, net: FloatNet, act_scales: list[float], cfg: QuantConfig):
        self.cfg = cfg
        self.qmax = (1 << cfg.T) - 1
        self.wmax = (1 << (cfg.W - 1)) - 1
        self.scales = act_scales
        self.net = net

    def input(self, x: torch.Tensor) -> torch.Tensor:
        return torch.clamp(torch.floor(x * self.qmax + 0.5), 0, self.qmax) / self.qmax

    def weight(self, w: torch.Tensor, k: int) -> torch.Tensor:
        sw = weight_scales(w, self.cfg.W, per_channel=self.net.per_channel(k),
                           clip=self.cfg.weight_clip)
        sw = sw.view(-1, *([1] * (w.dim() - 1)))
        return torch.clamp(_ste_round(w / sw), -self.wmax, self.wmax) * sw

    def shortcut_weight(self, w: torch.Tensor) -> torch.Tensor:
        """A projection shortcut's weights: one scale per layer (``quantize``)."""
        sw = weight_scales(w, self.cfg.W, per_channel=False, clip=self.cfg.weight_clip)
        sw = sw.view(-1, *([1] * (w.dim() - 1)))
        return torch.clamp(_ste_round(w / sw), -self.wmax, self.wmax) * sw

    def activation(self, x: torch.Tensor, k: int) -> torch.Tensor:
        s = self.scales[k]
        x = torch.clamp(x, 0.0, self.qmax * s)
        return _ste_round(x / s) * s


class QATModel(torch.nn.Module):
    """Wraps a FloatNet so ordinary training loops run it with fake quantisation."""

    def __init__(self, net: FloatNet, act_scales: list[float], cfg: QuantConfig):
        super().__init__()
        self.net = net
        self.quant = FakeQuant(net, act_scales, cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x, quant=self.quant)
