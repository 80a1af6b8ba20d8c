"""The compile recipe's options round-trip through JSON, and its steps run in order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from e3ne.errors import FormatError
from e3ne.jobs import COMPILE_STEPS, CompileOptions, ConvertOptions, compile_design


def test_options_round_trip_through_the_design_directory(tmp_path: Path) -> None:
    opts = CompileOptions(ConvertOptions(model="lenet5", dataset="random",
                                         input_shape=(1, 32, 32), T=3, W=3),
                          device="xcvu13p", budget="lut=18335,bram=40", clock_mhz=150.0)
    opts.save(tmp_path)
    assert CompileOptions.load(tmp_path) == opts
    assert json.loads((tmp_path / "options.json").read_text())["format_version"] == 1


def test_a_foreign_options_file_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "options.json").write_text(json.dumps({"format": "e3ne-options",
                                                       "convert": {"nope": 1}}))
    with pytest.raises(FormatError, match=r"options\.json: 'convert' must hold"):
        CompileOptions.load(tmp_path)
    with pytest.raises(FormatError, match="not found"):
        CompileOptions.load(tmp_path / "missing")


def test_a_step_can_be_swapped_by_name(tmp_path: Path) -> None:
    """The recipe is a plain list: drop the hand-off step, add one of our own."""
    seen = []
    steps = [s for s in COMPILE_STEPS if s.__name__ != "step_handoff"]
    steps.append(lambda ctx: seen.append(sorted(p.name for p in ctx.out_dir.iterdir())))
    opts = CompileOptions(ConvertOptions(model="lenet5", dataset="random",
                                         input_shape=(1, 32, 32), T=2, W=3))
    res = compile_design(opts, tmp_path, steps=steps)
    assert res.chosen_by == "explore" and res.estimate["cycles"]["latency"] > 0
    assert "vivado" not in seen[0] and {"rtl", "options.json", "estimate.json"} <= set(seen[0])
    assert CompileOptions.load(tmp_path).convert.model == "lenet5"
