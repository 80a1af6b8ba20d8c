"""e3ne explore and e3ne compile with the design-space search, end to end on a small model."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from e3ne.cli import main
from e3ne.flow import verify
from e3ne.ir import Network
from e3ne.jobs import verify_images

SMALL = textwrap.dedent("""
    import torch.nn as nn

    class Small(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2),
                                          nn.Conv2d(4, 8, 3), nn.ReLU())
            self.fc = nn.Linear(8, 10)

        def forward(self, x):
            return self.fc(self.features(x).flatten(1))
""")


@pytest.fixture
def small(tmp_path: Path) -> list[str]:
    (tmp_path / "small.py").write_text(SMALL)
    return [f"{tmp_path / 'small.py'}:Small", "--dataset", "digits", "--calib-images", "64"]


def test_explore_writes_front_json_and_plots(small: list[str], tmp_path: Path,
                                             capsys) -> None:
    out = tmp_path / "ex"
    assert main(["explore", *small, "--budget", "lut=0.2", "--sweep", "T=2,4", "W=3",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Pareto front" in text and "<- chosen" in text
    doc = json.loads((out / "explore.json").read_text())
    assert doc["device"] == "xc7z020" and doc["budget"]["lut"] == int(0.2 * 53_200)
    assert {(p["T"], p["W"]) for p in doc["points"]} == {(2, 3), (4, 3)}
    assert sum(p["chosen"] for p in doc["points"]) == 1
    assert sum(p["best_for_TW"] for p in doc["points"]) == 2
    assert all(p["LUT"] <= doc["budget"]["lut"] for p in doc["points"])
    assert all(p["snn_accuracy"] is not None for p in doc["points"])
    for png in ("explore_latency_lut.png", "explore_accuracy_latency.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.rtl
def test_compile_with_budget_is_bit_exact_at_the_modelled_latency(small: list[str],
                                                                  tmp_path: Path,
                                                                  capsys) -> None:
    out = tmp_path / "c"
    assert main(["compile", *small, "-T", "3", "-W", "4", "--device", "xczu3eg",
                 "--budget", "lut=3000", "--out", str(out)]) == 0
    assert "folds from explore" in capsys.readouterr().out
    est = json.loads((out / "estimate.json").read_text())
    assert est["device"] == "xczu3eg" and est["resources"]["total"]["LUT_total"] <= 3000
    assert (out / "vivado" / "build.tcl").is_file() and (out / "host" / "e3ne_driver.py").is_file()
    plan = json.loads((out / "rtl" / "plan.json").read_text())
    assert set(plan["folds"]) == {"features.0", "features.3", "fc"}
    net = Network.load(out)
    r = verify.run(out, verify_images(net, 4, None), progress=False)
    assert r.mismatches == 0, r.first_mismatch
    assert r.latency_cycles == est["cycles"]["latency"]


@pytest.mark.parametrize("argv,message", [
    (["--sweep", "T=2,x"], "--sweep 'T=2,x': expected T=2,3,4 and/or W=3,4"),
    (["--sweep", "Q=2"], "--sweep 'Q=2': expected T=2,3,4 and/or W=3,4"),
    (["--device", "xc9999"], "device 'xc9999': unknown; expected one of xc7a35t, xc7z020"),
    (["--objective", "throughput"], "--objective throughput: give --interval N"),
    (["--budget", "lut=lots"], "budget 'lut=lots': lut needs a non-negative count"),
])
def test_explore_errors_are_one_line(argv: list[str], message: str, small: list[str],
                                     tmp_path: Path, capsys) -> None:
    assert main(["explore", *small, *argv, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("e3ne: error: " + message), err


def test_compile_refuses_fold_with_budget(small: list[str], tmp_path: Path, capsys) -> None:
    fold = tmp_path / "f.json"
    fold.write_text("{}")
    assert main(["compile", *small, "--fold", str(fold), "--budget", "lut=100",
                 "--out", str(tmp_path / "x")]) == 2
    assert "a fold file fixes the design" in capsys.readouterr().err


def test_compile_refuses_uram_weights_on_a_device_without_uram(small: list[str],
                                                               tmp_path: Path, capsys) -> None:
    fold = tmp_path / "f.json"
    fold.write_text(json.dumps({"fc": {"PE": 2, "SIMD": 8, "TP": 1, "weights": "uram"}}))
    assert main(["compile", *small, "--fold", str(fold), "--device", "xc7z020",
                 "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "layer 'fc': weights 'uram' need UltraRAM and xc7z020 has " \
        "none" in err[0], err


def test_compile_with_uram_weights_verifies(small: list[str], tmp_path: Path) -> None:
    """A fold file placing a layer's weights in UltraRAM on an UltraScale+ part: the
    design takes them through s_axis_weights and verifies bit-exact."""
    fold = tmp_path / "f.json"
    fold.write_text(json.dumps({"features.3": {"PE": 2, "SIMD": 4, "TP": 2,
                                               "weights": "uram"}}))
    out = tmp_path / "u"
    assert main(["compile", *small, "--fold", str(fold), "--device", "xczu7ev",
                 "--out", str(out)]) == 0
    plan = verify.load_plan(out)
    assert plan.weight_port and [ld["layer"] for ld in plan.weight_port["loads"]] == \
        ["features.3"]
    assert json.loads((out / "estimate.json").read_text())["resources"]["total"]["URAM"] == 1
    assert main(["verify", str(out), "--images", "8", "--stalls"]) == 0
    assert json.loads((out / "verify.json").read_text())["mismatches"] == 0
