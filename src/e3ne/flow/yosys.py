"""Synthesize a generated design with Yosys ``synth_xilinx`` and count its resources.

The command is the one the E3NE anchor figures were measured with
(``synth_xilinx -flatten -family <family> -top <top>``, see /work/shared/anchors/e3ne.json),
so our numbers compare like for like. Counts come from Yosys's own ``stat -json`` (kept
as ``DIR/yosys_stat.json``), never from its text report, and land in ``DIR/synth.json``.

How cells become resource classes (Yosys 0.23 emits CARRY4 for xc7 and xcup alike):

* ``LUT``: LUT1..LUT6 cells. ``INV`` cells are *not* counted (Vivado mostly absorbs them
  into neighbouring LUTs); they stay visible in ``cells``.
* ``FF``: FDRE/FDSE/FDCE/FDPE (and their inverted-clock ``_1`` forms) plus LDCE/LDPE
  latches, which occupy the same register sites.
* ``CARRY``: CARRY4/CARRY8 cells. ``BRAM36``/``BRAM18``: RAMB36E1/E2, RAMB18E1/E2 cells.
  ``URAM``: URAM288 cells. ``DSP``: DSP48E1/E2 cells.
* ``LUTRAM``: LUT *sites* used as memory or shift registers (RAM32M16 = 8, RAM32M = 4,
  RAM64X1D = 2, SRL16E = 1, ...; see ``LUTRAM_SITES``), the way Vivado reports
  "LUT as Memory". It is separate from ``LUT``: a device's LUT count covers both.

Cells outside every class and outside ``NOT_COUNTED`` (I/O buffers, clock buffers, F7-F9
muxes, INV, constants) are listed under ``unclassified`` with a warning, never dropped.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

from e3ne.artifacts import SynthDoc
from e3ne.errors import ConfigError, ToolFailed
from e3ne.flow.hdlsim import require_tool
from e3ne.progress import Ticker

FAMILIES = ("xc7", "xcu", "xcup")
FAMILY_ALIASES = {"7series": "xc7", "ultrascale": "xcu", "ultrascale+": "xcup",
                  "ultrascaleplus": "xcup", "usp": "xcup"}
DEFAULT_TIMEOUT = 3 * 3600.0

SINGLE_CLASSES: dict[str, frozenset[str]] = {
    "LUT": frozenset(f"LUT{i}" for i in range(1, 7)),
    "FF": frozenset({"FDRE", "FDSE", "FDCE", "FDPE", "FDRE_1", "FDSE_1", "FDCE_1", "FDPE_1",
                     "LDCE", "LDPE"}),
    "CARRY": frozenset({"CARRY4", "CARRY8"}),
    "BRAM36": frozenset({"RAMB36E1", "RAMB36E2"}),
    "BRAM18": frozenset({"RAMB18E1", "RAMB18E2"}),
    "URAM": frozenset({"URAM288", "URAM288_BASE"}),
    "DSP": frozenset({"DSP48E1", "DSP48E2"}),
}
# LUT sites per distributed-RAM / shift-register primitive (UG474 / UG574 CLB guides).
LUTRAM_SITES: dict[str, int] = {
    "RAM16X1S": 1, "RAM32X1S": 1, "RAM64X1S": 1, "RAM128X1S": 2, "RAM256X1S": 4,
    "RAM512X1S": 8, "RAM16X1D": 2, "RAM32X1D": 2, "RAM64X1D": 2, "RAM128X1D": 4,
    "RAM256X1D": 8, "RAM32M": 4, "RAM64M": 4, "RAM32M16": 8, "RAM64M8": 8,
    "RAM32X16DR8": 8, "RAM64X8SW": 8, "SRL16E": 1, "SRLC16E": 1, "SRLC32E": 1,
}
NOT_COUNTED = frozenset({"IBUF", "OBUF", "IOBUF", "OBUFT", "BUFG", "BUFGCTRL", "BUFGCE",
                         "INV", "MUXF7", "MUXF8", "MUXF9", "VCC", "GND"})
RESOURCE_KEYS = ("LUT", "FF", "CARRY", "BRAM36", "BRAM18", "URAM", "DSP", "LUTRAM")


def normalize_family(family: str) -> str:
    """Canonical Yosys family name, or ConfigError naming the option and what is accepted."""
    f = str(family).strip().lower()
    f = FAMILY_ALIASES.get(f, f)
    if f not in FAMILIES:
        raise ConfigError(f"--family {family!r}: not a supported Xilinx family; expected one "
                          f"of {', '.join(FAMILIES)} (aliases: {', '.join(FAMILY_ALIASES)})")
    return f


def read_filelist(rtl: Path) -> list[str]:
    """The source files of a generated design, in compile order."""
    fl = rtl / "filelist.f"
    if not fl.is_file():
        raise ConfigError(f"{rtl.parent}: no rtl/filelist.f; expected a directory written by "
                          "'e3ne compile'")
    files = fl.read_text().split()
    if not files:
        raise ConfigError(f"{fl}: empty; expected the design's .sv files, one per line")
    for f in files:
        if not (rtl / f).is_file():
            raise ConfigError(f"{fl}: lists {f!r}, which is not in {rtl}")
    return files


# cells that end a combinational path: registers, block RAM (registered read), I/O buffers
PATH_ENDS = "t:FD* t:LD* t:RAMB* t:URAM* t:BUFG* t:IBUF t:OBUF"


def yosys_script(files: list[str], family: str, top: str, stat_path: str,
                 ltp_path: str | None = None) -> str:
    """The Yosys script: read each file, the anchor's synth_xilinx command, JSON stats;
    with ``ltp_path``, then the logic depth: the flip-flops, block RAMs and buffers
    deleted, ``ltp`` finds the longest chain of cells left (LUTs, wide muxes, carry
    cells), i.e. the deepest register-to-register path (``ltp -noff`` would run through
    the FDRE cells)."""
    for name in [*files, stat_path, *([ltp_path] if ltp_path else [])]:
        if any(c.isspace() for c in name):
            raise ConfigError(f"{name!r}: Yosys scripts cannot name paths with spaces; "
                              "move the design to a path without spaces")
    lines = [f"read_verilog -sv {f}" for f in files]
    lines += [f"synth_xilinx -flatten -family {family} -top {top}",
              f"tee -q -o {stat_path} stat -json"]
    if ltp_path:
        lines += [f"delete {PATH_ENDS}", f"tee -q -o {ltp_path} ltp"]
    return "\n".join(lines) + "\n"


def logic_depth(ltp_text: str) -> tuple[int | None, str | None, str | None]:
    """(cells on the longest path, its first and last wire) from ``ltp``'s output."""
    m = re.search(r"Longest topological path in \S+ \(length=(\d+)\)", ltp_text)
    if m is None:
        return None, None, None
    steps = re.findall(r"^\s+\d+: (\S+)", ltp_text[m.end():], flags=re.M)
    return int(m.group(1)), (steps[0] if steps else None), (steps[-1] if steps else None)


def cell_counts(stat: dict, top: str) -> dict[str, int]:
    """Cell counts of the whole design from a ``stat -json`` document."""
    design = stat.get("design")
    if design is None:  # no hierarchy information: the flattened top is the only module
        mods = stat.get("modules", {})
        design = mods.get("\\" + top) or mods.get(top) or {}
    return {str(k): int(v) for k, v in design.get("num_cells_by_type", {}).items()}


def classify(cells: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """Resource classes from raw cell counts, and the cells no class or ignore-list knows."""
    res = dict.fromkeys(RESOURCE_KEYS, 0)
    unknown: dict[str, int] = {}
    for name, n in cells.items():
        for cls, names in SINGLE_CLASSES.items():
            if name in names:
                res[cls] += n
                break
        else:
            if name in LUTRAM_SITES:
                res["LUTRAM"] += n * LUTRAM_SITES[name]
            elif name not in NOT_COUNTED:
                unknown[name] = n
    return res, unknown


def _last_error(log: str) -> str:
    errs = [ln.strip() for ln in log.replace("ERROR:", "\nERROR:").splitlines()
            if ln.strip().startswith("ERROR:")]
    if errs:
        return errs[-1]
    tail = [ln.strip() for ln in log.splitlines() if ln.strip()]
    return tail[-1] if tail else "no output"


def synthesize(design_dir: str | Path, family: str = "xcup", top: str = "e3ne_top",
               timeout: float = DEFAULT_TIMEOUT, progress: bool = True) -> dict:
    """Run Yosys synth_xilinx on ``DIR/rtl``; write ``DIR/synth.json`` (a ``SynthDoc``) and
    return its JSON.

    Yosys runs inside ``DIR/rtl`` so ``$readmemh`` image names resolve. ``seconds`` is wall
    time, ``cpu_seconds`` Yosys's own CPU time (they differ on a busy machine). The log goes to
    ``DIR/synth.log``, the script to ``DIR/synth.ys`` (rerun by hand with
    ``cd DIR/rtl && yosys -s ../synth.ys``) and its JSON stats to ``DIR/yosys_stat.json``.
    """
    fam = normalize_family(family)
    d = Path(design_dir)
    if not d.is_dir():
        raise ConfigError(f"{d}: no such directory; expected a directory written by "
                          "'e3ne compile'")
    rtl = (d / "rtl").resolve()
    files = read_filelist(rtl)
    yosys = require_tool("yosys")
    out_dir = d.resolve()
    stat_file = out_dir / "yosys_stat.json"
    ltp_file = out_dir / "yosys_ltp.txt"
    log_file = out_dir / "synth.log"
    script_file = out_dir / "synth.ys"
    for stale in (stat_file, d / SynthDoc.FILE):
        stale.unlink(missing_ok=True)
    script_file.write_text(yosys_script(files, fam, top, os.path.relpath(stat_file, rtl),
                                        os.path.relpath(ltp_file, rtl)))
    t0 = time.perf_counter()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        with Ticker(f"synth: yosys synth_xilinx on {d} (about 2-20 s per 1k LUTs, more on "
                    "a busy machine)", enabled=progress):
            proc = subprocess.run([yosys, "-q", "-l", str(log_file), "-s", str(script_file)],
                                  cwd=rtl, capture_output=True, text=True, timeout=timeout,
                                  check=False)
    except subprocess.TimeoutExpired as e:
        raise ToolFailed(f"{d}: yosys timed out after {timeout:.0f} s; pass a larger timeout "
                        f"(log: {log_file})") from e
    seconds = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
    if proc.returncode != 0 or not stat_file.is_file():
        log = proc.stdout + proc.stderr
        if log_file.is_file():
            log = log_file.read_text(errors="replace") + "\n" + log
        raise ToolFailed(f"{d}: yosys failed (exit {proc.returncode}): {_last_error(log)} "
                        f"(log: {log_file})")
    try:
        stat = json.loads(stat_file.read_text())
    except json.JSONDecodeError as e:
        raise ToolFailed(f"{stat_file}: Yosys wrote unreadable JSON stats ({e})") from e
    cells = cell_counts(stat, top)
    res, unknown = classify(cells)
    depth, depth_from, depth_to = logic_depth(
        ltp_file.read_text(errors="replace") if ltp_file.is_file() else "")
    if unknown:  # never dropped: they stay in cells and unclassified
        print(f"synth: warning: cells not counted in any class: {unknown}", file=sys.stderr)
    doc = SynthDoc(**res, seconds=round(seconds, 1), cpu_seconds=round(cpu, 1), family=fam,
                   top=top, yosys=stat.get("creator", ""),
                   command=f"synth_xilinx -flatten -family {fam} -top {top}",
                   counting="LUT = LUT1-6 cells (INV not counted); LUTRAM = LUT sites used "
                            "as distributed RAM/SRL; BRAM36/BRAM18 = RAMB36/RAMB18 cells",
                   cells=dict(sorted(cells.items())), unclassified=unknown,
                   logic_depth=depth, logic_depth_from=depth_from, logic_depth_to=depth_to)
    doc.save(d)
    return doc.to_json()


def summary_line(doc: dict) -> str:
    """One line for the CLI."""
    return (f"{doc['family']}: {doc['LUT']:,} LUT, {doc['FF']:,} FF, {doc['CARRY']:,} CARRY, "
            f"{doc['BRAM36']} BRAM36 + {doc['BRAM18']} BRAM18, {doc['URAM']} URAM, "
            f"{doc['DSP']} DSP, {doc['LUTRAM']:,} LUTRAM sites, logic depth "
            f"{doc.get('logic_depth')} cells ({doc['seconds']:.1f} s)")
