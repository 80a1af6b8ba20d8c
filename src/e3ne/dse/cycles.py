"""Analytical cycle model of the generated dataflow accelerator (DESIGN.md §4).

This module runs the cycle stages of the core models (``e3ne.hw.cores``) over the chain
of core instances ``e3ne.design.chain.build`` lays out, the very list the generator writes.
Each core model states its own stage, derived from the cycle behaviour its SystemVerilog
header documents (``accept_gap``, ``busy``, ``forward``). Two figures, in clock cycles:

``interval`` (steady state, images back to back) = the largest per-image work of any stage
  (``busy``): the input stream takes H0*W0 cycles; every core moves at most one beat per
  cycle per port and, apart from the argmax's class beat, has no per-image overhead, so
  the slowest stage sets the pace of the whole chain. With streamed weights the weight
  port is a stage too: it moves one beat a cycle, and an image needs every streamed
  layer's words once per window (the bound bandwidth sets).

Streamed weights and latency: an engine is timed as if its words were on chip, which
holds while its reader has the port to itself (``folding.stream_keeps_up``); readers that
want the port at the same time take turns, which the recurrence does not follow. So the
latency is also bounded below by the port's span (``port_span``): the port cannot serve an
image's words much before the first streamed engine's first input beat, and then takes one
beat a cycle; the layers after the last streamed engine follow. The latency is the larger
of the two: the recurrence's for a design whose port is rarely contended (the co-simulated
tests), the span's for one bound by its port whose streamed layers overlap (AlexNet on the
xczu9eg, the design of c3487e7: 270,009 modelled, 270,066 simulated). A design whose
streamed layers want the port in bursts with idle gaps between them lies between the two.

``latency`` (first input beat to the last output beat of one image): every stage is a
  max-plus recurrence over the beats of the image,
      out[k] = max(in[need(k)] + delay, out[k-1] + gap),
  where ``need(k)`` is the last input beat output beat ``k`` depends on (a window needs only
  its last pixel, a pooled pixel its last tap, a width converter a whole input/output
  beat) and ``delay``/``gap`` are the pipeline depth and the issue rate of the core
  (``forward``). The recurrence ``t[k] = max(a[k], t[k-1] + g)`` has the closed form
  ``t = g*k + cummax(a - g*k)`` (``e3ne.hw.cores.base.serve``), so one pass of cumulative
  maxima per stage evaluates it exactly. This captures what a rate-and-delay sum would
  miss: a stage starts on its first K rows, the last window row waits for the last input
  row, a slow stage stretches everything after it, and the windows of a layer that no
  later window reads (the right or bottom edge a stride skips) do not delay the result.

Back-pressure matters where a core emits a burst from a one-beat output register to a
consumer that takes a beat only every R > 1 cycles (a splitting width converter or swu
gearbox): the pool cores (``pool_unit``, ``pool_stream``) model that wait, through the
``out_gap`` their stage is given (the consumer's ``accept_gap``). Elsewhere a core stalls
its producer only while the producer is ahead of it, and the buffers are deep enough for
the producer to catch up before its beats are needed: a swu holds R >= K+S rows, an
engine loads the next window while it computes the current one, and an engine stalled by
a splitting consumer hands it the next beat within the consumer's own R cycles. Against
Verilator (tests/test_cycles.py, bench/bench_cycle_model.py) the latency comes out exact;
the measured interval of a few designs differs by a transient of a few cycles in the
first gaps between images, which a steady-state figure leaves out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from e3ne.design.chain import build
from e3ne.design.folding import Fold
from e3ne.hw.cores import Core
from e3ne.hw.timeline import TimesMemo, beat_times, consumers, out_gap
from e3ne.ir import Network

__all__ = ["CycleEstimate", "StageEstimate", "estimate", "estimate_cores", "port_beats",
           "port_cycles", "port_span"]


@dataclass(frozen=True)
class StageEstimate:
    """One core of the pipeline, named as its instance in the generated top level."""

    name: str  # instance name in e3ne_top (``s_axis`` for the input stream)
    kind: str  # input, or the core model's stage: dwc, swu, engine, pool, argmax
    layer: str  # IR layer it serves ("" for the input and argmax)
    cycles: int  # busy cycles per image: its share of the steady-state interval
    first_delay: int  # cycles from its first input beat to its first output beat (image 0)
    first_out: int  # cycle of its first output beat of image 0 (first input beat = 0)
    last_out: int  # cycle of its last output beat of image 0


@dataclass(frozen=True)
class CycleEstimate:
    """Modelled cycles of a design: latency of one image, initiation interval, per stage."""

    latency: int  # first input beat .. last output beat of one image, inclusive
    interval: int  # steady-state cycles between images streamed back to back
    stages: list[StageEstimate] = field(default_factory=list)
    port_beats: int = 0  # 512-bit beats m_axi_weights moves per image (streamed weights)

    def port_gbps(self, clock_mhz: float) -> float:
        """The memory bandwidth those beats take at ``clock_mhz``, one image an interval."""
        return self.port_beats * 64 * clock_mhz * 1e6 / self.interval / 1e9

    @property
    def bottleneck(self) -> StageEstimate:
        """The stage that sets the interval (the first, if several tie)."""
        return max(self.stages, key=lambda s: s.cycles)


def estimate(net: Network, folds: dict[str, Fold],
             port_cycles_per_beat: float = 1.0) -> CycleEstimate:
    """Latency and interval of the design ``generate(net, folds)`` writes, without
    generating or simulating it (about a millisecond for the zoo)."""
    return estimate_cores(build(net, folds).cores, None, port_cycles_per_beat)


def port_beats(cores: list[Core]) -> int:
    """512-bit beats m_axi_weights moves per image: every streamed layer's region once
    per window (0 without streamed weights)."""
    return sum(c.info.get("image_beats", 0) for c in cores)


def port_cycles(beats: int, port_cycles_per_beat: float = 1.0) -> int:
    """Cycles m_axi_weights takes for ``beats`` (``port_beats``), one a cycle or as the
    board's memory gives: a floor under both the interval and one image's latency, known
    before any stage is timed (the search skips the candidates it rules out)."""
    return math.ceil(beats * port_cycles_per_beat)


def estimate_cores(cores: list[Core], times: dict[str, np.ndarray] | None = None,
                   port_cycles_per_beat: float = 1.0,
                   memo: TimesMemo | None = None) -> CycleEstimate:
    """The recurrence over a design's cores: s_axis moves one beat per cycle into the
    first core, and each core's outputs feed their readers at the pace those accept
    (``e3ne.hw.timeline``; the last core writes the design's output). ``times``: these
    beat times, when the caller has them (``Design.input_times``).
    ``port_cycles_per_beat``: the board memory's pace on m_axi_weights when it is slower
    than one 512-bit beat a cycle (``Device.port_cycles_per_beat``). ``memo``: see
    ``e3ne.hw.timeline.beat_times``."""
    start = cores[0].src
    beats = start.beats
    if times is None:
        times = beat_times(cores, start, np.arange(beats, dtype=np.int64), memo)
    readers = consumers(cores)
    out = [StageEstimate("s_axis", "input", "", beats, 0, 0, beats - 1)]
    for core in cores:
        ins = core.inputs()
        if not ins or not all(s.name in times for _, s in ins):
            continue  # off the image path: the weight fetch and loaders, done before
        first_in = min(int(times[s.name][0]) for _, s in core.inputs())
        t = times[core.outputs()[0][1].name]
        out.append(StageEstimate(core.name, core.stage, core.layer,
                                 core.busy(out_gap(core, readers)),
                                 int(t[0]) - first_in, int(t[0]), int(t[-1])))
    beats = port_beats(cores)
    port = port_cycles(beats, port_cycles_per_beat)
    last = int(times[cores[-1].dst.name][-1])
    latency = last + 1
    if port:  # streamed weights: m_axi_weights is a stage, and bounds the latency
        ends = {e.layer: int(times[e.outputs()[0][1].name][-1])
                for e in cores if e.info.get("wstream")}  # each streamed engine's last beat
        start, end = port_span(cores, times, beats, ends, port_cycles_per_beat)
        out.append(StageEstimate("m_axi_weights", "port", "", port, 0, start, end))
        # the layers after the streamed engine that finishes last follow the port's end
        latency = max(latency, end + (last - max(ends.values())) + 1)
    return CycleEstimate(latency=latency, interval=max(s.cycles for s in out), stages=out,
                         port_beats=beats)


def port_span(cores: list[Core], times: dict[str, np.ndarray], beats: int,
              ends: dict[str, int], port_cycles_per_beat: float = 1.0) -> tuple[int, int]:
    """When m_axi_weights serves one image's ``beats`` (``port_beats``), at the earliest:
    no streamed engine takes a word before its first input beat (``start``), and from then
    on the port moves one beat a cycle (or at the board's pace). Its beats for the image
    are the image's, less what the readers' FIFOs read ahead before ``start`` (from reset,
    at most a FIFO each and one beat a cycle), plus what the readers of the engines that
    finish the image before the last (``ends``: each streamed layer's last output beat in
    the recurrence) refill for the next image meanwhile (a FIFO each: they loop). Readers
    that want the port at once take turns, which the recurrence (each engine timed as if
    its words were on chip) does not see: for a design bound by its port this span sets
    the latency (AlexNet on the xczu9eg: its two streamed layers overlap, and the port is
    busy from the first's start to the image's end)."""
    start = min(int(times[s.name][0]) for e in cores if e.info.get("wstream")
                for _, s in e.inputs())
    fifo = {c.layer: min(c.params["OUTSTANDING"] * c.params["BURST"], c.info["image_beats"])
            for c in cores if c.info.get("image_beats")}  # the looping readers, by layer
    ahead = min(sum(fifo.values()), start)
    last = max(ends, key=ends.__getitem__)
    refill = sum(f for layer, f in fifo.items() if layer != last)
    return start, max(start + port_cycles(beats - ahead + refill, port_cycles_per_beat),
                      port_cycles(beats, port_cycles_per_beat)) - 1
