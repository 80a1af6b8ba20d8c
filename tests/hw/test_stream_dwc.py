"""stream_dwc.sv: bench under Verilator and Icarus, lint, Yosys synthesis.

The bench (src/e3ne/hw/sim/stream_dwc_tb.sv) queues every lane it sends in stream order
and checks each output beat against the next OUT_LANES lanes, with random input gaps and
output back-pressure. Several variants run side by side in one simulation (a generated
wrapper), so Verilator builds once. Variants without stalls measure throughput: the
narrow side moves one beat per cycle, so first input to last output takes
max(input beats, output beats) + latency cycles (latency 0 for IN_LANES == OUT_LANES,
else 1).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from e3ne.flow.hdlsim import RTL_DIR, lint, require_tool, run_bench

pytestmark = pytest.mark.rtl

SIM_DIR = RTL_DIR.parent / "sim"
CORE = "stream_dwc"
SOURCES = [RTL_DIR / f"{CORE}.sv", SIM_DIR / f"{CORE}_tb.sv"]

# (name, parameters); IGAP/OSTALL are the % of idle source / stalled sink cycles
VARIANTS = [
    ("split4to1", dict(IN_LANES=4, OUT_LANES=1, LANE_W=8)),
    ("split4to2", dict(IN_LANES=4, OUT_LANES=2, LANE_W=5)),
    ("split3to1", dict(IN_LANES=3, OUT_LANES=1, LANE_W=4)),
    ("split6to2_wide", dict(IN_LANES=6, OUT_LANES=2, LANE_W=40)),
    ("gather1to4", dict(IN_LANES=1, OUT_LANES=4, LANE_W=8)),
    ("gather2to6", dict(IN_LANES=2, OUT_LANES=6, LANE_W=3)),
    ("gather1to3_bit", dict(IN_LANES=1, OUT_LANES=3, LANE_W=1)),
    ("equal3", dict(IN_LANES=3, OUT_LANES=3, LANE_W=6)),
    ("equal1", dict(IN_LANES=1, OUT_LANES=1, LANE_W=16)),
    ("split_slow_sink", dict(IN_LANES=4, OUT_LANES=1, LANE_W=8, IGAP=0, OSTALL=70)),
    ("gather_slow_source", dict(IN_LANES=1, OUT_LANES=4, LANE_W=8, IGAP=70, OSTALL=0)),
    ("full_rate_split", dict(IN_LANES=4, OUT_LANES=1, LANE_W=8, IGAP=0, OSTALL=0)),
    ("full_rate_split3", dict(IN_LANES=6, OUT_LANES=2, LANE_W=8, IGAP=0, OSTALL=0)),
    ("full_rate_gather", dict(IN_LANES=1, OUT_LANES=4, LANE_W=8, IGAP=0, OSTALL=0)),
    ("full_rate_equal", dict(IN_LANES=2, OUT_LANES=2, LANE_W=8, IGAP=0, OSTALL=0)),
]
ICARUS_VARIANTS = ["split3to1", "gather2to6", "equal3", "full_rate_split"]


def _sv(value: int | str) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def write_wrapper(path: Path, tb: str, variants: list[tuple[str, dict]]) -> Path:
    """A top module running several bench instances at once; PASS only if all pass."""
    lines = ["module multi_tb;"]
    for i, (name, params) in enumerate(variants):
        ps = {**params, "SEED": 1000 + i, "STANDALONE": 0, "NAME": name}
        lines.append(f"  {tb} #({', '.join(f'.{k}({_sv(v)})' for k, v in ps.items())}) v{i} ();")
    done = " && ".join(f"v{i}.Done" for i in range(len(variants)))
    ok = " && ".join(f"v{i}.Ok" for i in range(len(variants)))
    lines += [
        "  initial begin",
        f"    wait ({done});",
        f'    if ({ok}) $display("PASS all {len(variants)} variants");',
        '    else $display("FAIL in some variant");',
        "    $finish;",
        "  end",
        "endmodule",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def cycles(out: str) -> dict[str, tuple[int, int, int]]:
    """{variant: (cycles, input beats, output beats)} from the benches' CYCLES lines."""
    found = re.findall(r"^CYCLES (\S+) (-?\d+) IN (\d+) OUT (\d+)$", out, re.M)
    return {name: (int(c), int(i), int(o)) for name, c, i, o in found}


def run_variants(tmp_path: Path, names: list[str] | None, simulator: str) -> str:
    chosen = [(n, p) for n, p in VARIANTS if names is None or n in names]
    wrapper = write_wrapper(tmp_path / "multi_tb.sv", f"{CORE}_tb", chosen)
    out = run_bench("multi_tb", [*SOURCES, wrapper], tmp_path / simulator, simulator=simulator)
    measured = cycles(out)
    assert set(measured) == {n for n, _ in chosen}, out
    for name, p in chosen:
        n_cycles, n_in, n_out = measured[name]
        assert n_in * p["IN_LANES"] == n_out * p["OUT_LANES"], name
        if p.get("IGAP", 30) == 0 and p.get("OSTALL", 30) == 0:
            latency = 0 if p["IN_LANES"] == p["OUT_LANES"] else 1
            expected = max(n_in, n_out) + latency
            assert n_cycles == expected, f"{name}: {n_cycles} cycles, model {expected}"
    return out


def test_bench_verilator(tmp_path: Path) -> None:
    run_variants(tmp_path, None, "verilator")


def test_bench_icarus(tmp_path: Path) -> None:
    run_variants(tmp_path, ICARUS_VARIANTS, "icarus")


@pytest.mark.parametrize(
    "params",
    [dict(IN_LANES=4, OUT_LANES=1, LANE_W=8), dict(IN_LANES=2, OUT_LANES=6, LANE_W=3),
     dict(IN_LANES=3, OUT_LANES=3, LANE_W=5), dict(IN_LANES=1, OUT_LANES=2, LANE_W=1)],
    ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()),
)
def test_lint(params: dict) -> None:
    lint(CORE, [RTL_DIR / f"{CORE}.sv"], params)


def yosys_cells(top: str, source: Path, params: dict, workdir: Path) -> dict[str, int]:
    """Synthesise with the DESIGN §3 command; return the cell counts of the netlist."""
    require_tool("yosys")
    chparam = " ".join(f"-set {k} {v}" for k, v in params.items())
    script = (
        f"read_verilog -sv {source}; chparam {chparam} {top}; "
        f"synth_xilinx -flatten -family xcup -top {top}; tee -o {workdir}/stat.txt stat"
    )
    proc = subprocess.run(["yosys", "-q", "-p", script], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    stat = (workdir / "stat.txt").read_text()
    return {m[0]: int(m[1]) for m in re.findall(r"^\s+([A-Z][A-Z0-9_]+)\s+(\d+)$", stat, re.M)}


@pytest.mark.synth
@pytest.mark.parametrize(
    "params",
    [dict(IN_LANES=6, OUT_LANES=2, LANE_W=8), dict(IN_LANES=2, OUT_LANES=6, LANE_W=8)],
    ids=["split", "gather"],
)
def test_yosys(tmp_path: Path, params: dict) -> None:
    cells = yosys_cells(CORE, RTL_DIR / f"{CORE}.sv", params, tmp_path)
    assert "DSP48E2" not in cells
    flops = sum(v for k, v in cells.items() if k.startswith("FD"))
    # one buffer of the wide side, plus a few control bits
    wide = max(params["IN_LANES"], params["OUT_LANES"]) * params["LANE_W"]
    assert wide <= flops <= wide + 8, cells
