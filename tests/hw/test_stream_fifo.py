"""stream_fifo.sv: bench under Verilator and Icarus, lint, Yosys synthesis.

The bench (src/e3ne/hw/sim/stream_fifo_tb.sv) scores the FIFO against a queue of the
beats it sent, with random input gaps and output back-pressure. Several parameter
variants run side by side in one simulation (a generated wrapper), so Verilator builds
once per test. Variants without stalls measure throughput: the cycle count from the
first input to the last output must be N + 1 (one beat per cycle, latency 1).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from e3ne.flow.hdlsim import RTL_DIR, lint, require_tool, run_bench

pytestmark = pytest.mark.rtl

SIM_DIR = RTL_DIR.parent / "sim"
CORE = "stream_fifo"
SOURCES = [RTL_DIR / f"{CORE}.sv", SIM_DIR / f"{CORE}_tb.sv"]
LATENCY = 1

# (name, parameters); IGAP/OSTALL are the % of idle source / stalled sink cycles
VARIANTS = [
    ("depth1", dict(WIDTH=8, DEPTH=1)),
    ("depth2", dict(WIDTH=8, DEPTH=2)),
    ("depth3_npot", dict(WIDTH=8, DEPTH=3)),
    ("depth16_pot", dict(WIDTH=8, DEPTH=16)),
    ("depth17_potp1", dict(WIDTH=5, DEPTH=17)),
    ("depth40_wide", dict(WIDTH=37, DEPTH=40)),
    ("width1", dict(WIDTH=1, DEPTH=5)),
    ("slow_sink", dict(WIDTH=8, DEPTH=3, IGAP=0, OSTALL=70)),
    ("slow_source", dict(WIDTH=8, DEPTH=3, IGAP=70, OSTALL=0)),
    ("full_rate_d1", dict(WIDTH=8, DEPTH=1, IGAP=0, OSTALL=0)),
    ("full_rate_d2", dict(WIDTH=8, DEPTH=2, IGAP=0, OSTALL=0)),
    ("full_rate_d3", dict(WIDTH=8, DEPTH=3, IGAP=0, OSTALL=0)),
]
ICARUS_VARIANTS = ["depth1", "depth3_npot", "full_rate_d2"]


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
    for name, params in chosen:
        n_cycles, n_in, n_out = measured[name]
        assert n_in == n_out, name
        if params.get("IGAP", 30) == 0 and params.get("OSTALL", 30) == 0:
            assert n_cycles == n_in + LATENCY, f"{name}: {n_cycles} cycles for {n_in} beats"
    return out


def test_bench_verilator(tmp_path: Path) -> None:
    run_variants(tmp_path, None, "verilator")


def test_bench_icarus(tmp_path: Path) -> None:
    run_variants(tmp_path, ICARUS_VARIANTS, "icarus")


@pytest.mark.parametrize(
    "params", [dict(WIDTH=8, DEPTH=1), dict(WIDTH=8, DEPTH=2), dict(WIDTH=1, DEPTH=3),
               dict(WIDTH=64, DEPTH=100)],
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
@pytest.mark.parametrize("depth", [40, 600])  # LUTRAM and block RAM
def test_yosys(tmp_path: Path, depth: int) -> None:
    width = 16
    cells = yosys_cells(CORE, RTL_DIR / f"{CORE}.sv", dict(WIDTH=width, DEPTH=depth), tmp_path)
    assert "DSP48E2" not in cells
    flops = sum(v for k, v in cells.items() if k.startswith("FD"))
    # the storage is an inferred RAM: only the output stage and control are flip-flops
    assert flops <= 2 * width + 32, cells
    assert any(k.startswith("RAM") for k in cells), cells
