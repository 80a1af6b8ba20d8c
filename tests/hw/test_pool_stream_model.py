"""The pool_stream core model (e3ne.hw.cores.pool_stream) against the per-beat recurrence
of the pool_stream.sv header (``pool_stream_schedule`` in test_pool_stream.py, which the
Verilator bench checks cycle by cycle), and the layer binding that picks it.

No simulator: the recurrence is the reference here; tests/test_cycles.py runs generated
designs that use the core under Verilator.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from netgen import random_network
from test_pool_stream import pool_stream_schedule, pool_stream_times

from e3ne.design.chain import build
from e3ne.design.folding import load_folds
from e3ne.hw.cores import CORE_MODELS, Stream
from e3ne.hw.cores.pool_stream import PoolStream


def _core(K: int, H: int, WD: int, C: int, CH: int, mode: int = 0) -> PoolStream:
    cf = C // CH
    params = {"T": 4, "C": C, "CH": CH, "K": K, "H": H, "WD": WD, "MODE": mode}
    return PoolStream("u_pool", "p", params, Stream("a", CH, 4, H * WD * cf),
                      Stream("b", CH, 4, (H // K) * (WD // K) * cf))


def _geometries(n: int, seed: int) -> list[tuple[dict, int]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.choice([1, 2, 2, 3, 4])
        ch, cf = rng.choice([1, 2, 3]), rng.choice([1, 2, 3, 4])
        geo = dict(K=k, H=rng.randint(k, 3 * k + 2), WD=rng.randint(k, 3 * k + 2),
                   C=ch * cf, CH=ch)
        out.append((geo, rng.choice([1, 2, 3, 5, 8, 13, 32])))
    return out


@pytest.mark.parametrize(("geo", "r"), _geometries(60, 1))
def test_busy_is_the_steady_period_of_the_recurrence(geo: dict, r: int) -> None:
    """Images back to back, input offered every cycle, the consumer taking a beat every r
    cycles: busy() is the distance between the images' first input transfers once the
    schedule is periodic, and between their last output transfers; from the start it is
    never more than the measured mean (no transient makes the figure optimistic)."""
    core = _core(**geo)
    n = core.in_beats
    images = r + 6
    taken, _, out = pool_stream_schedule(np.arange(n * images), **geo, r=r)
    per_image = len(out) // images
    first_in, last_out = taken[::n], out[per_image - 1::per_image]
    busy = core.busy(r)
    assert np.all(np.diff(first_in)[-2:] == busy) and np.diff(last_out)[-1] == busy
    assert (last_out[3] - last_out[0]) / 3 >= busy  # what tests/test_cycles.py measures
    if r == 1:
        assert busy == n


@pytest.mark.parametrize(("geo", "r"), _geometries(60, 2))
def test_forward_is_the_recurrence(geo: dict, r: int) -> None:
    """Output-beat times of one image from random input offers: the header's loop (and
    its closed form for a consumer that is always ready)."""
    core = _core(**geo)
    rng = np.random.default_rng(len(str(geo)) + r)
    t = np.cumsum(rng.integers(0, 3, size=core.in_beats)).astype(np.int64)
    _, valid, _ = pool_stream_schedule(t, **geo, r=r)
    got = core.forward(t, r)
    assert np.array_equal(got, valid)
    if r == 1:
        assert np.array_equal(got, pool_stream_times(t, **geo))


def test_calibration_plan_has_the_zoo_pools() -> None:
    plan = PoolStream.calibration_plan()
    for want in [dict(H=28, WD=28, C=6, CH=6), dict(H=10, WD=10, C=16, CH=4),
                 dict(H=26, WD=26, C=32, CH=8), dict(H=11, WD=11, C=32, CH=8)]:
        assert any(all(p[k] == v for k, v in want.items()) and p["K"] == 2 for p in plan)
    assert any(p["MODE"] == 1 for p in plan) and any(p["K"] == 3 for p in plan)


def test_tiling_pools_use_pool_stream_others_swu_and_pool_unit() -> None:
    """kernel = stride, padding 0: one pool_stream on the layer's input stream; anything
    else: a swu feeding a pool_unit. Every pool layer keeps its plan entry and trace tap."""
    assert CORE_MODELS["pool_stream"] is PoolStream
    seen = set()
    for seed in (3, 40, 57, 242):
        net = random_network(seed)
        d = build(net, load_folds(net, None))
        for i, layer in enumerate(net.layers):
            if "pool" not in layer.kind:
                continue
            cores = [c for c in d.cores if c.layer == layer.name]
            tiles = layer.kernel == layer.stride and layer.padding == (0, 0)
            mods = [c.module for c in cores]
            assert mods == (["pool_stream"] if tiles else ["swu", "pool_unit"]), (seed, mods)
            seen.add(tiles)
            assert cores[-1].name == f"u_pool_l{i}"
            assert any(tag == f"l{i}" and s is cores[-1].dst for tag, s in d.taps)
            entry = next(e for e in d.plan.stages if e.get("layer") == layer.name)
            assert entry["kind"] == layer.kind and entry["tap"] == cores[-1].dst.doc()
    assert seen == {True, False}


# random_network(40), whose 2x2 average pool (13 x 10 x 6: a row dropped) is a pool_stream,
# under folds that make its consumer take a beat every 6 (swu gearbox) or 2 (width
# converter) cycles: the pool waits at its last taps and is the bottleneck.
SLOW_CONSUMER_FOLDS = [10, 21]


@pytest.mark.rtl
@pytest.mark.parametrize("fold_seed", SLOW_CONSUMER_FOLDS)
def test_cycle_model_with_a_slow_consumer_matches_simulation(fold_seed: int,
                                                             tmp_path) -> None:
    from netgen import random_folds
    from test_cycles import _check, _simulate

    from e3ne.dse.cycles import estimate

    net = random_network(40)
    folds = random_folds(net, fold_seed)
    cores = build(net, folds).cores
    i = next(j for j, c in enumerate(cores) if c.module == "pool_stream")
    assert cores[i + 1].accept_gap() > 1
    est = estimate(net, folds)
    assert est.bottleneck.name == cores[i].name
    assert est.bottleneck.cycles > cores[i].in_beats  # it waits for the consumer
    _check(est, _simulate(net, folds, tmp_path / "d", 40))
