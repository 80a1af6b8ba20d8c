"""Residual blocks written the ways users write them (for the front-end and co-simulation
tests): torchvision's BasicBlock with ``out += x``, ``x + self.body(x)`` around a
Sequential, ``torch.add`` with a ReLU6, a 1-D block, a block nested in another's body,
projection shortcuts (torchvision's downsample; a 1-D shortcut computed first); and
DenseNet-style concatenations ``torch.cat([x, body(x)], 1)`` in either order."""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from e3ne.models.zoo import BasicBlock


class TwoBlocks(nn.Module):
    """A stem, two torchvision-style basic blocks in a nested Sequential, a strided conv."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4),
                                  nn.ReLU(inplace=True))
        self.layer1 = nn.Sequential(BasicBlock(4), BasicBlock(4))
        self.down = nn.Conv2d(4, 6, 3, stride=2)
        self.fc = nn.Linear(6 * 3 * 3, 3)

    def forward(self, x):
        x = self.layer1(self.stem(x))
        return self.fc(torch.flatten(F.relu(self.down(x)), 1))


class BodyPlusInput(nn.Module):
    """``x = F.relu(x + self.body(x))``, the block at the model's input, a (1, 3) kernel."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(2, 5, (1, 3), padding=(0, 1)), nn.ReLU(),
                                  nn.Conv2d(5, 2, 3, padding=1), nn.BatchNorm2d(2))
        self.fc = nn.Linear(2 * 7 * 7, 4)

    def forward(self, x):
        x = F.relu(x + self.body(x))
        return self.fc(x.flatten(1))


class TorchAddRelu6(nn.Module):
    """``torch.add(y, x)`` then ReLU6, a max pool before the block, a global mean after."""

    def __init__(self) -> None:
        super().__init__()
        self.c0 = nn.Conv2d(2, 6, 3)
        self.c1 = nn.Conv2d(6, 6, 1)
        self.act = nn.ReLU6()
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        x = F.max_pool2d(F.relu6(self.c0(x)), 2)
        x = self.act(torch.add(self.c1(x), x))
        return self.fc(x.mean((2, 3)))


class Block1d(nn.Module):
    """A 1-D residual block on [N, 3, 20]."""

    def __init__(self) -> None:
        super().__init__()
        self.c0 = nn.Conv1d(3, 4, 3, padding=1)
        self.c1 = nn.Conv1d(4, 4, 5, padding=2)
        self.fc = nn.Linear(4 * 10, 3)

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.c0(x)), 2)
        x = F.relu(self.c1(x) + x)
        return self.fc(x.flatten(1))


class Nested(nn.Module):
    """An outer block whose body holds an inner block and then a conv."""

    def __init__(self) -> None:
        super().__init__()
        self.c0 = nn.Conv2d(1, 3, 3, padding=1)
        self.inner = BasicBlock(3)
        self.c1 = nn.Conv2d(3, 3, 3, padding=1)
        self.fc = nn.Linear(3 * 6 * 6, 2)

    def forward(self, x):
        x = F.relu(self.c0(x))
        x = F.relu(self.c1(self.inner(x)) + x)
        return self.fc(x.flatten(1))


class DenseLayers(nn.Module):
    """Two DenseNet layers: ``torch.cat([x, relu(bn(conv(x)))], 1)``, then the body first
    (``torch.cat((y, x), dim=1)``), a transition conv and pool."""

    def __init__(self) -> None:
        super().__init__()
        self.c0 = nn.Conv2d(2, 4, 3, padding=1)
        self.d1 = nn.Sequential(nn.Conv2d(4, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU())
        self.d2 = nn.Conv2d(7, 2, 1)
        self.t = nn.Conv2d(9, 4, 1)
        self.fc = nn.Linear(4 * 4 * 4, 3)

    def forward(self, x):
        x = F.relu(self.c0(x))
        x = torch.cat([x, self.d1(x)], 1)
        x = torch.cat((F.relu(self.d2(x)), x), dim=1)
        return self.fc(F.avg_pool2d(F.relu(self.t(x)), 2).flatten(1))


class Concat1d(nn.Module):
    """A 1-D concatenation on [N, 2, 16], along dim=-2 (the channels of [N, C, L])."""

    def __init__(self) -> None:
        super().__init__()
        self.c0 = nn.Conv1d(2, 3, 3, padding=1)
        self.fc = nn.Linear(5 * 16, 2)

    def forward(self, x):
        return self.fc(torch.cat([x, F.relu(self.c0(x))], dim=-2).flatten(1))


class Downsample(nn.Module):
    """torchvision's BasicBlock with a projection (``downsample``: a strided 1x1 conv and
    BN) between stages, then an identity block."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU())
        self.layer2 = nn.Sequential(BasicBlock(4, 6, stride=2), BasicBlock(6))
        self.fc = nn.Linear(6 * 4 * 4, 3)

    def forward(self, x):
        return self.fc(torch.flatten(self.layer2(self.stem(x)), 1))


class ShortcutFirst1d(nn.Module):
    """A 1-D block whose shortcut (a strided Conv1d with a bias, no BN) is computed
    before its body: ``s = self.proj(x)`` ... ``F.relu(y + s)``."""

    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Conv1d(3, 5, 1, stride=2)
        self.c1 = nn.Conv1d(3, 5, 3, stride=2, padding=1)
        self.c2 = nn.Conv1d(5, 5, 3, padding=1)
        self.fc = nn.Linear(5 * 8, 2)

    def forward(self, x):
        s = self.proj(x)
        y = self.c2(F.relu(self.c1(x)))
        return self.fc(F.relu(y + s).flatten(1))


# (model, the input shape its forward() takes, the input kind for the front end)
FORMS = [
    (TwoBlocks, (2, 8, 8), "image"),
    (BodyPlusInput, (2, 7, 7), "image"),
    (TorchAddRelu6, (2, 10, 10), "image"),
    (Block1d, (3, 20), "sequence"),
    (Nested, (1, 6, 6), "image"),
    (DenseLayers, (2, 8, 8), "image"),
    (Concat1d, (2, 16), "sequence"),
    (Downsample, (2, 8, 8), "image"),
    (ShortcutFirst1d, (3, 16), "sequence"),
]
