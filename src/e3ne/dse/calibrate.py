"""Measure single cores with Yosys to calibrate the resource model (``dse/resources.py``).

Each sample is one core (synaptic engine, sliding-window unit, pool unit, width converter,
argmax) with given parameters, random memory contents, wrapped in a top that exposes its
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

from e3ne.flow.hdlsim import RTL_DIR, require_tool
from e3ne.flow.yosys import cell_counts, classify, yosys_script
from e3ne.hw.generate import hex_lines, pack_lanes
from e3ne.hw.memory import buffer_in_bram
from e3ne.layers.synaptic import signed_bits

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
SOURCES = {"synaptic_engine": ["neuron.sv", "synaptic_engine.sv"], "swu": ["swu.sv"],
           "pool_unit": ["pool_unit.sv"], "stream_dwc": ["stream_dwc.sv"],
           "argmax_unit": ["argmax_unit.sv"]}


def engine_params(PE: int, SIMD: int, TP: int, T: int, W: int, NF: int, SF: int,
                  OUTPUT: int = 0, WGT_RAM: int = 0, F: int = 0) -> dict:
    """A synaptic_engine parameter set with worst-case accumulator width; the window buffer
    and bias/threshold ROMs placed by the generator's rule."""
    mw = SIMD * SF
    vmax = mw * (2 ** (W - 1)) * (2 ** T - 1)
    acc = signed_bits(-vmax, vmax)
    b_w, th_w = acc + F - 2, acc + F - T - 1
    p = {"MW": mw, "C_OUT": PE * NF, "PE": PE, "SIMD": SIMD, "T": T, "TP": TP, "W": W,
         "ACC_W": acc, "F": F, "B_W": b_w, "TH_W": th_w, "OUTPUT": OUTPUT,
         "WGT_RAM": WGT_RAM, "WIN_RAM": int(buffer_in_bram(2 * SF, SIMD * T)),
         "PAR_RAM": int(buffer_in_bram(NF, PE * (b_w + (0 if OUTPUT else th_w))))}
    if OUTPUT:
        p["OUT_W"] = acc + F + 1
    return p


def _engine_files(p: dict, rng: random.Random) -> dict[str, str]:
    nf, sf = p["C_OUT"] // p["PE"], p["MW"] // p["SIMD"]
    hi = 2 ** (p["W"] - 1) - 1
    lanes = p["PE"] * p["SIMD"]
    wgt = [pack_lanes([rng.randint(-hi - 1, hi) for _ in range(lanes)], p["W"])
           for _ in range(nf * sf)]
    bmax = 2 ** (p["B_W"] - 1) - 1
    bias = [pack_lanes([rng.randint(-bmax, bmax) for _ in range(p["PE"])], p["B_W"])
            for _ in range(nf)]
    files = {"w.mem": hex_lines(wgt, lanes * p["W"]), "b.mem": hex_lines(bias, p["PE"] * p["B_W"])}
    if not p["OUTPUT"]:
        thr = [pack_lanes([rng.randint(1, 2 ** p["TH_W"] - 1) for _ in range(p["PE"])],
                          p["TH_W"]) for _ in range(nf)]
        files["t.mem"] = hex_lines(thr, p["PE"] * p["TH_W"])
    return files


def _ports(module: str, p: dict) -> tuple[int, int]:
    """(input, output) data widths of a core."""
    if module == "synaptic_engine":
        odw = p.get("OUT_W", 0) if p["OUTPUT"] else p["T"]
        return p["SIMD"] * p["T"], p["PE"] * odw
    if module == "swu":
        return p["CH"] * p["T"], p["SIMD"] * p["T"]
    if module == "pool_unit":
        return p["SIMD"] * p["T"], p["SIMD"] * p["T"]
    if module == "stream_dwc":
        return p["IN_LANES"] * p["LANE_W"], p["OUT_LANES"] * p["LANE_W"]
    if module == "argmax_unit":
        return p["LANES"] * p["SCORE_W"], p["LANES"] * p["SCORE_W"]
    raise ValueError(module)


def wrapper(module: str, params: dict) -> str:
    """A top module that instantiates one core with its ports on the boundary."""
    iw, ow = _ports(module, params)
    plines = ",\n".join(f"\t\t.{k}({json.dumps(v) if isinstance(v, str) else int(v)})"
                        for k, v in params.items())
    extra_port = "\toutput logic olast,\n" if module == "argmax_unit" else ""
    extra_conn = ", .olast" if module == "argmax_unit" else ""
    return (f"module cal_top (\n\tinput logic clk, input logic rst,\n"
            f"\toutput logic irdy, input logic ivld, input logic [{iw - 1}:0] idat,\n"
            f"{extra_port}"
            f"\tinput logic ordy, output logic ovld, output logic [{ow - 1}:0] odat\n);\n"
            f"\t{module} #(\n{plines}\n\t) u (.clk, .rst, .irdy, .ivld, .idat, .ordy, "
            f".ovld, .odat{extra_conn});\nendmodule\n")


def measure(module: str, params: dict, seed: int = 0, family: str = "xcup") -> dict:
    """Synthesize one core; return its resource classes (as ``e3ne.flow.yosys``)."""
    yosys = require_tool("yosys")
    p = dict(params)
    with tempfile.TemporaryDirectory(prefix="e3ne-cal-") as tmp:
        d = Path(tmp)
        if module == "synaptic_engine":
            files = _engine_files(p, random.Random(seed))
            for name, text in files.items():
                (d / name).write_text(text)
            p.update({"WEIGHT_FILE": "w.mem", "BIAS_FILE": "b.mem",
                      "THRESH_FILE": "t.mem" if "t.mem" in files else ""})
        srcs = SOURCES[module]
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
    eng = [  # PE, SIMD, TP, T, W, NF, SF, OUTPUT, WGT_RAM  (gated bits up to ~2k: Yosys
        # takes minutes per engine beyond that on this machine; the model is linear)
        (1, 1, 1, 4, 3, 4, 9, 0, 0), (1, 9, 1, 4, 3, 2, 4, 0, 0), (2, 9, 4, 4, 3, 3, 1, 0, 0),
        (4, 16, 1, 4, 3, 4, 25, 0, 1), (6, 25, 4, 4, 3, 1, 1, 0, 0), (4, 30, 2, 4, 3, 2, 5, 0, 0),
        (8, 16, 1, 4, 3, 15, 25, 0, 1), (7, 20, 1, 4, 3, 12, 6, 0, 0),
        (5, 42, 1, 4, 3, 2, 2, 1, 0), (2, 32, 2, 4, 4, 16, 25, 0, 1),
        (16, 8, 1, 4, 4, 2, 9, 0, 0), (4, 64, 1, 6, 6, 16, 36, 0, 1),
        (1, 64, 2, 6, 6, 64, 9, 0, 1), (3, 12, 3, 6, 4, 2, 6, 0, 0),
        (10, 20, 1, 4, 4, 1, 40, 1, 1), (8, 50, 1, 4, 3, 4, 16, 0, 1),
        (1, 100, 1, 4, 4, 10, 8, 1, 0), (4, 4, 2, 4, 3, 8, 50, 0, 1),
        (2, 25, 1, 4, 3, 3, 1, 0, 0), (12, 16, 1, 4, 4, 4, 8, 0, 0),
        (4, 32, 1, 4, 4, 8, 25, 0, 1), (16, 16, 1, 4, 4, 2, 18, 0, 1),
        (1, 3, 1, 3, 2, 4, 3, 0, 0), (6, 6, 6, 6, 3, 4, 4, 0, 0), (8, 8, 2, 4, 6, 8, 8, 0, 0),
        (2, 128, 1, 4, 3, 4, 4, 0, 1), (32, 4, 1, 4, 3, 2, 8, 0, 0),
        (4, 24, 2, 6, 6, 12, 24, 0, 1), (2, 16, 4, 4, 3, 4, 4, 0, 0),
        (4, 8, 4, 4, 4, 8, 8, 0, 1), (1, 16, 1, 4, 3, 256, 72, 0, 1),
        (2, 8, 2, 4, 4, 150, 80, 0, 1), (1, 24, 3, 6, 6, 40, 100, 1, 1),
        # more widths and depths (W = 6, T = 6; mid-size folds)
        (2, 32, 1, 6, 6, 8, 16, 0, 1), (4, 16, 2, 6, 4, 4, 9, 0, 0), (8, 12, 1, 6, 6, 4, 12, 0, 1),
        (2, 48, 3, 6, 6, 2, 8, 0, 1), (6, 30, 1, 4, 4, 2, 10, 0, 0), (3, 27, 1, 4, 3, 40, 3, 0, 1),
        (12, 8, 2, 4, 3, 2, 4, 0, 0), (1, 128, 1, 6, 6, 16, 8, 0, 1), (16, 12, 1, 4, 3, 3, 6, 0, 0),
        (4, 36, 1, 6, 6, 8, 16, 0, 1), (2, 64, 2, 4, 3, 5, 6, 0, 0), (8, 24, 1, 4, 4, 1, 24, 1, 1),
    ]
    plan: list[tuple[str, dict]] = [
        ("synaptic_engine", engine_params(pe, simd, tp, t, w, nf, sf, out, wr))
        for pe, simd, tp, t, w, nf, sf, out, wr in eng]
    swus = [  # K, S, P, H, WD, C, CH, T, SIMD, LB_RAM
        (5, 1, 0, 32, 32, 1, 1, 4, 25, 0), (5, 1, 0, 14, 14, 6, 6, 4, 30, 0),
        (3, 1, 0, 28, 28, 1, 1, 4, 9, 0), (3, 1, 0, 13, 13, 32, 8, 4, 32, 0),
        (2, 2, 0, 28, 28, 6, 6, 4, 6, 0), (3, 1, 1, 16, 16, 64, 16, 6, 16, 1),
        (3, 2, 1, 32, 32, 3, 3, 6, 9, 0), (3, 1, 1, 8, 8, 128, 4, 6, 4, 1),
        (2, 2, 0, 16, 16, 64, 8, 6, 8, 0), (5, 1, 2, 24, 24, 16, 4, 4, 16, 1),
        (3, 1, 1, 16, 16, 32, 32, 6, 96, 0), (3, 1, 1, 14, 14, 16, 16, 4, 48, 0),
        (3, 1, 1, 32, 32, 16, 4, 4, 16, 1), (5, 1, 2, 16, 16, 8, 8, 6, 40, 0),
    ]
    plan += [("swu", {"K": k, "S": s, "P": p, "H": h, "WD": wd, "C": c, "CH": ch, "T": t,
                      "SIMD": simd, "LB_RAM": lb})
             for k, s, p, h, wd, c, ch, t, simd, lb in swus]
    plan += [("pool_unit", {"T": t, "C": c, "K": k, "SIMD": simd, "MODE": m})
             for t, c, k, simd, m in [(4, 6, 2, 6, 0), (4, 32, 2, 8, 0), (6, 64, 2, 16, 0),
                                      (4, 16, 2, 1, 0), (4, 8, 2, 8, 1), (6, 32, 3, 4, 1)]]
    plan += [("stream_dwc", {"IN_LANES": i, "OUT_LANES": o, "LANE_W": w})
             for i, o, w in [(8, 16, 4), (16, 8, 4), (6, 1, 4), (1, 60, 4), (4, 84, 4),
                             (32, 8, 6)]]
    plan += [("argmax_unit", {"N_CLASSES": n, "LANES": ln, "SCORE_W": w})
             for n, ln, w in [(10, 1, 14), (10, 5, 16), (100, 4, 20)]]
    return plan
