"""Place and route with nextpnr-ecp5: a small generated design, measured end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from netgen import random_network

from e3ne.artifacts import PnrDoc
from e3ne.design.folding import Fold
from e3ne.design.generate import generate
from e3ne.errors import ConfigError
from e3ne.flow.pnr import critical_path, place_and_route, summary_line


def test_bad_device_and_speed_are_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^--device 'xc7z020': not a place-and-route "
                                          r"target; expected one of lfe5u-25f, lfe5u-45f, "
                                          r"lfe5u-85f$"):
        place_and_route(tmp_path, device="xc7z020")
    with pytest.raises(ConfigError, match=r"^--speed 5: expected one of 6, 7, 8$"):
        place_and_route(tmp_path, speed=5)
    with pytest.raises(ConfigError, match="no such directory"):
        place_and_route(tmp_path / "missing")


def test_critical_path_is_the_slowest_clocked_path_of_the_report() -> None:
    def seg(kind: str, delay: float, cell: str) -> dict:
        end = {"cell": cell, "port": "Q" if kind == "clk-to-q" else "A"}
        return {"type": kind, "delay": delay, "from": end, "to": end}

    fast = [seg("clk-to-q", 0.4, "a"), seg("logic", 0.2, "b"), seg("setup", 0.1, "c")]
    slow = [seg("clk-to-q", 0.4, "x"), seg("routing", 1.0, "y"), seg("logic", 0.5, "y"),
            seg("routing", 0.7, "z"), seg("logic", 0.3, "z"), seg("setup", 0.1, "w")]
    cp = critical_path({"critical_paths": [{"path": fast}, {"path": slow}]})
    assert (cp.start, cp.end, cp.logic_cells) == ("x.Q", "w.A", 2)
    assert (cp.ns, cp.logic_ns, cp.routing_ns) == (3.0, 0.8, 1.7)
    # a longer path from an input pin does not set Fmax: the clock's own path is reported
    clk = "posedge $glbnet$ap_clk"
    pin = [seg("routing", 5.0, "i"), seg("logic", 0.2, "j"), seg("setup", 0.1, "k")]
    cp = critical_path({"critical_paths": [{"from": clk, "to": clk, "path": slow},
                                           {"from": "<async>", "to": clk, "path": pin}]})
    assert (cp.start, cp.ns) == ("x.Q", 3.0)


@pytest.mark.synth
def test_a_small_design_places_routes_and_packs(tmp_path: Path) -> None:
    """One conv, a pool, one linear layer at the smallest folds (about 3k LUT4): well
    under two minutes on this machine."""
    net = random_network(14, max_convs=1, max_linears=2)
    generate(net, {layer.name: Fold(1, 1, 1) for layer in net.synaptic_layers}, tmp_path)
    doc = place_and_route(tmp_path, device="lfe5u-25f", clock_mhz=100.0, progress=False)
    assert PnrDoc.load(tmp_path) == doc
    assert list(doc.fmax_mhz) == ["ap_clk"] and doc.fmax_mhz["ap_clk"] > 10
    assert doc.meets_constraint == (doc.fmax_mhz["ap_clk"] >= 100.0)
    assert doc.LUT4 > 500 and doc.FF > 100 and doc.EBR == 0
    assert doc.critical_path.logic_cells >= 1 and doc.critical_path.start
    bit = tmp_path / doc.bitstream
    assert bit.is_file() and bit.stat().st_size == doc.bitstream_bytes > 100_000
    assert "Fmax" in summary_line(doc)
