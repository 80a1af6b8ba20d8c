"""Radix and rate encodings round-trip and follow DESIGN §2."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from e3ne.encoding import (
    quantize_input,
    radix_decode,
    radix_encode,
    rate_decode,
    rate_encode,
)
from e3ne.errors import ConfigError


@given(T=st.integers(1, 12), seed=st.integers(0, 1000))
def test_radix_round_trip_and_msb_first(T: int, seed: int) -> None:
    q = np.random.default_rng(seed).integers(0, 1 << T, size=(3, 4, 5))
    s = radix_encode(q, T)
    assert s.shape == (T, 3, 4, 5) and s.dtype == np.uint8
    np.testing.assert_array_equal(radix_decode(s), q)
    weights = (1 << np.arange(T - 1, -1, -1)).reshape(T, 1, 1, 1)
    np.testing.assert_array_equal((s * weights).sum(0), q)  # spike t weighs 2^(T-1-t)


@given(T=st.integers(1, 8), seed=st.integers(0, 1000))
def test_rate_round_trip_uses_2T_minus_1_steps(T: int, seed: int) -> None:
    q = np.random.default_rng(seed).integers(0, 1 << T, size=(7,))
    s = rate_encode(q, T)
    assert s.shape == ((1 << T) - 1, 7)
    np.testing.assert_array_equal(rate_decode(s), q)


def test_input_quantisation_rounds_half_up_and_clamps() -> None:
    x = np.array([-0.5, 0.0, 1 / 30, 0.5, 1.0, 1.5])
    np.testing.assert_array_equal(quantize_input(x, 4), [0, 0, 1, 8, 15, 15])


def test_out_of_range_values_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"^radix_encode: values must lie in \[0, 15\]"):
        radix_encode(np.array([16]), 4)
    with pytest.raises(ConfigError, match=r"^T=0: time steps must be an integer from 1 to 32"):
        radix_encode(np.array([0]), 0)
