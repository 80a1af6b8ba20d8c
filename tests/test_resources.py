"""Resource model: fitted to Yosys-measured cores; BRAM counted exactly; errors bounded."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

import pytest
from netgen import random_folds, random_network

from e3ne.design.generate import core_instances, generate
from e3ne.dse import resources
from e3ne.dse.calibrate import CALIBRATION_FILE
from e3ne.flow.yosys import synthesize


def _samples() -> list[dict]:
    return json.loads(CALIBRATION_FILE.read_text())["samples"]


def test_bram_is_exact_on_every_calibration_core() -> None:
    for s in _samples():
        e = resources.core_estimate(s["module"], s["params"])
        assert (e.BRAM36, e.BRAM18) == (s["yosys"]["BRAM36"], s["yosys"]["BRAM18"]), s


def test_leave_one_out_errors_are_bounded() -> None:
    """Fit without each core, predict it: the honest error of the LUT/FF model. Engines
    and sliding-window units hold nearly all of a design's logic; the small cores (pool,
    width converter, argmax: tens of LUTs) count through the size-weighted error."""
    samples = _samples()
    errs: dict[str, list[float]] = {"LUT": [], "FF": []}
    abs_err = dict.fromkeys(errs, 0.0)
    total = dict.fromkeys(errs, 0.0)
    for i, s in enumerate(samples):
        coef = resources.fit(samples[:i] + samples[i + 1:])
        e = resources.core_estimate(s["module"], s["params"], coef=coef)
        for k in errs:
            y = s["yosys"][k] + (s["yosys"]["LUTRAM"] if k == "LUT" else 0)
            got = e.LUT + e.LUTRAM if k == "LUT" else e.FF
            abs_err[k] += abs(got - y)
            total[k] += y
            if s["module"] in ("synaptic_engine", "swu"):
                errs[k].append(abs(got - y) / y)
    assert statistics.median(errs["LUT"]) < 0.15, errs["LUT"]
    assert abs_err["LUT"] / total["LUT"] < 0.15
    assert statistics.median(errs["FF"]) < 0.25, errs["FF"]  # the FF model is the weaker


def test_core_instances_are_the_generated_ones(tmp_path: Path) -> None:
    net = random_network(12)
    folds = random_folds(net, 12)
    generate(net, folds, tmp_path)
    top = (tmp_path / "rtl" / "e3ne_top.sv").read_text()
    names = re.findall(r"^\t\w+ #\(\n(?:.*\n)*?\t\) (\w+) \(", top, flags=re.M)
    assert [c.name for c in core_instances(net, folds)] == names


@pytest.mark.synth
def test_estimate_against_yosys_on_a_generated_design(tmp_path: Path) -> None:
    """One mid-size design (~1.4k LUT, ~30 s of Yosys); bench/bench_resource_model.py and
    BENCHMARKS.md hold the error over many designs and on LeNet-5 and Fang."""
    net = random_network(202, max_convs=2, max_linears=2)
    folds = random_folds(net, 202)
    generate(net, folds, tmp_path)
    est = resources.estimate(net, folds)
    doc = synthesize(tmp_path, progress=False)
    assert (est.BRAM36, est.BRAM18) == (doc["BRAM36"], doc["BRAM18"])
    lut = doc["LUT"] + doc["LUTRAM"]
    assert abs(est.lut_total - lut) / lut < 0.3, (est.lut_total, lut)
    assert abs(est.FF - doc["FF"]) / doc["FF"] < 0.3, (est.FF, doc["FF"])
