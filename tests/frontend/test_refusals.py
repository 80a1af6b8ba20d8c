"""Every unsupported model is refused before any work, in one line naming the culprit."""

from __future__ import annotations

import re

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from e3ne.api import fold_model
from e3ne.errors import UnsupportedModel


def seq(*layers: nn.Module) -> nn.Module:
    return nn.Sequential(*layers)


class Residual(nn.Module):
    """A residual block; ``form`` picks one of the ways it goes wrong."""

    def __init__(self, form: str) -> None:
        super().__init__()
        self.form = form
        self.a = nn.Conv2d(1, 4, 3, padding=1)
        self.b = nn.Conv2d(4, 4, 3, padding=1)
        self.s = nn.Conv2d(4, 4, 1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(4 * 8 * 8, 10)
        self.fc4 = nn.Linear(4 * 4 * 4, 10)
        self.fc10 = nn.Linear(10, 10)

    def forward(self, x):
        y = F.relu(self.a(x))
        if self.form == "no_relu":  # pre-activation style: nothing fires after the add
            y = self.b(y) + y
        elif self.form == "pooled":  # the body halves the map
            return self.fc4(F.relu(self.pool(self.b(y)) + self.pool(y)).flatten(1))
        elif self.form == "pre_relu":  # the skip taken before its layer's ReLU
            z = self.b(y)
            y = F.relu(self.s(F.relu(z)) + z)
        elif self.form == "product":
            y = F.relu(self.b(y) * y)
        elif self.form == "into_output":  # the block's last conv is the output layer
            return self.b(y) + y
        elif self.form == "vectors":
            v = F.relu(self.fc(y.flatten(1)))
            return self.fc10(F.relu(self.fc10(v) + v))
        return self.fc(y.flatten(1))


class Concat(nn.Module):
    def __init__(self, form: str = "self") -> None:
        super().__init__()
        self.form = form
        self.a = nn.Conv2d(1, 4, 3, padding=1)
        self.b = nn.Conv2d(4, 4, 3, padding=1)
        self.fc = nn.Linear(8 * 8 * 8, 10)

    def forward(self, x):
        y = F.relu(self.a(x))
        if self.form == "width":  # along W, not channels
            return self.fc(torch.cat([y, F.relu(self.b(y))], dim=3).flatten(1))
        return self.fc(torch.cat([y, y], dim=1).flatten(1))


class Branch(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv2d(1, 4, 3, padding=1)
        self.b = nn.Conv2d(4, 4, 3, padding=1)
        self.c = nn.Conv2d(4, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 8 * 8, 10)

    def forward(self, x):
        y = F.relu(self.a(x))
        z = F.relu(self.b(y))
        w = F.relu(self.c(y))  # noqa: F841  (a second consumer of y)
        return self.fc(z.flatten(1))


class FunctionalSigmoid(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv2d(1, 4, 3)
        self.fc = nn.Linear(4 * 6 * 6, 10)

    def forward(self, x):
        return self.fc(torch.sigmoid(self.a(x)).flatten(1))


class DataDependent(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        if x.sum() > 0:
            x = x * 2
        return self.fc(x.flatten(1))


class FunctionalConv(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.randn(4, 1, 3, 3))
        self.fc = nn.Linear(4 * 6 * 6, 10)

    def forward(self, x):
        return self.fc(F.relu(F.conv2d(x, self.w)).flatten(1))


class TwoInputs(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(64, 10)

    def forward(self, x, y):
        return self.fc(x.flatten(1))


class Rnn(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.LSTM(8, 16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        return self.fc(self.rnn(x)[0])


def conv(c_in=1, c_out=4, **kw) -> nn.Conv2d:
    return nn.Conv2d(c_in, c_out, 3, **kw)


HEAD = (nn.Flatten(), nn.Linear(4 * 6 * 6, 10))
NOT_RELU = "only ReLU and clipped ReLU (ReLU6, Hardtanh(0, c), clamp(0, c)) can be radix-encoded"


class ClampBelow(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = conv()
        self.fc = nn.Linear(4 * 6 * 6, 10)

    def forward(self, x):
        return self.fc(self.a(x).clamp(-1, 1).flatten(1))


class ClampZero(ClampBelow):
    def forward(self, x):
        return self.fc(torch.clamp(self.a(x), 0, 0).flatten(1))


class ChannelMean(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = conv()
        self.fc = nn.Linear(36, 10)

    def forward(self, x):
        return self.fc(F.relu(self.a(x)).mean(dim=1).flatten(1))

# (model, exact message). Inputs are 1x8x8.
BAD_MODELS = [
    (seq(conv(), nn.Sigmoid(), *HEAD),
     "layer '1' (Sigmoid): " + NOT_RELU),
    (seq(conv(), nn.Tanh(), *HEAD), "layer '1' (Tanh): " + NOT_RELU),
    (seq(conv(), nn.LeakyReLU(), *HEAD),
     "layer '1' (LeakyReLU): " + NOT_RELU),
    (seq(conv(), nn.GELU(), *HEAD), "layer '1' (GELU): " + NOT_RELU),
    (FunctionalSigmoid(),
     "op 'sigmoid' (torch.sigmoid) in forward(): " + NOT_RELU),
    (Residual("no_relu"),
     "op 'flatten' (.flatten()) in forward(): follows the residual add into layer 'b' "
     "(Conv2d); the add must be followed by its ReLU (x = relu(body(x) + x))"),
    (Residual("pooled"),
     "layer 'pool' (MaxPool2d): starts a second branch from an earlier layer's output; "
     "only a residual add (x + body(x), or shortcut(x) + body(x) with a conv and "
     "BatchNorm as the shortcut) may branch, and only into the add"),
    (Residual("pre_relu"),
     "the skip of op 'add' (operator.add) in forward(): a residual block must start from "
     "an activation, not between layer 'b' (Conv2d) and its ReLU"),
    (Residual("product"),
     "op 'mul' (operator.mul) in forward(): combines two tensors; only a residual add "
     "(x + body(x)) is supported, not concatenation or products"),
    (Residual("into_output"),
     "op 'add' (operator.add) in forward(): a residual add into the output layer is not "
     "supported; end the block with its ReLU before the output layer"),
    (Residual("vectors"),
     "op 'add' (operator.add) in forward(): adds vectors; a residual add is supported "
     "between feature maps (C, H, W) or (C, L)"),
    (Concat(),
     "op 'cat' (torch.cat) in forward(): only a concatenation of two different tensors, x "
     "and body(x), is supported"),
    (Concat("width"),
     "op 'cat' (torch.cat) in forward(): concatenates along dim=3; only along channels "
     "(dim=1) is supported"),

    (Branch(),
     "layer 'c' (Conv2d): starts a second branch from an earlier layer's output; "
     "only a residual add (x + body(x), or shortcut(x) + body(x) with a conv and "
     "BatchNorm as the shortcut) may branch, and only into the add"),
    (seq(conv(dilation=2, padding=1), nn.ReLU(), *HEAD),
     "layer '0' (Conv2d): dilation (2, 2) is not supported; use 1"),
    (seq(conv(padding=1, padding_mode="reflect"), nn.ReLU(), nn.Flatten(),
         nn.Linear(4 * 8 * 8, 10)),
     "layer '0' (Conv2d): padding_mode 'reflect' is not supported; only zero padding "
     "('zeros')"),
    (seq(conv(), *HEAD[:1], nn.Linear(4 * 6 * 6, 20), nn.ReLU(), nn.Linear(20, 10)),
     "layer '0' (Conv2d): is followed by layer '2' (Linear) without a ReLU in between; "
     "every hidden conv/linear layer needs one"),
    (seq(nn.Flatten(), nn.Linear(64, 10), nn.ReLU6()),
     "layer '2' (ReLU6): a clipped ReLU after layer '1' (Linear), the output layer, is not "
     "supported; use ReLU"),
    (seq(nn.Conv3d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(24, 10)),
     "layer '0' (Conv3d): 3-D convolutions are not supported; use Conv2d or Conv1d"),
    (Rnn(), "layer 'rnn' (LSTM): recurrent layers are not supported; use Conv2d/Linear"),
    (seq(conv(), nn.ReLU(), nn.BatchNorm2d(4), *HEAD),
     "layer '2' (BatchNorm2d): BatchNorm must directly follow a conv/linear layer to be "
     "folded"),
    (seq(conv(), nn.AvgPool2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 3 * 3, 10)),
     "layer '1' (AvgPool2d): average pooling between layer '0' (Conv2d) and its ReLU does "
     "not commute with ReLU; move it after the ReLU"),
    (seq(conv(), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True), nn.Flatten(),
         nn.Linear(36, 10)),
     "layer '2' (MaxPool2d): ceil_mode=True is not supported; use ceil_mode=False"),
    (seq(conv(), nn.ReLU(), nn.LayerNorm([4, 6, 6]), *HEAD),
     "layer '2' (LayerNorm): only BatchNorm1d/2d right after a conv/linear layer can be "
     "folded"),
    (seq(nn.ConvTranspose2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(400, 10)),
     "layer '0' (ConvTranspose2d): transposed convolutions are not supported; use Conv2d"),
    (DataDependent(),
     "model (DataDependent): torch.fx cannot trace forward() (symbolically traced variables "
     "cannot be used as inputs to control flow); avoid data-dependent control flow"),
    (FunctionalConv(),
     "op 'conv2d' (torch.conv2d) in forward(): functional layers with weights are not "
     "supported; use the nn.Conv2d / nn.Linear / nn.BatchNorm2d modules"),
    (TwoInputs(),
     "model (TwoInputs): forward() takes 2 inputs; expected one image tensor"),
    (seq(nn.Flatten(), nn.Linear(64, 10), nn.Softmax(dim=1), nn.Linear(10, 10)),
     "layer '3' (Linear): comes after layer '2' (Softmax); only the model's output may be "
     "(log-)softmaxed"),
    (seq(nn.Flatten(), nn.Linear(64, 10), nn.Sigmoid()),
     "layer '2' (Sigmoid): " + NOT_RELU),
    (seq(conv(), nn.Hardtanh(), *HEAD),
     "layer '1' (Hardtanh): clamps to [-1.0, 1.0]; " + NOT_RELU + ": the lower bound must "
     "be 0"),
    (ClampBelow(), "op 'clamp' (.clamp()) in forward(): clamps to [-1, 1]; " + NOT_RELU +
     ": the lower bound must be 0"),
    (ClampZero(), "op 'clamp' (torch.clamp) in forward(): clamps to [0, 0]; a clipped ReLU "
     "needs an upper bound > 0"),
    (seq(conv(), nn.ReLU(), nn.ReLU6(), *HEAD),
     "layer '2' (ReLU6): a clipped ReLU must be the activation of a conv/linear layer "
     "(only max pooling and flatten may sit between them)"),
    (ChannelMean(),
     "op 'mean' (.mean()) in forward(): a mean over dim=1 is not supported; only the mean "
     "over H and W (dim=(2, 3)), or over L of a 1-D [N, C, L] input, i.e. global average "
     "pooling"),
    (seq(nn.Flatten(), nn.Linear(64, 10), nn.ReLU(), nn.BatchNorm1d(10)),
     "layer '3' (BatchNorm1d): nothing but (log-)softmax may follow layer '1' (Linear), the "
     "output layer, and its ReLU"),
    (seq(nn.Conv1d(1, 4, 3), nn.ReLU(), nn.Conv1d(4, 2, 4)),
     "layer '2' (Conv1d): a convolution as the output layer is not supported by the hardware "
     "(its scores would leave as a feature map); flatten and end with nn.Linear"),
    (seq(nn.ReLU()), "model: has no Conv2d, Conv1d or Linear layer"),
    (seq(conv(), nn.Threshold(0.1, 0.0), *HEAD),
     "layer '1' (Threshold): " + NOT_RELU),
    (seq(conv(), nn.AvgPool2d(2)),
     "layer '1' (AvgPool2d): nothing but (log-)softmax may follow layer '0' (Conv2d), the "
     "output layer"),
    (seq(conv(), nn.MaxPool2d(2)),
     "layer '1' (MaxPool2d): nothing but (log-)softmax may follow layer '0' (Conv2d), the "
     "output layer"),
    (seq(conv(), nn.ReLU(), nn.Conv2d(4, 10, 6)),
     "layer '2' (Conv2d): a convolution as the output layer is not supported by the hardware "
     "(its scores would leave as a feature map); flatten and end with nn.Linear"),
]


@pytest.mark.parametrize("model,message", BAD_MODELS, ids=[m for _, m in BAD_MODELS])
def test_bad_model_gets_one_clear_line(model: nn.Module, message: str) -> None:
    one_d = "(Conv1d)" in message  # a 1-D model takes [N, 1, 8]
    with pytest.raises(UnsupportedModel) as info:
        fold_model(model, (1, 1, 8) if one_d else (1, 8, 8), "sequence" if one_d else "image")
    text = str(info.value)
    assert "\n" not in text
    assert re.fullmatch(re.escape(message), text), text
