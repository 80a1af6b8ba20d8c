"""The analytical cycle model (e3ne.dse.cycles) against Verilator.

The modelled latency must equal the cycles measured on the generated design exactly, for
random networks with random folds and for the LeNet-5 and Fang shapes (random weights,
default folds). The measured interval is within 1% of the modelled steady state (a
transient of a few cycles in the first gaps between images, which a steady-state figure
leaves out). Every simulated design also runs a second, different
input set: the cycle counts must not change, since no core's schedule depends on the data.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from netgen import random_folds, random_levels, random_network

from e3ne.design.chain import core_instances
from e3ne.design.folding import Fold, load_folds
from e3ne.design.generate import generate
from e3ne.dse.cycles import CycleEstimate, estimate
from e3ne.errors import ConfigError
from e3ne.flow import verify
from e3ne.hw.cores.swu import pixels_per_beat
from e3ne.ir import Network

INTERVAL_TRANSIENT = 0.01
IMAGES = 4  # three gaps between images for the interval
# Random networks with random folds, picked for variety at a small simulation cost:
# max and average pools with strides up to 3, both swu gearboxes (split, collect), width
# converters both ways, and bottlenecks in the input, a swu, a dwc and an engine.
SEEDS = [3, 11, 12, 33, 40, 43, 49, 57, 65, 79]
# random_network(242) with folds under which its average pool hands the 3 results of a
# pixel, in 3 consecutive cycles, to a width converter that takes a beat every 2 cycles:
# the pool waits a cycle per pixel (Verilator: 702 cycles per image, not 4*3*54 = 648).
COUPLED_SEED = 242
COUPLED_FOLDS = {"conv0": Fold(2, 2, 1), "fc0": Fold(1, 3, 5), "fc1": Fold(2, 1, 1),
                 "fc2": Fold(3, 8, 5)}


def _zoo(name: str) -> Network:
    from e3ne.api import convert
    from e3ne.frontend.quantize import QuantConfig
    from e3ne.models import ZOO, build_model

    torch.manual_seed(0)
    entry = ZOO[name]
    return convert(build_model(name), torch.rand(8, *entry.input_shape),
                   QuantConfig(T=entry.T, W=entry.W))


def _simulate(net: Network, folds: dict[str, Fold], d: Path, seed: int) -> verify.VerifyResult:
    """Generate and simulate; run a second input set and require identical cycles."""
    net.save(d)
    generate(net, folds, d)
    first = verify.run(d, random_levels(net, IMAGES, seed), progress=False)
    assert first.mismatches == 0, first.first_mismatch
    rng = np.random.default_rng(seed + 1)
    other = rng.integers(0, 1 << net.T, size=(IMAGES, *net.input_shape))
    second = verify.run(d, other, progress=False)
    assert second.mismatches == 0, second.first_mismatch
    assert (second.latency_cycles, second.interval_cycles) == \
        (first.latency_cycles, first.interval_cycles), "cycle counts depend on the data"
    return first


def _check(model: CycleEstimate, measured: verify.VerifyResult) -> None:
    print(f"latency {measured.latency_cycles} measured, {model.latency} modelled; "
          f"interval {measured.interval_cycles} measured, {model.interval} modelled")
    assert model.latency == measured.latency_cycles, (model.latency, measured.latency_cycles,
                                                      model.stages)
    transient = abs(measured.interval_cycles - model.interval)
    assert transient <= INTERVAL_TRANSIENT * model.interval, \
        (model.interval, measured.interval_cycles, model.stages)


@pytest.mark.rtl
@pytest.mark.parametrize("seed", SEEDS)
def test_model_matches_simulation_on_random_networks(seed: int, tmp_path: Path) -> None:
    net = random_network(seed)
    folds = random_folds(net, seed)
    _check(estimate(net, folds), _simulate(net, folds, tmp_path / "d", seed))


@pytest.mark.rtl
def test_model_sees_a_pool_waiting_for_a_splitting_consumer(tmp_path: Path) -> None:
    net = random_network(COUPLED_SEED)
    est = estimate(net, COUPLED_FOLDS)
    pool = next(s for s in est.stages if s.kind == "pool")
    assert est.bottleneck is pool and pool.cycles == 54 * 13
    _check(est, _simulate(net, COUPLED_FOLDS, tmp_path / "d", COUPLED_SEED))


@pytest.mark.rtl
@pytest.mark.parametrize("name", ["lenet5", "fang"])
def test_model_matches_simulation_on_zoo_shapes(name: str, tmp_path: Path) -> None:
    net = _zoo(name)
    folds = load_folds(net, None)
    _check(estimate(net, folds), _simulate(net, folds, tmp_path / "d", 0))


def test_interval_is_the_slowest_stage_and_engines_follow_the_fold_formula() -> None:
    """DESIGN.md §3: an engine spends (K²·C_in/SIMD)·(C_out/PE)·(T/TP) cycles per pixel."""
    net = _zoo("fang")
    folds = load_folds(net, None)
    est = estimate(net, folds)
    assert est.interval == max(s.cycles for s in est.stages) == est.bottleneck.cycles
    shapes = net.shapes()
    engines = {s.layer: s for s in est.stages if s.kind == "engine"}
    for i, layer in enumerate(net.synaptic_layers):
        f = folds[layer.name]
        out = shapes[net.layers.index(layer) + 1]
        pixels = out[1] * out[2] if len(out) == 3 else 1
        want = pixels * layer.fan_in // f.SIMD * layer.out_channels // f.PE * net.T // f.TP
        if layer.output:  # paced to the argmax, which takes a beat every PE (lanes) cycles
            beats = layer.out_channels // f.PE
            assert want <= engines[layer.name].cycles <= want + beats * f.PE, (i, layer.name)
        else:
            assert engines[layer.name].cycles == want, (i, layer.name)
    # the input: a beat a cycle, two pixels a beat (conv1's window unit emits a whole 3x3
    # window a beat, 676 beats against 784 pixels, so it takes two pixels a cycle)
    first = core_instances(net, folds)[0]
    assert first.module == "swu" and pixels_per_beat(first.params) == 2
    assert est.stages[0].kind == "input" and est.stages[0].cycles == 28 * 28 // 2
    # the first output of every stage comes after that of the stage before it
    firsts = [s.first_out for s in est.stages]
    assert firsts == sorted(firsts)
    assert est.latency == est.stages[-1].last_out + 1


def test_a_conv_over_its_whole_input_reads_the_stream_and_overlaps_it() -> None:
    """LeNet-5's conv3 (5x5 kernel on a 5x5 map) has no sliding-window unit: its engine
    takes the pool's raster stream, beat by beat, and its last beat is the pool's last."""
    net = _zoo("lenet5")
    folds = load_folds(net, None)
    est = estimate(net, folds)
    conv3 = net.synaptic_layers[2]
    kinds = [s.kind for s in est.stages if s.layer == conv3.name]
    assert "swu" not in kinds and kinds[-1] == "engine", kinds
    pool = next(s for s in reversed(est.stages) if s.kind == "pool")
    engine = next(s for s in est.stages if s.layer == conv3.name and s.kind == "engine")
    # computing overlaps the arrival: of its 390 cycles of steps per image, the engine
    # spends only the last beats' (plus its pipeline) after the pool's last beat
    assert engine.cycles > 4 * (engine.last_out - pool.last_out), (engine, pool)


def test_stages_are_the_cores_of_the_generated_top(tmp_path: Path) -> None:
    """The model's chain names the same instances, in the same order, as e3ne_top.sv."""
    for seed in (3, 11, 40):
        net = random_network(seed)
        folds = random_folds(net, seed)
        generate(net, folds, tmp_path / str(seed))
        top = (tmp_path / str(seed) / "rtl" / "e3ne_top.sv").read_text()
        insts = re.findall(r"^\t\) (u_\w+) \($", top, flags=re.M)
        names = [s.name for s in estimate(net, folds).stages]
        assert names[0] == "s_axis" and names[1:] == insts


def test_a_slower_fold_is_modelled_slower() -> None:
    net = random_network(40)
    folds = random_folds(net, 40)
    base = estimate(net, folds)
    name = base.bottleneck.layer
    if base.bottleneck.kind != "engine":
        name = next(s.layer for s in base.stages if s.kind == "engine")
    f = folds[name]
    slow = estimate(net, {**folds, name: Fold(PE=f.PE, SIMD=f.SIMD, TP=1)})
    fast = estimate(net, {**folds, name: Fold(PE=f.PE, SIMD=f.SIMD, TP=net.T)})
    assert slow.latency >= fast.latency and slow.interval >= fast.interval


@pytest.mark.parametrize(("kk", "cf", "gap"), [(4, 3, 2), (9, 1, 4), (4, 4, 4), (1, 5, 3),
                                                (4, 6, 1), (9, 2, 7)])
def test_pool_closed_form_agrees_with_its_beat_recurrence(kk: int, cf: int, gap: int) -> None:
    """The steady-state cycles per pixel (interval) and the per-beat schedule (latency)
    of a pool unit with a consumer that takes one beat per ``gap`` cycles agree."""
    from e3ne.hw.cores import PoolUnit, Stream

    src = Stream("a", 1, 4, 40 * kk * cf)
    pool = PoolUnit("p", "p", {"T": 4, "C": cf, "K": int(kk ** 0.5), "SIMD": 1, "MODE": 0},
                    src, Stream("b", 1, 4, 40 * cf))
    out = pool.forward(np.zeros(src.beats, dtype=np.int64), gap)  # input always there
    assert out[-1] - out[-1 - cf] == pool.per_window(gap)
    assert pool.busy(gap) == 40 * pool.per_window(gap)
    if gap == 1:
        assert pool.per_window(gap) == kk * cf


def test_missing_or_illegal_folds_are_refused() -> None:
    net = random_network(12)
    folds = random_folds(net, 12)
    layer = net.synaptic_layers[0]
    with pytest.raises(ConfigError, match=f"layer '{layer.name}'.*no fold"):
        estimate(net, {k: v for k, v in folds.items() if k != layer.name})
    with pytest.raises(ConfigError, match="does not divide"):
        estimate(net, {**folds, layer.name: Fold(PE=layer.out_channels + 1)})


def test_kept_beat_times_are_the_times_of_each_design() -> None:
    """The search keeps the cores' beat times across its candidates (``memo``): over designs
    of one network with different folds, every stream's times with the kept ones must equal
    a fresh run's; and a design that differs from one already run in its last layer runs
    again only the cores of that layer and the few before it whose consumer changed."""
    from dataclasses import replace

    from e3ne.design.chain import build
    from e3ne.hw.timeline import TimesMemo, beat_times

    memo = TimesMemo()
    for seed in (3, 12, 40, 242, 1100, 1103):
        net = random_network(seed)
        last = net.synaptic_layers[-1].name
        for k in range(3):
            folds = random_folds(net, seed + 100 * k)
            for fs in (folds, {**folds, last: replace(folds[last], PE=1, SIMD=1, TP=1)}):
                d = build(net, fs)
                t0 = np.arange(d.input.beats, dtype=np.int64)
                before = len(memo)
                kept = beat_times(d.cores, d.input, t0, memo)
                fresh = beat_times(d.cores, d.input, t0)
                assert fresh.keys() == kept.keys()
                for name, t in fresh.items():
                    assert np.array_equal(t, kept[name]), (seed, k, name)
            # the second design re-ran the cores from the last layer's on, and at most
            # the two before them (their consumer changed: its pace, or its acceptor)
            tail = len(d.cores) - min(i for i, c in enumerate(d.cores) if c.layer == last)
            assert len(memo) - before <= tail + 2


def test_kept_beat_times_stay_right_when_dropped() -> None:
    """Past its byte limit the memo drops what it kept: every design's times stay a fresh
    run's (entry numbers are never reused, so no key can find another run's times)."""
    from e3ne.design.chain import build
    from e3ne.hw.timeline import TimesMemo, beat_times

    memo = TimesMemo(limit=20_000)
    for seed in (3, 12, 40):
        net = random_network(seed)
        for k in range(4):
            d = build(net, random_folds(net, seed + 100 * (k % 2)))
            t0 = np.arange(d.input.beats, dtype=np.int64)
            kept = beat_times(d.cores, d.input, t0, memo)
            for name, t in beat_times(d.cores, d.input, t0).items():
                assert np.array_equal(t, kept[name]), (seed, k, name)
            assert memo.nbytes <= 20_000 or len(memo) <= 2


@pytest.mark.parametrize("seed", [3, 40, 1100])
def test_designs_differing_only_in_where_weights_live_share_kept_times(seed: int) -> None:
    """Weights in LUTs, block RAM, UltraRAM or streamed: each engine's parameters that say
    where (``Core.untimed``) do not change a beat time, so a design differing from a kept
    one only there runs no core again, and its times equal a fresh run's."""
    from e3ne.design.chain import build
    from e3ne.hw.timeline import TimesMemo, beat_times

    net = random_network(seed)
    folds = random_folds(net, seed)
    memo = TimesMemo()
    first = None
    for place in ("lut", "bram", "uram", "ext"):
        d = build(net, {n: replace(f, weights=place) for n, f in folds.items()})
        t0 = np.arange(d.input.beats, dtype=np.int64)
        before = len(memo)
        kept = beat_times(d.cores, d.input, t0, memo)
        fresh = beat_times(d.cores, d.input, t0)
        for name, t in fresh.items():
            assert np.array_equal(t, kept[name]), place
        # stream names differ (a loader's streams are numbered among them): by core
        outs = {c.name: [fresh[s.name] for _, s in c.outputs()] for c in d.cores
                if c.dst.name in fresh}
        first = first or outs
        assert outs.keys() == first.keys(), place
        for name, ts in outs.items():
            assert all(np.array_equal(a, b) for a, b in zip(ts, first[name], strict=True))
        if place != "lut":
            assert len(memo) == before, place
