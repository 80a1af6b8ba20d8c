"""Residual blocks written the way users write them (tests/residual_forms.py), converted,
generated with random folds and co-simulated bit-exact in Verilator, plain and with random
stalls; the cycle model exact on the plain run."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from netgen import random_folds, random_levels
from residual_forms import FORMS

from e3ne.api import convert
from e3ne.design.generate import generate
from e3ne.dse.cycles import estimate
from e3ne.flow import verify
from e3ne.frontend.quantize import QuantConfig

pytestmark = pytest.mark.rtl


@pytest.mark.parametrize("form,seed", [(f, 30 + i) for i, f in enumerate(FORMS)],
                         ids=[f[0].__name__ for f in FORMS])
def test_user_written_residual_blocks_are_bit_exact(form, seed: int, tmp_path: Path) -> None:
    make, shape, _ = form
    torch.manual_seed(seed)
    net = convert(make().eval(), torch.rand(64, *shape) * 2, QuantConfig(T=3, W=4))
    folds = random_folds(net, seed)
    d = tmp_path / "d"
    net.save(d)
    generate(net, folds, d)
    for stalls in (False, True):
        r = verify.run(d, random_levels(net, 4, seed), stalls=stalls, progress=False)
        assert r.mismatches == 0, r.first_mismatch
        if not stalls:
            assert r.latency_cycles == estimate(net, folds).latency
