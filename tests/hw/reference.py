"""Plain numpy references for the RTL benches (DESIGN §2) and the ``.mem`` file writers.

Everything here is integer arithmetic on int64 / Python ints, written for clarity, not
speed: the benches compare every beat against these values exactly. Running the benches
(wrappers, reruns, Yosys) is in ``benchutil``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

# --------------------------------------------------------------------------- references


def out_size(n: int, K: int, S: int, P: int) -> int:
    """Output size of a K-kernel, stride-S, P-padded window over n positions."""
    return (n + 2 * P - K) // S + 1


def reference_window(x: np.ndarray, K: int, S: int, P: int, KW: int | None = None,
                     SW: int | None = None, PW: int | None = None) -> np.ndarray:
    """Sliding windows of an [H, W, C] map: [OH, OW, K, KW, C], zero padded (KW, SW, PW:
    the window's width, horizontal stride and padding; default square)."""
    KW, SW, PW = (K if KW is None else KW), (S if SW is None else SW), (P if PW is None else PW)
    H, W, C = x.shape
    OH, OW = out_size(H, K, S, P), out_size(W, KW, SW, PW)
    xp = np.zeros((H + 2 * P, W + 2 * PW, C), dtype=np.int64)
    xp[P : P + H, PW : PW + W] = x
    win = np.zeros((OH, OW, K, KW, C), dtype=np.int64)
    for oy in range(OH):
        for ox in range(OW):
            win[oy, ox] = xp[oy * S : oy * S + K, ox * SW : ox * SW + KW]
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


def neuron(V: np.ndarray, beta: np.ndarray, theta: np.ndarray, F: int, T: int, output: int):
    """U = V·2^F + β; hidden: q = clamp(floor(U/θ), 0, 2^T-1); output layer: U
    (``output`` 2: max(U, 0), an output layer that ends in a ReLU)."""
    U = (np.asarray(V, dtype=np.int64) << F) + beta
    if output:
        return np.maximum(U, 0) if output == 2 else U
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


def write_mem(path: Path, words: Sequence[int], width: int) -> Path:
    """A ``$readmemh`` file: one word per line, ceil(width/4) hex digits; returns ``path``."""
    digits = max(1, (width + 3) // 4)
    path.write_text("".join(f"{w:0{digits}x}\n" for w in words))
    return path
