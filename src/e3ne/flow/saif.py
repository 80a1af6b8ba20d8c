"""Switching activity: a simulation's VCD dump -> SAIF (toggle counts, time at 0/1/X).

``e3ne verify DIR --activity`` dumps the design under test (``top_tb.dut``) as a VCD while it
streams the images, and this module turns the dump into ``DIR/activity.saif`` for Vivado's
``read_saif`` (then ``report_power`` uses the simulated activity instead of vectorless
guesses) and for e3ne's own estimate. Per bit of every net: ``T0``/``T1``/``TX`` the time
(in the dump's units) it held 0, 1 or X/Z, ``TC`` its 0<->1 transitions, ``IG`` 0. The
file is deterministic (no date), one ``INSTANCE`` per VCD scope, nets sorted by name.
Streaming: the dump is read line by line, so its size is bounded by the disk, not memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from e3ne.errors import FormatError


@dataclass
class _Bit:
    value: str = "x"
    since: int = 0
    t0: int = 0
    t1: int = 0
    tx: int = 0
    tc: int = 0

    def change(self, v: str, now: int) -> None:
        if v == self.value:
            return
        self._hold(now)
        if {v, self.value} == {"0", "1"}:
            self.tc += 1
        self.value, self.since = v, now

    def _hold(self, now: int) -> None:
        span = now - self.since
        if self.value == "0":
            self.t0 += span
        elif self.value == "1":
            self.t1 += span
        else:
            self.tx += span
        self.since = now


@dataclass
class _Net:
    name: str
    width: int
    bits: list[_Bit] = field(default_factory=list)


@dataclass
class Activity:
    """Per scope (a tuple path), per net, per bit: ``(T0, T1, TX, TC)``; and the dump's
    duration and time unit."""

    duration: int
    timescale: str
    scopes: dict[tuple[str, ...], dict[str, list[tuple[int, int, int, int]]]]


def read_vcd(path: str | Path) -> Activity:
    """Activity of every net in the VCD at ``path`` (aliases of one id count once per
    declaration, as the simulator dumped them)."""
    p = Path(path)
    nets: dict[str, list[tuple[tuple[str, ...], _Net]]] = {}
    scope: list[str] = []
    timescale, now = "1 ns", 0
    with p.open() as f:
        lines = iter(f)
        for line in lines:  # header
            tok = line.split()
            if not tok:
                continue
            if tok[0] == "$timescale":
                body = tok[1:]
                while "$end" not in body:
                    body += next(lines).split()
                timescale = " ".join(t for t in body if t != "$end")
            elif tok[0] == "$scope":
                scope.append(tok[2])
            elif tok[0] == "$upscope":
                scope.pop()
            elif tok[0] == "$var":
                width, code, name = int(tok[2]), tok[3], tok[4]
                net = _Net(name, width, [_Bit() for _ in range(width)])
                nets.setdefault(code, []).append((tuple(scope), net))
            elif tok[0] == "$enddefinitions":
                break
        else:
            raise FormatError(f"{p}: no $enddefinitions; not a complete VCD dump")
        for line in lines:  # value changes
            c = line[:1]
            if c == "#":
                now = int(line[1:])
            elif c in "01xXzZ":
                code = line[1:].strip()
                for _, net in nets.get(code, ()):
                    net.bits[0].change(c.lower() if c in "01" else "x", now)
            elif c in "bB":
                val, code = line[1:].split()
                for _, net in nets.get(code, ()):
                    v = val.rjust(net.width, "0" if val[0] in "01" else val[0])[-net.width:]
                    for k in range(net.width):  # v is MSB first; bit k = v[width-1-k]
                        ch = v[net.width - 1 - k]
                        net.bits[k].change(ch if ch in "01" else "x", now)
            # $dumpvars / $end / real values: nothing to count
    out: dict[tuple[str, ...], dict[str, list[tuple[int, int, int, int]]]] = {}
    for decls in nets.values():
        for path, net in decls:
            for b in net.bits:
                b._hold(now)
            out.setdefault(path, {})[net.name] = [(b.t0, b.t1, b.tx, b.tc) for b in net.bits]
    return Activity(now, timescale, out)


def _esc(name: str) -> str:
    return "".join(f"\\{c}" if not (c.isalnum() or c == "_") else c for c in name)


def saif_text(act: Activity, design: str, root: tuple[str, ...], scale: int = 1,
              unit: str | None = None) -> str:
    """SAIF 2.0 of the scopes under ``root`` (the design under test), ``root`` itself as the
    top instance named ``design``; times multiplied by ``scale`` and given in ``unit``
    (default: the dump's own)."""
    unit = (unit or act.timescale).replace(" ", "")
    num = "".join(ch for ch in unit if ch.isdigit()) or "1"
    tree: dict = {"nets": {}, "sub": {}}
    for path, nets in act.scopes.items():
        if path[:len(root)] != root:
            continue
        node = tree
        for part in path[len(root):]:
            node = node["sub"].setdefault(part, {"nets": {}, "sub": {}})
        node["nets"] = nets
    lines = ["(SAIFILE", '(SAIFVERSION "2.0")', '(DIRECTION "backward")',
             f'(DESIGN "{design}")', '(VENDOR "e3ne")',
             '(PROGRAM_NAME "e3ne verify --activity")', "(DIVIDER / )",
             f"(TIMESCALE {num} {unit[len(num):] or 'ns'})",
             f"(DURATION {act.duration * scale})"]

    def instance(name: str, node: dict, depth: int) -> None:
        pad = "  " * depth
        lines.append(f"{pad}(INSTANCE {_esc(name)}")
        if node["nets"]:
            lines.append(f"{pad}  (NET")
            for net in sorted(node["nets"]):
                bits = node["nets"][net]
                for k, (t0, t1, tx, tc) in enumerate(bits):
                    label = _esc(net) + (f"\\[{k}\\]" if len(bits) > 1 else "")
                    lines.append(f"{pad}    ({label} (T0 {t0 * scale}) (T1 {t1 * scale}) "
                                 f"(TX {tx * scale}) (TC {tc}) (IG 0))")
            lines.append(f"{pad}  )")
        for sub in sorted(node["sub"]):
            instance(sub, node["sub"][sub], depth + 1)
        lines.append(f"{pad})")

    instance(design, tree, 0)
    lines.append(")")
    return "\n".join(lines) + "\n"


def write_saif(vcd: str | Path, saif: str | Path, design: str, root: tuple[str, ...],
               sim_period: int = 10, clock_mhz: float = 200.0) -> Activity:
    """Read ``vcd``, write the SAIF of the scopes under ``root`` to ``saif``, its times
    rescaled from the bench's clock (``sim_period`` dump units a cycle) to ``clock_mhz``
    (in ps), so that toggle rates are per real second at that clock."""
    act = read_vcd(vcd)
    if root not in act.scopes:
        raise FormatError(f"{vcd}: no scope {'.'.join(root)} in the dump")
    period_ps = round(1e6 / clock_mhz)
    if period_ps % sim_period:
        raise FormatError(f"clock {clock_mhz} MHz: its period ({period_ps} ps) is not a "
                          f"whole number of the bench's {sim_period} time units")
    Path(saif).write_text(saif_text(act, design, root, period_ps // sim_period, "1 ps"))
    return act
