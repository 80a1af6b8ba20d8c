"""Run a self-checking SystemVerilog bench under Verilator or Icarus.

Benches print ``PASS`` on success and ``FAIL ...`` (or call ``$fatal``) on a mismatch.
This module only builds and runs them; the benches decide what is right.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from e3ne.errors import Mismatch, ToolNotFound
from e3ne.hw import RTL_DIR

__all__ = ["RTL_DIR", "build_icarus", "build_verilator", "lint", "require_tool", "run_bench"]

_INSTALL_HINT = "install it with: apt-get install -y verilator iverilog yosys"


def require_tool(name: str) -> str:
    """Return the path of an external tool, or raise ToolNotFound naming it."""
    path = shutil.which(name)
    if path is None:
        raise ToolNotFound(f"{name}: not found on PATH; {_INSTALL_HINT}")
    return path


def _run(cmd: Sequence[str], cwd: Path, timeout: float, env: dict | None = None) -> str:
    try:
        proc = subprocess.run(list(cmd), cwd=cwd, capture_output=True, text=True,
                              timeout=timeout, check=False, env=env)
    except subprocess.TimeoutExpired as e:
        raise Mismatch(f"{Path(cmd[0]).name} timed out after {timeout:.0f} s") from e
    out = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise Mismatch(f"{Path(cmd[0]).name} failed (exit {proc.returncode}){_killed(proc, out)}"
                       f":\n{out[-4000:]}")
    return out


def _killed(proc: subprocess.CompletedProcess, out: str) -> str:
    """A hint when the tool (or Verilator's own child) was killed with SIGKILL: on these
    machines that is the kernel's out-of-memory killer (a 200k-LUT design's Verilator
    build took more than 14 GB here)."""
    if proc.returncode == -9 or "threw signal 9" in out:
        return (": killed by signal 9, most likely out of memory; close other jobs or "
                "simulate on a machine with more RAM")
    return ""


def build_verilator(
    top: str,
    sources: Sequence[Path | str],
    workdir: Path,
    params: Mapping[str, int] | None = None,
    extra_args: Sequence[str] = (),
    timeout: float = 600,
    hierarchical: bool = False,
) -> Path:
    """Compile a bench with ``verilator --binary`` and return the executable.

    ``hierarchical``: Verilate each module marked ``/*verilator hier_block*/`` (each
    synaptic engine) in a run of its own (``_build_hierarchical``): a large network's
    flattened design takes Verilator past the memory of a 24 GB machine."""
    require_tool("verilator")
    workdir.mkdir(parents=True, exist_ok=True)
    if hierarchical:
        return _build_hierarchical(top, sources, workdir, params or {}, extra_args, timeout)
    cmd = [
        "verilator", "--binary", "--timing", "-j", "2", "-Wno-fatal",
        "--top-module", top, "-Mdir", str(workdir / "obj"), "-o", "simv",
        *[f"-G{k}={v}" for k, v in (params or {}).items()],
        *extra_args,
        *[str(s) for s in sources],
    ]
    _run(cmd, workdir, timeout, _build_env())
    return workdir / "obj" / "simv"


def _build_env() -> dict[str, str]:
    """The environment of a Verilator build: with ccache when there is one (Verilator's
    makefiles reuse its runtime objects through it)."""
    env = dict(os.environ)
    if shutil.which("ccache"):
        env.setdefault("OBJCACHE", "ccache")
    return env


# the simulation loop ``verilator --main`` would write: evaluate, then advance to the next
# timed event, until $finish or nothing is left to happen
_SIM_MAIN = """#include "verilated.h"
#include "Vsim_top.h"

int main(int argc, char** argv) {
    const std::unique_ptr<VerilatedContext> context{new VerilatedContext};
    context->commandArgs(argc, argv);
    const std::unique_ptr<Vsim_top> top{new Vsim_top{context.get()}};
    while (!context->gotFinish()) {
        top->eval();
        if (!top->eventsPending()) break;
        context->time(top->nextTimeSlot());
    }
    top->final();
    return 0;
}
"""


def _build_hierarchical(top: str, sources: Sequence[Path | str], workdir: Path,
                        params: Mapping[str, int], extra_args: Sequence[str],
                        timeout: float) -> Path:
    """``--hierarchical`` as Verilator 5.006 allows it: it passes the top's ``-G``
    parameters, ``--exe`` and ``--main`` on to every block's own run (which refuses the
    first two and writes a ``main`` of its own for the third), so the parameters go into
    a wrapper module (``sim_top``), and the executable is our ``main`` (``_SIM_MAIN``)
    linked by a makefile of ours around the generated one (``sim.mk``)."""
    wrapper = workdir / "sim_top.sv"
    binds = ", ".join(f".{k}({v})" for k, v in params.items())
    wrapper.write_text(f"module sim_top;\n\t{top} #({binds}) tb();\nendmodule\n")
    obj = workdir / "obj"
    cmd = [
        "verilator", "--cc", "--timing", "--hierarchical", "-Wno-fatal",
        "--top-module", "sim_top", "-Mdir", str(obj),
        *extra_args,
        *[str(s) for s in sources], str(wrapper),
    ]
    env = _build_env()
    _run(cmd, workdir, timeout, env)
    (obj / "sim_main.cpp").write_text(_SIM_MAIN)
    (obj / "sim.mk").write_text(
        "include Vsim_top.mk\n"
        "simv: sim_main.o $(VK_GLOBAL_OBJS) $(VM_PREFIX)__ALL.a $(VM_HIER_LIBS)\n"
        "\t$(LINK) $(LDFLAGS) $^ $(LOADLIBES) $(LDLIBS) $(LIBS) -o $@\n")
    _run(["make", "-j", "2", "-f", "sim.mk", "simv"], obj, timeout, env)
    return obj / "simv"


def build_icarus(
    top: str,
    sources: Sequence[Path | str],
    workdir: Path,
    params: Mapping[str, int] | None = None,
    timeout: float = 600,
) -> list[str]:
    """Compile a bench with ``iverilog -g2012``; return the command that runs it."""
    require_tool("iverilog")
    workdir.mkdir(parents=True, exist_ok=True)
    image = workdir / "sim.vvp"
    cmd = [
        "iverilog", "-g2012", "-s", top, "-o", str(image),
        *[f"-P{top}.{k}={v}" for k, v in (params or {}).items()],
        *[str(s) for s in sources],
    ]
    _run(cmd, workdir, timeout)
    return ["vvp", "-n", str(image)]


def run_bench(
    top: str,
    sources: Sequence[Path | str],
    workdir: Path,
    params: Mapping[str, int] | None = None,
    simulator: str = "verilator",
    plusargs: Sequence[str] = (),
    timeout: float = 600,
) -> str:
    """Build and run a self-checking bench; return its output, raise Mismatch unless it passed."""
    if simulator == "verilator":
        cmd = [str(build_verilator(top, sources, workdir, params, timeout=timeout))]
    elif simulator == "icarus":
        cmd = build_icarus(top, sources, workdir, params, timeout=timeout)
    else:
        raise ValueError(f"simulator {simulator!r}: expected 'verilator' or 'icarus'")
    out = _run([*cmd, *plusargs], workdir, timeout)
    if "FAIL" in out or "PASS" not in out:
        raise Mismatch(f"bench {top} ({simulator}) did not pass:\n{out[-4000:]}")
    return out


def lint(top: str, sources: Sequence[Path | str], params: Mapping[str, int] | None = None) -> str:
    """``verilator --lint-only -Wall``; raise Mismatch with the warnings if any."""
    require_tool("verilator")
    cmd = [
        "verilator", "--lint-only", "-Wall", "--top-module", top,
        *[f"-G{k}={v}" for k, v in (params or {}).items()],
        *[str(s) for s in sources],
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    out = proc.stdout + proc.stderr
    if proc.returncode != 0 or "%Warning" in out or "%Error" in out:
        raise Mismatch(f"verilator lint of {top} is not clean:\n{out[-4000:]}")
    return out
