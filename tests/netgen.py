"""Random integer networks for property tests (and, later, for RTL co-simulation)."""

from __future__ import annotations

import numpy as np

from e3ne.ir import Network
from e3ne.layers import AvgPool, Conv, Flatten, Linear, MaxPool
from e3ne.layers.base import window_out
from e3ne.layers.concat import Concat
from e3ne.layers.residual import Fork


def random_network(seed: int, *, max_convs: int = 3, max_linears: int = 3,
                   windows: bool = False, residual: bool = False) -> Network:
    """A valid random network: 0-3 convs (kernel 1-5, stride 1-2, padding 0-2 and below the
    kernel, optional pooling), flatten, 1-3 linears, a ReLU after the output layer or not;
    random T, W, weights, β, θ and F (saturation and negative membranes both occur).
    ``windows``: also non-square kernels, strides, paddings and pools, and 1-D nets (H = 1),
    drawn from a stream of their own (a seed's other choices stay as they were).
    ``residual``: also residual blocks (a fork, one or two same-size convs, the last adding
    the fork's activation times a random M, or a concatenation of the fork's activation
    with theirs), at the input or after a conv, from a third stream; some adds through a
    projection shortcut (a 1x1 or 3x3 conv, stride 1 or 2, the body's first conv striding
    alike and its last free in channels), drawn from a fourth."""
    rng = np.random.default_rng(seed)
    alt = np.random.default_rng(seed + 15485863)
    one_d = windows and alt.random() < 0.25
    T = int(rng.integers(1, 7))
    W = int(rng.integers(2, 7))
    wmax = (1 << (W - 1)) - 1
    c, h, w = int(rng.integers(1, 5)), int(rng.integers(5, 17)), int(rng.integers(5, 17))
    if one_d:
        h, w = 1, 4 * w
    shape = (c, h, w)

    def columns(k: int, s: int, p: int, pad_limit: int) -> tuple[int, int, int]:
        """The window's width, horizontal stride and padding: the square ones, or drawn."""
        if not windows or (not one_d and alt.random() < 0.5):
            return k, s, p
        kw = int(alt.integers(1, 6))
        return kw, int(alt.integers(1, 3)), int(alt.integers(0, min(pad_limit, kw - 1) + 1))
    layers = []

    res = np.random.default_rng(seed + 32452843)
    proj = np.random.default_rng(seed + 86028121)

    def syn_fields(c_out: int, fan_in: int, output: bool, rng=rng) -> dict:
        weight_shape = (c_out, fan_in)
        weight = rng.integers(-wmax, wmax + 1, size=weight_shape)
        shift = int(rng.integers(0, 4))
        typical = max(1, int(np.abs(weight).sum(1).mean() * ((1 << T) - 1) / 4)) << shift
        beta = rng.integers(-typical, typical + 1, size=c_out)
        theta = None if output else rng.integers(1, max(2, typical >> max(T - 1, 0)) + 2,
                                                  size=c_out)
        return dict(weight=weight, beta=beta, theta=theta, shift=shift, output=output)

    def block(i: int) -> None:
        """A residual block on ``shape``: fork, then convs keeping the size, the last joins."""
        nonlocal shape
        fork = Fork(f"fork{i}")
        layers.append(fork)
        n_body, c_skip = int(res.integers(1, 3)), shape[0]
        concat = res.random() < 0.35  # a concatenation [x, body(x)] instead of an add
        project = not concat and proj.random() < 0.4
        if project:  # the shortcut's stride, the block's output channels, its kernel
            sy = int(proj.integers(1, 3)) if shape[1] >= 3 else 1
            sx = int(proj.integers(1, 3)) if shape[2] >= 3 else 1
            c_end, k_sc = int(proj.integers(1, 9)), int(proj.choice([1, 1, 3]))
            skip_shape = shape
        for j in range(n_body):
            last = j == n_body - 1 and not concat
            kh = 1 if one_d or shape[1] < 3 else int(res.choice([1, 3]))
            kw = int(res.choice([1, 3, 5])) if shape[2] >= 5 else 1
            c_out = c_skip if last else int(res.integers(1, 9))
            c_out = c_end if last and project else c_out
            f = syn_fields(c_out, shape[0] * kh * kw, False, rng=res)
            f["weight"] = f["weight"].reshape(c_out, shape[0], kh, kw)
            if last:  # M·q_skip up to M·(2^T-1): thresholds that leave room for both
                m = int(res.integers(1, 1 << int(res.integers(1, 11))))
                skip_top = (1 << T) - 1
                if project:  # M·V_s, V_s of a random conv on the skip
                    m = int(proj.integers(1, 9))
                    kyx = tuple(k_sc if n >= 3 else 1 for n in skip_shape[1:])
                    ws = proj.integers(-wmax, wmax + 1, size=(c_out, c_skip, *kyx))
                    sc = Conv(f"res{i}_sc", weight=ws, beta=np.zeros(c_out, np.int64),
                              theta=None, shift=0, output=True, stride=(sy, sx),
                              padding=(kyx[0] // 2, kyx[1] // 2))
                    skip_top = int(np.abs(ws).sum((1, 2, 3)).mean() * skip_top / 4) + 1
                    f["shortcut"] = sc
                reach = int(np.abs(f["weight"]).sum((1, 2, 3)).mean() * ((1 << T) - 1) / 4)
                top = max(2, ((reach << f["shift"]) + m * skip_top // 2) >> max(T - 1, 0))
                f["theta"] = res.integers(1, top + 2, size=c_out)
                f.update(skip=fork.name, skip_mult=m)
            stride = (sy, sx) if project and j == 0 else (1, 1)
            layer = Conv(f"res{i}_{j}", stride=stride, padding=(kh // 2, kw // 2), **f)
            layers.append(layer)
            shape = layer.out_shape(shape)
        if concat:
            cat = Concat(f"cat{i}", skip=fork.name, skip_channels=c_skip,
                         skip_first=bool(res.random() < 0.5))
            layers.append(cat)
            shape = cat.out_shape(shape)

    if residual and res.random() < 0.3:
        block(-1)
    n_conv = int(rng.integers(0, max_convs + 1))
    n_lin = int(rng.integers(1, max_linears + 1))
    for i in range(n_conv):
        k = int(rng.integers(1, 6))
        s = int(rng.integers(1, 3))
        p = int(rng.integers(0, min(2, k - 1) + 1))  # the hardware takes padding < kernel
        kw, sw, pw = columns(k, s, p, 2)
        if one_d:
            k, s, p = 1, 1, 0
        if min(window_out(shape[1], k, s, p), window_out(shape[2], kw, sw, pw)) < 1:
            continue
        c_out = int(rng.integers(1, 9))
        f = syn_fields(c_out, shape[0] * k * kw, False)
        f["weight"] = f["weight"].reshape(c_out, shape[0], k, kw)
        layer = Conv(f"conv{i}", stride=(s, sw), padding=(p, pw), **f)
        layers.append(layer)
        shape = layer.out_shape(shape)
        if rng.random() < 0.5:
            pk = int(rng.integers(2, 4))
            ps = int(rng.integers(1, pk + 1))
            pp = int(rng.integers(0, pk // 2 + 1))
            pkw, psw, ppw = columns(pk, ps, pp, 0)
            ppw = min(ppw, pkw // 2)  # PyTorch pools pad at most half the kernel
            if one_d:
                pk, ps, pp = 1, 1, 0
            if min(window_out(shape[1], pk, ps, pp), window_out(shape[2], pkw, psw, ppw)) >= 1:
                cls = MaxPool if rng.random() < 0.6 else AvgPool
                pool = cls(f"pool{i}", (pk, pkw), (ps, psw), (pp, ppw))
                layers.append(pool)
                shape = pool.out_shape(shape)
        if residual and res.random() < 0.5:
            block(i)
    layers.append(Flatten("flatten"))
    fan_in = int(np.prod(shape))
    for j in range(n_lin):
        last = j == n_lin - 1
        c_out = int(rng.integers(2, 11)) if last else int(rng.integers(1, 17))
        layers.append(Linear(f"fc{j}", **syn_fields(c_out, fan_in, last)))
        fan_in = c_out
    # a quarter of the networks end in a ReLU (scores max(U, 0)); drawn from a stream of
    # its own so that every other choice of a seed stays as it was
    layers[-1].output_relu = bool(np.random.default_rng(seed + 104729).random() < 0.25)
    return Network((c, h, w), T, W, layers).validate()


def random_levels(net: Network, n: int, seed: int) -> np.ndarray:
    """Random T-bit input levels for ``net``: uniform, with some all-zero and all-max images."""
    rng = np.random.default_rng(seed)
    qmax = (1 << net.T) - 1
    q = rng.integers(0, qmax + 1, size=(n, *net.input_shape))
    if n >= 3:
        q[0] = 0
        q[1] = qmax
    return q


def random_folds(net: Network, seed: int) -> dict:
    """A random legal (PE, SIMD, TP) and weight placement for every synaptic layer."""
    from e3ne.design.folding import Fold, divisors, legal_simd

    rng = np.random.default_rng(seed)
    place = np.random.default_rng(seed + 7919)  # own stream: PE/SIMD/TP stay as they were
    return {
        layer.name: Fold(PE=int(rng.choice(divisors(layer.out_channels))),
                         SIMD=int(rng.choice(legal_simd(layer))),
                         TP=int(rng.choice(divisors(net.T))),
                         weights=str(place.choice(["lut", "bram", "auto"])))
        for layer in net.synaptic_layers
    }
