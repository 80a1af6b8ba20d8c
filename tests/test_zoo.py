"""e3ne.models: the zoo shapes of DESIGN section 6, the registry, and reproducible builds."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from torch import nn

from e3ne.data import dataset_input_shape
from e3ne.errors import ConfigError
from e3ne.models import ZOO, ZooEntry, build_model
from e3ne.models.zoo import BasicBlock


def _layers(model: nn.Module, kind: type) -> list[nn.Module]:
    return [m for m in model.modules() if isinstance(m, kind)]


def _conv_sig(model: nn.Module) -> list[tuple[int, int, int, int, int]]:
    return [
        (c.in_channels, c.out_channels, c.kernel_size[0], c.stride[0], c.padding[0])
        for c in _layers(model, nn.Conv2d)
    ]


def _fc_sig(model: nn.Module) -> list[tuple[int, int]]:
    return [(f.in_features, f.out_features) for f in _layers(model, nn.Linear)]


def test_registry() -> None:
    assert list(ZOO) == ["lenet5", "fang", "mobilenet_tiny", "resnet10", "resnet8", "kws",
                         "alexnet", "vgg11", "vgg16"]
    e = ZOO["lenet5"]
    assert isinstance(e, ZooEntry)
    assert (e.input_shape, e.T, e.W, e.dataset, e.pad_to, e.num_classes) == (
        (1, 32, 32), 4, 3, "mnist", 32, 10)
    assert (ZOO["fang"].input_shape, ZOO["fang"].T, ZOO["fang"].W) == ((1, 28, 28), 4, 4)
    assert (ZOO["fang"].dataset, ZOO["fang"].pad_to) == ("mnist", None)
    for name in ("alexnet", "vgg11", "vgg16"):
        z = ZOO[name]
        assert (z.input_shape, z.T, z.W, z.dataset) == ((3, 32, 32), 6, 6, "random")
    assert ZOO["alexnet"].num_classes == 10 and ZOO["vgg11"].num_classes == 100
    assert ZOO["vgg16"].num_classes == 10
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.T = 5  # type: ignore[misc]
    for z in ZOO.values():
        assert z.name and z.description
        if z.dataset != "random":
            assert dataset_input_shape(z.dataset, z.pad_to) == z.input_shape


@pytest.mark.parametrize("name", list(ZOO))
def test_output_shape_on_a_batch_of_two(name: str) -> None:
    entry = ZOO[name]
    model = build_model(name).eval()
    with torch.no_grad():
        out = model(torch.rand(2, *entry.input_shape))
    assert out.shape == (2, entry.num_classes)
    assert isinstance(model.features, nn.Sequential)
    assert isinstance(model.classifier, nn.Sequential)
    blocks = [b for b in model.modules() if isinstance(b, BasicBlock)]  # BN after each conv
    in_block = {id(c) for b in blocks for c in (b.conv1, b.conv2, *(
        b.downsample or [])) if isinstance(c, nn.Conv2d)}
    for m in _layers(model, nn.Conv2d) + _layers(model, nn.Linear):
        assert m.bias is not None or id(m) in in_block


def test_lenet5_shapes() -> None:
    m = build_model("lenet5")
    assert _conv_sig(m) == [(1, 6, 5, 1, 0), (6, 16, 5, 1, 0), (16, 120, 5, 1, 0)]
    assert _fc_sig(m) == [(120, 84), (84, 10)]
    assert len(_layers(m, nn.MaxPool2d)) == 2 and len(_layers(m, nn.ReLU)) == 4
    assert m.features(torch.zeros(1, 1, 32, 32)).shape == (1, 120, 1, 1)
    # 156 + 2,416 + 48,120 + 10,164 + 850
    assert sum(p.numel() for p in m.parameters()) == 61_706
    assert "features.0.weight" in m.state_dict() and "classifier.3.bias" in m.state_dict()


def test_fang_shapes() -> None:
    m = build_model("fang")
    assert _conv_sig(m) == [(1, 32, 3, 1, 0), (32, 32, 3, 1, 0)]
    assert _fc_sig(m) == [(800, 256), (256, 10)]
    assert m.features(torch.zeros(1, 1, 28, 28)).flatten(1).shape == (1, 800)
    assert len(_layers(m, nn.ReLU)) == 3
    # 320 + 9,248 + 205,056 + 2,570
    assert sum(p.numel() for p in m.parameters()) == 217_194


def test_alexnet_shapes() -> None:
    m = build_model("alexnet")
    assert _conv_sig(m) == [(3, 64, 3, 2, 1), (64, 192, 3, 1, 1), (192, 384, 3, 1, 1),
                            (384, 256, 3, 1, 1), (256, 256, 3, 1, 1)]
    assert _fc_sig(m) == [(1024, 4096), (4096, 4096), (4096, 10)]
    assert len(_layers(m, nn.BatchNorm2d)) == 5 and len(_layers(m, nn.MaxPool2d)) == 3
    assert len(_layers(m, nn.Dropout)) == 2 and len(_layers(m, nn.ReLU)) == 7
    assert m.features(torch.zeros(1, 3, 32, 32)).shape == (1, 256, 2, 2)
    kinds = [type(x).__name__ for x in m.features[:4]]
    assert kinds == ["Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d"]


def test_vgg11_shapes() -> None:
    m = build_model("vgg11")
    outs = [c[1] for c in _conv_sig(m)]
    assert outs == [64, 128, 256, 256, 512, 512, 512, 512]
    assert all(c[2:] == (3, 1, 1) for c in _conv_sig(m))
    assert _fc_sig(m) == [(512, 4096), (4096, 4096), (4096, 100)]
    assert len(_layers(m, nn.BatchNorm2d)) == 8 and len(_layers(m, nn.MaxPool2d)) == 5
    assert len(_layers(m, nn.ReLU)) == 10
    assert m.features(torch.zeros(1, 3, 32, 32)).shape == (1, 512, 1, 1)


def test_vgg16_shapes() -> None:
    m = build_model("vgg16")
    outs = [c[1] for c in _conv_sig(m)]
    assert outs == [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]
    assert all(c[2:] == (3, 1, 1) for c in _conv_sig(m))
    assert _fc_sig(m) == [(512, 4096), (4096, 4096), (4096, 10)]
    assert len(_layers(m, nn.BatchNorm2d)) == 13 and len(_layers(m, nn.MaxPool2d)) == 5
    assert m.features(torch.zeros(1, 3, 32, 32)).shape == (1, 512, 1, 1)


def test_builds_are_reproducible_and_leave_the_global_rng_alone() -> None:
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    a = build_model("fang")
    after = torch.rand(3)
    assert torch.equal(before, after)
    b = build_model("fang", seed=0)
    c = build_model("fang", seed=1)
    for k, v in a.state_dict().items():
        assert torch.equal(v, b.state_dict()[k])
    assert not torch.equal(a.state_dict()["features.0.weight"], c.state_dict()["features.0.weight"])


def test_unknown_model_is_a_one_line_config_error() -> None:
    with pytest.raises(ConfigError) as e:
        build_model("resnet18")
    assert str(e.value) == (
        "model 'resnet18': not in the zoo; expected one of lenet5, fang, mobilenet_tiny, "
        "resnet10, resnet8, kws, alexnet, vgg11, vgg16"
    )
