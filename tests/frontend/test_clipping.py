"""Post-training clipping: the weight and activation clips of least squared rounding error
never do worse than max / percentile on the error they minimise, stay exact under the
integer semantics (the golden model is still the definition), and are options."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from e3ne.api import check_config
from e3ne.errors import ConfigError
from e3ne.frontend.quantize import QuantConfig, mse_clip, weight_scales


def _wq_error(w: torch.Tensor, sw: torch.Tensor, W: int) -> torch.Tensor:
    wmax = (1 << (W - 1)) - 1
    s = sw.view(-1, *([1] * (w.dim() - 1)))
    return ((torch.clamp(torch.round(w / s), -wmax, wmax) * s - w) ** 2).flatten(1).sum(1)


@pytest.mark.parametrize("W", [2, 3, 4, 8])
@pytest.mark.parametrize("per_channel", [True, False])
def test_mse_weight_scales_never_lose_to_max(W: int, per_channel: bool) -> None:
    g = torch.Generator().manual_seed(W)
    w = torch.randn(8, 3, 5, 5, generator=g, dtype=torch.float64)
    w[0] *= 0  # an all-zero channel keeps a unit scale
    w[1, 0, 0, 0] = 9.0  # an outlier
    mx = weight_scales(w, W, per_channel, clip="max")
    ms = weight_scales(w, W, per_channel, clip="mse")
    assert mx.shape == ms.shape == (8,)
    if per_channel:
        assert float(ms[0]) == 1.0
    e_max, e_mse = _wq_error(w, mx, W), _wq_error(w, ms, W)
    if per_channel:
        assert (e_mse <= e_max + 1e-12).all()
    else:
        assert e_mse.sum() <= e_max.sum() + 1e-12
        assert (ms == ms[0]).all()
    wmax = (1 << (W - 1)) - 1
    ref = w.flatten(1).abs().amax(1) if per_channel else w.abs().max().expand(8)
    assert torch.equal(mx, torch.where(ref > 0, ref / wmax, torch.ones_like(ref)))
    assert (ms <= mx + 1e-15).all()  # a clip is never above the max


@pytest.mark.parametrize("T", [1, 2, 4])
def test_mse_activation_clip_never_loses_to_the_percentile(T: int) -> None:
    rng = np.random.default_rng(T)
    acts = np.maximum(rng.standard_normal(50_000) * 2.0, 0)
    acts[:20] = 40.0  # outliers
    upper = float(np.percentile(acts, 99.99))
    c = mse_clip(acts, T, upper)
    qmax = (1 << T) - 1

    def err(clip: float) -> float:
        s = clip / qmax
        return float(((np.clip(np.floor(acts / s + 0.5), 0, qmax) * s - acts) ** 2).sum())

    assert 0 < c <= upper and err(c) <= err(upper)
    assert mse_clip(np.zeros(10), T, 3.0) == 3.0  # nothing positive: the bound


def test_bad_clip_options_are_refused() -> None:
    with pytest.raises(ConfigError, match="--weight-clip 'l1': expected one of mse, max"):
        check_config(QuantConfig(weight_clip="l1"))
    with pytest.raises(ConfigError, match="--act-clip 'max': expected one of mse, percentile"):
        check_config(QuantConfig(act_clip="max"))
