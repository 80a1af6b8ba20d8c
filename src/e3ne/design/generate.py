"""The design -> ``DIR/rtl/``: the top level, memory images, cores and a filelist.

The generator writes only the top module (instances of the hand-written cores chained by
valid/ready streams, as ``e3ne.design.chain.build`` lays them out), the parameters and the
``$readmemh`` images; the cores' sources are copied unchanged, only those the design
instantiates. Output is deterministic: the same network and folds give identical bytes.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path

from e3ne.design.chain import Design, Plan, build, byte_align, core_instances
from e3ne.design.folding import Fold
from e3ne.hw import RTL_DIR
from e3ne.hw.cores import CORE_MODELS, Core
from e3ne.hw.cores.synaptic_engine import hex_lines, pack_lanes
from e3ne.ir import Network

__all__ = ["TOP", "Plan", "byte_align", "core_instances", "generate", "hex_lines",
           "pack_lanes", "sources"]

TOP = "e3ne_top"
WEIGHT_IMAGE = "weights.mem"  # s_axis_weights beats, one hex word a line ($readmemh)
WEIGHT_BIN = "weights.bin"  # the same beats, little-endian bytes (for a host's DMA)


def sources(design: Design) -> list[str]:
    """The .sv files the design's cores need, in the order the stream first reaches each
    core, dependencies first, each once."""
    out: list[str] = []
    for c in design.cores:
        out += [s for s in CORE_MODELS[c.module].sources if s not in out]
    return out


def generate(net: Network, folds: dict[str, Fold], out_dir: str | Path,
             weight_port: str = "axis") -> Plan:
    """Write ``out_dir/rtl`` and return the plan of the generated top level
    (``weight_port``: how UltraRAM weights come in, ``chain.WEIGHT_PORTS``)."""
    rtl = Path(out_dir) / "rtl"
    design = build(net, folds, write=True, weight_port=weight_port)
    files = dict(design.files)
    files[f"{TOP}.sv"] = _top_text(design)
    rtl.mkdir(parents=True, exist_ok=True)
    for name, text in sorted(files.items()):
        (rtl / name).write_text(text)
    cores = sources(design)
    for core in cores:
        shutil.copyfile(RTL_DIR / core, rtl / core)
    (rtl / "filelist.f").write_text("".join(f"{c}\n" for c in cores) + f"{TOP}.sv\n")
    if design.plan.weight_port is not None:  # the weight image, for the bench and the host
        bus = design.plan.weight_port["width"]
        (rtl / WEIGHT_IMAGE).write_text(hex_lines(design.weight_beats, bus))
        (rtl / WEIGHT_BIN).write_bytes(b"".join(b.to_bytes(bus // 8, "little")
                                                for b in design.weight_beats))
    (rtl / "plan.json").write_text(json.dumps(asdict(design.plan), indent=1) + "\n")
    return design.plan


def _pval(v) -> str:
    return f'"{v}"' if isinstance(v, str) else str(int(v))


def _decls(design: Design) -> list[str]:
    out = []
    for s in design.streams:
        out += [f"\twire  {s.name}_vld;", f"\twire  {s.name}_rdy;",
                f"\twire [{s.width - 1}:0]  {s.name}_dat;"]
    for c in design.cores:  # the wires a core's auxiliary outputs drive
        conn = c.aux_connections()
        out += [f"\twire [{w - 1}:0]  {conn[port]};"
                for port, is_in, w in c.aux_ports(c.params) if not is_in]
    return out


def _instances(design: Design) -> list[str]:
    out = []
    for c in design.cores:
        plines = ",\n".join(f"\t\t.{k}({_pval(v)})" for k, v in c.params.items())
        conn = c.aux_connections()
        pins = [f"\t\t.{p}rdy({s.name}_rdy), .{p}vld({s.name}_vld), .{p}dat({s.name}_dat)"
                for p, s in c.inputs() + c.outputs()]
        pins += [f"\t\t.{port}({conn[port]})" for port, _, _ in c.aux_ports(c.params)]
        out.append(
            f"\t{c.module} #(\n{plines}\n\t) {c.name} (\n\t\t.clk(ap_clk), .rst(rst),\n"
            + ",\n".join(pins) + "\n\t);\n")
    return out


def _weight_glue(design: Design) -> list[str]:
    """The weight port: m_axi_weights from its core (the one reader, or the arbiter of
    several), or s_axis_weights into the loader chain; with loaders, images held off
    until every one is done (``Loaded``, a register: s_axis_tready is one AND behind
    it)."""
    head, tail = design.weight_in, design.weight_tail
    loaders = [ld.name for ld, _ in design.weight_loads]
    unused = [f"{tail.name}_vld", f"{tail.name}_dat"] if loaders else []
    f, readers = _port_core(design), _readers(design)
    if f is not None:
        out = [f"\tassign {p.replace('m_axi_', 'm_axi_weights_')} = {f.name}_{p};"
               for p, is_in, _ in f.aux_ports(f.params) if not is_in and p.startswith("m_axi_")]
        out.append(f"\tassign weights_err = {' || '.join(f'{r.name}_err' for r in readers)};")
        unused += [f"{r.name}_busy" for r in readers]
    else:
        out = [f"\tassign {head.name}_vld = s_axis_weights_tvalid;",
               f"\tassign s_axis_weights_tready = {head.name}_rdy;",
               f"\tassign {head.name}_dat = s_axis_weights_tdata;"]
    out += ["\t/* verilator lint_off UNUSEDSIGNAL */",
            f"\twire  unused_weights = &{{1'b0, {', '.join(unused)}}};",
            "\t/* verilator lint_on UNUSEDSIGNAL */"]
    if not loaders:  # streamed weights only: images need not wait
        return out + _input_glue()
    return out + [
        f"\tassign {tail.name}_rdy = 1'b1;  // beats past the image are dropped",
        "\tlogic  Loaded;  // every UltraRAM written: images may enter",
        "\talways_ff @(posedge ap_clk) begin",
        "\t\tif (rst) Loaded <= 1'b0;",
        f"\t\telse Loaded <= {' && '.join(f'{n}_done' for n in loaders)};",
        "\tend",
        "\tassign s0_vld = s_axis_tvalid && Loaded;",
        "\tassign s_axis_tready = s0_rdy && Loaded;",
    ]


def _pixels_per_beat(n: int) -> str:
    return "one input pixel per beat" if n == 1 else f"{n} input pixels per beat"


def _input_glue() -> list[str]:
    """s_axis straight into the first core (no weights to wait for)."""
    return ["\tassign s0_vld = s_axis_tvalid;", "\tassign s_axis_tready = s0_rdy;"]


def _readers(design: Design) -> list[Core]:
    """The cores that read the weight image on m_axi_weights: the loaders' fetch, and one
    for each engine whose weights are streamed."""
    return [c for c in design.cores if c.module == "axi_read_stream"]


def _port_core(design: Design) -> Core | None:
    """The core on the top's m_axi_weights: the arbiter, or the one reader (None: no
    m_axi port)."""
    arb = next((c for c in design.cores if c.module == "axi_read_arb"), None)
    readers = _readers(design)
    return arb if arb is not None else (readers[0] if readers else None)


def _fetch_start(design: Design) -> list[str]:
    """Each m_axi reader's start: one cycle after each reset (declared before the cores,
    which read it; a looping reader never stops)."""
    out = []
    for r in _readers(design):
        go = f"{r.name}_go"
        out += ["", f"\tlogic  {go};  // one start after each reset",
                "\talways_ff @(posedge ap_clk) begin",
                f"\t\tif (rst) {go} <= 1'b1;", f"\t\telse {go} <= 1'b0;", "\tend"]
    return out


def _weight_ports(design: Design) -> tuple[str, str]:
    """The top's weight port declarations, and the lines of its header that say what
    they carry (m_axi_weights: the fetch core's own AXI ports, renamed)."""
    wp = design.plan.weight_port
    if wp is None:
        return "", ""
    what = (f"{wp['beats']} beats of {WEIGHT_IMAGE} ({WEIGHT_BIN}),\n *  {wp['width']} bits "
            f"each: the UltraRAM weights of {len(wp['loads'])} engine(s), in plan.json's\n"
            f" *  weight_port order; s_axis takes no image until the last is written.")
    if wp.get("streams"):
        what = (f"{wp['beats']} beats of {WEIGHT_BIN}, {wp['width']} bits each:\n *  "
                + (f"the UltraRAM weights of {len(wp['loads'])} engine(s) once, then "
                   if wp["loads"] else "")
                + f"the streamed weights of {len(wp['streams'])} engine(s),\n *  each "
                "region again and again (plan.json's weight_port); the readers share the port "
                "round robin.")
    if wp["kind"] == "axis":
        return ("\toutput\tlogic  s_axis_weights_tready,\n\tinput\tlogic  "
                "s_axis_weights_tvalid,\n"
                f"\tinput\tlogic [{wp['width'] - 1}:0]  s_axis_weights_tdata,\n\n",
                f"\n *  s_axis_weights: after every reset, the {what}")
    a, d = wp["addr_bits"], wp["width"]
    f = _port_core(design)
    text = "".join(f"\t{'input' if is_in else 'output'}\tlogic "
                   f"{' ' if w == 1 else f'[{w - 1}:0]  '}"
                   f"{p.replace('m_axi_', 'm_axi_weights_')},\n"
                   for p, is_in, w in f.aux_ports(f.params) if p.startswith("m_axi_"))
    text += (f"\tinput\tlogic [{a - 1}:0]  weights_addr,\n"
             "\toutput\tlogic  weights_err,\n\n")
    doc = (f"\n *  m_axi_weights (AXI4 read, INCR bursts of up to {wp['burst']} beats, "
           f"{wp['outstanding']} in flight):\n *  after every reset the design reads the "
           f"{what}\n *  weights_addr: the byte address of {WEIGHT_BIN} (a multiple of "
           f"{d // 8}), held from reset;\n *  weights_err: an R response other than OKAY, or "
           f"a misaligned weights_addr.")
    return text, doc


def _top_text(design: Design) -> str:
    plan, out, top = design.plan, design.output, design
    weight_ports, weight_doc = _weight_ports(design)
    head = f"""/**
 * @brief   Generated by e3ne: radix-SNN accelerator top level (AXI4-Stream).
 * @description
 *  s_axis: {_pixels_per_beat(plan.in_pixels)}, {plan.in_lanes} channel(s) of {plan.T} bits each
 *  (pixel p's channel k at tdata[(p*{plan.in_lanes} + k)*{plan.T} +: {plan.T}]), raster order,
 *  {plan.in_beats} beats per image.
 *  m_axis: per image {plan.out_beats - 1} score beat(s) of {plan.out_lanes} signed
 *  {plan.score_bits}-bit lanes (class i*{plan.out_lanes} + j in lane j), then one beat with
 *  the class index (argmax, lowest index on ties) and tlast = 1.{weight_doc}
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

{weight_ports}\toutput\tlogic [31:0]  cycles
);
\tlogic  rst;
\talways_ff @(posedge ap_clk) rst <= !ap_rst_n;

"""
    in_bits = plan.in_pixels * plan.in_lanes * plan.T
    glue = _weight_glue(design) if design.plan.weight_port is not None else _input_glue()
    glue += [
        f"\tassign s0_dat = s_axis_tdata[{in_bits - 1}:0];",
        f"\tassign m_axis_tvalid = {out.name}_vld;",
        f"\tassign {out.name}_rdy = m_axis_tready;",
        f"\tassign m_axis_tdata = {plan.out_width}'({out.name}_dat);",
        "\tassign m_axis_tlast = out_last;",
        "",
        "\t// cycle counter: first input beat after reset .. latest tlast.  Count runs one",
        "\t// behind from the cycle after the first beat, so that the input's ready reaches",
        "\t// one flip-flop (Started), not the enable of the whole counter.",
        "\tlogic  Started;",
        "\tlogic [31:0]  Count;",
        "\talways_ff @(posedge ap_clk) begin",
        "\t\tif (rst) begin",
        "\t\t\tStarted <= 1'b0;  Count <= '0;  cycles <= '0;",
        "\t\tend else begin",
        "\t\t\tif (s_axis_tvalid && s_axis_tready) Started <= 1'b1;",
        "\t\t\tif (Started) Count <= Count + 1;",
        "\t\t\tif (m_axis_tvalid && m_axis_tready && m_axis_tlast) cycles <= Count + 2;",
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
    body = head + "\n".join(_decls(design) + _fetch_start(design)) + "\n\n" + \
        "\n".join(_instances(design)) + "\n" + "\n".join(glue)
    return body + _unused_aux(design) + "\nendmodule\n"


def _unused_aux(design: Design) -> str:
    """A sink for what the cores leave unread (``Design.unused``: an engine's ``wl_rdy``
    when its weights are not streamed, a gathered weight word's padding)."""
    if not design.unused:
        return ""
    return ("\n\n\t/* verilator lint_off UNUSEDSIGNAL */\n"
            f"\twire  unused_aux = &{{1'b0, {', '.join(design.unused)}}};\n"
            "\t/* verilator lint_on UNUSEDSIGNAL */")
