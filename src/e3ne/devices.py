"""FPGA devices and resource budgets for design-space exploration.

The DSE sizes a design against a device (or a slice of one), so the table holds the
resources synthesis reports (see ``e3ne.flow.yosys``): LUTs (logic and LUTRAM share them),
flip-flops, 36 Kb block RAMs, UltraRAMs and DSP slices, plus the ``synth_xilinx -family``.

Figures are the per-device totals of Xilinx's product tables:
DS180 (7 Series FPGAs Data Sheet: Overview, Table 3: Artix-7),
DS190 (Zynq-7000 SoC Data Sheet: Overview, Table 1),
DS891 (Zynq UltraScale+ MPSoC Data Sheet: Overview, PL resource tables),
DS923 (Virtex UltraScale+ FPGA Data Sheet: Overview, Table 1).
Block RAM is counted in 36 Kb blocks (each splits into two 18 Kb halves): e.g. the xc7z020's
4.9 Mb is 140 blocks, the xcvu13p's 94.5 Mb is 2,688; UltraRAM in 288 Kb blocks (360 Mb = 1,280).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from e3ne.errors import ConfigError


@dataclass(frozen=True)
class Device:
    """One FPGA's programmable-logic resources."""

    name: str
    family: str  # Yosys synth_xilinx -family: "xc7" or "xcup"
    LUT: int
    FF: int
    BRAM36: int  # 36 Kb block RAMs; BRAM18 = 2 x BRAM36
    URAM: int  # 288 Kb UltraRAMs
    DSP: int
    source: str
    #: peak bandwidth of the board's memory that the fabric reads streamed weights from,
    #: in GB/s (0: not known; the weight port's width alone bounds the model)
    mem_gbps: float = 0.0
    mem_source: str = ""

    def port_cycles_per_beat(self, clock_mhz: float, port_bits: int = 512) -> float:
        """Cycles the board's memory needs per ``port_bits`` beat at ``clock_mhz``: 1 while
        it keeps up with one beat a cycle (the port's width binds), more when it cannot."""
        if self.mem_gbps <= 0:
            return 1.0
        return max(1.0, port_bits / 8 * clock_mhz * 1e6 / (self.mem_gbps * 1e9))

    @property
    def BRAM18(self) -> int:
        return 2 * self.BRAM36


DEVICES: dict[str, Device] = {d.name: d for d in [
    Device("xc7a35t", "xc7", 20_800, 41_600, 50, 0, 90, "DS180 Artix-7 (Arty A7-35)"),
    Device("xc7z020", "xc7", 53_200, 106_400, 140, 0, 220, "DS190 Zynq-7000 (PYNQ-Z1/Z2)"),
    Device("xczu3eg", "xcup", 70_560, 141_120, 216, 0, 360, "DS891 Zynq UltraScale+ (Ultra96)"),
    Device("xczu7ev", "xcup", 230_400, 460_800, 312, 96, 1_728,
           "DS891 Zynq UltraScale+ (ZCU104)"),
    Device("xczu9eg", "xcup", 274_080, 548_160, 912, 0, 2_520, "DS891 Zynq UltraScale+ (ZCU102)",
           19.2, "ZCU102 PS DDR4, 64 bit at 2,400 MT/s (UG1182): 19.2 GB/s peak"),
    Device("xcvu9p", "xcup", 1_182_240, 2_364_480, 2_160, 960, 6_840,
           "DS923 Virtex UltraScale+ (VCU118, AWS F1)"),
    Device("xcvu13p", "xcup", 1_728_000, 3_456_000, 2_688, 1_280, 12_288,
           "DS923 Virtex UltraScale+ (E3NE's target)"),
]}

BUDGET_KEYS = {"lut": "LUT", "ff": "FF", "bram": "BRAM36", "uram": "URAM", "dsp": "DSP"}
_BUDGET_HELP = ("accepted keys: lut, ff, bram (36 Kb blocks; a BRAM18 counts half), uram, "
                "dsp; values are counts or fractions <= 1.0 (or N%) of the device, "
                "e.g. lut=20000,bram=0.5")


def get_device(name: str | Device) -> Device:
    """The device called ``name`` (case-insensitive; a part suffix like -sbva484-1-e is fine)."""
    if isinstance(name, Device):
        return name
    key = str(name).strip().lower().split("-")[0]
    if key not in DEVICES:
        raise ConfigError(f"device {name!r}: unknown; expected one of {', '.join(DEVICES)}")
    return DEVICES[key]


def _number(key: str, raw: str, item: str) -> float:
    text = raw.strip()
    pct = text.endswith("%")
    try:
        v = float(text[:-1] if pct else text)
    except ValueError:
        v = math.nan
    if not math.isfinite(v) or v < 0 or (pct and v > 100):
        raise ConfigError(f"budget {item!r}: {key} needs a non-negative count, a fraction "
                          f"<= 1.0 or a percentage <= 100%; {_BUDGET_HELP}")
    return v / 100 if pct else v


def parse_budget(text: str, device: str | Device) -> dict:
    """Resource limits from ``lut=20000,bram=50`` or ``lut=0.5``; unnamed keys get the device.

    A value <= 1.0 (or ``N%``) is a fraction of the device, rounded down; a larger one is a
    count. Returns ``{"lut", "ff", "uram", "dsp": int, "bram": float}`` (BRAM in 36 Kb
    blocks, in steps of a half: one BRAM18). A count beyond the device is refused.
    """
    dev = get_device(device)
    budget: dict = {k: getattr(dev, attr) for k, attr in BUDGET_KEYS.items()}
    budget["bram"] = float(budget["bram"])
    seen: set[str] = set()
    for item in (text or "").split(","):
        if not item.strip():
            continue
        key, eq, raw = item.partition("=")
        key = key.strip().lower()
        if not eq or key not in BUDGET_KEYS:
            raise ConfigError(f"budget {item.strip()!r}: expected key=value with a known key; "
                              f"{_BUDGET_HELP}")
        if key in seen:
            raise ConfigError(f"budget {item.strip()!r}: {key} is given twice; {_BUDGET_HELP}")
        seen.add(key)
        total = getattr(dev, BUDGET_KEYS[key])
        v = _number(key, raw, item.strip())
        pct = raw.strip().endswith("%")
        if v <= 1.0 or pct:
            units = 2 * total if key == "bram" else total  # BRAM in BRAM18 halves
            n = math.floor(v * units + 1e-9)
            budget[key] = n / 2 if key == "bram" else n
            continue
        step = 0.5 if key == "bram" else 1.0
        if v % step:
            raise ConfigError(f"budget {item.strip()!r}: {key} counts must be whole"
                              f"{' or halves (BRAM18)' if key == 'bram' else ''}; "
                              f"{_BUDGET_HELP}")
        if v > total:
            raise ConfigError(f"budget {item.strip()!r}: {dev.name} has only {total:,} "
                              f"{BUDGET_KEYS[key]}; {_BUDGET_HELP}")
        budget[key] = float(v) if key == "bram" else int(v)
    return budget
