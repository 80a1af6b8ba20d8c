"""The model zoo: the four CNNs of E3NE's evaluation (shapes of DESIGN section 6), and
networks people write beyond it (depthwise-separable blocks, a 1-D keyword spotter).

Each model is a plain ``nn.Module`` holding two ``nn.Sequential``s, ``features`` (convs,
BatchNorm, ReLU, pooling) and ``classifier`` (flatten, linears, ReLU, dropout), so the front
end sees only modules it knows and the state_dict keys read ``features.0.weight`` etc.
Unlike E3NE's originals, convs and linears carry a bias: the integer semantics has a
per-channel ``beta`` anyway, and the bias buys accuracy for free.

The registry ``ZOO`` also records the defaults that go with each model (T, W, dataset,
padding) so the CLI and benchmarks need only a name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from e3ne.errors import ConfigError

__all__ = ["ZOO", "AlexNet", "BasicBlock", "Fang", "Kws", "LeNet5", "MobileNetTiny",
           "ResNet10", "VGG11", "ZooEntry", "ZooNet", "build_model"]


class ZooNet(nn.Module):
    """``classifier(features(x))``: the one forward every zoo model shares."""

    def __init__(self, features: nn.Sequential, classifier: nn.Sequential) -> None:
        super().__init__()
        self.features = features
        self.classifier = classifier

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


class LeNet5(ZooNet):
    """LeNet-5 on MNIST padded to 32x32 (1x32x32 -> 10)."""

    def __init__(self, num_classes: int = 10) -> None:
        features = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),     # 6x28x28 -> 6x14x14
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),    # 16x10x10 -> 16x5x5
            nn.Conv2d(16, 120, 5), nn.ReLU(),                   # 120x1x1
        )
        classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, num_classes),
        )
        super().__init__(features, classifier)


class Fang(ZooNet):
    """The MNIST CNN after Fang et al. (ICCAD 2020) as used by E3NE (1x28x28 -> 10)."""

    def __init__(self, num_classes: int = 10) -> None:
        features = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),    # 32x26x26 -> 32x13x13
            nn.Conv2d(32, 32, 3), nn.ReLU(), nn.MaxPool2d(2),   # 32x11x11 -> 32x5x5
        )
        classifier = nn.Sequential(
            nn.Flatten(),                                        # 800
            nn.Linear(800, 256), nn.ReLU(), nn.Linear(256, num_classes),
        )
        super().__init__(features, classifier)


def _separable(c_in: int, c_out: int, stride: int) -> list[nn.Module]:
    """A depthwise 3x3 (groups = C) and a pointwise 1x1, each with BatchNorm and ReLU6."""
    return [nn.Conv2d(c_in, c_in, 3, stride=stride, padding=1, groups=c_in),
            nn.BatchNorm2d(c_in), nn.ReLU6(),
            nn.Conv2d(c_in, c_out, 1), nn.BatchNorm2d(c_out), nn.ReLU6()]


class MobileNetTiny(ZooNet):
    """Depthwise-separable blocks after MobileNet v1 for MNIST (1x28x28 -> 10), with its
    ReLU6 activations and a global average pool."""

    def __init__(self, num_classes: int = 10) -> None:
        features = nn.Sequential(
            nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU6(),  # 8x14x14
            *_separable(8, 16, 1),                                                  # 16x14x14
            *_separable(16, 32, 2),                                                 # 32x7x7
            nn.AdaptiveAvgPool2d(1),                                                # 32x1x1
        )
        classifier = nn.Sequential(nn.Flatten(), nn.Linear(32, num_classes))
        super().__init__(features, classifier)


class Kws(ZooNet):
    """A 1-D keyword-spotting CNN on 10 MFCCs x 49 frames (one second of speech at a 20 ms
    hop, as in Hello Edge's KWS models) -> 12 keywords: Conv1d + BatchNorm1d + ReLU,
    a strided Conv1d, MaxPool1d, a global average pool. Random weights: no speech data
    here, so its figures are hardware-only."""

    def __init__(self, num_classes: int = 12) -> None:
        features = nn.Sequential(
            nn.Conv1d(10, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),   # 32x49
            nn.Conv1d(32, 32, 3, stride=2, padding=1), nn.BatchNorm1d(32),     # 32x25
            nn.ReLU(), nn.MaxPool1d(2),                                         # 32x12
            nn.Conv1d(32, 64, 3, padding=1), nn.BatchNorm1d(64), nn.ReLU(),    # 64x12
            nn.AdaptiveAvgPool1d(1),                                            # 64x1
        )
        classifier = nn.Sequential(nn.Flatten(), nn.Linear(64, num_classes))
        super().__init__(features, classifier)


class BasicBlock(nn.Module):
    """ResNet's basic block as torchvision writes it: conv-BN-ReLU, conv-BN, ``out +=
    identity``, ReLU; the identity is ``x``, or a projection (``downsample``: a strided
    1x1 conv and BN) where the block changes the channels or strides."""

    def __init__(self, channels: int, out_channels: int | None = None, stride: int = 1
                 ) -> None:
        super().__init__()
        out = out_channels or channels
        self.conv1 = nn.Conv2d(channels, out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(out, out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out)
        self.downsample = None
        if stride != 1 or out != channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(channels, out, 1, stride=stride, bias=False), nn.BatchNorm2d(out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class ResNet8(ZooNet):
    """ResNet-8 for MNIST (1x28x28 -> 10), as torchvision's ResNets are built: a strided
    stem, three stages of one basic block, the second and third striding with a
    projection shortcut (``downsample``: a strided 1x1 conv and BN), a global average
    pool; 8 weight layers and 2 shortcuts."""

    def __init__(self, num_classes: int = 10) -> None:
        features = nn.Sequential(
            *_conv_bn_relu(1, 16, stride=2), BasicBlock(16),     # 16x14x14
            BasicBlock(16, 32, stride=2),                        # 32x7x7
            BasicBlock(32, 64, stride=2),                        # 64x4x4
            nn.AdaptiveAvgPool2d(1),                             # 64x1x1
        )
        classifier = nn.Sequential(nn.Flatten(), nn.Linear(64, num_classes))
        super().__init__(features, classifier)


class ResNet10(ZooNet):
    """A ResNet for MNIST (1x28x28 -> 10): a strided stem, three stages of one basic block
    with an identity shortcut, stride-2 convs between the stages (where ResNet has a
    projection shortcut), a global average pool; 10 weight layers."""

    def __init__(self, num_classes: int = 10) -> None:
        features = nn.Sequential(
            *_conv_bn_relu(1, 16, stride=2), BasicBlock(16),     # 16x14x14
            *_conv_bn_relu(16, 32, stride=2), BasicBlock(32),    # 32x7x7
            *_conv_bn_relu(32, 64, stride=2), BasicBlock(64),    # 64x4x4
            nn.AdaptiveAvgPool2d(1),                             # 64x1x1
        )
        classifier = nn.Sequential(nn.Flatten(), nn.Linear(64, num_classes))
        super().__init__(features, classifier)


def _conv_bn_relu(c_in: int, c_out: int, stride: int = 1) -> list[nn.Module]:
    return [
        nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1),
        nn.BatchNorm2d(c_out),
        nn.ReLU(),
    ]


def _big_classifier(n_in: int, num_classes: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(n_in, 4096), nn.ReLU(), nn.Dropout(),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(),
        nn.Linear(4096, num_classes),
    )


class AlexNet(ZooNet):
    """E3NE's CIFAR-10 AlexNet variant (3x32x32 -> 10), BN after every conv."""

    def __init__(self, num_classes: int = 10) -> None:
        features = nn.Sequential(
            *_conv_bn_relu(3, 64, stride=2), nn.MaxPool2d(2),   # 64x16x16 -> 64x8x8
            *_conv_bn_relu(64, 192), nn.MaxPool2d(2),           # 192x8x8 -> 192x4x4
            *_conv_bn_relu(192, 384),
            *_conv_bn_relu(384, 256),
            *_conv_bn_relu(256, 256), nn.MaxPool2d(2),          # 256x4x4 -> 256x2x2
        )
        super().__init__(features, _big_classifier(256 * 2 * 2, num_classes))


VGG11_CFG: tuple[int | str, ...] = (64, "M", 128, "M", 256, 256, "M", 512, 512, "M",
                                    512, 512, "M")


VGG16_CFG: tuple[int | str, ...] = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M",
                                    512, 512, 512, "M", 512, 512, 512, "M")


def _vgg_features(cfg: tuple[int | str, ...]) -> nn.Sequential:
    """3x3 conv + BN + ReLU per number (its output channels), a 2x2 max pool per "M"."""
    layers: list[nn.Module] = []
    c_in = 3
    for item in cfg:
        if item == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            layers += _conv_bn_relu(c_in, int(item))
            c_in = int(item)
    return nn.Sequential(*layers)


class VGG11(ZooNet):
    """VGG-11 with BN for CIFAR-100 (3x32x32 -> 100)."""

    def __init__(self, num_classes: int = 100) -> None:
        super().__init__(_vgg_features(VGG11_CFG), _big_classifier(512, num_classes))


class VGG16(ZooNet):
    """VGG-16 with BN for CIFAR-10 (3x32x32 -> 10), as in the radix-encoding paper E3NE
    builds on: 13 convolutions in five pooled stages, then the 4096-wide classifier."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__(_vgg_features(VGG16_CFG), _big_classifier(512, num_classes))


@dataclass(frozen=True)
class ZooEntry:
    """A zoo model and the defaults that go with it."""

    name: str  #: registry key
    builder: Callable[[], nn.Module]  #: returns a freshly initialised model
    input_shape: tuple[int, ...]  #: (C, H, W) the model takes; (C, L) for a 1-D model
    T: int  #: default time steps (activation bits)
    W: int  #: default weight bits
    dataset: str  #: name for e3ne.data.load_dataset
    pad_to: int | None  #: padding to pass to load_dataset (None = native size)
    num_classes: int  #: width of the output layer
    description: str  #: one line for listings


ZOO: dict[str, ZooEntry] = {
    e.name: e
    for e in (
        ZooEntry("lenet5", LeNet5, (1, 32, 32), T=4, W=3, dataset="mnist", pad_to=32,
                 num_classes=10, description="LeNet-5 on MNIST padded to 32x32"),
        ZooEntry("fang", Fang, (1, 28, 28), T=4, W=4, dataset="mnist", pad_to=None,
                 num_classes=10, description="MNIST CNN after Fang et al. (ICCAD 2020)"),
        # T=6: a ReLU6's fixed clip leaves T=4 too few levels below it (SNN 0.35 vs 0.91)
        ZooEntry("mobilenet_tiny", MobileNetTiny, (1, 28, 28), T=6, W=6, dataset="mnist",
                 pad_to=None, num_classes=10,
                 description="depthwise-separable MNIST CNN after MobileNet v1 (ReLU6)"),
        ZooEntry("resnet10", ResNet10, (1, 28, 28), T=4, W=4, dataset="mnist",
                 pad_to=None, num_classes=10,
                 description="ResNet for MNIST: three identity-shortcut basic blocks"),
        ZooEntry("resnet8", ResNet8, (1, 28, 28), T=4, W=4, dataset="mnist",
                 pad_to=None, num_classes=10,
                 description="ResNet-8 for MNIST: basic blocks with projection shortcuts"),
        ZooEntry("kws", Kws, (10, 49), T=4, W=4, dataset="random", pad_to=None,
                 num_classes=12, description="1-D keyword-spotting CNN, 10 MFCC x 49 "
                 "frames (random weights)"),
        ZooEntry("alexnet", AlexNet, (3, 32, 32), T=6, W=6, dataset="random", pad_to=None,
                 num_classes=10, description="AlexNet variant for CIFAR-10 (random weights)"),
        ZooEntry("vgg11", VGG11, (3, 32, 32), T=6, W=6, dataset="random", pad_to=None,
                 num_classes=100, description="VGG-11 with BN for CIFAR-100 (random weights)"),
        ZooEntry("vgg16", VGG16, (3, 32, 32), T=6, W=6, dataset="random", pad_to=None,
                 num_classes=10, description="VGG-16 with BN for CIFAR-10 (random weights)"),
    )
}


def get_entry(name: str) -> ZooEntry:
    """The registry entry for ``name``, or a ConfigError that lists the zoo."""
    try:
        return ZOO[name]
    except (KeyError, TypeError):
        raise ConfigError(
            f"model {name!r}: not in the zoo; expected one of {', '.join(ZOO)}"
        ) from None


def build_model(name: str, seed: int = 0) -> nn.Module:
    """A freshly initialised zoo model; the same ``seed`` always gives the same weights.

    The global torch RNG is seeded inside a fork, so building a model does not disturb the
    caller's random stream.
    """
    entry = get_entry(name)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return entry.builder()
