"""The golden model: two executors of the integer semantics (DESIGN §2).

``run_fast`` works on whole batches of integer tensors and serves accuracy runs and
co-simulation; ``run_literal`` walks the spike trains step by step (Horner integration,
successive-subtraction neurons, bit-serial max pooling) and documents the meaning. Both
return the output layer's signed membrane potentials ``U`` ``[N, classes]`` (int64); the
class is the argmax, ties to the lowest index.
"""

from __future__ import annotations

import numpy as np
import torch

from e3ne.encoding import quantize_input, radix_encode
from e3ne.ir import Network


def input_levels(net: Network, images: np.ndarray | torch.Tensor) -> np.ndarray:
    """Pixels in [0, 1], ``[N, C, H, W]`` -> T-bit integers ``q0`` (int64), at the
    network's input scale."""
    x = images.detach().cpu().numpy() if isinstance(images, torch.Tensor) else images
    x = np.asarray(x)
    if x.ndim == 3:
        x = x[None]
    return quantize_input(x, net.T, net.input_scale)


def run_fast(net: Network, q0: np.ndarray, *, collect: bool = False,
             batch_size: int = 256):
    """Output ``U`` for input levels ``q0`` ``[N, C, H, W]``; with ``collect``, also every
    layer's output (list of int64 arrays)."""
    outs: list[np.ndarray] = []
    per_layer: list[list[np.ndarray]] = [[] for _ in net.layers]
    with torch.inference_mode():
        for start in range(0, len(q0), batch_size):
            q = torch.from_numpy(np.ascontiguousarray(q0[start:start + batch_size], np.int64))
            saved: dict[str, torch.Tensor] = {}  # forks' outputs, for their joins
            for i, layer in enumerate(net.layers):
                skip = {"skip": saved[layer.reads()]} if layer.reads() else {}
                q = layer.run_fast(q, net.T, **skip)
                if layer.saves:
                    saved[layer.name] = q
                if collect:
                    per_layer[i].append(q.to(torch.int64).numpy())
            outs.append(q.to(torch.int64).numpy())
    u = np.concatenate(outs) if outs else np.zeros((0, net.num_classes), np.int64)
    if collect:
        return u, [np.concatenate(p) for p in per_layer]
    return u


def run_literal(net: Network, q0: np.ndarray) -> np.ndarray:
    """Output ``U`` for ``q0``, computed spike by spike."""
    spikes = radix_encode(np.asarray(q0, dtype=np.int64), net.T)  # [T, N, C, H, W]
    saved: dict[str, np.ndarray] = {}
    for layer in net.layers:
        skip = {"skip": saved[layer.reads()]} if layer.reads() else {}
        spikes = layer.run_literal(spikes, net.T, **skip)
        if layer.saves:
            saved[layer.name] = spikes
    return spikes  # the output layer returns U


def predict(net: Network, images: np.ndarray | torch.Tensor) -> np.ndarray:
    """Class per image (argmax of U, ties to the lowest index)."""
    return run_fast(net, input_levels(net, images)).argmax(axis=1)


def accuracy(net: Network, images: np.ndarray | torch.Tensor, labels) -> float:
    y = labels.numpy() if isinstance(labels, torch.Tensor) else np.asarray(labels)
    return float((predict(net, images) == y).mean())
