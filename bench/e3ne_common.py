"""What bench/bench_e3ne.py and its helpers share: paths, the target, provenance tags,
logging and number formats."""

from __future__ import annotations

import math
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ANCHOR = REPO.parent / "shared" / "anchors" / "e3ne.json"
RESULTS = REPO / "bench" / "results" / "e3ne_comparison.json"
BENCHMARKS = REPO / "BENCHMARKS.md"
DEVICE = "xcvu13p"  # E3NE's target
FAMILY = "xcup"  # the anchor's synth_xilinx -family
PNR_DEVICE = "lfe5u-85f"  # where the clock is measured: nextpnr-ecp5's real timing
SMALL = ("lenet5", "fang")  # E3NE measured cycles and resources
LARGE = ("alexnet", "vgg11")  # E3NE measured cycles only
ZOO_OPTS = {"lenet5": {"T": 4, "W": 3, "qat_epochs": 3},
            "fang": {"T": 4, "W": 4, "qat_epochs": 3},
            "alexnet": {}, "vgg11": {}, "vgg16": {}}
LARGE_BUDGETS = {"device": "", "lut=0.1": "lut=0.1"}

SIM = "simulated (Verilator)"
SYN = "synthesized (Yosys 0.23 synth_xilinx -flatten -family xcup)"
MOD = "modelled"
E3 = "E3NE, quoted from anchors/e3ne.json"


def log(msg: str) -> None:
    print(f"[bench_e3ne {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def wall(n: int) -> str:
    return f"measured (wall time, median of {n})"


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else math.nan


def f0(x) -> str:  # noqa: ANN001
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:,.0f}"


def f1(x, nd: int = 1) -> str:  # noqa: ANN001
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:,.{nd}f}"


def pct(x) -> str:  # noqa: ANN001
    return "–" if x is None else f"{100 * x:.1f} %"


def ints(text: str) -> tuple[int, ...]:
    """``"1,3,7"`` -> ``(1, 3, 7)`` (a comma-separated option)."""
    return tuple(int(v) for v in text.split(","))


def provenance(script: str) -> dict:
    """How a results file was made: the command line as run, the commit, the UTC date."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                            capture_output=True, text=True).stdout.strip()
    return {"command": shlex.join([script, *sys.argv[1:]]), "commit": commit,
            "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}


def placements(folds: dict) -> dict[str, int]:
    """How many layers keep their weights where (``Fold.weights``: lut, bram, uram, ext)."""
    placed: dict[str, int] = {}
    for f in folds.values():
        placed[f.weights] = placed.get(f.weights, 0) + 1
    return placed
