"""Measure single cores with Yosys to calibrate the resource model (``dse/resources.py``).

Each sample is one core with given parameters (the plan is the union of each core model's
``calibration_plan``, ``e3ne.hw.cores``), random memory contents, wrapped in a top that exposes its
ports, synthesized with the anchor's command (``synth_xilinx -flatten -family xcup``).
``bench/calibrate_resources.py`` runs the sample plan below and writes the measurements to
``dse/calibration.json``, which the resource model fits itself to.
"""

from __future__ import annotations

import json
import random
import subprocess
import tempfile
from pathlib import Path

from e3ne.flow.hdlsim import require_tool
from e3ne.flow.yosys import cell_counts, classify, yosys_script
from e3ne.hw import RTL_DIR
from e3ne.hw.cores import CORE_MODELS

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


def wrapper(module: str, params: dict) -> str:
    """A top module that instantiates one core with its ports on the boundary."""
    model = CORE_MODELS[module]
    iw, ow = model.ports(params)
    plines = ",\n".join(f"\t\t.{k}({json.dumps(v) if isinstance(v, str) else int(v)})"
                        for k, v in params.items())
    extra_port = "".join(f"\t{'input' if is_in else 'output'} logic [{w - 1}:0] {port},\n"
                         for port, is_in, w in model.aux_ports(params))
    extra_conn = "".join(f", .{port}" for port, _, _ in model.aux_ports(params))
    for pre, is_in, w in model.side_ports(params):  # a fork's or a join's second stream
        i, o = ("input", "output") if is_in else ("output", "input")
        extra_port += (f"\t{o} logic {pre}rdy, {i} logic {pre}vld, "
                       f"{i} logic [{w - 1}:0] {pre}dat,\n")
        extra_conn += f", .{pre}rdy, .{pre}vld, .{pre}dat"
    # a core without an input stream (width 0: the AXI read master) has no i* ports
    in_port = "" if iw == 0 else (
        f"\toutput logic irdy, input logic ivld, input logic [{iw - 1}:0] idat,\n")
    in_conn = "" if iw == 0 else ".irdy, .ivld, .idat, "
    # ... and one without an output stream (the AXI arbiter) has no o* ports
    out_port = "" if ow == 0 else (
        f"\tinput logic ordy, output logic ovld, output logic [{ow - 1}:0] odat,\n")
    out_conn = "" if ow == 0 else ".ordy, .ovld, .odat, "
    ports = (in_port + extra_port + out_port).rstrip(",\n")
    conns = (in_conn + out_conn + extra_conn.removeprefix(", ")).rstrip(", ")
    return (f"module cal_top (\n\tinput logic clk, input logic rst,\n{ports}\n);\n"
            f"\t{module} #(\n{plines}\n\t) u (.clk, .rst, {conns});\nendmodule\n")


def measure(module: str, params: dict, seed: int = 0, family: str = "xcup") -> dict:
    """Synthesize one core; return its resource classes (as ``e3ne.flow.yosys``)."""
    yosys = require_tool("yosys")
    model = CORE_MODELS[module]
    p = dict(params)
    with tempfile.TemporaryDirectory(prefix="e3ne-cal-") as tmp:
        d = Path(tmp)
        files, names = model.calibration_files(p, random.Random(seed))
        for name, text in files.items():
            (d / name).write_text(text)
        p.update(names)
        srcs = list(model.sources)
        for s in srcs:
            (d / s).write_text((RTL_DIR / s).read_text())
        (d / "cal_top.sv").write_text(wrapper(module, p))
        (d / "s.ys").write_text(yosys_script([*srcs, "cal_top.sv"], family, "cal_top",
                                             "stat.json"))
        proc = subprocess.run([yosys, "-q", "-s", "s.ys"], cwd=d, capture_output=True,
                              text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"yosys failed on {module} {params}: {proc.stderr[-500:]}")
        cells = cell_counts(json.loads((d / "stat.json").read_text()), "cal_top")
    res, _ = classify(cells)
    return res


def sample_plan() -> list[tuple[str, dict]]:
    """The cores the model is calibrated on: a spread of folds, widths and memory styles."""
    return [(module, params) for module, model in CORE_MODELS.items()
            for params in model.calibration_plan()]
