"""Running the RTL benches: multi-variant wrappers, their reports, reruns and Yosys.

The benches in src/e3ne/hw/sim/ are built from stream_source, stream_sink and bench_ctl
(wired by stream_bench), so they all report the same way:
``CYCLES <name> <n> IN <beats> OUT <beats>`` (n = cycles from the first input transfer to
the last output transfer), then ``PASS`` or ``FAIL``. Imported like ``reference`` (pytest
puts tests/hw on ``sys.path``).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from e3ne.errors import Mismatch
from e3ne.flow.hdlsim import RTL_DIR, build_icarus, require_tool, run_bench
from e3ne.hw import SIM_DIR

# what every bench is built from besides its DUT and itself
BENCH_LIB = [SIM_DIR / f"{m}.sv"
             for m in ("stream_source", "stream_sink", "bench_ctl", "stream_bench")]


def bench_sources(*cores: str, tb: str | None = None) -> list[Path]:
    """The RTL of ``cores``, the shared bench modules and ``<tb>.sv`` (default: first core's)."""
    return [*(RTL_DIR / f"{c}.sv" for c in cores), *BENCH_LIB,
            SIM_DIR / f"{tb or cores[0] + '_tb'}.sv"]


def cycles(out: str) -> dict[str, tuple[int, int, int]]:
    """{bench name: (cycles, input beats, output beats)} from the benches' CYCLES lines."""
    found = re.findall(r"^CYCLES (\S+) (-?\d+) IN (\d+) OUT (\d+)$", out, re.M)
    return {name: (int(c), int(i), int(o)) for name, c, i, o in found}


def unstalled(params: Mapping, gap: str = "IGAP", stall: str = "OSTALL") -> bool:
    """True for a variant without input gaps and output stalls (the benches default to 30 %)."""
    return params.get(gap, 30) == 0 and params.get(stall, 30) == 0


# --------------------------------------------------------------- multi-variant runs


def _sv(value: int | str) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def write_wrapper(path: Path, tb: str, variants: Sequence[tuple[str, Mapping]]) -> Path:
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
        "    #1;  // in the step a wait resumes, Verilator 5.006 may read stale values",
        f'    if ({ok}) $display("PASS all {len(variants)} variants");',
        '    else $display("FAIL in some variant");',
        "    $finish;",
        "  end",
        "endmodule",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def run_variants(tb: str, sources: Sequence[Path], variants: Sequence[tuple[str, Mapping]],
                 workdir: Path, simulator: str, *,
                 beats: Callable[[Mapping], tuple[int, int]],
                 unstalled_cycles: Callable[[Mapping], int]) -> dict[str, tuple[int, int, int]]:
    """Run ``variants`` of bench ``tb`` side by side (one build) and check their reports.

    Raises Mismatch unless every variant passed. Every variant must report, move exactly
    ``beats(params)`` (input beats, output beats), and, without gaps and stalls, take
    ``unstalled_cycles(params)`` cycles from the first input to the last output transfer.
    Returns {name: (cycles, input beats, output beats)}.
    """
    wrapper = write_wrapper(workdir / "multi_tb.sv", tb, variants)
    out = run_bench("multi_tb", [*sources, wrapper], workdir / simulator, simulator=simulator)
    measured = cycles(out)
    assert set(measured) == {n for n, _ in variants}, out
    for name, params in variants:
        n_cycles, n_in, n_out = measured[name]
        assert (n_in, n_out) == beats(params), f"{name}: {n_in} beats in, {n_out} out"
        if unstalled(params):
            expected = unstalled_cycles(params)
            assert n_cycles == expected, f"{name}: {n_cycles} cycles, model {expected}"
    return measured


# ------------------------------------------------------------ single-bench runs


def rerun(workdir: Path, simulator: str, plusargs: Sequence[str] = ()) -> str:
    """Run the bench ``run_bench`` just built in ``workdir`` again, e.g. with +GAP=0 +BP=0.

    Uses the artefacts ``e3ne.flow.hdlsim`` leaves there (``obj/simv``, ``sim.vvp``).
    """
    if simulator == "verilator":
        cmd = [str(workdir / "obj" / "simv")]
    else:
        cmd = ["vvp", "-n", str(workdir / "sim.vvp")]
    proc = subprocess.run([*cmd, *plusargs], cwd=workdir, capture_output=True, text=True,
                          timeout=300, check=False)
    out = proc.stdout + proc.stderr
    if proc.returncode != 0 or "FAIL" in out or "PASS" not in out:
        raise Mismatch(f"bench rerun {plusargs} in {workdir} did not pass:\n{out[-4000:]}")
    return out


def run_stalled_then_unstalled(top: str, sources: Sequence[Path], workdir: Path,
                               params: Mapping[str, int], simulator: str) -> int:
    """Run a bench with random stalls (its GAP/BP), then again without; the unstalled cycles.

    The bench reads in.mem and exp.mem from ``workdir``.
    """
    run_bench(top, sources, workdir, params, simulator=simulator)
    return cycles(rerun(workdir, simulator, ["+GAP=0", "+BP=0"]))[top][0]


def parameter_errors(top: str, sources: Sequence[Path], params: Mapping[str, int],
                     workdir: Path) -> str:
    """Elaborate and start ``top`` under Icarus with ``params``; return what it printed.

    The cores check their parameters in an ``initial`` block (``$error`` naming the values,
    then ``$finish``), so an illegal set prints its reason at time 0.
    """
    cmd = build_icarus(top, sources, workdir, params)
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=60,
                          check=False)
    return proc.stdout + proc.stderr


# ------------------------------------------------------------------------ Yosys


def yosys_cells(sources: Sequence[Path], top: str, params: Mapping[str, int | str],
                workdir: Path) -> dict[str, int]:
    """``synth_xilinx -flatten -family xcup`` (DESIGN §3); cell counts by type.

    String parameters (file names) are passed quoted; the run fails on any Yosys error.
    """
    require_tool("yosys")
    workdir.mkdir(parents=True, exist_ok=True)
    sets = " ".join(
        f'-set {k} "{v}"' if isinstance(v, str) else f"-set {k} {v}"
        for k, v in params.items()
    )
    script = "".join(f"read_verilog -sv {Path(s).resolve()}; " for s in sources)
    if sets:
        script += f"chparam {sets} {top}; "
    script += (f"synth_xilinx -flatten -family xcup -top {top}; "
               "tee -q -o stat.json stat -json")
    proc = subprocess.run(["yosys", "-q", "-p", script], cwd=workdir, capture_output=True,
                          text=True, timeout=600, check=False)
    if proc.returncode != 0:
        raise Mismatch(f"yosys failed on {top}:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    stat = json.loads((workdir / "stat.json").read_text())
    return stat["design"]["num_cells_by_type"]


def luts(cells: Mapping[str, int]) -> int:
    """LUTs used as logic (LUT1..LUT6)."""
    return sum(n for name, n in cells.items() if re.fullmatch(r"LUT\d", name))


def flops(cells: Mapping[str, int]) -> int:
    """Flip-flops (FD*)."""
    return sum(n for name, n in cells.items() if name.startswith("FD"))
