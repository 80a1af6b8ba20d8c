"""argmax_unit.sv: bench under Verilator and Icarus, lint, Yosys synthesis.

Stimuli are seeded numpy score vectors of several kinds (random over the whole signed
range, many ties, all equal, all negative, extremes); the expected output is each
image's score beats unchanged, then a class beat holding argmax (lowest index wins ties,
DESIGN §2) with olast = 1. Several variants run side by side in one simulation (a
generated wrapper), so Verilator builds once. Variants without stalls measure
throughput: an image takes BEATS + 1 cycles, so first input to last output takes
N_OUT + 1 cycles.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from e3ne.flow.hdlsim import RTL_DIR, lint, require_tool, run_bench

pytestmark = pytest.mark.rtl

SIM_DIR = RTL_DIR.parent / "sim"
CORE = "argmax_unit"
SOURCES = [RTL_DIR / f"{CORE}.sv", SIM_DIR / f"{CORE}_tb.sv"]
LATENCY = 1
IMAGES = 60

# name: (N_CLASSES, LANES, SCORE_W, extra bench parameters)
VARIANTS: dict[str, tuple] = {
    "c10_l2_w16": (10, 2, 16, {}),
    "c10_l10_w12": (10, 10, 12, {}),
    "c10_l1_w8": (10, 1, 8, {}),
    "c10_l5_w4": (10, 5, 4, {}),
    "c16_l16_w6": (16, 16, 6, {}),
    "c16_l4_w6": (16, 4, 6, {}),
    "c1_l1_w4": (1, 1, 4, {}),
    "c100_l4_w10": (100, 4, 10, {}),
    "c7_l7_w3": (7, 7, 3, {}),
    "c12_l3_w2": (12, 3, 2, {}),
    "slow_sink": (10, 2, 8, dict(IGAP=0, OSTALL=80)),
    "full_rate_c10_l2": (10, 2, 16, dict(IGAP=0, OSTALL=0)),
    "full_rate_c10_l10": (10, 10, 16, dict(IGAP=0, OSTALL=0)),
}
ICARUS_VARIANTS = ["c10_l2_w16", "c10_l5_w4", "c12_l3_w2"]


def scores(rng: np.random.Generator, images: int, n: int, bits: int) -> np.ndarray:
    """[images, n] signed scores; image i is of kind i % 6 (random, ties, equal, ...)."""
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    out = np.empty((images, n), dtype=np.int64)
    for i in range(images):
        kind = i % 6
        if kind == 0:  # anywhere in the signed range
            out[i] = rng.integers(lo, hi + 1, n)
        elif kind == 1:  # few distinct values: many ties for the maximum
            out[i] = rng.integers(max(lo, -2), min(hi, 1) + 1, n)
        elif kind == 2:  # all equal: class 0
            out[i] = rng.integers(lo, hi + 1)
        elif kind == 3:  # all negative
            out[i] = rng.integers(lo, 0, n)
        elif kind == 4:  # the extremes only
            out[i] = rng.choice([lo, hi], n)
        else:  # a tie for the maximum between two random positions
            out[i] = rng.integers(lo, hi, n)
            out[i, rng.choice(n, size=min(2, n), replace=False)] = hi
    return out


def pack(values: np.ndarray, lanes: int, bits: int) -> list[int]:
    """Pack signed values (two's complement) into beats of ``lanes`` lanes, lane 0 low."""
    mask = (1 << bits) - 1
    beats = values.reshape(-1, lanes)
    return [sum((int(v) & mask) << (j * bits) for j, v in enumerate(b)) for b in beats]


def write_hex(path: Path, words: list[int], bits: int) -> Path:
    digits = (bits + 3) // 4
    path.write_text("".join(f"{w:0{digits}x}\n" for w in words))
    return path


def make_variant(tmp: Path, name: str, rng: np.random.Generator) -> dict:
    n, lanes, bits, extra = VARIANTS[name]
    u = scores(rng, IMAGES, n, bits)
    dw = lanes * bits
    stim: list[int] = []
    exp: list[int] = []
    for image in u:
        beats = pack(image, lanes, bits)
        stim += beats
        exp += beats  # olast = 0
        exp.append((1 << dw) | int(np.argmax(image)))  # class beat: np.argmax takes the first
    return dict(
        N_CLASSES=n, LANES=lanes, SCORE_W=bits, N_IN=len(stim), N_OUT=len(exp),
        STIM_FILE=str(write_hex(tmp / f"{name}_stim.hex", stim, dw)),
        EXP_FILE=str(write_hex(tmp / f"{name}_exp.hex", exp, dw + 1)),
        **extra,
    )


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


def run_variants(tmp_path: Path, names: list[str], simulator: str) -> str:
    rng = np.random.default_rng(99)
    chosen = [(n, make_variant(tmp_path, n, rng)) for n in names]
    wrapper = write_wrapper(tmp_path / "multi_tb.sv", f"{CORE}_tb", chosen)
    out = run_bench("multi_tb", [*SOURCES, wrapper], tmp_path / simulator, simulator=simulator)
    measured = cycles(out)
    assert set(measured) == set(names), out
    for name, p in chosen:
        n_cycles, n_in, n_out = measured[name]
        assert (n_in, n_out) == (p["N_IN"], p["N_OUT"]), name
        if p.get("IGAP", 30) == 0 and p.get("OSTALL", 30) == 0:
            expected = n_out + LATENCY  # BEATS + 1 cycles per image
            assert n_cycles == expected, f"{name}: {n_cycles} cycles, model {expected}"
    return out


def test_bench_verilator(tmp_path: Path) -> None:
    run_variants(tmp_path, list(VARIANTS), "verilator")


def test_bench_icarus(tmp_path: Path) -> None:
    run_variants(tmp_path, ICARUS_VARIANTS, "icarus")


LINT_PARAMS = [
    dict(N_CLASSES=10, LANES=2, SCORE_W=16),
    dict(N_CLASSES=10, LANES=10, SCORE_W=12),
    dict(N_CLASSES=1, LANES=1, SCORE_W=4),
    dict(N_CLASSES=100, LANES=4, SCORE_W=10),
]


@pytest.mark.parametrize("params", LINT_PARAMS,
                         ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()))
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
def test_yosys(tmp_path: Path) -> None:
    params = dict(N_CLASSES=10, LANES=10, SCORE_W=12)  # tree padded from 10 to 16 lanes
    cells = yosys_cells(CORE, RTL_DIR / f"{CORE}.sv", params, tmp_path)
    assert "DSP48E2" not in cells
