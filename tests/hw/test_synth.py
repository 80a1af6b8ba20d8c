"""Yosys synthesis of a generated design: resource counts equal Yosys's own JSON stats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from netgen import random_folds, random_network

from e3ne.cli import main
from e3ne.design.generate import generate
from e3ne.errors import ConfigError, E3neError, ToolNotFound
from e3ne.flow.yosys import classify, synthesize

pytestmark = pytest.mark.synth

SEED = 34  # one small linear layer: ~130 LUTs, ~10 s per synthesis


@pytest.fixture(scope="module")
def design(tmp_path_factory: pytest.TempPathFactory) -> Path:
    net = random_network(SEED, max_convs=1, max_linears=1)
    d = tmp_path_factory.mktemp("synth")
    generate(net, random_folds(net, SEED), d)
    return d


def _yosys_cells(d: Path) -> dict[str, int]:
    """Parse Yosys's own ``stat -json`` output without going through e3ne.flow.yosys."""
    stat = json.loads((d / "yosys_stat.json").read_text())
    return stat["design"]["num_cells_by_type"]


def _count(cells: dict[str, int], names: list[str]) -> int:
    return sum(cells.get(n, 0) for n in names)


def test_xcup_counts_match_yosys_stats(design: Path) -> None:
    doc = synthesize(design, family="xcup", progress=False)
    assert json.loads((design / "synth.json").read_text()) == doc
    for key in ("LUT", "FF", "CARRY", "BRAM36", "BRAM18", "URAM", "DSP", "LUTRAM"):
        assert isinstance(doc[key], int) and doc[key] >= 0, key
    assert doc["LUT"] > 0 and doc["FF"] > 0
    assert doc["DSP"] == 0  # the cores never multiply
    assert doc["family"] == "xcup" and doc["seconds"] > 0 and doc["cpu_seconds"] > 0
    cells = _yosys_cells(design)
    assert doc["cells"] == cells
    assert doc["LUT"] == _count(cells, [f"LUT{i}" for i in range(1, 7)])
    assert doc["FF"] == _count(cells, ["FDRE", "FDSE", "FDCE", "FDPE"])
    assert doc["CARRY"] == _count(cells, ["CARRY4", "CARRY8"])
    assert doc["BRAM36"] == _count(cells, ["RAMB36E2"])
    assert doc["BRAM18"] == _count(cells, ["RAMB18E2"])
    assert doc["URAM"] == _count(cells, ["URAM288"])
    assert doc["LUTRAM"] == (8 * _count(cells, ["RAM32M16", "RAM64M8"])
                             + _count(cells, ["SRL16E", "SRLC32E"]))
    assert doc["unclassified"] == {}
    # the deepest register-to-register path: at least one LUT, at most every LUT and carry
    assert 1 <= doc["logic_depth"] <= doc["LUT"] + doc["CARRY"]
    assert doc["logic_depth_from"] and doc["logic_depth_to"]


def test_cli_synth_xc7_writes_synth_json(design: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["synth", str(design), "--family", "xc7"]) == 0
    summary, report = capsys.readouterr().out.strip().splitlines()
    assert "LUT" in summary and "synth.json" in summary
    assert report == f"report: {design / 'report.html'}"
    doc = json.loads((design / "synth.json").read_text())
    assert doc["family"] == "xc7" and doc["LUT"] > 0 and doc["DSP"] == 0
    cells = _yosys_cells(design)
    assert doc["LUTRAM"] == (4 * _count(cells, ["RAM32M", "RAM64M"])
                             + _count(cells, ["SRL16E", "SRLC32E"]))
    assert not any(c.endswith("E2") or c in ("RAM32M16", "RAM64M8") for c in cells)


def test_bad_family_is_a_one_line_config_error(design: Path,
                                               capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(ConfigError) as e:
        synthesize(design, family="virtex2000")
    msg = str(e.value)
    assert "--family" in msg and "virtex2000" in msg and "xc7" in msg and "xcup" in msg
    assert "\n" not in msg
    assert main(["synth", str(design), "--family", "stratix"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("e3ne: error: --family 'stratix'") and "\n" not in err


def test_not_a_design_dir(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="e3ne compile"):
        synthesize(tmp_path)


def test_yosys_failure_names_the_dir_and_the_error(tmp_path: Path) -> None:
    rtl = tmp_path / "rtl"
    rtl.mkdir()
    (rtl / "broken.sv").write_text("module e3ne_top(input a); assign = ; endmodule\n")
    (rtl / "filelist.f").write_text("broken.sv\n")
    with pytest.raises(E3neError) as e:
        synthesize(tmp_path, progress=False)
    msg = str(e.value)
    assert str(tmp_path) in msg and "ERROR:" in msg and "\n" not in msg
    assert not (tmp_path / "synth.json").exists()


def test_missing_yosys_is_tool_not_found(design: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolNotFound, match="yosys"):
        synthesize(design)


def test_unknown_cells_are_kept_apart_not_dropped() -> None:
    res, unknown = classify({"LUT6": 2, "INV": 5, "RAM32M16": 1, "SRLC32E": 1, "FDCE": 3,
                             "RAMB36E1": 1, "DSP48E2": 4, "XORCY": 7})
    assert (res["LUT"], res["LUTRAM"], res["FF"], res["BRAM36"], res["DSP"]) == (2, 9, 3, 1, 4)
    assert unknown == {"XORCY": 7}


def test_logic_depth_is_read_from_ltp() -> None:
    from e3ne.flow.yosys import logic_depth

    text = ("9. Executing LTP pass (find longest path).\n\n"
            "Longest topological path in e3ne_top (length=3):\n"
            "    0: \\u_a.q [2]\n    1: $n1 (via $lut1)\n    2: $n2 (via $carry)\n"
            "    3: \\u_b.d (via $lut2)\n")
    assert logic_depth(text) == (3, "\\u_a.q", "\\u_b.d")
    assert logic_depth("no path here") == (None, None, None)


def test_uram_design_synthesizes_to_the_modelled_urams(tmp_path: Path) -> None:
    """A generated design with weights in UltraRAM: Yosys maps them to exactly the URAM288
    cells the resource model counts (and no block RAM), the loader kept (its write port
    drives the UltraRAM)."""
    from dataclasses import replace

    from e3ne.dse.resources import estimate

    net = random_network(SEED, max_convs=1, max_linears=1)
    folds = {k: replace(f, weights="uram") for k, f in random_folds(net, SEED).items()}
    generate(net, folds, tmp_path)
    doc = synthesize(tmp_path, family="xcup", progress=False)
    est = estimate(net, folds)
    assert est.URAM >= 1 and doc["URAM"] == est.URAM
    assert doc["BRAM36"] == est.BRAM36 == 0 and doc["BRAM18"] == est.BRAM18 == 0
    assert [c.module for c in est.cores].count("weight_load") == len(folds)
