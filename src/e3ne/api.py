"""The Python API: PyTorch model -> radix SNN (``convert``), as a recipe of named steps."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn as nn

from e3ne.errors import ConfigError, UnsupportedModel
from e3ne.frontend.fold import FloatNet, fold_chain
from e3ne.frontend.qat import QATModel
from e3ne.frontend.quantize import ACT_CLIPS, WEIGHT_CLIPS, QuantConfig, calibrate, to_network
from e3ne.frontend.trace import trace_model
from e3ne.ir import Network


def check_config(cfg: QuantConfig) -> None:
    """One-line errors for out-of-range options, before any work is done."""
    if not isinstance(cfg.T, int) or not 1 <= cfg.T <= 16:
        raise ConfigError(f"-T {cfg.T}: time steps must be an integer from 1 to 16")
    if not isinstance(cfg.W, int) or not 2 <= cfg.W <= 16:
        raise ConfigError(f"-W {cfg.W}: weight bits must be an integer from 2 to 16")
    if not 50.0 <= cfg.percentile <= 100.0:
        raise ConfigError(f"percentile {cfg.percentile}: expected a value in [50, 100]")
    if cfg.weight_clip not in WEIGHT_CLIPS:
        raise ConfigError(f"--weight-clip {cfg.weight_clip!r}: expected one of "
                          f"{', '.join(WEIGHT_CLIPS)}")
    if cfg.act_clip not in ACT_CLIPS:
        raise ConfigError(f"--act-clip {cfg.act_clip!r}: expected one of {', '.join(ACT_CLIPS)}")
    if not 1 <= cfg.theta_bits <= 24:
        raise ConfigError(f"theta_bits {cfg.theta_bits}: expected an integer in [1, 24]")


def fold_model(model: nn.Module, input_shape: tuple[int, int, int],
               input_kind: str = "image") -> FloatNet:
    """Steps 1-2: trace (refusing anything unsupported, by the integer semantics or by the
    hardware) and fold into a float network on ``[N, C, H, W]`` inputs. ``input_kind``:
    what ``model`` itself takes (``e3ne.frontend.trace.trace_model``): ``image``, or
    ``vector`` ``[N, C·H·W]`` (the folded network starts with a flatten), or ``sequence``
    ``[N, C, L]`` (H = 1)."""
    model = model.eval()
    chain = trace_model(model, tuple(input_shape), input_kind)
    layers = fold_chain(chain, input_shape[0])
    for i, spec in enumerate(layers):
        why = spec.layer.hardware_refusal(spec, i == len(layers) - 1)
        if why:
            op = next(o for o in chain if o.name == spec.name)
            raise UnsupportedModel(f"{op.where}: {why}")
        sc = spec.shortcut
        why = sc and sc.layer.hardware_refusal(sc, False)
        if why:
            add = next(o for o in chain if o.kind == "add" and o.params.get("shortcut")
                       and o.params["shortcut"][0].name == sc.name)
            raise UnsupportedModel(f"{add.params['shortcut'][0].where}: {why}")
    return FloatNet(layers, tuple(input_shape))


def convert(
    model: nn.Module,
    calib_images: torch.Tensor,
    cfg: QuantConfig | None = None,
    *,
    qat: Callable[[nn.Module], nn.Module] | None = None,
    meta: dict | None = None,
    input_kind: str | None = None,
) -> Network:
    """Trace, fold, calibrate and quantise ``model`` into a radix-SNN ``Network``.

    ``calib_images`` are pixels in [0, 1], ``[N, C, H, W]``; their shape gives the input
    shape. ``[N, F]`` vectors are for a model that takes vectors, ``[N, C, L]`` sequences
    for a 1-D model: the network's input is then ``(1, 1, F)`` or ``(C, 1, L)``, a stream
    of F values or of L pixels. ``input_kind`` (``image``, ``vector``, ``sequence``)
    overrides that reading of the shape, e.g. for images fed flattened. ``qat``, if
    given, is called with a module that runs the folded network under the exact integer
    semantics (straight-through gradients) and should fine-tune it in place
    (e.g. ``lambda m: train_model(m, X, y, epochs=2, lr=1e-4)``).
    """
    cfg = cfg or QuantConfig()
    check_config(cfg)
    if calib_images.dim() not in (2, 3, 4) or len(calib_images) == 0:
        raise ConfigError(f"calibration images: expected a non-empty [N, C, H, W] tensor "
                          f"(or [N, F] vectors, [N, C, L] sequences), got shape "
                          f"{tuple(calib_images.shape)}")
    kind = input_kind or {2: "vector", 3: "sequence", 4: "image"}[calib_images.dim()]
    if calib_images.dim() == 2:
        calib_images = calib_images.reshape(len(calib_images), 1, 1, -1)
    elif calib_images.dim() == 3:
        calib_images = calib_images.unsqueeze(2)
    net = fold_model(model, tuple(calib_images.shape[1:]), kind)
    scales = calibrate(net, calib_images, cfg)
    if qat is not None:
        qat(QATModel(net, scales, cfg))
        net.eval()
    info = {"percentile": cfg.percentile, "theta_bits": cfg.theta_bits,
            "weight_clip": cfg.weight_clip, "act_clip": cfg.act_clip,
            "calibration_images": len(calib_images), "qat": qat is not None,
            **({"input_kind": kind} if kind != "image" else {})}
    info.update(meta or {})
    return to_network(net, scales, cfg, info)
