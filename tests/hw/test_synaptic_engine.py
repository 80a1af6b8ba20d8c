"""synaptic_engine.sv (alone, or behind swu.sv) against ``reference_layer``, beat by beat."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pytest
from benchutil import (
    bench_sources,
    luts,
    parameter_errors,
    run_stalled_then_unstalled,
    yosys_cells,
)
from reference import (
    acc_width,
    beats,
    membrane,
    membrane_horner,
    neuron,
    out_size,
    pack,
    reference_layer,
    reference_window,
    v_bound,
    write_mem,
)

from e3ne.flow.hdlsim import RTL_DIR, lint, run_bench
from e3ne.hw.cores.synaptic_engine import SynapticEngine

ENGINE = [RTL_DIR / f for f in SynapticEngine.sources]
CORES = [RTL_DIR / "swu.sv", *ENGINE]
SOURCES = bench_sources("swu", *(f.removesuffix(".sv") for f in SynapticEngine.sources),
                        "weight_load", tb="synaptic_engine_tb")


@dataclass
class Layer:
    """One synaptic layer and how the engine folds it."""

    C_OUT: int
    PE: int
    SIMD: int
    T: int = 4
    TP: int = 1
    W: int = 3
    F: int = 0
    OUTPUT: int = 0
    ADDER: int = 2
    OGAP: int = 1  # output pacing (the consumer's accept gap)
    MEM_BRAM: int = 0  # block RAM: bit 0 weights and partial sums, 1 window, 2 bias/threshold;
    # bit 3: weights in UltraRAM, loaded through weight_load.sv
    # conv geometry (swu.sv in front) or, with swu=False, a linear layer of MW inputs
    swu: bool = True
    K: int = 3
    S: int = 1
    P: int = 0
    H: int = 4
    WD: int = 4
    C: int = 1
    CH: int = 1
    MW: int = 0
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.swu:
            self.MW = self.K * self.K * self.C

    @property
    def folds(self) -> int:
        """Compute cycles per window: (MW/SIMD)·(C_OUT/PE)·(T/TP)."""
        return (self.MW // self.SIMD) * (self.C_OUT // self.PE) * (self.T // self.TP)

    @property
    def per_window(self) -> int:
        """Cycles per window, the last beat's folds paced to OGAP (synaptic_engine.sv)."""
        np_ = self.T // self.TP
        return self.folds + (self.C_OUT // self.PE) * max(0, self.OGAP - np_)


def make_layer(rng, L: Layer, windows: np.ndarray):
    """Random weights, biases and thresholds that spread q over 0 .. 2^T-1."""
    hi = (1 << (L.W - 1)) - 1
    w = rng.integers(-hi, hi + 1, size=(L.C_OUT, L.MW))
    w[0, :] = hi  # a channel with the largest possible membrane
    V = membrane(windows, w).reshape(-1, L.C_OUT)
    scale = np.maximum(np.abs(V).max(axis=0) << L.F, 1)
    theta = np.maximum(1, (scale >> L.T) + rng.integers(0, 3, size=L.C_OUT))
    beta = rng.integers(-(scale // 2), scale // 2 + 1)
    beta[0] = -(int(np.median(V[:, 0])) << L.F)  # about half of channel 0 below zero: q = 0
    if L.C_OUT > 1:
        theta[1], beta[1] = 1, 1 << L.T  # θ = 1 and U >= 2^T whenever V >= 0: saturation
    return w, beta, theta


def signed_bits(a: np.ndarray) -> int:
    m = int(np.abs(a).max())
    return max(2, m.bit_length() + 1)


def run_engine(workdir: Path, L: Layer, *, images=2, seed=0, simulator="verilator"):
    """Run the bench with random stalls and, for Verilator, again without (cycles)."""
    rng = np.random.default_rng(seed)
    if L.swu:
        x = rng.integers(0, 1 << L.T, size=(images, L.H, L.WD, L.C))
        n = L.K + L.P + L.S  # some window of image 0 lies inside this all-ones corner
        x[0, :n, :n, :] = (1 << L.T) - 1
        windows = np.stack([reference_window(img, L.K, L.S, L.P) for img in x])
        inp, in_bits = beats(x, L.CH, L.T), L.CH * L.T
    else:
        windows = rng.integers(0, 1 << L.T, size=(images * 4, 1, 1, L.MW))
        windows[0] = (1 << L.T) - 1
        inp, in_bits = beats(windows, L.SIMD, L.T), L.SIMD * L.T
    w, beta, theta = make_layer(rng, L, windows)

    # the expected outputs: DESIGN §2, and Horner's rule in TP-plane groups agrees
    V = membrane(windows, w)
    assert np.array_equal(V, membrane_horner(windows, w, L.T, L.TP))
    out = neuron(V, beta, theta, L.F, L.T, output=L.OUTPUT)
    if L.swu:
        assert np.array_equal(out[0], reference_layer(x[0], w, beta, theta, L.F, L.T, L.K, L.S,
                                                      L.P, output=L.OUTPUT))
    if not L.OUTPUT:
        assert out.min() == 0 and out.max() == (1 << L.T) - 1  # both clamps exercised
    U = (V << L.F) + beta
    assert (U < 0).any()
    assert np.abs(V).max() == v_bound(w, L.T)  # the accumulator's worst case occurs

    ACC_W = acc_width(w, L.T)  # as narrow as possible
    B_W, TH_W = signed_bits(beta), int(theta.max()).bit_length()
    OUT_W = max(ACC_W + L.F, B_W) + 1
    odw = OUT_W if L.OUTPUT else L.T
    NF, SF = L.C_OUT // L.PE, L.MW // L.SIMD
    wwords = [pack(w[nf * L.PE:(nf + 1) * L.PE, sf * L.SIMD:(sf + 1) * L.SIMD].reshape(-1), L.W)
              for nf in range(NF) for sf in range(SF)]
    exp = beats(out, L.PE, odw)

    workdir.mkdir(parents=True, exist_ok=True)
    write_mem(workdir / "in.mem", inp, in_bits)
    write_mem(workdir / "exp.mem", exp, L.PE * odw)
    write_mem(workdir / "w.mem", wwords, L.PE * L.SIMD * L.W)
    write_mem(workdir / "b.mem", beats(beta, L.PE, B_W), L.PE * B_W)
    write_mem(workdir / "t.mem", beats(theta, L.PE, TH_W), L.PE * TH_W)
    params = dict(MW=L.MW, C_OUT=L.C_OUT, PE=L.PE, SIMD=L.SIMD, T=L.T, TP=L.TP, W=L.W,
                  ACC_W=ACC_W, F=L.F, B_W=B_W, TH_W=TH_W, OUTPUT=L.OUTPUT, OUT_W=OUT_W,
                  ADDER=L.ADDER, OGAP=L.OGAP, MEM_BRAM=L.MEM_BRAM, SWU=int(L.swu), K=L.K,
                  S=L.S, P=L.P, H=L.H, WD=L.WD, C=L.C, CH=L.CH, N_IN=len(inp),
                  N_OUT=len(exp), GAP=30, BP=30, SEED=seed + 1,
                  IDLE=4 * L.folds + 2000)
    if simulator != "verilator":
        run_bench("synaptic_engine_tb", SOURCES, workdir, params, simulator=simulator)
        return None
    n_win = windows.shape[0] * windows.shape[1] * windows.shape[2]
    return n_win, run_stalled_then_unstalled("synaptic_engine_tb", SOURCES, workdir, params,
                                             simulator)


CASES = {
    # conv 3x3 pad 1 behind the SWU, two taps per beat
    "conv_k3_p1_simd6": Layer(C_OUT=4, PE=2, SIMD=6, K=3, P=1, H=5, WD=6, C=2, CH=2),
    # LeNet conv1 shape: C=1, K=5, a whole window per beat, PE = C_OUT, TP = T
    "conv_k5_simd25_pe_cout_tp_t": Layer(C_OUT=3, PE=3, SIMD=25, TP=4, K=5, H=8, WD=8),
    # stride 2, SIMD = 1, two planes per cycle, F > 0
    "conv_k3_s2_simd1_tp2_w4": Layer(C_OUT=2, PE=1, SIMD=1, TP=2, W=4, F=1, K=3, S=2, P=1,
                                     H=6, WD=5, C=2),
    # linear layer, T = 1, three channel folds (the accumulator memory), paced output
    "linear_t1_folds_paced": Layer(C_OUT=3, PE=1, SIMD=4, T=1, OGAP=3, swu=False, MW=12),
    # linear layer, one fold (the accumulator register), TP = T, paced output
    "linear_one_fold_tp_t": Layer(C_OUT=2, PE=2, SIMD=5, TP=4, OGAP=4, swu=False, MW=20),
    # every memory in block RAM, four channel folds in the accumulator memory
    "conv_k3_bram_folds": Layer(C_OUT=8, PE=2, SIMD=3, K=3, H=5, WD=5, C=3, CH=3, MEM_BRAM=7),
    # weights in UltraRAM (written through the load port first), window and parameters in
    # block RAM, a word of 4 x 6 x 3 = 72 bits in five 16-bit load beats
    "conv_k3_uram_weights": Layer(C_OUT=8, PE=4, SIMD=6, K=3, H=5, WD=6, C=2, CH=2,
                                  MEM_BRAM=8 + 6),
    # one-beat windows, one step each, back to back under stalls: the buffer a window frees
    # is read on the edge that frees it (a later read once returned the next window's beat)
    "linear_one_beat_windows": Layer(C_OUT=6, PE=6, SIMD=1, TP=4, W=5, F=2, swu=False, MW=1),
    # output layer: signed U, plain popcount adders
    "linear_output_popcount_w6": Layer(C_OUT=4, PE=2, SIMD=8, TP=2, W=6, F=2, OUTPUT=1,
                                       ADDER=1, swu=False, MW=16),
}


@pytest.mark.rtl
@pytest.mark.parametrize("name", list(CASES))
def test_engine_verilator(tmp_path, name):
    L = CASES[name]
    n_win, cyc = run_engine(tmp_path, L)
    # Throughput: one compute step per cycle, or one input word per cycle when the input
    # is the bottleneck.  Slack: the first window's fill (compute-bound) or the last output
    # row's windows after the last input word (input-bound), plus the pipeline: T+1 neuron
    # stages, up to 10 engine stages (synaptic_engine.sv header) and 3 SWU stages.
    if L.swu:
        n_in = L.H * L.WD * L.C // L.CH * (n_win // (out_size(L.H, L.K, L.S, L.P)
                                                     * out_size(L.WD, L.K, L.S, L.P)))
        fill = ((L.K - L.P - 1) * L.WD + L.K - L.P) * L.C // L.CH + L.MW // L.SIMD
        last_row = out_size(L.WD, L.K, L.S, L.P) * L.per_window
    else:
        n_in, fill, last_row = n_win * L.MW // L.SIMD, L.MW // L.SIMD, L.per_window
    bound = max(n_win * L.per_window + fill, n_in + last_row) + L.T + 14
    print(f"{name}: {cyc} cycles for {n_win} windows ({cyc / n_win:.2f} per output pixel,"
          f" schedule {L.folds}), bound {bound}")
    assert cyc <= bound, (cyc, bound)


# Streamed weights (WGT_RAM = 2): the words offered in the order the steps use them, with
# random gaps under stalls; unstalled, the engine keeps the schedule of the same layer with
# its weights in a ROM, cycle for cycle (the cycle model's claim for a stream that keeps up).
STREAMED = {
    # conv behind the SWU, two channel folds, window and parameters in block RAM
    "conv_k3_streamed": Layer(C_OUT=8, PE=4, SIMD=6, K=3, H=5, WD=6, C=2, CH=2,
                              MEM_BRAM=16 + 6),
    # linear layer, three channel folds, two plane groups (a word serves two steps)
    "linear_folds_tp2_streamed": Layer(C_OUT=6, PE=2, SIMD=4, TP=2, swu=False, MW=16,
                                       MEM_BRAM=16),
    # one fold, one beat per window: a word every cycle, back to back, paced output
    "linear_one_beat_streamed": Layer(C_OUT=3, PE=3, SIMD=5, TP=4, swu=False, MW=5, OGAP=2,
                                      MEM_BRAM=16),
}


@pytest.mark.rtl
@pytest.mark.parametrize("name", list(STREAMED))
def test_engine_streamed_weights(tmp_path, name):
    L = STREAMED[name]
    n_win, cyc = run_engine(tmp_path / "streamed", L)
    rom = replace(L, MEM_BRAM=L.MEM_BRAM & ~16)
    assert run_engine(tmp_path / "rom", rom) == (n_win, cyc)


ICARUS = {
    "conv_k3_p1_simd2": Layer(C_OUT=2, PE=1, SIMD=2, TP=2, K=3, P=1, H=4, WD=3, C=2, CH=1),
    "conv_k1_w5_paced": Layer(C_OUT=4, PE=2, SIMD=3, T=2, W=5, OGAP=3, K=1, H=3, WD=2, C=3,
                              CH=3),
    "linear_streamed": Layer(C_OUT=4, PE=2, SIMD=3, TP=2, swu=False, MW=9, MEM_BRAM=16),
}


@pytest.mark.rtl
@pytest.mark.parametrize("name", list(ICARUS))
def test_engine_icarus(tmp_path, name):
    run_engine(tmp_path, ICARUS[name], images=1, simulator="icarus")


LINT_SETS = [
    dict(MW=9, C_OUT=4, PE=2, SIMD=3, T=4, TP=1, W=3, ACC_W=12, ADDER=2),
    dict(MW=25, C_OUT=6, PE=6, SIMD=25, T=4, TP=4, W=3, ACC_W=14, ADDER=1),
    dict(MW=12, C_OUT=3, PE=1, SIMD=4, T=1, TP=1, W=4, ACC_W=10, OGAP=3),
    dict(MW=16, C_OUT=8, PE=2, SIMD=8, T=4, TP=1, W=3, ACC_W=12, WGT_RAM=1, PAR_RAM=1,
         ACC_RAM=1, WIN_RAM=1),
    dict(MW=16, C_OUT=4, PE=2, SIMD=8, T=6, TP=2, W=6, ACC_W=20, F=3, OUTPUT=1, ADDER=2),
    dict(MW=16, C_OUT=8, PE=2, SIMD=8, T=4, TP=1, W=3, ACC_W=12, WGT_RAM=3, PAR_RAM=1),
    dict(MW=16, C_OUT=8, PE=2, SIMD=8, T=4, TP=2, W=4, ACC_W=12, WGT_RAM=2),
]


@pytest.mark.rtl
@pytest.mark.parametrize("params", LINT_SETS)
def test_engine_lint(params):
    lint("synaptic_engine", ENGINE, params)


@pytest.mark.rtl
@pytest.mark.parametrize("params,message", [
    (dict(C_OUT=5, PE=2), r"C_OUT \(5\) is not a multiple of PE \(2\)"),
    (dict(MW=10, SIMD=3), r"window length MW \(10\) is not a multiple of SIMD \(3\)"),
    (dict(T=4, TP=3), r"T \(4\) is not a multiple of TP \(3\)"),
    (dict(ADDER=0), r"ADDER \(0\) must be 1 \(popcount\) or 2 \(compressor\)"),
    (dict(OGAP=0), r"LEVELS \(2\) and OGAP \(0\) must be >= 1"),
    (dict(), r"WEIGHT_FILE \(unless WGT_RAM = 2 or 3\), BIAS_FILE and \(for a hidden layer\) "
             r"THRESH_FILE must name"),
    (dict(WGT_RAM=4), r"WGT_RAM \(4\) must be 0 \(LUTs\), 1 \(block RAM\), 2 \(streamed\) or 3 "
                      r"\(UltraRAM\)"),
])
def test_engine_refuses_illegal_parameters(tmp_path, params, message):
    out = parameter_errors("synaptic_engine", CORES, params, tmp_path)
    assert re.search(r"synaptic_engine: " + message, out), out


def synth_engine(workdir: Path, *, MW, C_OUT, PE, SIMD, T, TP, W, ADDER, seed=0):
    """Synthesize an engine with random weights; return its cells."""
    rng = np.random.default_rng(seed)
    hi = (1 << (W - 1)) - 1
    w = rng.integers(-hi, hi + 1, size=(C_OUT, MW))
    NF, SF = C_OUT // PE, MW // SIMD
    workdir.mkdir(parents=True, exist_ok=True)
    write_mem(workdir / "w.mem",
              [pack(w[nf * PE:(nf + 1) * PE, sf * SIMD:(sf + 1) * SIMD].reshape(-1), W)
               for nf in range(NF) for sf in range(SF)], PE * SIMD * W)
    write_mem(workdir / "b.mem", beats(rng.integers(-100, 100, size=C_OUT), PE, 8), PE * 8)
    write_mem(workdir / "t.mem", beats(rng.integers(1, 255, size=C_OUT), PE, 8), PE * 8)
    params = dict(MW=MW, C_OUT=C_OUT, PE=PE, SIMD=SIMD, T=T, TP=TP, W=W, ADDER=ADDER,
                  ACC_W=acc_width(w, T), B_W=8, TH_W=8,
                  WEIGHT_FILE="w.mem", BIAS_FILE="b.mem", THRESH_FILE="t.mem")
    return yosys_cells(ENGINE, "synaptic_engine", params, workdir)


@pytest.mark.synth
def test_engine_yosys(tmp_path):
    cells = synth_engine(tmp_path, MW=18, C_OUT=4, PE=2, SIMD=6, T=4, TP=1, W=3, ADDER=2)
    assert luts(cells) > 0
    assert not any(name.startswith("DSP") for name in cells), cells  # spike-gated adds only


@pytest.mark.synth
@pytest.mark.slow
def test_engine_adder_experiment(tmp_path):
    """DESIGN §3: 64 lanes (PE=4 x SIMD=16), W=3, one plane; compressor < popcount."""
    lut = {a: luts(synth_engine(tmp_path / f"a{a}", MW=64, C_OUT=8, PE=4, SIMD=16, T=4, TP=1,
                                W=3, ADDER=a)) for a in (1, 2)}
    print("engine LUTs by ADDER (1 popcount, 2 compressor):", lut)
    assert lut[2] < lut[1], lut


@pytest.mark.synth
def test_engine_uram_weights_yosys(tmp_path):
    """WGT_RAM = 3: the weight memory becomes UltraRAM (written through the load port), as
    many URAM288 cells as the resource model counts, and no block RAM for it."""
    params = dict(MW=576, C_OUT=128, PE=2, SIMD=6, T=4, TP=1, W=3, ADDER=2, ACC_W=14,
                  B_W=8, TH_W=8, WGT_RAM=3, BIAS_FILE="b.mem", THRESH_FILE="t.mem")
    rng = np.random.default_rng(3)
    tmp_path.mkdir(parents=True, exist_ok=True)
    write_mem(tmp_path / "b.mem", beats(rng.integers(-100, 100, size=128), 2, 8), 16)
    write_mem(tmp_path / "t.mem", beats(rng.integers(1, 255, size=128), 2, 8), 16)
    cells = yosys_cells(ENGINE, "synaptic_engine", params, tmp_path)
    model = SynapticEngine.features({**params, "OUTPUT": 0, "F": 0})[1]
    assert model["URAM"] >= 1
    assert cells.get("URAM288", 0) == model["URAM"], cells
    assert not any(k.startswith("RAMB") for k in cells), cells  # (bias/threshold: 64 words)
