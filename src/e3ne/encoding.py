"""Radix and rate spike encodings of unsigned activations (DESIGN §2).

A T-bit activation ``q`` is the spike train of its binary digits, most significant bit
first: the spike at step ``t`` weighs ``2**(T-1-t)``. Rate coding needs ``2**T - 1``
steps for the same resolution and is kept only for comparison.

Spike trains put the time axis first: ``spikes[t, ...]``.
"""

from __future__ import annotations

import numpy as np

from e3ne.errors import ConfigError


def _check_T(T: int) -> None:
    if not isinstance(T, (int, np.integer)) or not 1 <= T <= 32:
        raise ConfigError(f"T={T!r}: time steps must be an integer from 1 to 32")


def _check_range(q: np.ndarray, hi: int, what: str) -> np.ndarray:
    q = np.asarray(q)
    if q.dtype.kind not in "iu":
        raise ConfigError(f"{what}: expected an integer array, got dtype {q.dtype}")
    if q.size and (q.min() < 0 or q.max() > hi):
        raise ConfigError(
            f"{what}: values must lie in [0, {hi}], got [{int(q.min())}, {int(q.max())}]"
        )
    return q.astype(np.int64, copy=False)


def quantize_input(x: np.ndarray, T: int, scale: float | None = None) -> np.ndarray:
    """Pixels in [0, 1] to T-bit integers: ``clamp(floor(x*(2^T-1) + 1/2), 0, 2^T-1)``,
    or with a given level ``scale``, ``clamp(floor(x/scale + 1/2), 0, 2^T-1)``."""
    _check_T(T)
    hi = (1 << T) - 1
    x = np.asarray(x, dtype=np.float64)
    y = x * hi if scale is None else x / scale
    return np.clip(np.floor(y + 0.5), 0, hi).astype(np.int64)


def radix_encode(q: np.ndarray, T: int) -> np.ndarray:
    """T-bit activations -> spike trains ``[T, *q.shape]`` (uint8, MSB first)."""
    _check_T(T)
    q = _check_range(q, (1 << T) - 1, "radix_encode")
    shifts = np.arange(T - 1, -1, -1, dtype=np.int64).reshape((T,) + (1,) * q.ndim)
    return ((q[None] >> shifts) & 1).astype(np.uint8)


def radix_decode(spikes: np.ndarray) -> np.ndarray:
    """Spike trains ``[T, ...]`` (MSB first) -> activations, by Horner's rule."""
    spikes = np.asarray(spikes)
    q = np.zeros(spikes.shape[1:], dtype=np.int64)
    for plane in spikes:
        q = 2 * q + plane.astype(np.int64)
    return q


def rate_encode(q: np.ndarray, T: int) -> np.ndarray:
    """T-bit activations -> rate-coded trains ``[2^T - 1, ...]`` with ``q`` evenly spread spikes.

    Step ``n`` fires when ``floor((n+1)·q/N) > floor(n·q/N)``, ``N = 2^T - 1``.
    """
    _check_T(T)
    n_steps = (1 << T) - 1
    q = _check_range(q, n_steps, "rate_encode")
    n = np.arange(n_steps, dtype=np.int64).reshape((n_steps,) + (1,) * q.ndim)
    return (((n + 1) * q[None]) // n_steps - (n * q[None]) // n_steps).astype(np.uint8)


def rate_decode(spikes: np.ndarray) -> np.ndarray:
    """Rate-coded trains -> activations (the spike count)."""
    return np.asarray(spikes).astype(np.int64).sum(axis=0)
