"""Design-space search: budgets respected, Pareto fronts, infeasible budgets, and the chosen
design simulated bit-exact with the modelled cycles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from netgen import random_levels, random_network

from e3ne.cli import main
from e3ne.design.generate import generate
from e3ne.dse import cycles, resources
from e3ne.dse.search import fits, ladder, search
from e3ne.errors import InfeasibleBudget
from e3ne.flow import verify
from e3ne.ir import Network
from e3ne.layers import Conv, Flatten, Linear

SEEDS = [3, 11, 12, 21]


def _key(p) -> tuple:
    return (p.latency, p.lut, p.resources.bram)


@pytest.mark.parametrize("seed", SEEDS)
def test_chosen_design_fits_and_front_is_pareto(seed: int) -> None:
    net = random_network(seed)
    full = search(net, "xc7z020")
    smallest = max(full.points, key=lambda p: p.latency)
    budget = f"lut={max(smallest.lut + 1, full.chosen.lut // 2)}"
    res = search(net, "xc7z020", budget)
    assert fits(res.chosen.resources, res.budget)
    assert all(fits(p.resources, res.budget) for p in res.points)
    assert res.chosen.latency == min(p.latency for p in res.points)
    front = res.front
    assert res.chosen in front
    for p in front:  # nothing dominates a front point
        assert not any(all(a <= b for a, b in zip(_key(q), _key(p), strict=True))
                       and _key(q) != _key(p) for q in res.points)
    # the models agree with what the search recorded
    c = res.chosen
    assert cycles.estimate(net, c.folds).latency == c.latency
    assert resources.estimate(net, c.folds).lut_total == c.lut


def test_ladders_get_faster_and_dearer() -> None:
    net = random_network(11)
    for layer in net.synaptic_layers:
        rungs = ladder(layer, net.T, net.W, 380.0)
        cyc = [(layer.out_channels // f.PE) * (net.T // f.TP) * (layer.fan_in // f.SIMD)
               for f in rungs]
        assert cyc == sorted(cyc, reverse=True) and len(set(cyc)) == len(cyc)
        assert rungs[-1].PE == layer.out_channels and rungs[-1].TP == net.T


def test_throughput_objective_meets_the_interval_with_fewer_luts() -> None:
    net = random_network(12)
    fast = search(net, "xc7z020")
    target = max(p.interval for p in fast.points) // 2 + 1
    res = search(net, "xc7z020", objective="throughput", target_interval=target)
    assert res.chosen.interval <= target
    assert res.chosen.lut <= fast.chosen.lut


def test_infeasible_budget_names_the_smallest_design(capsys) -> None:
    net = random_network(11)
    with pytest.raises(InfeasibleBudget) as e:
        search(net, "xc7z020", "lut=10")
    msg = str(e.value)
    assert "\n" not in msg and "no design fits" in msg and "give at least --budget lut=" in msg
    assert "over on lut " in msg


def test_cli_explore_infeasible_is_one_line(tmp_path: Path, capsys) -> None:
    rc = main(["explore", "lenet5", "--dataset", "random", "--input-shape", "1,32,32",
               "--calib-images", "8", "--budget", "lut=100", "--out", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert rc == 2 and err.startswith("e3ne: error: budget for xc7z020: no design fits")


@pytest.mark.rtl
@pytest.mark.parametrize("seed", [3, 21])
def test_searched_design_is_bit_exact_with_modelled_latency(seed: int, tmp_path: Path) -> None:
    net = random_network(seed)
    res = search(net, "xczu3eg", "lut=0.05")
    d = tmp_path / "n"
    net.save(d)
    generate(net, res.chosen.folds, d)
    r = verify.run(d, random_levels(net, 3, seed), progress=False)
    assert r.mismatches == 0, r.first_mismatch
    assert r.latency_cycles == res.chosen.latency


def _wide_linear_network():
    """A 512 -> 256 -> 10 MLP at W=6: 786 Kb of weights in its hidden layer."""
    rng = np.random.default_rng(5)
    fc0 = Linear("fc0", weight=rng.integers(-31, 32, size=(256, 512)),
                 beta=rng.integers(-500, 500, size=256), theta=rng.integers(100, 900, size=256),
                 shift=0, output=False)
    fc1 = Linear("fc1", weight=rng.integers(-31, 32, size=(10, 256)),
                 beta=rng.integers(-50, 50, size=10), theta=None, shift=0, output=True)
    return Network((512, 1, 1), 4, 6, [Flatten("flatten"), fc0, fc1]).validate()


def test_search_puts_weights_in_uram_when_block_ram_runs_out() -> None:
    """Tight on LUTs and block RAM on a part with UltraRAM, the search moves weight memories
    there (and the budget's URAM holds); on a part without, it never does."""
    net = _wide_linear_network()
    res = search(net, "xczu7ev", "bram=2,lut=8000")
    assert fits(res.chosen.resources, res.budget)
    assert any(f.weights == "uram" for f in res.chosen.folds.values())
    assert 0 < res.chosen.resources.URAM <= 96
    assert resources.estimate(net, res.chosen.folds).URAM == res.chosen.resources.URAM
    # read from DDR instead: the search counts the AXI read master too
    mx = search(net, "xczu7ev", "bram=2,lut=8000", weight_port="m_axi")
    assert fits(mx.chosen.resources, mx.budget)
    fetch = [c for c in mx.chosen.resources.cores if c.module == "axi_read_stream"]
    assert len(fetch) == 1 and fetch[0].LUT > 100
    assert resources.estimate(net, mx.chosen.folds, "m_axi").lut_total == \
        mx.chosen.resources.lut_total
    no_uram = search(net, "xczu9eg", "lut=60000")
    assert not any(f.weights == "uram" for p in no_uram.points for f in p.folds.values())
    with pytest.raises(InfeasibleBudget):
        search(net, "xczu7ev", "bram=2,lut=8000,uram=0")


def _conv_then_linear() -> Network:
    """A 3x3 conv over 16x16 (196 windows, each rereading a streamed conv's weights) and a
    linear layer whose weights one window reads once."""
    rng = np.random.default_rng(7)
    conv = Conv("conv", weight=rng.integers(-31, 32, size=(32, 16, 3, 3)),
                beta=rng.integers(-500, 500, size=32),
                theta=rng.integers(100, 900, size=32), shift=0, output=False)
    fc = Linear("fc", weight=rng.integers(-31, 32, size=(10, 32 * 14 * 14)),
                beta=rng.integers(-50, 50, size=10), theta=None, shift=0, output=True)
    return Network((16, 16, 16), 4, 6, [conv, Flatten("flatten"), fc]).validate()


def test_external_weights_keep_on_chip_the_layers_that_pay() -> None:
    """With streaming allowed the search starts from every layer streamed and brings the
    conv's weights on chip (streamed, they pass the port once per window): faster than any
    all-streamed design it visited, within the budget, and as the models say."""
    net = _conv_then_linear()
    res = search(net, "xczu9eg", "lut=40000,bram=8", external_weights=True)
    c = res.chosen
    assert fits(c.resources, res.budget)
    assert c.folds["conv"].weights in ("lut", "bram")
    all_ext = [p for p in res.points if all(f.weights == "ext" for f in p.folds.values())]
    assert all_ext and c.latency < min(p.latency for p in all_ext)
    assert cycles.estimate(net, c.folds).latency == c.latency
    assert resources.estimate(net, c.folds).lut_total == c.lut
    assert any("weight port" in n for n in res.notes) or all(
        f.weights != "ext" for f in c.folds.values())


@pytest.mark.parametrize("seed", [None, 3, 21])
def test_skipping_designs_the_weight_port_rules_out_changes_no_choice(
        seed: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The search does not time a candidate whose weight port alone takes as many cycles as
    the move must beat: with that floor taken away (every candidate timed) it chooses the
    same design, of the same latency, and skipped only designs it could not have taken."""
    net = _conv_then_linear() if seed is None else random_network(seed)
    budget = "lut=40000,bram=8" if seed is None else None
    pruned = search(net, "xczu9eg", budget, external_weights=True)
    import e3ne.dse.search as search_module
    monkeypatch.setattr(search_module, "port_cycles", lambda beats, pace=1.0: 0)
    full = search(net, "xczu9eg", budget, external_weights=True)
    assert pruned.chosen.folds == full.chosen.folds
    assert _key(pruned.chosen) == _key(full.chosen)
    assert len(pruned.points) <= len(full.points)
