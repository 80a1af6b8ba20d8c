"""The device table and resource budgets the DSE sizes designs against."""

from __future__ import annotations

import pytest

from e3ne.devices import DEVICES, get_device, parse_budget
from e3ne.errors import ConfigError


def test_table_holds_the_product_table_figures() -> None:
    z = get_device("xc7z020")
    assert (z.LUT, z.FF, z.BRAM36, z.URAM, z.DSP, z.family) == (53_200, 106_400, 140, 0, 220,
                                                                 "xc7")
    assert z.BRAM18 == 280
    u3 = get_device("xczu3eg")
    assert (u3.LUT, u3.FF, u3.BRAM36, u3.URAM, u3.DSP) == (70_560, 141_120, 216, 0, 360)
    u9 = get_device("xczu9eg")
    assert (u9.LUT, u9.FF, u9.BRAM36, u9.URAM, u9.DSP) == (274_080, 548_160, 912, 0, 2_520)
    vu = get_device("xcvu13p")
    assert (vu.LUT, vu.FF, vu.BRAM36, vu.URAM, vu.DSP) == (1_728_000, 3_456_000, 2_688, 1_280,
                                                           12_288)
    assert vu.family == "xcup"


def test_table_is_consistent() -> None:
    for name, d in DEVICES.items():
        assert d.name == name and d.family in ("xc7", "xcup") and d.source
        assert d.FF == 2 * d.LUT  # every 7-series / UltraScale+ CLB has 2 FFs per LUT
        assert d.BRAM36 > 0 and d.DSP > 0 and d.URAM >= 0


def test_part_names_and_case_are_accepted() -> None:
    assert get_device("XCZU3EG-sbva484-1-e") is DEVICES["xczu3eg"]
    assert get_device(DEVICES["xc7z020"]) is DEVICES["xc7z020"]


def test_unknown_device_names_the_choices() -> None:
    with pytest.raises(ConfigError) as e:
        get_device("xc9999")
    msg = str(e.value)
    assert "xc9999" in msg and "xc7z020" in msg and "xcvu13p" in msg and "\n" not in msg


def test_budget_counts_and_defaults() -> None:
    b = parse_budget("lut=20000,bram=50", "xc7z020")
    assert b == {"lut": 20_000, "ff": 106_400, "bram": 50.0, "uram": 0, "dsp": 220}
    assert parse_budget("", "xczu3eg")["lut"] == 70_560
    assert parse_budget(" LUT = 30000 , dsp=100 ", "xczu3eg")["dsp"] == 100


def test_budget_fractions_and_percentages() -> None:
    b = parse_budget("lut=0.5,ff=25%,bram=0.25,dsp=0", "xc7z020")
    assert b["lut"] == 26_600 and b["ff"] == 26_600 and b["bram"] == 35.0 and b["dsp"] == 0
    assert parse_budget("bram=0.1", "xc7z020")["bram"] == 14.0
    assert parse_budget("bram=0.01", "xc7z020")["bram"] == 1.0  # 2.8 BRAM18 -> 2 halves
    assert parse_budget("lut=1", "xc7z020")["lut"] == 53_200  # 1.0 is the whole device
    assert parse_budget("bram=70.5", "xc7z020")["bram"] == 70.5  # one BRAM18 over 70


@pytest.mark.parametrize("text, culprit", [
    ("luts=100", "luts=100"),
    ("lut", "'lut'"),
    ("lut=abc", "lut=abc"),
    ("lut=-5", "lut=-5"),
    ("lut=150%", "lut=150%"),
    ("lut=100.5", "lut=100.5"),
    ("bram=10.25", "bram=10.25"),
    ("lut=60000", "53,200"),
    ("lut=1000,lut=2000", "twice"),
    ("dsp=nan", "dsp=nan"),
])
def test_bad_budgets_name_the_culprit_and_the_keys(text: str, culprit: str) -> None:
    with pytest.raises(ConfigError) as e:
        parse_budget(text, "xc7z020")
    msg = str(e.value)
    assert culprit in msg and "lut, ff, bram" in msg and "\n" not in msg


def test_board_memory_bounds_the_weight_port_only_when_slower() -> None:
    """The ZCU102's DDR4 (19.2 GB/s) outruns a 512-bit beat a cycle at 200 MHz (12.8 GB/s)
    and falls behind at 400 MHz (25.6 GB/s: 4/3 cycles a beat); a part with no board memory
    known is bounded by the port alone."""
    u9 = get_device("xczu9eg")
    assert u9.mem_gbps == 19.2 and "DDR4" in u9.mem_source
    assert u9.port_cycles_per_beat(200.0) == 1.0
    assert u9.port_cycles_per_beat(400.0) == pytest.approx(4 / 3)
    assert get_device("xcvu13p").port_cycles_per_beat(1000.0) == 1.0
