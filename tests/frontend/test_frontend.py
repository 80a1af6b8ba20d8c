"""What the front end accepts: fx-traced forms, folding, calibration and integer fields."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from e3ne import golden
from e3ne.api import convert, fold_model
from e3ne.errors import ConfigError
from e3ne.frontend.quantize import QuantConfig
from e3ne.ir import Network
from e3ne.layers import AvgPool, Conv, Linear, MaxPool


class HandWritten(nn.Module):
    """Functional ReLU/pooling, x.view(x.size(0), -1), input normalisation, BN1d."""

    def __init__(self) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, bias=False)
        self.bn1 = nn.BatchNorm2d(6)
        self.c2 = nn.Conv2d(6, 8, 3, stride=2, padding=1)
        self.fc1 = nn.Linear(8 * 2 * 2, 32)
        self.bn2 = nn.BatchNorm1d(32)
        self.drop = nn.Dropout(0.5)
        self.fc2 = nn.Linear(32, 10)
        self.register_buffer("mean", torch.tensor([0.1307]).view(1, 1, 1, 1))

    def forward(self, x):
        x = (x - self.mean) / 0.3081
        x = F.max_pool2d(F.relu(self.bn1(self.c1(x))), 2)
        x = torch.relu(self.c2(x))
        x = F.avg_pool2d(x, 2, padding=1)
        x = x.view(x.size(0), -1)
        x = self.drop(F.relu(self.bn2(self.fc1(x))))
        return F.log_softmax(self.fc2(x), dim=1)


def _randomise_bn(model: nn.Module) -> nn.Module:
    torch.manual_seed(3)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.uniform_(-0.3, 0.3)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(-1.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    return model.eval()


def test_handwritten_forward_folds_to_the_same_function() -> None:
    torch.manual_seed(0)
    model = _randomise_bn(HandWritten())
    # The input normalisation is folded exactly only away from zero padding; c1 has none.
    x = torch.rand(16, 1, 16, 16)
    net = fold_model(model, (1, 16, 16))
    with torch.no_grad():
        ref = F.softmax(model(x), dim=1).argmax(1)
        np.testing.assert_allclose(
            F.log_softmax(net(x), dim=1).numpy(), model(x).numpy(), rtol=1e-4, atol=1e-4)
    assert (net(x).argmax(1) == ref).all()
    kinds = [s.kind for s in net.specs]
    assert kinds == ["conv", "maxpool", "conv", "avgpool", "flatten", "linear", "linear"]


def test_sequential_and_module_forms_give_the_same_network() -> None:
    torch.manual_seed(1)
    seq = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(4 * 3 * 3, 10)).eval()

    class Same(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = seq

        def forward(self, x):
            x = F.relu(self.body[0](x))
            x = F.max_pool2d(x, kernel_size=2)
            x = torch.flatten(x, 1)
            return self.body[4](x)

    x = torch.rand(32, 1, 8, 8)
    a = convert(seq, x, QuantConfig(T=4, W=4))
    b = convert(Same().eval(), x, QuantConfig(T=4, W=4))
    q0 = golden.input_levels(a, x)
    np.testing.assert_array_equal(golden.run_fast(a, q0), golden.run_fast(b, q0))


def test_integer_fields_follow_the_contract() -> None:
    torch.manual_seed(2)
    model = _randomise_bn(HandWritten())
    x = torch.rand(64, 1, 16, 16)
    net = convert(model, x, QuantConfig(T=4, W=3, theta_bits=10))
    assert [type(layer) for layer in net.layers] == [
        Conv, MaxPool, Conv, AvgPool, type(net.layers[4]), Linear, Linear]
    for layer in net.synaptic_layers:
        assert np.abs(layer.weight).max() <= 3
        if not layer.output:
            assert layer.theta.min() >= 1 << 9  # theta_bits significant bits
            assert layer.shift >= 0
    assert net.layers[-1].output and net.layers[-1].theta is None


def test_conv_padding_same_and_no_bias() -> None:
    model = nn.Sequential(nn.Conv2d(2, 3, 3, padding="same", bias=False), nn.ReLU(),
                          nn.Flatten(), nn.Linear(3 * 5 * 7, 4)).eval()
    net = convert(model, torch.rand(8, 2, 5, 7), QuantConfig(T=3, W=4))
    assert net.layers[0].padding == (1, 1)
    assert net.shapes()[1] == (3, 5, 7)


def test_adaptive_pooling_maps_to_plain_pooling() -> None:
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
                          nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(16, 3)).eval()
    net = convert(model, torch.rand(8, 1, 8, 8), QuantConfig())
    assert isinstance(net.layers[1], AvgPool) and net.layers[1].kernel == (4, 4)


@pytest.mark.parametrize("cfg,msg", [
    (QuantConfig(T=0), "-T 0: time steps must be an integer from 1 to 16"),
    (QuantConfig(W=1), "-W 1: weight bits must be an integer from 2 to 16"),
    (QuantConfig(percentile=10), "percentile 10: expected a value in [50, 100]"),
])
def test_bad_options_are_refused(cfg: QuantConfig, msg: str) -> None:
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    with pytest.raises(ConfigError, match="^" + re.escape(msg) + "$"):
        convert(model, torch.rand(2, 1, 2, 2), cfg)


class _Clipped(nn.Module):
    """conv -> clipped ReLU -> pool -> linear, the clip written one of several ways."""

    def __init__(self, form: str) -> None:
        super().__init__()
        torch.manual_seed(4)
        self.form = form
        self.c = nn.Conv2d(1, 4, 3)
        self.act = nn.ReLU6() if form == "module" else nn.Hardtanh(0.0, 6.0)
        self.fc = nn.Linear(4 * 3 * 3, 5)

    def forward(self, x):
        y = self.c(x)
        if self.form == "module":
            y = self.act(y)
        elif self.form == "hardtanh":
            y = self.act(y)
        elif self.form == "functional":
            y = F.relu6(y, inplace=True)
        else:
            y = torch.clamp(y, 0, 6)
        return self.fc(F.max_pool2d(y, 2).flatten(1))


def test_clipped_relu_fixes_the_activation_scale() -> None:
    """ReLU6 / Hardtanh(0, 6) / F.relu6 / clamp(0, 6): one network whose hidden scale is
    6/(2^T-1) whatever the calibration data, and whose float model clips at 6."""
    x = torch.rand(32, 1, 8, 8) * 40  # pre-activations well beyond 6
    nets = [convert(_Clipped(form).eval(), x, QuantConfig(T=4, W=4))
            for form in ("module", "hardtanh", "functional", "clamp")]
    assert nets[0].layers[0].act_scale == pytest.approx(6 / 15)
    q0 = golden.input_levels(nets[0], x)
    for net in nets[1:]:
        np.testing.assert_array_equal(golden.run_fast(net, q0), golden.run_fast(nets[0], q0))
    float_net = fold_model(_Clipped("module").eval(), (1, 8, 8))
    assert float_net.specs[0].clip == 6.0


class _GlobalMean(nn.Module):
    def __init__(self, form: str) -> None:
        super().__init__()
        torch.manual_seed(5)
        self.form = form
        self.c = nn.Conv2d(1, 4, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        y = F.relu(self.c(x))
        if self.form == "adaptive":
            y = self.pool(y).flatten(1)
        elif self.form == "mean":
            y = y.mean(dim=(2, 3))
        else:
            y = torch.mean(y, [-1, -2], keepdim=True).flatten(1)
        return self.fc(y)


def test_global_mean_is_global_average_pooling() -> None:
    x = torch.rand(16, 1, 8, 8)
    nets = [convert(_GlobalMean(form).eval(), x, QuantConfig(T=4, W=4))
            for form in ("adaptive", "mean", "keepdim")]
    for net in nets:
        assert isinstance(net.layers[1], AvgPool) and net.layers[1].kernel == (8, 8)
    q0 = golden.input_levels(nets[0], x)
    for net in nets[1:]:
        np.testing.assert_array_equal(golden.run_fast(net, q0), golden.run_fast(nets[0], q0))


def test_a_flatten_of_the_flat_output_is_a_no_op() -> None:
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 4), nn.Flatten()).eval()
    net = fold_model(model, (1, 4, 4))
    assert [s.kind for s in net.specs] == ["flatten", "linear"]


def test_a_relu_after_the_output_layer_is_carried_exactly(tmp_path) -> None:
    """The scores become max(U, 0): the golden model clamps U, and the float model agrees
    on the class wherever the float scores are not all negative."""
    torch.manual_seed(6)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 4),
                          nn.ReLU()).eval()
    x = torch.rand(64, 1, 4, 4)
    net = convert(model, x, QuantConfig(T=4, W=6))
    assert net.layers[-1].output_relu
    plain = convert(model[:-1], x, QuantConfig(T=4, W=6))
    q0 = golden.input_levels(net, x)
    u = golden.run_fast(plain, q0)
    np.testing.assert_array_equal(golden.run_fast(net, q0), np.maximum(u, 0))
    assert (np.asarray(u) < 0).any()  # the clamp is exercised
    net.save(tmp_path)
    assert Network.load(tmp_path).layers[-1].output_relu


class _Seq1d(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(7)
        self.c1 = nn.Conv1d(3, 5, 5, stride=2, padding=2)
        self.bn = nn.BatchNorm1d(5)
        self.pool = nn.MaxPool1d(2)
        self.c2 = nn.Conv1d(5, 4, 3, padding="valid")
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        x = self.pool(F.relu(self.bn(self.c1(x))))
        x = F.avg_pool1d(F.relu(self.c2(x)), 2)
        return self.fc(F.adaptive_avg_pool1d(x, 1).flatten(1))


def test_one_d_layers_fold_to_the_same_function_over_one_row() -> None:
    model = _randomise_bn(_Seq1d())
    x = torch.rand(8, 3, 40)
    net = fold_model(model, (3, 1, 40), "sequence")
    assert [s.kind for s in net.specs] == ["conv", "maxpool", "conv", "avgpool", "avgpool",
                                           "flatten", "linear"]
    assert net.specs[0].kernel == (1, 5) and net.specs[0].stride == (1, 2)
    with torch.no_grad():
        np.testing.assert_allclose(net(x.unsqueeze(2)).numpy(), model(x).numpy(),
                                   rtol=1e-4, atol=1e-5)
    q = convert(model, x, QuantConfig(T=4, W=4))  # [N, C, L] calibration data
    assert q.input_shape == (3, 1, 40) and q.meta["input_kind"] == "sequence"


def test_grouped_and_depthwise_convolutions_fold_to_dense_block_weights() -> None:
    torch.manual_seed(8)
    model = nn.Sequential(nn.Conv2d(4, 4, 3, padding=1, groups=4), nn.ReLU(),  # depthwise
                          nn.Conv2d(4, 6, 1, groups=2), nn.ReLU(),  # grouped pointwise
                          nn.Flatten(), nn.Linear(6 * 5 * 5, 3)).eval()
    x = torch.rand(8, 4, 5, 5)
    net = fold_model(model, (4, 5, 5))
    w0 = net.specs[0].weight
    assert w0.shape == (4, 4, 3, 3)
    assert all((w0[o, i] == 0).all() == (o != i) for o in range(4) for i in range(4))
    with torch.no_grad():
        np.testing.assert_allclose(net(x).numpy(), model(x).numpy(), rtol=1e-4, atol=1e-5)
