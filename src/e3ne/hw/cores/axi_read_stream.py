"""Model of ``axi_read_stream.sv``: the AXI4 read master that turns a run of memory words
(a design's weight image in DDR) into a stream.

In a design whose weights sit in UltraRAM and come from DDR (``e3ne compile --weight-port
m_axi``), one instance reads the weight image (``weights.bin``) from the byte address on
the top's ``weights_addr`` input once after every reset and feeds the weight loaders'
chain in place of ``s_axis_weights`` (``fetch_weights``). An engine whose weights are
streamed (placed "ext") gets one of its own with ``LOOP`` = 1, reading its region of the
image again and again, gathered to the engine's word (``stream_weights``); the readers of
a design share ``m_axi_weights`` through an ``axi_read_arb``. Like the loaders they sit
off the image path: the cycle model never reaches them, the resource model counts them.

Two more things a caller needs before any RTL runs: the bursts the core will issue (``bursts``:
what the memory sees, and the 4 KB rule) and the cycles a fetch takes from a memory of a
given latency (``fetch_cycles``), so that a bandwidth or latency bound can be modelled.
``fetch_cycles`` mirrors the core's registers cycle by cycle (the reservation, the AR
register, the FIFO's one-cycle latency); tests/hw/test_axi_read_stream.py holds it equal
to the simulated core for unstalled memories.
"""

from __future__ import annotations

from collections import deque

from e3ne.hw.cores.base import Core, OffImagePath, Stream, register_core
from e3ne.hw.memory import lutram_sites

BURST = 16  # beats per burst of the weight fetch (16 x 512 bits = 1 KB)
OUTSTANDING = 4  # bursts in flight: hides about 50 cycles of DDR latency at one beat a cycle
ADDR_W = 40  # m_axi_weights_araddr bits (Zynq UltraScale+ HP ports take 40 or 49)
LEN_W = 32  # bits of the beat count


def m_axi_ports(addr_w: int, data_w: int) -> list[tuple[str, bool, int]]:
    """An AXI4 read manager's AR and R channels as (port, is an input, width)."""
    return [("m_axi_arvalid", False, 1), ("m_axi_arready", True, 1),
            ("m_axi_araddr", False, addr_w), ("m_axi_arlen", False, 8),
            ("m_axi_arsize", False, 3), ("m_axi_arburst", False, 2),
            ("m_axi_rvalid", True, 1), ("m_axi_rready", False, 1),
            ("m_axi_rdata", True, data_w), ("m_axi_rresp", True, 2), ("m_axi_rlast", True, 1)]


def top_port_inputs(core: Core) -> dict[str, str]:
    """``core``'s AXI inputs connected to the top's ``m_axi_weights_*`` ports."""
    return {p: p.replace("m_axi_", "m_axi_weights_")
            for p, is_in, _ in core.aux_ports(core.params) if is_in and p.startswith("m_axi_")}


@register_core
class AxiReadStream(OffImagePath, Core):
    """AXI4 read master: ``beats`` words from ``base`` in INCR bursts, as a stream.
    No input stream (its input is the AXI R channel, an auxiliary port)."""

    module = "axi_read_stream"
    sources = ("stream_fifo.sv", "axi_read_stream.sv")
    stage = "fetch"

    @staticmethod
    def parameters(data_w: int, burst: int = BURST, outstanding: int = OUTSTANDING,
                   loop: bool = False) -> dict:
        return {"DATA_W": data_w, "ADDR_W": ADDR_W, "BURST": burst,
                "OUTSTANDING": outstanding, "LEN_W": LEN_W, **({"LOOP": 1} if loop else {})}

    def inputs(self) -> list[tuple[str, Stream]]:
        return []

    @classmethod
    def ports(cls, params: dict) -> tuple[int, int]:
        return 0, params["DATA_W"]

    @classmethod
    def aux_ports(cls, params: dict) -> list[tuple[str, bool, int]]:
        a, d = params["ADDR_W"], params["DATA_W"]
        return [("start", True, 1), ("base", True, a), ("beats", True, params["LEN_W"]),
                ("busy", False, 1), ("err", False, 1), *m_axi_ports(a, d)]

    def aux_connections(self) -> dict[str, str]:
        """Inputs from the top's ports (``m_axi_weights_*``, ``weights_addr``), or from the
        arbiter that shares them (``info["arb"]``: its name and this reader's index), and
        the one-shot start; outputs to wires ``<instance>_<port>`` the top assigns on."""
        a = self.params["ADDR_W"]
        conn = {p: f"{self.name}_{p}" for p, is_in, _ in self.aux_ports(self.params)
                if not is_in}
        off = self.info.get("offset", 0)  # bytes from weights_addr
        conn.update({"start": f"{self.name}_go",
                     "base": f"weights_addr + {a}'d{off}" if off else "weights_addr",
                     "beats": f"{self.params['LEN_W']}'d{self.info['beats']}"})
        if "arb" in self.info:
            arb, k = self.info["arb"]
            conn.update({"m_axi_arready": f"{arb}_s_arready[{k}]",
                         "m_axi_rvalid": f"{arb}_s_rvalid[{k}]",
                         "m_axi_rdata": f"{arb}_s_rdata", "m_axi_rresp": f"{arb}_s_rresp",
                         "m_axi_rlast": f"{arb}_s_rlast"})
        else:
            conn.update(top_port_inputs(self))
        return conn

    # --- resources -------------------------------------------------------------------
    @classmethod
    def features(cls, params: dict) -> tuple[dict, dict]:
        d, depth = params["DATA_W"], params["OUTSTANDING"] * params["BURST"]
        return ({"const": 1.0, "bus": d, "addr": params["ADDR_W"], "count": params["LEN_W"],
                 "fifomem": lutram_sites(max(1, depth - 1), d),
                 # LOOP: the run's base and length kept, and the wrap's muxes
                 "loop": (params["ADDR_W"] + params["LEN_W"]) * params.get("LOOP", 0)}, {})

    @classmethod
    def calibration_plan(cls) -> list[dict]:
        return [cls.parameters(d, b, o) | {"ADDR_W": a}
                for d, b, o, a in [(64, 16, 4, 32), (512, 16, 4, 40), (128, 8, 2, 40),
                                   (64, 64, 2, 49), (256, 4, 8, 40), (32, 16, 1, 32)]] + [
            cls.parameters(d, b, o, loop=True) for d, b, o in [(512, 16, 4), (64, 8, 2)]]


def fetch_weights(design, dst: Stream, beats: int) -> AxiReadStream:
    """The weight chain's head ``dst`` fed by an AXI read of the ``beats``-beat weight
    image from ``weights_addr`` (``e3ne compile --weight-port m_axi``)."""
    bus = Stream("m_axi_weights", dst.lanes, dst.lane_w, beats)  # the R channel (no wires)
    core = AxiReadStream("u_wfetch", "", AxiReadStream.parameters(dst.lane_w), bus, dst)
    core.info["beats"] = beats
    # before the first loader: cores stay in stream order
    design.add(core, at=next(i for i, c in enumerate(design.cores) if c.src is dst))
    return core


def bursts(base_beat: int, beats: int, burst: int) -> list[tuple[int, int]]:
    """(first word, words) of each burst reading ``beats`` words from word ``base_beat``:
    at most ``burst`` words, never across a multiple of ``burst`` words."""
    out, at, left = [], base_beat, beats
    while left > 0:
        n = min(burst - at % burst, left)
        out.append((at, n))
        at, left = at + n, left - n
    return out


def fetch_cycles(beats: int, burst: int, outstanding: int, latency: int,
                 base_beat: int = 0) -> int:
    """Cycles from the start edge to the edge of the last output transfer, for a memory
    that accepts every AR at once and returns one beat a cycle from ``latency`` cycles
    after it, and an output that is always ready. ``beats`` >= 1, ``latency`` >= 1."""
    if beats < 1 or latency < 1 or burst < 1 or outstanding < 1:
        raise ValueError("beats, burst, outstanding and latency must be >= 1")
    depth = outstanding * burst
    todo = deque(bursts(base_beat, beats, burst))
    res = 0  # words reserved and not yet sent
    fly = 0  # bursts sent whose last beat has not come back
    ar = None  # the burst on the AR channel (words), accepted at the next edge
    due: deque[list[int]] = deque()  # [first edge a beat may move, words left]
    fifo_ready: deque[int] = deque()  # edges from which each FIFO word can leave
    sent, edge = 0, 0
    while sent < beats:
        edge += 1
        pop = bool(fifo_ready) and fifo_ready[0] <= edge
        if pop:
            fifo_ready.popleft()
            sent += 1
        last = False
        if due and due[0][0] <= edge:  # one R beat
            fifo_ready.append(edge + 1)
            due[0][1] -= 1
            if due[0][1] == 0:
                due.popleft()
                last = True
        accepted = ar
        issue = bool(todo) and res + todo[0][1] <= depth and fly < outstanding
        if accepted is not None:
            due.append([edge + latency, accepted])
        ar = None
        if issue:
            n = todo.popleft()[1]
            ar, res = n, res + n
        if pop:
            res -= 1
        fly += int(issue) - int(last)
    return edge
