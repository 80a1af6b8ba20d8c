"""e3ne verify --activity: the switching activity of a generated design as SAIF, its
toggle counts checked against counts known by construction, and the VCD reader on a
hand-written dump."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from netgen import random_folds, random_levels, random_network

from e3ne.design.generate import generate
from e3ne.errors import ConfigError
from e3ne.flow import verify
from e3ne.flow.saif import read_vcd, saif_text

pytestmark = pytest.mark.rtl


def _nets(saif: str, scope_line: str) -> dict[str, tuple[int, int, int, int]]:
    """(T0, T1, TX, TC) of the nets listed right after ``scope_line``."""
    body = saif.split(scope_line, 1)[1].split("(NET", 1)[1].split("\n  )", 1)[0]
    return {m[1]: (int(m[2]), int(m[3]), int(m[4]), int(m[5])) for m in re.finditer(
        r"\((\S+) \(T0 (\d+)\) \(T1 (\d+)\) \(TX (\d+)\) \(TC (\d+)\) \(IG 0\)\)", body)}


def test_saif_of_a_generated_design(tmp_path: Path) -> None:
    """The top level's cycle counter ``Count`` counts up by one a cycle from 0 to its last
    value N, so bit k changes exactly N >> k times: the SAIF must say so for every bit; each
    bit's T0 + T1 + TX is the duration, in ps at the design's clock (200 MHz: 5,000 ps a
    cycle); the engine's nets are there too, and the run is still compared bit for bit."""
    net = random_network(34, max_convs=1, max_linears=1)
    d = tmp_path / "d"
    net.save(d)
    generate(net, random_folds(net, 34), d)
    r = verify.run(d, random_levels(net, 3, 34), activity=True, progress=False)
    assert r.mismatches == 0
    saif = (d / "activity.saif").read_text()
    assert not list((d / "sim").rglob("*.vcd"))  # the dump is removed once read
    duration = int(re.search(r"\(DURATION (\d+)\)", saif)[1])
    assert "(TIMESCALE 1 ps)" in saif and duration % 2500 == 0  # half cycles of 5 ns
    top = _nets(saif, "(INSTANCE e3ne_top")
    count = [top[f"Count\\[{k}\\]"] for k in range(32)]
    n = count[0][3]  # bit 0 flips on every increment: N
    assert n >= r.latency_cycles
    for k, (t0, t1, tx, tc) in enumerate(count):
        assert tc == n >> k, (k, tc, n)
        assert t0 + t1 + tx == duration
    assert "(INSTANCE u_syn_l1" in saif
    assert verify.run(d, random_levels(net, 3, 34), activity=True,
                      progress=False).mismatches == 0
    assert (d / "activity.saif").read_text() == saif  # deterministic


def test_activity_runs_in_one_process(tmp_path: Path) -> None:
    net = random_network(34, max_convs=1, max_linears=1)
    d = tmp_path / "d"
    net.save(d)
    generate(net, random_folds(net, 34), d)
    with pytest.raises(ConfigError, match="--activity runs in one process"):
        verify.run(d, random_levels(net, 80, 34), activity=True, workers=2, progress=False)


def test_vcd_reader_counts_a_hand_written_dump(tmp_path: Path) -> None:
    vcd = tmp_path / "h.vcd"
    vcd.write_text("$timescale 1ps $end\n$scope module TOP $end\n$scope module dut $end\n"
                   "$var wire 1 ! a $end\n$var wire 3 \" v [2:0] $end\n$upscope $end\n"
                   "$upscope $end\n$enddefinitions $end\n#0\n$dumpvars\n0!\nbx \"\n$end\n"
                   "#10\n1!\nb101 \"\n#20\n0!\nb100 \"\n#25\n1!\n#40\nb11 \"\n#50\n")
    act = read_vcd(vcd)
    assert act.duration == 50
    a, = act.scopes[("TOP", "dut")]["a"]
    assert a == (10 + 5, 10 + 25, 0, 3)  # 0 0-10, 1 10-20, 0 20-25, 1 25-50
    v = act.scopes[("TOP", "dut")]["v"]  # bit 0: x,1,0,1; bit 1: x,0,0,1; bit 2: x,1,1,0
    assert v == [(20, 20, 10, 2), (30, 10, 10, 1), (10, 30, 10, 1)]
    text = saif_text(act, "top", ("TOP", "dut"), 2, "1 ps")
    assert "(DURATION 100)" in text and "(v\\[0\\] (T0 40) (T1 40) (TX 20) (TC 2) (IG 0))" in text
