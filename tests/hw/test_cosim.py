"""Generated designs compute exactly what the golden model computes (Verilator)."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from netgen import random_folds, random_levels, random_network

from e3ne.design.folding import Fold, load_folds
from e3ne.design.generate import generate
from e3ne.dse.cycles import estimate
from e3ne.dse.explore import estimate_doc
from e3ne.errors import ConfigError
from e3ne.flow import verify
from e3ne.ir import Network
from e3ne.layers import Conv, Flatten, Linear

pytestmark = pytest.mark.rtl

# CI runs these seeds; bench/bench_cosim.py (or -m slow) runs 50 more.
FAST_SEEDS = [3, 6, 11, 12]
# networks with residual blocks (forks, skip buffers, joins): seed 36 has three, one at the
# input; 28 one after a pool; 1000 a 1-D block whose skip is gathered into the join's lanes
# (a block nested in another's body: test_cosim_residual.py); 1232 a pool whose results a
# fork takes two ahead of its slower consumer (the pool's model once waited for each);
# 1236 a concatenation whose 1-lane skip is gathered into 6-lane pixels (once after the
# buffer, which then fed the zip only every 6 cycles: 12 cycles late, unmodelled)
RESIDUAL_SEEDS = [8, 28, 36, 1000, 1232, 1236]


def _cosim(seed: int, tmp_path: Path, stalls: bool, residual: bool = False
           ) -> verify.VerifyResult:
    net = random_network(seed, windows=True, residual=residual)
    d = tmp_path / f"net{seed}"
    net.save(d)
    generate(net, random_folds(net, seed), d)
    return verify.run(d, random_levels(net, 3, seed), stalls=stalls, progress=False)


@pytest.mark.parametrize("seed", FAST_SEEDS)
def test_random_network_with_random_folds_is_bit_exact(seed: int, tmp_path: Path) -> None:
    r = _cosim(seed, tmp_path, stalls=seed % 2 == 1)
    assert r.mismatches == 0, r.first_mismatch
    assert r.latency_cycles > 0


@pytest.mark.parametrize("seed", RESIDUAL_SEEDS)
def test_random_residual_network_is_bit_exact_and_timed(seed: int, tmp_path: Path) -> None:
    """Plain and with random stalls (the skip buffer must never deadlock the block), and
    the cycle model exact on the plain run."""
    net = random_network(seed, windows=True, residual=True)
    assert any(layer.saves for layer in net.layers)
    folds = random_folds(net, seed)
    d = tmp_path / "d"
    net.save(d)
    generate(net, folds, d)
    for stalls in (False, True):
        r = verify.run(d, random_levels(net, 3, seed), stalls=stalls, progress=False)
        assert r.mismatches == 0, r.first_mismatch
        if not stalls:
            assert r.latency_cycles == estimate(net, folds).latency


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(100, 150))
def test_fifty_random_networks_are_bit_exact(seed: int, tmp_path: Path) -> None:
    r = _cosim(seed, tmp_path, stalls=True)
    assert r.mismatches == 0, r.first_mismatch


def test_generation_is_deterministic(tmp_path: Path) -> None:
    net = random_network(11)
    folds = random_folds(net, 11)
    for sub in ("a", "b"):
        generate(net, folds, tmp_path / sub)
    a, b = sorted((tmp_path / "a" / "rtl").iterdir()), sorted((tmp_path / "b" / "rtl").iterdir())
    assert [p.name for p in a] == [p.name for p in b]
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name


@pytest.mark.parametrize("seed,residual", [(12, False), (36, True)])
def test_generated_top_lints_clean(seed: int, residual: bool, tmp_path: Path) -> None:
    net = random_network(seed, residual=residual)
    generate(net, random_folds(net, seed), tmp_path)
    rtl = tmp_path / "rtl"
    files = [str(rtl / f) for f in (rtl / "filelist.f").read_text().split()]
    proc = subprocess.run(["verilator", "--lint-only", "-Wall", "--top-module", "e3ne_top",
                           *files], cwd=rtl, capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "%Warning" not in proc.stderr, proc.stderr[-3000:]


def test_a_corrupted_weight_is_caught(tmp_path: Path) -> None:
    """The comparison is real: flip one bit of the output layer's bias image and it fails."""
    net = random_network(6)
    d = tmp_path / "n"
    net.save(d)
    generate(net, random_folds(net, 6), d)
    (mem,) = (d / "rtl").glob(f"l{len(net.layers) - 1}_*_b.mem")
    lines = mem.read_text().splitlines()
    lines[0] = format(int(lines[0], 16) ^ 1, f"0{len(lines[0])}x")
    mem.write_text("\n".join(lines) + "\n")
    r = verify.run(d, random_levels(net, 3, 6), progress=False)
    assert r.mismatches > 0


def test_illegal_folds_are_refused(tmp_path: Path) -> None:
    net = random_network(12)
    layer = net.synaptic_layers[0]
    fold_file = tmp_path / "fold.json"
    fold_file.write_text(json.dumps({layer.name: {"PE": layer.out_channels + 1}}))
    with pytest.raises(ConfigError, match=re.escape(
            f"--fold {fold_file}: {layer.where}: PE={layer.out_channels + 1} does not divide "
            f"its {layer.out_channels} output channels; use one of")):
        load_folds(net, fold_file)
    fold_file.write_text(json.dumps({"nope": {"PE": 1}}))
    with pytest.raises(ConfigError, match="no synaptic layer named 'nope'"):
        load_folds(net, fold_file)
    fold_file.write_text(json.dumps({layer.name: {"TP": net.T + 1}}))
    with pytest.raises(ConfigError, match=f"TP={net.T + 1} does not divide T={net.T}"):
        load_folds(net, fold_file)


def test_default_folds_are_legal_for_the_whole_zoo() -> None:
    """Every zoo model gets a legal default fold (checked without simulating)."""
    import torch

    from e3ne.api import convert
    from e3ne.frontend.quantize import QuantConfig
    from e3ne.models import ZOO, build_model

    for name, entry in ZOO.items():
        net = convert(build_model(name), torch.rand(4, *entry.input_shape),
                      QuantConfig(T=entry.T, W=entry.W))
        folds = load_folds(net, None)
        assert set(folds) == {layer.name for layer in net.synaptic_layers}
        assert all(isinstance(f, Fold) for f in folds.values())


def test_trace_names_the_first_layer_that_differs(tmp_path: Path) -> None:
    """Set every threshold of a hidden layer to 1 in its memory image: --trace must blame
    that layer, not a later one."""
    net = random_network(3)
    d = tmp_path / "n"
    net.save(d)
    generate(net, random_folds(net, 3), d)
    hidden = next(i for i, layer in enumerate(net.layers)
                  if getattr(layer, "theta", None) is not None)
    (mem,) = (d / "rtl").glob(f"l{hidden}_*_t.mem")
    lane = int(net.layers[hidden].theta.max()).bit_length()
    pe = random_folds(net, 3)[net.layers[hidden].name].PE
    ones = sum(1 << (p * lane) for p in range(pe))
    lines = mem.read_text().splitlines()
    mem.write_text("".join(format(ones, f"0{len(line)}x") + "\n" for line in lines))
    q0 = random_levels(net, 3, 3)
    r = verify.run(d, q0, progress=False, trace=True)
    assert r.mismatches > 0
    assert r.first_mismatch.startswith(f"layer '{net.layers[hidden].name}'"), r.first_mismatch


def _wide_network(seed: int) -> Network:
    """Memories big enough for the block-RAM rule: 64 input channels, 17 columns (at SIMD=8
    each line-buffer bank is 144 x 32 bits, the conv's window buffer 144 x 32 bits) and a
    hidden layer of 260 channels (at PE=2 its bias/threshold ROMs are 130 words deep)."""
    rng = np.random.default_rng(seed)
    T, W, c, h, w = 4, 3, 64, 5, 17
    conv = Conv("conv0", weight=rng.integers(-3, 4, size=(6, c, 3, 3)),
                beta=rng.integers(-300, 300, size=6), theta=rng.integers(20, 120, size=6),
                shift=0, output=False, stride=(1, 1), padding=(1, 1))
    fan_in = 6 * h * w
    fc0 = Linear("fc0", weight=rng.integers(-3, 4, size=(260, fan_in)),
                 beta=rng.integers(-3000, 3000, size=260),
                 theta=rng.integers(100, 600, size=260),
                 shift=0, output=False)
    fc = Linear("fc", weight=rng.integers(-3, 4, size=(10, 260)),
                beta=rng.integers(-50, 50, size=10), theta=None, shift=1, output=True)
    return Network((c, h, w), T, W, [conv, Flatten("flatten"), fc0, fc]).validate()


def test_block_ram_memories_are_bit_exact(tmp_path: Path) -> None:
    net = _wide_network(1)
    d = tmp_path / "n"
    net.save(d)
    folds = {"conv0": Fold(PE=2, SIMD=8, TP=2, weights="bram"),
             "fc0": Fold(PE=2, SIMD=10, TP=4, weights="bram"),
             "fc": Fold(PE=5, SIMD=13, TP=4, weights="lut")}
    generate(net, folds, d)
    top = (d / "rtl" / "e3ne_top.sv").read_text()
    assert top.count(".LB_RAM(1)") == 1 and top.count(".WGT_RAM(1)") == 2
    assert top.count(".WIN_RAM(1)") == 1 and top.count(".PAR_RAM(1)") == 1
    r = verify.run(d, random_levels(net, 3, 1), stalls=True, progress=False)
    assert r.mismatches == 0, r.first_mismatch


def lint_and_verify(d: Path, net, folds) -> np.ndarray:
    """The generated top in ``d`` lints clean, and 3 random images verify bit-exact plain
    and with stalls, the plain latency equal to the cycle model's; the images."""
    rtl = d / "rtl"
    files = [str(rtl / f) for f in (rtl / "filelist.f").read_text().split()]
    proc = subprocess.run(["verilator", "--lint-only", "-Wall", "--top-module", "e3ne_top",
                           *files], cwd=rtl, capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "%Warning" not in proc.stderr, proc.stderr[-3000:]
    levels = random_levels(net, 3, 3)
    for stalls in (False, True):
        r = verify.run(d, levels, stalls=stalls, progress=False)
        assert r.mismatches == 0, r.first_mismatch
        if not stalls:
            assert r.latency_cycles == estimate(net, folds).latency
    return levels


@pytest.mark.parametrize("kind", ["axis", "m_axi"])
def test_uram_weights_are_loaded_and_bit_exact(kind: str, tmp_path: Path) -> None:
    """Weights placed "uram" have no initial contents: the design takes them on
    s_axis_weights, or reads them itself on m_axi_weights from the bench's AXI memory
    (weights.mem / weights.bin, laid out as plan.json says), before any image.
    Bit-exact plain and with stalls (on the weight stream or the AXI channels too),
    latency as modelled (the load comes before the first image beat), lint clean, and a
    flipped weight bit in the image is caught."""
    net = random_network(3, windows=True)
    folds = {k: replace(f, weights="uram") if i % 2 == 0 else f
             for i, (k, f) in enumerate(random_folds(net, 3).items())}
    d = tmp_path / "n"
    net.save(d)
    plan = generate(net, folds, d, weight_port=kind)
    rtl = d / "rtl"
    port = plan.weight_port
    assert port is not None and len(port["loads"]) == 3 and port["kind"] == kind
    assert [ld["layer"] for ld in port["loads"]] == list(folds)[::2]
    beats = (rtl / "weights.mem").read_text().split()
    assert len(beats) == port["beats"] == sum(ld["beats"] for ld in port["loads"])
    assert (rtl / "weights.bin").read_bytes() == b"".join(
        int(b, 16).to_bytes(port["width"] // 8, "little") for b in beats)
    top = (rtl / "e3ne_top.sv").read_text()
    assert top.count(".WGT_RAM(3)") == 3
    assert ("s_axis_weights_tdata" in top) == (kind == "axis")
    assert ("m_axi_weights_araddr" in top) == ("axi_read_stream #(" in top) == (kind == "m_axi")
    assert not any((rtl / f"l{i}_{name}_w.mem").exists()
                   for i, name in enumerate(ly.name for ly in net.layers) if name in folds
                   and folds[name].weights == "uram")
    levels = lint_and_verify(d, net, folds)
    beats[0] = format(int(beats[0], 16) ^ 1, f"0{len(beats[0])}x")
    (rtl / "weights.mem").write_text("\n".join(beats) + "\n")
    assert verify.run(d, levels, progress=False).mismatches > 0


@pytest.mark.parametrize("uram", [False, True])
def test_streamed_weights_are_read_from_ddr_and_bit_exact(uram: bool, tmp_path: Path) -> None:
    """Weights placed "ext" stay off chip: each such engine has an AXI reader that loops
    over its region of weights.bin (one window's words in the order its steps take them)
    and the readers (with the UltraRAM loaders' fetch, when some weights are "uram") share
    m_axi_weights through the arbiter. Bit-exact plain and with stalls (on the AXI
    channels too), latency as modelled while the port keeps up, lint clean, and a changed
    bit in a streamed region is caught."""
    net = random_network(3, windows=True)
    folds = {k: replace(f, weights="ext") if i % 2 else
             replace(f, weights="uram") if uram and i == 0 else f
             for i, (k, f) in enumerate(random_folds(net, 3).items())}
    d = tmp_path / "n"
    net.save(d)
    plan = generate(net, folds, d)
    rtl = d / "rtl"
    port = plan.weight_port
    assert port["kind"] == "m_axi" and port["width"] == 512
    assert [st["layer"] for st in port["streams"]] == list(folds)[1::2]
    assert len(port["loads"]) == int(uram)
    beats = (rtl / "weights.mem").read_text().split()
    assert len(beats) == port["beats"] == sum(x["beats"] for x in port["loads"] + port["streams"])
    top = (rtl / "e3ne_top.sv").read_text()
    assert top.count(".WGT_RAM(2)") == 3 and top.count(".LOOP(1)") == 3
    assert "axi_read_arb #(" in top
    levels = lint_and_verify(d, net, folds)
    out = port["streams"][-1]  # the output layer's first word, every weight in it changed
    w = out["offset"]
    beats[w] = format(int(beats[w], 16) ^ ((1 << out["word_bits"]) - 1), f"0{len(beats[w])}x")
    (rtl / "weights.mem").write_text("\n".join(beats) + "\n")
    assert verify.run(d, levels, progress=False).mismatches > 0


def test_a_port_bound_design_is_timed_by_the_port_span(tmp_path: Path) -> None:
    """Three streamed layers that each want a beat a cycle and overlap (the conv's windows,
    the hidden layer from the conv's first outputs on): the readers take turns at the
    port, which the recurrence does not see, and the port's span sets the latency. One
    image alone (the latency the model defines: a second image's reads would share the
    port) within 2 % of the model, the issue's target, run on the simulator built for
    three (no second build); bit-exact plain and with stalls."""
    net = _wide_network(1)
    folds = {"conv0": Fold(PE=2, SIMD=64, TP=4, weights="ext"),
             "fc0": Fold(PE=1, SIMD=170, TP=4, weights="ext"),
             "fc": Fold(PE=1, SIMD=130, TP=4, weights="ext")}
    d = tmp_path / "n"
    net.save(d)
    generate(net, folds, d)
    est = estimate(net, folds)
    port = next(s for s in est.stages if s.kind == "port")
    recurrence = max(s.last_out for s in est.stages if s.kind != "port") + 1
    assert est.latency > recurrence  # the span, not the recurrence, bounds it here
    levels = random_levels(net, 3, 3)
    for stalls in (False, True):
        r = verify.run(d, levels, stalls=stalls, progress=False)
        assert r.mismatches == 0, r.first_mismatch
    one = verify.run(d, levels[:1], progress=False)  # on the 3-image simulator (+N=1)
    assert [p.name for p in (d / "sim").iterdir()] == ["n3"]
    assert one.mismatches == 0, one.first_mismatch
    assert abs(one.latency_cycles - est.latency) <= 0.02 * one.latency_cycles, (
        one.latency_cycles, est.latency, port)


def test_an_engine_at_a_time_build_simulates_the_same(tmp_path: Path, monkeypatch) -> None:
    """A design modelled past verify.HIER_LUTS is Verilated an engine at a time
    (``--hierarchical``, the top's parameters in a wrapper); forced here on a small
    network with weights in ROMs, in UltraRAM (loaded over AXI) and streamed: bit-exact
    plain and with stalls, latency as modelled, each engine built apart."""
    net = random_network(3, windows=True)
    folds = {k: replace(f, weights="ext") if i % 2 else
             replace(f, weights="uram") if i == 0 else f
             for i, (k, f) in enumerate(random_folds(net, 3).items())}
    d = tmp_path / "n"
    net.save(d)
    generate(net, folds, d)
    assert not verify.hierarchical_build(d)  # no estimate.json: taken as small
    estimate_doc(net, folds).save(d)  # as e3ne compile writes it
    lut = estimate_doc(net, folds).to_json()["resources"]["total"]["LUT_total"]
    assert not verify.hierarchical_build(d)
    monkeypatch.setattr(verify, "HIER_LUTS", lut)
    assert verify.hierarchical_build(d)
    lint_and_verify(d, net, folds)
    obj = d / "sim" / "n3" / "obj"
    assert (obj / "Vsim_top_hier.mk").is_file()
    assert len(list(obj.glob("Vsynaptic_engine_*/lib*.a"))) == len(folds)


def test_a_large_weight_image_gets_a_wide_port(tmp_path: Path, monkeypatch) -> None:
    """Past WIDE_AFTER beats at 64 bits the weight port is 512 bits wide (here forced on a
    small network): fewer beats, the same weights, still bit-exact and timed as modelled."""
    from e3ne.hw.cores import weight_load

    assert weight_load.port_width([(1 << 20, 64)]) == 64
    assert weight_load.port_width([((1 << 20) + 1, 64)]) == 512
    monkeypatch.setattr(weight_load, "WIDE_AFTER", 0)
    net = random_network(3, windows=True)
    folds = {k: replace(f, weights="uram") for k, f in random_folds(net, 3).items()}
    d = tmp_path / "n"
    net.save(d)
    plan = generate(net, folds, d)
    port = plan.weight_port
    assert port["width"] == 512 and port["beats"] == sum(
        ld["words"] * -(-ld["word_bits"] // 512) for ld in port["loads"])
    assert "[511:0]  s_axis_weights_tdata" in (d / "rtl" / "e3ne_top.sv").read_text()
    r = verify.run(d, random_levels(net, 3, 3), stalls=True, progress=False)
    assert r.mismatches == 0, r.first_mismatch
    r = verify.run(d, random_levels(net, 3, 3), progress=False)
    assert r.mismatches == 0 and r.latency_cycles == estimate(net, folds).latency
