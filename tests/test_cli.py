"""The command line: convert/train on small models, and one-line errors (exit 2)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from e3ne.cli import main
from e3ne.ir import Network

TINY = textwrap.dedent("""
    import torch.nn as nn
    import torch.nn.functional as F

    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3, padding=1)
            self.bn = nn.BatchNorm2d(4)
            self.fc = nn.Linear(4 * 4 * 4, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)
            return self.fc(x.view(x.size(0), -1))
""")


@pytest.fixture
def tiny(tmp_path: Path) -> str:
    (tmp_path / "tiny.py").write_text(TINY)
    return f"{tmp_path / 'tiny.py'}:Tiny"


def test_train_then_convert_on_digits(tiny: str, tmp_path: Path, capsys) -> None:
    ckpt = tmp_path / "tiny.pt"
    assert main(["train", tiny, "--dataset", "digits", "--epochs", "8", "--lr", "5e-3",
                 "--out", str(ckpt)]) == 0
    out = tmp_path / "net"
    rc = main(["convert", tiny, "--weights", str(ckpt), "--dataset", "digits", "-T", "4",
               "-W", "4", "--out", str(out)])
    assert rc == 0
    report = json.loads((out / "convert.json").read_text())
    assert report["T"] == 4 and report["W"] == 4
    assert 0.5 < report["float_accuracy"] <= 1.0
    assert abs(report["snn_accuracy"] - report["float_accuracy"]) < 0.1
    net = Network.load(out)
    assert net.input_shape == (1, 8, 8) and net.num_classes == 10
    assert "accuracy: float" in capsys.readouterr().out


def test_convert_random_data_has_no_accuracy(tiny: str, tmp_path: Path) -> None:
    out = tmp_path / "r"
    assert main(["convert", tiny, "--dataset", "random", "--input-shape", "1,8,8",
                 "--out", str(out)]) == 0
    report = json.loads((out / "convert.json").read_text())
    assert report["float_accuracy"] is None and report["snn_accuracy"] is None


MLP = textwrap.dedent("""
    import torch.nn as nn
    import torch.nn.functional as F

    class Mlp(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(64, 32)
            self.fc2 = nn.Linear(32, 10)

        def forward(self, x):  # takes [N, 64] vectors
            return self.fc2(F.relu6(self.fc1(x)))
""")


def test_a_model_taking_vectors_gets_the_images_flattened(tmp_path: Path) -> None:
    (tmp_path / "mlp.py").write_text(MLP)
    mlp = f"{tmp_path / 'mlp.py'}:Mlp"
    ckpt = tmp_path / "mlp.pt"
    assert main(["train", mlp, "--dataset", "digits", "--input-shape", "64", "--epochs", "8",
                 "--lr", "5e-3", "--out", str(ckpt)]) == 0
    out = tmp_path / "net"
    assert main(["convert", mlp, "--weights", str(ckpt), "--dataset", "digits",
                 "--input-shape", "64", "--out", str(out)]) == 0
    report = json.loads((out / "convert.json").read_text())
    assert 0.5 < report["float_accuracy"] <= 1.0
    assert abs(report["snn_accuracy"] - report["float_accuracy"]) < 0.1
    net = Network.load(out)
    assert net.input_shape == (1, 8, 8) and net.layers[0].kind == "flatten"
    assert net.layers[1].act_scale == 6 / 15  # ReLU6: the clip is the top code


@pytest.mark.parametrize("argv,message", [
    (["convert", "resnet50", "--out", "x"],
     "model 'resnet50': not in the zoo (lenet5, fang, mobilenet_tiny, resnet10, resnet8, "
     "kws, alexnet, vgg11, vgg16) and not of the form path/to/file.py:ClassName "
     "or model.onnx"),
    (["convert", "nowhere.py:Net", "--out", "x"],
     "model 'nowhere.py:Net': file nowhere.py not found"),
    (["convert", "TINY:Nope", "--dataset", "digits", "--out", "x"],
     "model 'TINY:Nope': TINY has no nn.Module subclass named 'Nope'"),
    (["convert", "TINY:Tiny", "--dataset", "random", "--out", "x"],
     "--dataset random: give --input-shape C,H,W"),
    (["convert", "TINY:Tiny", "--dataset", "digits", "--input-shape", "1,8,2,2", "--out",
      "x"],
     "--input-shape '1,8,2,2': expected C,H,W (e.g. 1,28,28), C,L for 1-D layers (e.g. "
     "1,128) or F for a model that takes vectors (e.g. 16)"),
    (["convert", "TINY:Tiny", "--dataset", "digits", "--input-shape", "1,64", "--out", "x"],
     "--input-shape 1,64: a 1-D input (C,L) needs --dataset random; 'digits' has images"),
    (["convert", "TINY:Tiny", "--dataset", "digits", "--input-shape", "60", "--out", "x"],
     "--input-shape 60: dataset 'digits' has images of 1,8,8 = 64 values"),
    (["convert", "TINY:Tiny", "--dataset", "digits", "-T", "0", "--out", "x"],
     "-T 0: time steps must be an integer from 1 to 16"),
    (["convert", "TINY:Tiny", "--dataset", "digits", "--weights", "BAD", "--out", "x"],
     "BAD: not a readable PyTorch weights file"),
])
def test_errors_are_one_line_and_exit_2(argv, message, tiny: str, tmp_path: Path,
                                        capsys) -> None:
    path = tiny.split(":")[0]
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"\x00garbage")
    argv = [a.replace("TINY", path).replace("BAD", str(bad)) for a in argv]
    argv = [a if a != "x" else str(tmp_path / "x") for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("e3ne: error: " + message.replace("TINY", path).replace(
        "BAD", str(bad))), err


def test_an_image_model_given_vectors_fails_in_one_line(tiny: str, tmp_path: Path,
                                                        capsys) -> None:
    argv = ["convert", tiny, "--dataset", "digits", "--input-shape", "64",
            "--out", str(tmp_path / "x")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("e3ne: error: model (Tiny): running it on an input of shape "
                              "(64,) failed ("), err
    assert not any("Traceback" in line for line in err)
