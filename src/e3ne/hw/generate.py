"""IR + folding -> ``DIR/rtl/``: the top level, memory images, cores and a filelist.

The generator writes only the top module (instances of the hand-written cores chained by
valid/ready streams), the parameters and the ``$readmemh`` images; the cores are copied
unchanged. Output is deterministic: the same network and folds give identical bytes.

Stream plan (see hw/README.md): s_axis carries one input pixel per beat (its C channels,
T bits each); each conv is a sliding-window unit feeding a synaptic engine; each pooling
layer a sliding-window unit feeding a pool unit; flatten is free (the stream is already
in HWC order; the next linear layer's weight columns are permuted to match); width
converters go where lane counts differ; the output layer feeds an argmax unit whose
scores and class leave on m_axis (the class beat carries tlast).
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from e3ne.errors import ConfigError
from e3ne.flow.hdlsim import RTL_DIR
from e3ne.hw.folding import Fold
from e3ne.hw.memory import buffer_in_bram, line_buffer, weights_in_bram
from e3ne.ir import Network
from e3ne.layers import AvgPool, Conv, Flatten, MaxPool, Synaptic
from e3ne.layers.synaptic import signed_bits

TOP = "e3ne_top"
CORES = ["stream_fifo.sv", "stream_dwc.sv", "swu.sv", "neuron.sv", "synaptic_engine.sv",
         "pool_unit.sv", "argmax_unit.sv"]


def byte_align(bits: int) -> int:
    return (bits + 7) // 8 * 8


@dataclass
class Stream:
    """A wire bundle between two stages: ``lanes`` lanes of ``lane_w`` bits."""

    name: str
    lanes: int
    lane_w: int

    @property
    def width(self) -> int:
        return self.lanes * self.lane_w


@dataclass
class Plan:
    """What the top level looks like from outside, for benches and host drivers."""

    in_width: int  # s_axis_tdata bits (byte aligned)
    in_lanes: int  # channels per input beat
    in_beats: int  # input beats per image (pixels)
    out_width: int  # m_axis_tdata bits (byte aligned)
    out_lanes: int  # scores per output beat
    score_bits: int  # bits per score lane (two's complement)
    out_beats: int  # output beats per image: score beats + the class beat
    num_classes: int
    T: int
    folds: dict[str, dict] = field(default_factory=dict)
    stages: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Core:
    """One instance of a hand-written core in the top level (for the resource model)."""

    module: str
    name: str
    layer: str  # IR layer it serves ("" for the argmax)
    params: dict
    info: dict = field(default_factory=dict)  # facts for the models, not RTL parameters


class _Top:
    """Accumulates the top module's text, stage by stage."""

    def __init__(self) -> None:
        self.decls: list[str] = []
        self.insts: list[tuple] = []  # (module, name, params, src, dst, extra), rendered last
        self.taps: list[tuple[str, Stream]] = []  # (layer tag, its output stream)
        self.cores: list[Core] = []  # every instance, in stream order
        self.layer = ""  # the IR layer whose cores are being added
        self.n = 0

    def wires(self, s: Stream) -> None:
        self.decls += [f"\twire  {s.name}_vld;", f"\twire  {s.name}_rdy;",
                       f"\twire [{s.width - 1}:0]  {s.name}_dat;"]

    def new(self, lanes: int, lane_w: int) -> Stream:
        self.n += 1
        s = Stream(f"s{self.n}", lanes, lane_w)
        self.wires(s)
        return s

    def inst(self, module: str, name: str, params: dict, src: Stream, dst: Stream,
             extra: str = "", info: dict | None = None) -> None:
        self.cores.append(Core(module, name, self.layer, params, info or {}))
        self.insts.append((module, name, params, src.name, dst.name, extra))

    def body(self) -> list[str]:
        """The instances as text (only when a file is written: the search asks for cores)."""
        out = []
        for module, name, params, src, dst, extra in self.insts:
            plines = ",\n".join(f"\t\t.{k}({_pval(v)})" for k, v in params.items())
            out.append(
                f"\t{module} #(\n{plines}\n\t) {name} (\n\t\t.clk(ap_clk), .rst(rst),\n"
                f"\t\t.irdy({src}_rdy), .ivld({src}_vld), .idat({src}_dat),\n"
                f"\t\t.ordy({dst}_rdy), .ovld({dst}_vld), .odat({dst}_dat)"
                f"{extra}\n\t);\n")
        return out


def _pval(v) -> str:
    return f'"{v}"' if isinstance(v, str) else str(int(v))


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


def _require_square(layer, what: str) -> int:
    kernel, stride, padding = layer.kernel, layer.stride, layer.padding
    if kernel[0] != kernel[1] or stride[0] != stride[1] or padding[0] != padding[1]:
        raise ConfigError(f"{layer.where}: the hardware supports square {what} only "
                          f"(kernel {kernel}, stride {stride}, padding {padding})")
    if padding[0] >= kernel[0]:
        raise ConfigError(f"{layer.where}: the hardware needs padding ({padding[0]}) smaller "
                          f"than the kernel ({kernel[0]})")
    return kernel[0]


def _dwc(top: _Top, src: Stream, lanes: int, tag: str) -> Stream:
    """Convert ``src`` to ``lanes`` lanes (through the gcd if neither divides the other)."""
    if src.lanes == lanes:
        return src
    if src.lanes % lanes and lanes % src.lanes:
        src = _dwc(top, src, math.gcd(src.lanes, lanes), tag + "_g")
    dst = top.new(lanes, src.lane_w)
    top.inst("stream_dwc", f"u_dwc_{tag}",
             {"IN_LANES": src.lanes, "OUT_LANES": lanes, "LANE_W": src.lane_w}, src, dst)
    return dst


def _swu(top: _Top, src: Stream, shape, k: int, s: int, p: int, simd: int, T: int,
         tag: str) -> Stream:
    c, h, w = shape
    if simd <= c and src.lanes % simd and simd % src.lanes:
        src = _dwc(top, src, math.gcd(src.lanes, simd), tag)
    dst = top.new(simd, T)
    lb = line_buffer(k, s, p, h, w, c, simd, T)
    top.inst("swu", f"u_swu_{tag}", {"K": k, "S": s, "P": p, "H": h, "WD": w, "C": c,
                                      "CH": src.lanes, "T": T, "SIMD": simd,
                                      "LB_RAM": int(lb.in_bram)}, src, dst)
    return dst


def generate(net: Network, folds: dict[str, Fold], out_dir: str | Path) -> Plan:
    """Write ``out_dir/rtl`` and return the plan of the generated top level."""
    rtl = Path(out_dir) / "rtl"
    files: dict[str, str] = {}
    top, plan, out = _build(net, folds, files)
    files[f"{TOP}.sv"] = _top_text(top, plan, out)
    rtl.mkdir(parents=True, exist_ok=True)
    for name, text in sorted(files.items()):
        (rtl / name).write_text(text)
    for core in CORES:
        shutil.copyfile(RTL_DIR / core, rtl / core)
    (rtl / "filelist.f").write_text("".join(f"{c}\n" for c in CORES) + f"{TOP}.sv\n")
    (rtl / "plan.json").write_text(json.dumps(asdict(plan), indent=1) + "\n")
    return plan


def core_instances(net: Network, folds: dict[str, Fold],
                   widths: dict | None = None) -> list[Core]:
    """The cores ``generate`` would instantiate, with their parameters, without packing
    memory images or writing files. ``widths`` caches per-layer facts (word widths, live
    weight bits per fold) across calls
    (the design-space search asks for many folds of one network)."""
    top, _, _ = _build(net, folds, None, widths)
    return top.cores


def _layer_widths(layer: Synaptic, T: int) -> tuple[int, int, int]:
    """(accumulator, bias, threshold) widths of a synaptic layer."""
    acc = layer.acc_bits(T)
    b_w = signed_bits(int(layer.beta.min()), int(layer.beta.max()))
    th_w = 1 if layer.output else max(1, int(layer.theta.max()).bit_length())
    return acc, b_w, th_w


def engine_params(layer: Synaptic, fold: Fold, T: int, W: int,
                  widths: dict | None = None) -> dict:
    """The synaptic_engine parameters (without memory file names) for ``layer`` folded as
    ``fold``; weights placed as ``fold.weights`` resolves (e3ne.hw.memory; WGT_RAM = 2
    marks external weights, which only the models take)."""
    if widths is None or layer.name not in widths:
        lw = _layer_widths(layer, T)
        if widths is not None:
            widths[layer.name] = lw
    else:
        lw = widths[layer.name]
    acc, b_w, th_w = lw
    mw = layer.fan_in
    nf, sf = layer.out_channels // fold.PE, mw // fold.SIMD
    bram = weights_in_bram(fold.weights, nf * sf, fold.PE * fold.SIMD * W)
    win_bram = buffer_in_bram(2 * sf, fold.SIMD * T)
    par_bram = buffer_in_bram(nf, fold.PE * (b_w + (0 if layer.output else th_w)))
    params = {"MW": mw, "C_OUT": layer.out_channels, "PE": fold.PE, "SIMD": fold.SIMD,
              "T": T, "TP": fold.TP, "W": W, "ACC_W": acc, "F": layer.shift, "B_W": b_w,
              "TH_W": th_w, "OUTPUT": int(layer.output),
              "WGT_RAM": 2 if fold.weights == "ext" else int(bram),
              "WIN_RAM": int(win_bram), "PAR_RAM": int(par_bram)}
    if layer.output:
        params["OUT_W"] = acc
    return params


def _build(net: Network, folds: dict[str, Fold], files: dict[str, str] | None,
           widths: dict | None = None) -> tuple[_Top, Plan, Stream]:
    """The top level's instances and plan; memory images go into ``files`` (skipped when
    None)."""
    widths = {} if widths is None else widths
    T, top = net.T, _Top()
    shapes = net.shapes()
    c0, h0, w0 = net.input_shape
    src = Stream("s0", c0, T)
    top.wires(src)
    plan = Plan(in_width=byte_align(c0 * T), in_lanes=c0, in_beats=h0 * w0, out_width=0,
                out_lanes=0, score_bits=0, out_beats=0, num_classes=net.num_classes, T=T,
                folds={k: dict(vars(v)) for k, v in folds.items()})
    flat_perm: np.ndarray | None = None  # hardware order -> IR feature index
    for i, layer in enumerate(net.layers):
        shape, tag = shapes[i], f"l{i}"
        top.layer = layer.name
        if isinstance(layer, Flatten):
            c, h, w = shape
            flat_perm = np.arange(c * h * w).reshape(c, h, w).transpose(1, 2, 0).reshape(-1)
            plan.stages.append({"layer": layer.name, "kind": "flatten"})
            continue
        if isinstance(layer, (MaxPool, AvgPool)):
            k = _require_square(layer, "pooling windows")
            win = _swu(top, src, shape, k, layer.stride[0], layer.padding[0], src.lanes, T, tag)
            dst = top.new(win.lanes, T)
            top.inst("pool_unit", f"u_pool_{tag}", {"T": T, "C": shape[0], "K": k,
                     "SIMD": win.lanes, "MODE": int(isinstance(layer, AvgPool))}, win, dst)
            plan.stages.append({"layer": layer.name, "kind": layer.kind, "index": i,
                                "tap": dict(vars(dst))})
            top.taps.append((tag, dst))
            src = dst
            continue
        assert isinstance(layer, Synaptic)
        fold = folds[layer.name]
        if isinstance(layer, Conv):
            k = _require_square(layer, "convolutions")
            win = _swu(top, src, shape, k, layer.stride[0], layer.padding[0], fold.SIMD, T,
                       tag)
            perm = None
        else:
            win = _dwc(top, src, fold.SIMD, tag)
            perm, flat_perm = flat_perm, None
        params = engine_params(layer, fold, T, net.W, widths)
        if params["WGT_RAM"] == 2 and files is not None:
            raise ConfigError(f"{layer.where}: weights 'ext' (streamed from external memory) "
                              "are modelled by the DSE only; the generated RTL keeps weights "
                              "on chip: use weights lut, bram or auto, or a larger device")
        acc, b_w, th_w = params["ACC_W"], params["B_W"], params["TH_W"]
        dst = top.new(fold.PE, acc if layer.output else T)
        stem = f"{tag}_{_safe(layer.name)}"
        if files is not None:
            files.update(_memories(layer, _hw_weights(layer, perm), fold, net.W, b_w, th_w,
                                   stem))
        params.update({"WEIGHT_FILE": f"{stem}_w.mem", "BIAS_FILE": f"{stem}_b.mem",
                       "THRESH_FILE": "" if layer.output else f"{stem}_t.mem"})
        mw, bram = params["MW"], params["WGT_RAM"] == 1
        key = (layer.name, fold.PE, fold.SIMD)  # live weight bits, once per fold
        if key not in widths:
            widths[key] = live_weight_bits(layer, fold, net.W, perm)
        top.inst("synaptic_engine", f"u_syn_{tag}", params, win, dst,
                 info={"WGT_BITS": widths[key]})
        plan.stages.append({"layer": layer.name, "kind": layer.kind, "index": i, **vars(fold),
                            "weights_in": "bram" if bram else "lut",
                            "acc_bits": acc, "mw": mw, "tap": dict(vars(dst))})
        top.taps.append((tag, dst))
        src = dst

    # argmax + AXI4-Stream output
    top.layer = ""
    out = top.new(src.lanes, src.lane_w)
    top.decls.append("\twire  out_last;")
    top.inst("argmax_unit", "u_argmax", {"N_CLASSES": net.num_classes, "LANES": src.lanes,
             "SCORE_W": src.lane_w}, src, out, extra=",\n\t\t.olast(out_last)")
    plan.out_lanes, plan.score_bits = src.lanes, src.lane_w
    plan.out_width = byte_align(src.width)
    plan.out_beats = net.num_classes // src.lanes + 1
    return top, plan, out


def _hw_weights(layer: Synaptic, perm: np.ndarray | None) -> np.ndarray:
    """Weights as [C_OUT, MW] in the stream's order: (ky, kx, c) windows for a conv, the
    HWC flatten order (``perm``) for a linear layer after a flatten."""
    if isinstance(layer, Conv):
        return layer.weight.transpose(0, 2, 3, 1).reshape(layer.out_channels, -1)
    return layer.weight if perm is None else layer.weight[:, perm]


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name)


def live_weight_bits(layer: Synaptic, fold: Fold, wbits: int,
                     perm: np.ndarray | None = None, max_depth: int = 64) -> int:
    """Bit columns of the weight ROM that are not the same in every word: synthesis drops
    the constant ones (a shallow ROM of trained weights has some, which can change its
    block-RAM packing). Deeper ROMs are taken as all live (counting them would cost a pass
    over every weight per fold; a column constant over more than 64 words is rare)."""
    pe, simd = fold.PE, fold.SIMD
    nf, sf = layer.out_channels // pe, layer.fan_in // simd
    width = pe * simd * wbits
    if nf * sf > max_depth:
        return width
    w = _hw_weights(layer, perm).reshape(nf, pe, sf, simd).transpose(0, 2, 1, 3)
    w = w.reshape(nf * sf, pe * simd).astype(np.int64) & ((1 << wbits) - 1)
    bits = (w[:, :, None] >> np.arange(wbits)) & 1  # [words, lanes, bit]
    return int((bits.min(axis=0) != bits.max(axis=0)).sum())


def _memories(layer: Synaptic, w_hw: np.ndarray, fold: Fold, wbits: int, b_w: int,
              th_w: int, stem: str) -> dict[str, str]:
    """``$readmemh`` images in the layouts documented in synaptic_engine.sv."""
    pe, simd = fold.PE, fold.SIMD
    nf, sf = layer.out_channels // pe, w_hw.shape[1] // simd
    words = []
    for f in range(nf):
        for s in range(sf):
            block = w_hw[f * pe:(f + 1) * pe, s * simd:(s + 1) * simd]  # [PE, SIMD]
            words.append(block.reshape(-1))
    out = {}
    out[f"{stem}_w.mem"] = hex_lines([pack_lanes(v, wbits) for v in words], pe * simd * wbits)
    out[f"{stem}_b.mem"] = hex_lines(
        [pack_lanes(layer.beta[f * pe:(f + 1) * pe], b_w) for f in range(nf)], pe * b_w)
    if not layer.output:
        out[f"{stem}_t.mem"] = hex_lines(
            [pack_lanes(layer.theta[f * pe:(f + 1) * pe], th_w) for f in range(nf)], pe * th_w)
    return out


def _top_text(top: _Top, plan: Plan, out: Stream) -> str:
    head = f"""/**
 * @brief   Generated by e3ne: radix-SNN accelerator top level (AXI4-Stream).
 * @description
 *  s_axis: one input pixel per beat, {plan.in_lanes} channel(s) of {plan.T} bits
 *  (channel k at tdata[k*{plan.T} +: {plan.T}]), raster order, {plan.in_beats} beats per image.
 *  m_axis: per image {plan.out_beats - 1} score beat(s) of {plan.out_lanes} signed
 *  {plan.score_bits}-bit lanes (class i*{plan.out_lanes} + j in lane j), then one beat with
 *  the class index (argmax, lowest index on ties) and tlast = 1.
 *  cycles: clock cycles from the first input beat after reset to the latest tlast.
 *  Do not edit: regenerate with e3ne.
 */
module {TOP} (
\tinput\tlogic  ap_clk,
\tinput\tlogic  ap_rst_n,

\toutput\tlogic  s_axis_tready,
\tinput\tlogic  s_axis_tvalid,
\tinput\tlogic [{plan.in_width - 1}:0]  s_axis_tdata,

\tinput\tlogic  m_axis_tready,
\toutput\tlogic  m_axis_tvalid,
\toutput\tlogic [{plan.out_width - 1}:0]  m_axis_tdata,
\toutput\tlogic  m_axis_tlast,

\toutput\tlogic [31:0]  cycles
);
\tlogic  rst;
\talways_ff @(posedge ap_clk) rst <= !ap_rst_n;

"""
    in_bits = plan.in_lanes * plan.T
    glue = [
        "\tassign s0_vld = s_axis_tvalid;",
        "\tassign s_axis_tready = s0_rdy;",
        f"\tassign s0_dat = s_axis_tdata[{in_bits - 1}:0];",
        f"\tassign m_axis_tvalid = {out.name}_vld;",
        f"\tassign {out.name}_rdy = m_axis_tready;",
        f"\tassign m_axis_tdata = {plan.out_width}'({out.name}_dat);",
        "\tassign m_axis_tlast = out_last;",
        "",
        "\t// cycle counter: first input beat after reset .. latest tlast",
        "\tlogic  Started;",
        "\tlogic [31:0]  Count;",
        "\talways_ff @(posedge ap_clk) begin",
        "\t\tif (rst) begin",
        "\t\t\tStarted <= 1'b0;  Count <= '0;  cycles <= '0;",
        "\t\tend else begin",
        "\t\t\tif (s_axis_tvalid && s_axis_tready) Started <= 1'b1;",
        "\t\t\tif (Started || (s_axis_tvalid && s_axis_tready)) Count <= Count + 1;",
        "\t\t\tif (m_axis_tvalid && m_axis_tready && m_axis_tlast) cycles <= Count + 1;",
        "\t\tend",
        "\tend",
    ]
    glue += ["", "`ifdef E3NE_TRACE",
             "\t// simulation only: every beat of every layer's output, for e3ne verify --trace",
             "\tstring trace_dir;"]
    glue += [f"\tinteger fd_{tag};" for tag, _ in top.taps]
    glue += ["\tinitial begin",
             "\t\tif (!$value$plusargs(\"TRACE_DIR=%s\", trace_dir)) trace_dir = \".\";"]
    glue += [f"\t\tfd_{tag} = $fopen({{trace_dir, \"/trace_{tag}.txt\"}}, \"w\");"
             for tag, _ in top.taps]
    glue += ["\tend"]
    glue += [f"\talways @(posedge ap_clk) if ({st.name}_vld && {st.name}_rdy) "
             f"$fdisplay(fd_{tag}, \"%h\", {st.name}_dat);" for tag, st in top.taps]
    glue.append("`endif")
    unused = plan.in_width - in_bits
    if unused:
        glue += ["", "\t/* verilator lint_off UNUSEDSIGNAL */",
                 f"\twire [{unused - 1}:0]  unused_in = s_axis_tdata[{plan.in_width - 1}:"
                 f"{in_bits}];", "\t/* verilator lint_on UNUSEDSIGNAL */"]
    return head + "\n".join(top.decls) + "\n\n" + "\n".join(top.body()) + "\n" + \
        "\n".join(glue) + "\nendmodule\n"
