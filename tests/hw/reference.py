"""Plain numpy references for the RTL benches (DESIGN §2) and the ``.mem`` file writers.

Everything here is integer arithmetic on int64 / Python ints, written for clarity, not
speed: the benches compare every beat against these values exactly.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pytest

from e3ne.errors import Mismatch

# --------------------------------------------------------------------------- references


def out_size(n: int, K: int, S: int, P: int) -> int:
    """Output size of a K-kernel, stride-S, P-padded window over n positions."""
    return (n + 2 * P - K) // S + 1


def reference_window(x: np.ndarray, K: int, S: int, P: int) -> np.ndarray:
    """Sliding windows of an [H, W, C] map: [OH, OW, K, K, C], zero padded."""
    H, W, C = x.shape
    OH, OW = out_size(H, K, S, P), out_size(W, K, S, P)
    xp = np.zeros((H + 2 * P, W + 2 * P, C), dtype=np.int64)
    xp[P : P + H, P : P + W] = x
    win = np.zeros((OH, OW, K, K, C), dtype=np.int64)
    for oy in range(OH):
        for ox in range(OW):
            win[oy, ox] = xp[oy * S : oy * S + K, ox * S : ox * S + K]
    return win


def membrane(windows: np.ndarray, w: np.ndarray) -> np.ndarray:
    """V[..., c] = Σ_i w[c, i] · q_i over the flattened (ky, kx, c) window."""
    flat = windows.reshape(windows.shape[: windows.ndim - 3] + (-1,))
    return flat @ w.T.astype(np.int64)


def membrane_horner(windows: np.ndarray, w: np.ndarray, T: int, TP: int) -> np.ndarray:
    """The same V, integrated TP spike planes at a time, MSB first (Horner's rule)."""
    flat = windows.reshape(windows.shape[: windows.ndim - 3] + (-1,))
    V = np.zeros(flat.shape[:-1] + (w.shape[0],), dtype=np.int64)
    for g in range(T // TP):
        chunk = (flat >> (T - TP * (g + 1))) & ((1 << TP) - 1)
        V = (V << TP) + chunk @ w.T.astype(np.int64)
    return V


def neuron(V: np.ndarray, beta: np.ndarray, theta: np.ndarray, F: int, T: int, output: bool):
    """U = V·2^F + β; hidden: q = clamp(floor(U/θ), 0, 2^T-1); output layer: U."""
    U = (np.asarray(V, dtype=np.int64) << F) + beta
    if output:
        return U
    return np.clip(np.floor_divide(U, theta), 0, (1 << T) - 1)


def neuron_successive(U: int, theta: int, T: int) -> int:
    """Literal successive subtraction of one neuron (the spiking view of ``neuron``)."""
    if U < 0:
        return 0
    if U >= theta << T:
        return (1 << T) - 1
    q = 0
    for t in range(T):
        step = theta << (T - 1 - t)
        fire = U >= step
        U -= step if fire else 0
        q = 2 * q + int(fire)
    return q


def reference_layer(x, w, beta, theta, F, T, K, S, P, output=False):
    """Conv layer (or Linear with K=1, H=W=1) on an [H, W, C] map: [OH, OW, C_out]."""
    return neuron(membrane(reference_window(x, K, S, P), w), beta, theta, F, T, output)


def v_bound(w: np.ndarray, T: int) -> int:
    """Worst case |V| of a layer: max_c Σ_i |w_ci| · (2^T - 1)."""
    return int(np.abs(w).sum(axis=1).max()) * ((1 << T) - 1)


def acc_width(w: np.ndarray, T: int) -> int:
    """The narrowest signed width that holds every V (and so every partial Horner sum)."""
    return v_bound(w, T).bit_length() + 1


# ------------------------------------------------------------------------- memory files


def pack(values: Iterable[int], bits: int) -> int:
    """Lane k of the word at bits [k*bits +: bits], two's complement."""
    mask = (1 << bits) - 1
    word = 0
    for k, v in enumerate(values):
        word |= (int(v) & mask) << (k * bits)
    return word


def beats(values: Sequence[int] | np.ndarray, per_beat: int, bits: int) -> list[int]:
    """A flat sequence of lanes cut into words of ``per_beat`` lanes."""
    flat = np.asarray(values, dtype=np.int64).reshape(-1)
    if flat.size % per_beat:
        raise ValueError(f"{flat.size} lanes do not split into beats of {per_beat}")
    return [pack(flat[i : i + per_beat], bits) for i in range(0, flat.size, per_beat)]


def write_mem(path: Path, words: Sequence[int], width: int) -> None:
    """A ``$readmemh`` file: one word per line, ceil(width/4) hex digits."""
    digits = max(1, (width + 3) // 4)
    path.write_text("".join(f"{w:0{digits}x}\n" for w in words))


# ------------------------------------------------------------------------------- tools


def cycles(bench_output: str) -> int:
    """The ``CYCLES n`` a bench prints (first input transfer to last output transfer)."""
    return int(re.search(r"CYCLES (\d+)", bench_output).group(1))


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


def parameter_errors(top: str, sources: Sequence[Path], params: Mapping[str, int],
                     workdir: Path) -> str:
    """Elaborate and start ``top`` under Icarus with ``params``; return what it printed.

    The cores check their parameters in an ``initial`` block (``$error`` naming the values,
    then ``$finish``), so an illegal set prints its reason at time 0.
    """
    from e3ne.flow.hdlsim import build_icarus

    cmd = build_icarus(top, sources, workdir, params)
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=60,
                          check=False)
    return proc.stdout + proc.stderr


def yosys_cells(sources: Sequence[Path], top: str, params: Mapping[str, int | str],
                workdir: Path) -> dict[str, int]:
    """``synth_xilinx -flatten -family xcup`` (DESIGN §3); cell counts by type.

    String parameters (file names) are passed quoted; the run fails on any Yosys error.
    """
    if shutil.which("yosys") is None:
        pytest.skip("yosys not installed")
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
