"""Residual blocks through the front end: each user-written form becomes forks and joins
whose integer network runs the same in both golden executors, saves and loads, and whose
folded float network is the model itself."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from residual_forms import FORMS

from e3ne import golden
from e3ne.api import convert, fold_model
from e3ne.frontend.quantize import QuantConfig
from e3ne.ir import Network


def _calib(shape: tuple[int, ...], seed: int) -> torch.Tensor:
    torch.manual_seed(seed)
    return torch.rand(32, *shape)


@pytest.mark.parametrize("form", FORMS, ids=[f[0].__name__ for f in FORMS])
def test_forms_fold_to_the_model(form) -> None:
    make, shape, kind = form
    model = make().eval()
    image = shape if kind == "image" else (shape[0], 1, shape[1])
    folded = fold_model(model, image, kind)
    forks = [s.name for s in folded.specs if s.layer.saves]
    joins = [s.skip for s in folded.specs if getattr(s, "skip", None)]
    assert forks and sorted(forks) == sorted(joins)
    x = _calib(shape, 0)
    with torch.no_grad():
        want = model(x)
        got = folded(x.reshape(len(x), *image).float())
    assert torch.allclose(got, want, atol=1e-5), (got - want).abs().max()


@pytest.mark.parametrize("form", FORMS, ids=[f[0].__name__ for f in FORMS])
def test_forms_run_exactly_in_both_executors(form, tmp_path: Path) -> None:
    make, shape, kind = form
    x = _calib(shape, 1)
    net = convert(make().eval(), x, QuantConfig(T=3, W=4))
    joins = [layer for layer in net.layers if layer.reads()]
    assert joins and all(layer.skip_mult >= 1 for layer in joins if layer.kind == "conv")
    q = golden.input_levels(net, x.reshape(len(x), *net.input_shape).numpy())
    assert np.array_equal(golden.run_fast(net, q), golden.run_literal(net, q))
    net.save(tmp_path)
    again = Network.load(tmp_path)
    assert [a.reads() for a in again.layers] == [b.reads() for b in net.layers]
    assert np.array_equal(golden.run_fast(again, q), golden.run_fast(net, q))
