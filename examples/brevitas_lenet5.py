"""LeNet-5 trained in Brevitas at 3-bit weights and 4-bit activations, for e3ne.

Quantisers chosen so that the e3ne network computes exactly the model's integers:
power-of-two scales (``...FixedPoint``), 32-bit biases at the accumulator's scale
(``Int32Bias``), activations rounded down (``FLOOR``, e3ne's neuron floor) and the input
rounded to nearest (e3ne's input levels). With ``ROUND`` activations e3ne converts the
model too and says in convert.json how often it differs (an exact tie rounds up, not to
even).

    python examples/brevitas_lenet5.py --epochs 8 --out lenet5_w3a4   # .pt and .onnx
    e3ne convert examples/brevitas_lenet5.py:LeNet5W3A4 --weights lenet5_w3a4.pt \\
        --dataset mnist --input-shape 1,32,32 --out d      # Brevitas module directly
    e3ne compile lenet5_w3a4.onnx --dataset mnist --out d  # or its QONNX export
    e3ne verify d
"""

from __future__ import annotations

import argparse
from pathlib import Path

import brevitas.nn as qnn
import torch
from brevitas.inject.enum import FloatToIntImplType
from brevitas.quant import Int8WeightPerTensorFixedPoint, Int32Bias, Uint8ActPerTensorFixedPoint
from torch import nn


class Weight3(Int8WeightPerTensorFixedPoint):
    """3-bit signed weights, -3..3, one power-of-two scale per tensor."""

    bit_width = 3


class Input4(Uint8ActPerTensorFixedPoint):
    """4-bit unsigned input levels, rounded to nearest."""

    bit_width = 4


class Act4(Input4):
    """4-bit unsigned activations, rounded down (e3ne's neuron floor)."""

    float_to_int_impl_type = FloatToIntImplType.FLOOR


def _conv(c_in: int, c_out: int) -> qnn.QuantConv2d:
    return qnn.QuantConv2d(c_in, c_out, 5, weight_quant=Weight3, bias_quant=Int32Bias,
                           return_quant_tensor=True)


class LeNet5W3A4(nn.Module):
    """e3ne's zoo LeNet-5 (MNIST padded to 32x32) with Brevitas layers."""

    def __init__(self, num_classes: int = 10, act=Act4) -> None:  # noqa: ANN001
        super().__init__()
        relu = lambda: qnn.QuantReLU(act_quant=act, return_quant_tensor=True)  # noqa: E731
        self.features = nn.Sequential(
            qnn.QuantIdentity(act_quant=Input4, return_quant_tensor=True),
            _conv(1, 6), relu(), nn.MaxPool2d(2),
            _conv(6, 16), relu(), nn.MaxPool2d(2),
            _conv(16, 120), relu(),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            qnn.QuantLinear(120, 84, weight_quant=Weight3, bias_quant=Int32Bias,
                            return_quant_tensor=True),
            relu(),
            qnn.QuantLinear(84, num_classes, weight_quant=Weight3, bias_quant=Int32Bias),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


class LeNet5W3A4Round(LeNet5W3A4):
    """The same with Brevitas's default rounding (ROUND: ties to even) on activations."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__(num_classes, act=Input4)


def main() -> None:
    from e3ne.data import load_dataset
    from e3ne.frontend.brevitas_export import export_qonnx
    from e3ne.train import evaluate, train_model

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--round", action="store_true", help="ROUND activations (not exact)")
    ap.add_argument("--out", default="lenet5_w3a4", help="writes OUT.pt and OUT.onnx")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    model = LeNet5W3A4Round() if a.round else LeNet5W3A4()
    x, y = load_dataset("mnist", "train", pad_to=32)
    train_model(model, x, y, epochs=a.epochs, lr=2e-3, seed=a.seed, shift=2)
    xt, yt = load_dataset("mnist", "test", pad_to=32)
    print(f"Brevitas accuracy on {len(xt)} test images: {evaluate(model, xt, yt):.4f}")
    torch.save(model.state_dict(), f"{a.out}.pt")
    export_qonnx(model, (1, 32, 32), f"{a.out}.onnx")
    print(f"wrote {a.out}.pt and {Path(a.out + '.onnx')}")


if __name__ == "__main__":
    main()
