"""Model of ``residual_join.sv`` (the neuron that closes a residual block), and the
hardware of a residual block around it: the fork, the skip buffer sized from the design's
timing, the width converter into the join."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from e3ne.hw.cores.base import Core, Stream, clog2, register_core, serve
from e3ne.hw.cores.stream_dwc import convert
from e3ne.hw.cores.stream_fifo import StreamFifo
from e3ne.hw.cores.stream_fork import StreamFork
from e3ne.hw.memory import lutram_sites, rom_logic_luts
from e3ne.hw.timeline import beat_times

# cycles from a beat pair's handshake to its output beat on odat (residual_join.sv header)
JOIN_LATENCY_BASE = 3  # + T: the input registers and the add, then the neuron's T+1 stages
SKIP_MARGIN = 4  # beats of the skip buffer beyond the timing's need: the fork's buffers


def skip_mult_bits(s_w: int, signed: bool, m: int) -> int:
    """Bits of the largest ``|M·s|`` for skip lanes of ``s_w`` bits (residual_join.sv's
    MQ_W)."""
    return s_w + m.bit_length() - 1 if signed else (m * ((1 << s_w) - 1)).bit_length()


def join_width(u_w: int, s_w: int, signed: bool, m: int) -> int:
    """Signed width of ``U + M·s`` (as residual_join.sv derives it)."""
    return max(u_w, skip_mult_bits(s_w, signed, m) + 1) + 1


@register_core
@dataclass
class ResidualJoin(Core):
    """Beat k of the body's ``U`` and of the skip are taken together, the sum fires
    ``JOIN_LATENCY_BASE + T`` cycles later; one beat a cycle; the output FIFO and a credit
    counter keep its pipeline from ever stalling."""

    skip: Stream | None = None  # the second input (``s*`` ports)

    module = "residual_join"
    sources = ("mem_ram.sv", "neuron.sv", "stream_fifo.sv", "residual_join.sv")
    stage = "join"

    def inputs(self) -> list[tuple[str, Stream]]:
        return [("i", self.src), ("s", self.skip)]

    @classmethod
    def ports(cls, params: dict) -> tuple[int, int]:
        return params["PE"] * params["U_W"], params["PE"] * params["T"]

    @classmethod
    def side_ports(cls, params: dict) -> list[tuple[str, bool, int]]:
        return [("s", True, params["PE"] * params.get("S_W", params["T"]))]

    @property
    def latency(self) -> int:
        return JOIN_LATENCY_BASE + self.params["T"]

    def busy(self, out_gap: int) -> int:
        return self.in_beats * max(1, out_gap)

    def taken(self, t_u: np.ndarray, t_s: np.ndarray) -> np.ndarray:
        """Cycles at which each pair of beats is taken."""
        return serve(np.maximum(t_u, t_s))

    def forward(self, t: np.ndarray, out_gap: int) -> np.ndarray:
        return serve(serve(t) + self.latency, max(1, out_gap))

    def forward_all(self, ins: list[np.ndarray], out_gap: int) -> list[np.ndarray]:
        return [self.forward(np.maximum(ins[0], ins[1]), out_gap)]

    @classmethod
    def features(cls, params: dict) -> tuple[dict, dict]:
        pe, T, nf = params["PE"], params["T"], params["NF"]
        m, s_w = params["M"], params.get("S_W", T)
        signed = bool(params.get("S_SIGNED", 0))
        sw = join_width(params["U_W"], s_w, signed, m)
        mq_w = skip_mult_bits(s_w, signed, m)
        rw = params["TH_W"] + T  # the neuron's remainder after its first stage
        return {"const": 1.0,
                "inreg": pe * (params["U_W"] + s_w),  # the input registers
                "uadd": pe * sw,  # U + q·2^b for M's lowest set bit
                "madd": pe * mq_w * (bin(m).count("1") - 1),  # one add per other set bit
                "neuron": pe * (sw + T * rw),  # the first compare, then T subtract stages
                "thr": rom_logic_luts(nf, pe * params["TH_W"]) + pe * params["TH_W"],
                "fifomem": lutram_sites(T + 4, pe * T), "fifo": pe * T,
                "ctrl": clog2(nf + 1)}, {}

    @classmethod
    def calibration_plan(cls) -> list[dict]:
        return [{"PE": pe, "NF": nf, "U_W": uw, "T": T, "M": m, "TH_W": th}
                for pe, nf, uw, T, m, th in
                [(1, 1, 12, 4, 1, 6), (4, 2, 16, 4, 700, 10), (8, 4, 20, 6, 1500, 12),
                 (16, 1, 18, 4, 300, 11), (2, 8, 24, 6, 2047, 14), (6, 3, 14, 3, 45, 8),
                 (32, 2, 20, 4, 900, 12)]]

    @classmethod
    def calibration_files(cls, params: dict, rng) -> tuple[dict, dict]:
        from e3ne.hw.cores.synaptic_engine import hex_lines, pack_lanes

        pe, th_w = params["PE"], params["TH_W"]
        words = [pack_lanes([rng.randint(1, 2 ** th_w - 1) for _ in range(pe)], th_w)
                 for _ in range(params["NF"])]
        return {"cal_t.mem": hex_lines(words, pe * th_w)}, {"THRESH_FILE": "cal_t.mem"}


def skip_buffer(design, src: Stream, tag: str, project=None, lanes: int | None = None
                ) -> tuple[Stream, Stream]:
    """A fork on ``src``: (the stream the block's body reads, the skip, through a buffer
    whose depth ``size_skip`` sets once the design is laid out). ``project(design, copy)``,
    if given, adds a projection shortcut's cores on the copy, before the buffer (which
    then holds its output). ``lanes``: the reader's lanes per beat; a copy that must be
    gathered into them is gathered before the buffer (a gather after it would feed the
    reader only one beat every few cycles, however full the buffer)."""
    main = design.stream(src.lanes, src.lane_w, src.beats)
    copy = design.stream(src.lanes, src.lane_w, src.beats)
    design.add(StreamFork(f"u_fork_{tag}", design.layer, {"WIDTH": src.width}, src, main,
                          skip=copy))
    if project is not None:
        copy = project(design, copy)
    if lanes and lanes > copy.lanes and lanes % copy.lanes == 0:
        copy = convert(design, copy, lanes, f"{tag}_skip")
    skip = design.stream(copy.lanes, copy.lane_w, copy.beats)
    fifo = StreamFifo(f"u_skip_{tag}", design.layer, StreamFifo.parameters(copy.width, 2),
                      copy, skip)
    design.add(fifo)
    design.sizers.append(lambda d: size_skip(d, fifo))
    return main, skip


def skip_lanes(design, skip: Stream, lanes: int, burst: int, tag: str) -> Stream:
    """The skip buffer's stream as ``lanes`` lanes per beat: split after the buffer (the
    splitter takes its next beat as the reader takes the last piece), gathered into a
    prefetch FIFO of ``burst + 2`` beats (a gather refills only after its beat was taken,
    R cycles late; with the prefetch the reader never waits for it, and its one cycle of
    latency is counted). A skip that only needs gathering (into a join's PE lanes or a
    zip's pixel) was gathered before the buffer (``skip_buffer``)."""
    out = convert(design, skip, lanes, f"{tag}_skip")
    if skip.lanes % lanes:
        fifo = StreamFifo(f"u_skipg_{tag}", design.layer,
                          StreamFifo.parameters(out.width, burst + 2), out,
                          design.stream(lanes, out.lane_w, out.beats))
        out = design.add(fifo)
    return out


def join(design, u: Stream, skip: Stream, params: dict, tag: str) -> Stream:
    """The join neuron reading the body's ``U`` (PE lanes) and the skip (converted to PE
    lanes per beat: split after the skip buffer, which the splitter drains as fast as the
    join takes; gathered into a small prefetch FIFO)."""
    pe = params["PE"]
    lanes = skip_lanes(design, skip, pe, params["NF"], tag)
    dst = design.stream(pe, params["T"], u.beats)
    design.add(ResidualJoin(f"u_join_{tag}", design.layer, params, u, dst, skip=lanes))
    return dst


def _occupancy(enter: np.ndarray, leave: np.ndarray) -> int:
    """Most beats held at once by a FIFO whose beat i enters at ``enter[i]`` and leaves at
    ``leave[i]`` (beat i counts from its entry until it has left)."""
    left = np.searchsorted(leave, enter, side="right")  # beats gone by each entry
    return int((np.arange(len(enter)) + 1 - left).max())


def size_skip(design, fifo: Core) -> None:
    """Set the skip buffer's depth: enough for every beat the fork sends before its reader
    (a join or a zip: a core that takes its two inputs together, ``taken``) takes it, in
    the design's own timing (so that the fork never waits: the cycle model stays exact)
    and when the body's work is spread out, each input beat arriving long after the last
    (so that the fork always hands the body what the reader needs next: random stalls
    cannot deadlock the block)."""
    cores = design.cores
    reader, port = next((c, s) for c in cores if hasattr(c, "taken")
                        for _, s in c.inputs() if _feeds(cores, fifo.dst, s))
    fork = next(c for c in cores if isinstance(c, StreamFork) and _feeds(cores, c.skip, fifo.src))
    # buffer beat j has left once the reader has taken the beat holding its last lane
    last_piece = ((np.arange(fifo.src.beats) + 1) * fifo.dst.lanes - 1) // port.lanes
    depth = 1
    big = 1 << 20
    # the spread-out run needs the cores up to the reader only (list order is data order)
    block = cores[:cores.index(reader) + 1]
    spread = beat_times(block, fork.src, np.arange(fork.src.beats, dtype=np.int64) * big)
    for times in (design.input_times(), spread):
        taken = reader.taken(*(times[s.name] for _, s in reader.inputs()))
        depth = max(depth, _occupancy(times[fifo.src.name], taken[last_piece]))
    fifo.params.update(StreamFifo.parameters(fifo.params["WIDTH"], depth + SKIP_MARGIN))


def _feeds(cores: list[Core], a: Stream, b: Stream) -> bool:
    """``b`` is ``a`` or is written from it through single-stream cores (converters)."""
    by_src = {c.src.name: c for c in cores}
    s = a
    while s.name != b.name:
        c = by_src.get(s.name)
        if c is None or len(c.outputs()) != 1:
            return False
        s = c.dst
    return True
