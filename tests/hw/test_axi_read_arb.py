"""axi_read_arb.sv: three axi_read_stream managers (one looping) share one AXI4 memory port;
every word each manager puts out is the memory word it read, under memory stalls and
back-pressure, with round robin and burst routing checked end to end; lint."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from e3ne.flow.hdlsim import RTL_DIR, lint, run_bench
from e3ne.hw import SIM_DIR

pytestmark = pytest.mark.rtl

SOURCES = [RTL_DIR / "stream_fifo.sv", RTL_DIR / "axi_read_stream.sv",
           RTL_DIR / "axi_read_arb.sv", SIM_DIR / "axi_read_mem.sv",
           SIM_DIR / "axi_read_arb_tb.sv"]

CASES = {
    "stalls": dict(DATA_W=64, BURST=8, LAT=12, OSTALL=30, STALLS=1, SEED=1),
    # bursts of one beat: every beat its own route entry
    "one_beat_bursts": dict(DATA_W=32, BURST=1, LAT=5, OSTALL=50, STALLS=1, SEED=2),
    "unstalled": dict(DATA_W=128, BURST=16, LAT=30, OSTALL=0, STALLS=0, SEED=3,
                      BASE0=0, BEATS0=200, BASE1=256, BEATS1=17, BASE2=300, BEATS2=64),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bench_verilator(tmp_path: Path, name: str) -> None:
    out = run_bench("axi_read_arb_tb", SOURCES, tmp_path, CASES[name])
    cyc = int(re.search(r"^ARB (\d+)$", out, re.M).group(1))
    if name == "unstalled":  # the port is shared, not slowed: about one word a cycle
        words = 200 + 17 + 3 * 64
        assert cyc <= words + 3 * 30 + 40, cyc


def test_a_misrouted_burst_is_caught(tmp_path: Path) -> None:
    """The check is real: route every burst's beats to the manager after its owner."""
    text = (RTL_DIR / "axi_read_arb.sv").read_text()
    bad = text.replace("if (head_vld)  s_rvalid[head] = m_axi_rvalid;",
                       "if (head_vld)  s_rvalid[(32'(head) + 1) % N] = m_axi_rvalid;")
    assert bad != text
    (tmp_path / "axi_read_arb.sv").write_text(bad)
    srcs = [tmp_path / "axi_read_arb.sv" if s.name == "axi_read_arb.sv" else s
            for s in SOURCES]
    with pytest.raises(Exception, match="FAIL"):
        run_bench("axi_read_arb_tb", srcs, tmp_path / "run", CASES["stalls"], timeout=120)


@pytest.mark.parametrize("params", [dict(N=1), dict(N=2, DATA_W=512, ADDR_W=40),
                                    dict(N=5, DEPTH=12)],
                         ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()))
def test_lint(params: dict) -> None:
    lint("axi_read_arb", [RTL_DIR / "stream_fifo.sv", RTL_DIR / "axi_read_arb.sv"], params)
