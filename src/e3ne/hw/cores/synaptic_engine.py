"""Model of ``synaptic_engine.sv`` (with ``neuron.sv``): the spike-gated PE x SIMD array,
its weight, bias and threshold memories, the Horner accumulator and the neuron."""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np

from e3ne.hw.cores.base import Core, Stream, clog2, register_core
from e3ne.hw.cores.weight_port import load_weights, stream_weights
from e3ne.hw.memory import block_ram, buffer_in_bram, lutram_sites, rom_logic_luts, uram_cells

# WGT_RAM: weights in LUT logic, block RAM, streamed in on the load port, UltraRAM (loaded)
WGT_LUT, WGT_BRAM, WGT_EXT, WGT_URAM = 0, 1, 2, 3


def signed_bits(lo: int, hi: int) -> int:
    """Smallest two's-complement width holding every integer in [lo, hi]."""
    bits = 1
    while not (-(1 << (bits - 1)) <= lo and hi <= (1 << (bits - 1)) - 1):
        bits += 1
    return bits


def hex_lines(words: list[int], bits: int) -> str:
    """``$readmemh`` text: one zero-padded hex word of ``bits`` bits per line."""
    digits = max(1, (bits + 3) // 4)
    return "".join(f"{w:0{digits}x}\n" for w in words)


def pack_lanes(values, width: int) -> int:
    """Lanes little-end first, two's complement in ``width`` bits each (hw/README.md)."""
    word, mask = 0, (1 << width) - 1
    for k, v in enumerate(values):
        word |= (int(v) & mask) << (k * width)
    return word


LEVELS = 2  # tree levels between two pipeline registers (spike_dot.sv)
WS_D = 4  # streamed weights: the FIFO's words (synaptic_engine.sv)


def tree_leaves(simd: int, W: int, tp: int, adder: int = 2) -> int:
    """spike_dot.sv's tree leaves per lane: W*TP*M, M = 2*ceil(ceil(SIMD/3)/6) 6:3-counter
    outputs per plane pair (ADDER 2), or one popcount (ADDER 1)."""
    counters = -(-simd // 3)  # gated 3:2 counters per plane pair
    return W * tp * (2 * -(-counters // 6) if adder == 2 else 1)


def tree_stages(simd: int, W: int, tp: int, adder: int = 2, levels: int = LEVELS) -> int:
    """spike_dot.sv's register stages after its leaves: ceil(clog2(leaves) / LEVELS) (the
    depth of a binary tree over the leaves; its compressor tree never needs more)."""
    return -(-clog2(tree_leaves(simd, W, tp, adder)) // levels)


def _counters(h: int) -> tuple[int, int]:
    """(counters, passed bits) of a compressor column of ``h`` bits: a 6:3 counter per
    full group of 6, one more on a remainder of 4 or 5, a smaller remainder passed on."""
    return h // 6 + (h % 6 >= 4), 0 if h % 6 >= 4 else h % 6


def compressor(simd: int, W: int, tp: int, adder: int = 2, levels: int = LEVELS) -> dict:
    """spike_dot.sv's compressor tree, level by level as its heights() computes it:
    ``counters`` (6:3, three LUT6 each), ``registered`` bits (the levels after which it
    registers, the sum and its delay registers) and ``levels``."""
    ps_w = W + tp + clog2(simd + 1) + 1
    m = tree_leaves(simd, W, tp, adder) // (W * tp)
    lw = 3 if adder == 2 else clog2(simd + 1)
    h = [0] * ps_w
    for wb in range(W):
        for b in range(tp):
            for k in range(m):
                s = wb + b + (k % 2 if adder == 2 else 0)
                for j in range(lw):
                    if s + j < ps_w:
                        h[s + j] += 1
    ofs = simd * (1 << (W - 1)) * ((1 << tp) - 1)
    for c in range(ps_w):
        h[c] += (-ofs >> c) & 1
    heights = [h]
    while max(h) > 3:
        n = [_counters(x)[0] for x in h]
        h = [n[c] + _counters(h[c])[1] + (n[c - 1] if c >= 1 else 0)
             + (n[c - 2] if c >= 2 else 0) for c in range(ps_w)]
        heights.append(h)
    nlv = len(heights) - 1
    ns = tree_stages(simd, W, tp, adder, levels)
    regs = [lv for lv in range(1, nlv + 1) if lv % levels == 0 and lv // levels < ns]
    delay = ns - len(regs) - 1  # the sum's register is the last of the NS
    return {"levels": nlv,
            "counters": sum(_counters(x)[0] for hs in heights[:-1] for x in hs),
            "registered": sum(sum(heights[lv]) for lv in regs) + (1 + delay) * ps_w}


@register_core
class SynapticEngine(Core):
    """Beat by beat: beat k of a window is taken one cycle after it arrives, once beat k-1's
    NF*NP steps are done (a window's last beat: NF*max(NP, OGAP), its folds paced to the
    consumer); fold f's output beat leaves 7 + NS + (T | 0) cycles after its last step
    (hidden | output layer; NS: the compressor tree's stages)."""

    module = "synaptic_engine"
    sources = ("mem_ram.sv", "neuron.sv", "spike_dot.sv", "stream_fifo.sv",
               "synaptic_engine.sv")
    stage = "engine"
    # the weights' place (LUTs, block RAM, UltraRAM, streamed: the stream's own reader is
    # a stage apart) and the buffers' do not change when a step issues (``forward``)
    untimed = frozenset({"WGT_RAM", "WIN_RAM", "ACC_RAM", "PAR_RAM", "WEIGHT_FILE",
                         "BIAS_FILE", "THRESH_FILE", "WGT_BITS", "loader", "wstream"})

    @staticmethod
    def parameters(mw: int, c_out: int, pe: int, simd: int, tp: int, T: int, W: int,
                   acc_w: int, shift: int, b_w: int, th_w: int, output: bool, wgt_ram: int,
                   out_w: int | None = None, output_relu: bool = False) -> dict:
        """The RTL parameters (without memory file names and the consumer's ``OGAP``);
        the window buffer, the accumulator memory and the bias/threshold ROMs placed by
        ``buffer_in_bram``; ``OUT_W`` (output layer) is the accumulator width unless
        given; ``output_relu``: the output layer emits max(U, 0) (``OUTPUT`` 2)."""
        nf, sf = c_out // pe, mw // simd
        p = {"MW": mw, "C_OUT": c_out, "PE": pe, "SIMD": simd, "T": T, "TP": tp, "W": W,
             "ACC_W": acc_w, "F": shift, "B_W": b_w, "TH_W": th_w,
             "OUTPUT": (2 if output_relu else 1) if output else 0,
             "WGT_RAM": wgt_ram, "WIN_RAM": int(buffer_in_bram(2 * sf, simd * T)),
             "ACC_RAM": int(nf > 1 and buffer_in_bram(nf, pe * acc_w)),
             "PAR_RAM": int(buffer_in_bram(nf, pe * (b_w + (0 if output else th_w))))}
        if output:
            p["OUT_W"] = acc_w if out_w is None else out_w
        return p

    @staticmethod
    def fifo_depth(p: dict) -> int:
        """The output FIFO's beats (``OFD``): more than can be in flight, so the credit
        never holds a step while the consumer keeps up."""
        ns = tree_stages(p["SIMD"], p["W"], p["TP"], p.get("ADDER", 2), p.get("LEVELS", LEVELS))
        return 9 + ns + (0 if p["OUTPUT"] else p["T"])

    def pace(self, consumer_gap: int) -> None:
        """Pace the output beats to a consumer that takes one every ``consumer_gap``
        cycles (RTL parameter ``OGAP``), so that it never stalls the engine."""
        self.params["OGAP"] = max(1, consumer_gap)

    @classmethod
    def ports(cls, params: dict) -> tuple[int, int]:
        odw = params.get("OUT_W", 0) if params["OUTPUT"] else params["T"]
        return params["SIMD"] * params["T"], params["PE"] * odw

    @classmethod
    def aux_ports(cls, params: dict) -> list[tuple[str, bool, int]]:
        """The weight load port: written by a loader (``WGT_RAM`` 3), or the weight stream
        (``WGT_RAM`` 2: ``wl_we`` valid, ``wl_rdy`` ready, ``wl_dat`` the word)."""
        depth = params["C_OUT"] // params["PE"] * (params["MW"] // params["SIMD"])
        return [("wl_rdy", False, 1), ("wl_we", True, 1),
                ("wl_addr", True, max(1, clog2(depth))),
                ("wl_dat", True, params["PE"] * params["SIMD"] * params["W"])]

    def aux_connections(self) -> dict[str, str]:
        """The loader's write port (``info["loader"]``, its instance name), or tied off;
        ``wl_rdy`` drives a wire of its own (unused unless the weights are streamed)."""
        ld, ws = self.info.get("loader"), self.info.get("wstream")
        if self.params["WGT_RAM"] == WGT_EXT and ws:  # the gathered words of its reader
            w = self.params["PE"] * self.params["SIMD"] * self.params["W"]
            return {"wl_rdy": f"{ws}_rdy", "wl_we": f"{ws}_vld", "wl_addr": "'0",
                    "wl_dat": f"{ws}_dat[{w - 1}:0]"}
        rdy = {"wl_rdy": f"{self.name}_wl_rdy"}
        if self.params["WGT_RAM"] == WGT_URAM and ld:
            return {**rdy, "wl_we": f"{ld}_we", "wl_addr": f"{ld}_waddr",
                    "wl_dat": f"{ld}_wdat"}
        return {**rdy, "wl_we": "1'b0", "wl_addr": "'0", "wl_dat": "'0"}

    # --- cycles ----------------------------------------------------------------------
    @property
    def _folds(self) -> tuple[int, int, int]:
        """(SF input beats per window, NF channel folds, NP plane groups)."""
        p = self.params
        return p["MW"] // p["SIMD"], p["C_OUT"] // p["PE"], p["T"] // p["TP"]

    @property
    def _fold_gap(self) -> int:
        """Cycles between the output folds of a last beat: max(NP, OGAP)."""
        return max(self._folds[2], self.params.get("OGAP", 1))

    def per_window(self) -> int:
        sf, nf, np_ = self._folds
        return (sf - 1) * nf * np_ + nf * self._fold_gap

    def busy(self, out_gap: int) -> int:
        return self.in_beats // self._folds[0] * self.per_window()

    def forward(self, t: np.ndarray, out_gap: int) -> np.ndarray:
        sf, nf, np_ = self._folds
        p = self.params
        tail = 7 + tree_stages(p["SIMD"], p["W"], p["TP"], p.get("ADDER", 2),
                               p.get("LEVELS", LEVELS)) + (
            0 if p["OUTPUT"] else p["T"])
        # beat k starts at max(arrival + 1, start of k-1 + its steps): the closed form of
        # that recurrence with per-beat step counts (last beats longer when paced)
        steps = np.full(len(t), nf * np_, dtype=np.int64)
        steps[sf - 1::sf] = nf * self._fold_gap
        before = np.concatenate(([0], np.cumsum(steps[:-1])))
        start = before + np.maximum.accumulate(t + 1 - before)
        last_beat = start[sf - 1::sf]
        last_step = np.arange(nf) * self._fold_gap + np_ - 1
        return (last_beat[:, None] + last_step[None, :] + tail).reshape(-1)

    # --- resources -------------------------------------------------------------------
    @classmethod
    def features(cls, p: dict) -> tuple[dict, dict]:
        pe, simd, tp, T, W = p["PE"], p["SIMD"], p["TP"], p["T"], p["W"]
        nf, sf, np_ = p["C_OUT"] // pe, p["MW"] // simd, T // tp
        acc, f, b_w, th_w = p["ACC_W"], p["F"], p["B_W"], p["TH_W"]
        out = p["OUTPUT"] != 0
        uw = max(acc + f, b_w) + 1
        odw = p.get("OUT_W", acc) if out else T
        win, accm, par = (p.get(k, 0) == 1 for k in ("WIN_RAM", "ACC_RAM", "PAR_RAM"))
        uram = p.get("WGT_RAM", 0) == WGT_URAM  # a RAM without contents, timed as block RAM
        wgt = p.get("WGT_RAM", 0) == WGT_BRAM or uram  # a memory's output register
        ext = p.get("WGT_RAM", 0) == WGT_EXT  # streamed in: no ROM; a FIFO, three registers
        depth, width = nf * sf, pe * simd * W
        ps_w = W + tp + clog2(simd + 1) + 1
        par_w = pe * (b_w + (0 if out else th_w))
        levels = p.get("LEVELS", LEVELS)
        leaves = tree_leaves(simd, W, tp, p.get("ADDER", 2))
        tree = compressor(simd, W, tp, p.get("ADDER", 2), levels)
        feats = {
            "const": 1.0,
            "gated": pe * simd * tp * W,  # spike-gated 3:2 counters
            "tree": pe * simd * tp * W * clog2(simd + 1),  # the popcounts' adds
            "compress": pe * 3 * tree["counters"],  # the compressor tree's counters ...
            "rowadd": pe * ps_w,  # ... and the adders of its last three rows
            "acc": pe * acc,  # the accumulator's adder
            "accshift": pe * acc * clog2(np_),  # its plane-group shift
            "bias": pe * uw,  # U = V*2^F + beta
            "neuron": pe * uw * (1 if out else T),  # successive-subtraction stages
            "chunk": simd * tp * (np_ - 1),  # spike-plane select
            "rom": 0 if wgt or ext else rom_logic_luts(depth, width),
            "wreg": 0 if wgt else width,  # the weight word register, in LUTs ...
            "wreg_bram": width if wgt else 0,  # ... or behind a block RAM's output
            "par": 0 if par else rom_logic_luts(nf, par_w),
            "parw": par_w,
            "win": 0 if win else lutram_sites(2 * sf, simd * T),
            "accmem": 0 if nf == 1 or accm else lutram_sites(nf, pe * acc),
            # the output FIFO's registers and muxes, and its memory (the weight stream's
            # FIFO, WS_D = 4 words, too)
            "fifo": pe * odw + (width if ext else 0),
            "fifomem": lutram_sites(cls.fifo_depth(p) - 1, pe * odw) + (
                lutram_sites(WS_D - 1, width) if ext else 0),
            "ctrl": clog2(depth + 1) + clog2(2 * sf + 1),
            # pipeline registers: window word, spike chunk, popcounts, tree nodes,
            # accumulator and its output, bias/threshold (twice from block RAM), the
            # output FIFO's registers
            "regs": simd * T + simd * tp + pe * leaves * 3 + pe * tree["registered"]
            + 2 * pe * acc + (2 if par else 1) * par_w + 3 * pe * odw,
        }
        live = p.get("WGT_BITS", width)  # constant bit columns are dropped by synthesis
        mems = [(depth, live)] if wgt and not uram else []   # ROMs, and written memories:
        rams = [(2 * sf, simd * T)] if win else []
        if accm and nf > 1:
            rams += [(nf, pe * acc)]
        if par:
            mems += [(nf, pe * b_w)] + ([] if out else [(nf, pe * th_w)])
        exact = block_ram(mems, rams)
        if uram:  # written at run time: every bit column is kept
            u = uram_cells(depth, width)
            exact = {**exact, "URAM": u.cells, "LUT": exact["LUT"] + u.luts}
        return feats, exact

    # --- memory images ---------------------------------------------------------------
    @staticmethod
    def weight_words(w_hw: np.ndarray, pe: int, simd: int) -> np.ndarray:
        """The weight ROM's words ``[NF*SF, PE*SIMD]`` from the matrix ``[C_OUT, MW]`` in
        stream order: word f*SF + s holds output channels f*PE.. and inputs s*SIMD..,
        lane (PE index)*SIMD + (SIMD index)."""
        c_out, mw = w_hw.shape
        nf, sf = c_out // pe, mw // simd
        return w_hw.reshape(nf, pe, sf, simd).transpose(0, 2, 1, 3).reshape(nf * sf, pe * simd)

    @classmethod
    def live_weight_bits(cls, c_out: int, mw: int, pe: int, simd: int, wbits: int,
                         weights: Callable[[], np.ndarray], max_depth: int = 64) -> int:
        """Bit columns of the weight ROM that are not the same in every word: synthesis
        drops the constant ones (a shallow ROM of trained weights has some, which can
        change its block-RAM packing). Deeper ROMs are taken as all live (counting them
        would cost a pass over every weight per fold; a column constant over more than 64
        words is rare), and ``weights()``, the ``[C_OUT, MW]`` matrix in stream order, is
        then not asked for."""
        if (c_out // pe) * (mw // simd) > max_depth:
            return pe * simd * wbits
        w = cls.weight_words(weights(), pe, simd).astype(np.int64) & ((1 << wbits) - 1)
        bits = (w[:, :, None] >> np.arange(wbits)) & 1  # [words, lanes, bit]
        return int((bits.min(axis=0) != bits.max(axis=0)).sum())

    @classmethod
    def memory_images(cls, w_hw: np.ndarray, beta: np.ndarray, theta: np.ndarray | None,
                      params: dict, stem: str) -> tuple[dict[str, str], dict]:
        """(``$readmemh`` images by file name, the file-name parameters) in the layouts
        documented in synaptic_engine.sv; no threshold ROM for the output layer."""
        pe, b_w, th_w = params["PE"], params["B_W"], params["TH_W"]
        nf = params["C_OUT"] // pe
        files = {f"{stem}_b.mem": hex_lines([pack_lanes(beta[f * pe:(f + 1) * pe], b_w)
                                             for f in range(nf)], pe * b_w)}
        if params["WGT_RAM"] not in (WGT_EXT, WGT_URAM):  # loaded or streamed: no ROM
            files[f"{stem}_w.mem"] = hex_lines(cls.packed_words(w_hw, params),
                                               pe * params["SIMD"] * params["W"])
        if theta is not None:
            files[f"{stem}_t.mem"] = hex_lines(
                [pack_lanes(theta[f * pe:(f + 1) * pe], th_w) for f in range(nf)], pe * th_w)
        return files, cls.file_names(stem, theta is None, params["WGT_RAM"])

    @classmethod
    def packed_words(cls, w_hw: np.ndarray, params: dict) -> list[int]:
        """The weight memory's words as integers (lanes packed, two's complement)."""
        return [pack_lanes(v, params["W"])
                for v in cls.weight_words(w_hw, params["PE"], params["SIMD"])]

    @staticmethod
    def file_names(stem: str, output: bool, wgt_ram: int = WGT_LUT) -> dict:
        """The memory-file parameters of an engine whose images are named ``stem_*`` (no
        weight file for weights in UltraRAM, loaded at run time, or streamed)."""
        return {"WEIGHT_FILE": "" if wgt_ram in (WGT_EXT, WGT_URAM) else f"{stem}_w.mem",
                "BIAS_FILE": f"{stem}_b.mem", "THRESH_FILE": "" if output else f"{stem}_t.mem"}

    # --- calibration -----------------------------------------------------------------
    @classmethod
    def calibration_params(cls, PE: int, SIMD: int, TP: int, T: int, W: int, NF: int,
                           SF: int, OUTPUT: int = 0, WGT_RAM: int = 0, F: int = 0) -> dict:
        """A parameter set with worst-case accumulator width (for V alone; ``OUT_W`` holds
        U of any bias)."""
        mw = SIMD * SF
        vmax = mw * (2 ** (W - 1)) * (2 ** T - 1)
        acc = signed_bits(-vmax, vmax)
        return cls.parameters(mw, PE * NF, PE, SIMD, TP, T, W, acc, F, acc + F - 2,
                              acc + F - T - 1, bool(OUTPUT), WGT_RAM, out_w=acc + F + 1)

    @classmethod
    def calibration_plan(cls) -> list[dict]:
        eng = [  # PE, SIMD, TP, T, W, NF, SF, OUTPUT, WGT_RAM  (gated bits up to ~2k: Yosys
            # takes minutes per engine beyond that on this machine; the model is linear)
            (1, 1, 1, 4, 3, 4, 9, 0, 0), (1, 9, 1, 4, 3, 2, 4, 0, 0), (2, 9, 4, 4, 3, 3, 1, 0, 0),
            (4, 16, 1, 4, 3, 4, 25, 0, 1), (6, 25, 4, 4, 3, 1, 1, 0, 0),
            (4, 30, 2, 4, 3, 2, 5, 0, 0), (8, 16, 1, 4, 3, 15, 25, 0, 1),
            (7, 20, 1, 4, 3, 12, 6, 0, 0), (5, 42, 1, 4, 3, 2, 2, 1, 0),
            (2, 32, 2, 4, 4, 16, 25, 0, 1), (16, 8, 1, 4, 4, 2, 9, 0, 0),
            (4, 64, 1, 6, 6, 16, 36, 0, 1), (1, 64, 2, 6, 6, 64, 9, 0, 1),
            (3, 12, 3, 6, 4, 2, 6, 0, 0), (10, 20, 1, 4, 4, 1, 40, 1, 1),
            (8, 50, 1, 4, 3, 4, 16, 0, 1), (1, 100, 1, 4, 4, 10, 8, 1, 0),
            (4, 4, 2, 4, 3, 8, 50, 0, 1), (2, 25, 1, 4, 3, 3, 1, 0, 0),
            (12, 16, 1, 4, 4, 4, 8, 0, 0), (4, 32, 1, 4, 4, 8, 25, 0, 1),
            (16, 16, 1, 4, 4, 2, 18, 0, 1), (1, 3, 1, 3, 2, 4, 3, 0, 0),
            (6, 6, 6, 6, 3, 4, 4, 0, 0), (8, 8, 2, 4, 6, 8, 8, 0, 0),
            (2, 128, 1, 4, 3, 4, 4, 0, 1), (32, 4, 1, 4, 3, 2, 8, 0, 0),
            (4, 24, 2, 6, 6, 12, 24, 0, 1), (2, 16, 4, 4, 3, 4, 4, 0, 0),
            (4, 8, 4, 4, 4, 8, 8, 0, 1), (1, 16, 1, 4, 3, 256, 72, 0, 1),
            (2, 8, 2, 4, 4, 150, 80, 0, 1), (1, 24, 3, 6, 6, 40, 100, 1, 1),
            # more widths and depths (W = 6, T = 6; mid-size folds)
            (2, 32, 1, 6, 6, 8, 16, 0, 1), (4, 16, 2, 6, 4, 4, 9, 0, 0),
            (8, 12, 1, 6, 6, 4, 12, 0, 1), (2, 48, 3, 6, 6, 2, 8, 0, 1),
            (6, 30, 1, 4, 4, 2, 10, 0, 0), (3, 27, 1, 4, 3, 40, 3, 0, 1),
            (12, 8, 2, 4, 3, 2, 4, 0, 0), (1, 128, 1, 6, 6, 16, 8, 0, 1),
            (16, 12, 1, 4, 3, 3, 6, 0, 0), (4, 36, 1, 6, 6, 8, 16, 0, 1),
            (2, 64, 2, 4, 3, 5, 6, 0, 0), (8, 24, 1, 4, 4, 1, 24, 1, 1),
            # streamed weights (a linear layer's, from external memory)
            (4, 32, 1, 6, 6, 16, 36, 0, 2), (2, 64, 2, 4, 4, 8, 16, 1, 2),
            (8, 16, 1, 6, 6, 4, 64, 0, 2),
        ]
        return [cls.calibration_params(pe, simd, tp, t, w, nf, sf, out, wr)
                for pe, simd, tp, t, w, nf, sf, out, wr in eng]

    @classmethod
    def calibration_files(cls, params: dict, rng: random.Random) -> tuple[dict, dict]:
        """Random weights, biases and thresholds in the widths ``params`` declares."""
        p = params
        hi = 2 ** (p["W"] - 1) - 1
        w = np.array([[rng.randint(-hi - 1, hi) for _ in range(p["MW"])]
                      for _ in range(p["C_OUT"])], dtype=np.int64)
        bmax = 2 ** (p["B_W"] - 1) - 1
        beta = np.array([rng.randint(-bmax, bmax) for _ in range(p["C_OUT"])])
        theta = None if p["OUTPUT"] else np.array(
            [rng.randint(1, 2 ** p["TH_W"] - 1) for _ in range(p["C_OUT"])])
        return cls.memory_images(w, beta, theta, p, "cal")


def engine(design, src: Stream, params: dict, layer_info: dict, tag: str,
           w_hw: np.ndarray | None = None) -> Stream:
    """A synaptic engine reading ``src`` (SIMD window elements per beat) and writing PE
    lanes: T-bit activations, or ``OUT_W``-bit potentials from the output layer. Weights
    in UltraRAM (``WGT_RAM`` 3) get a loader, streamed weights (``WGT_RAM`` 2) a reader of
    their own; ``w_hw`` (the weights in stream order, when writing) fills the weight
    image."""
    sf = params["MW"] // params["SIMD"]
    lane_w = params["OUT_W"] if params["OUTPUT"] else params["T"]
    dst = design.stream(params["PE"], lane_w, src.beats // sf * params["C_OUT"] // params["PE"])
    core = SynapticEngine(f"u_syn_{tag}", design.layer, params, src, dst, dict(layer_info))
    design.add(core)
    words = None if w_hw is None else SynapticEngine.packed_words(w_hw, params)
    if params["WGT_RAM"] == WGT_URAM:
        load_weights(design, core, words)
    if params["WGT_RAM"] == WGT_EXT:
        stream_weights(design, core, words)
    else:  # its weight stream's ready drives nothing
        design.unused.append(core.aux_connections()["wl_rdy"])
    return dst
