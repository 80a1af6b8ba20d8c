"""Analytical cycle model of the generated dataflow accelerator (DESIGN.md §4).

Derived from the cycle behaviour each core documents in its header (src/e3ne/hw/rtl/), for
the chain of cores ``e3ne.hw.generate`` instantiates: the input stream, width converters
(``stream_dwc``), sliding-window units (``swu``), synaptic engines, pool units and the
argmax unit. Two figures, both in clock cycles:

``interval`` (steady state, images back to back) = the largest per-image work of any stage,
    input stream, one pixel per beat         H0*W0
    swu (C channels, CH per input beat)      max(input beats, written words, OH*OW*K*K*C/SIMD)
    synaptic engine                          windows * C_OUT/PE * T/TP * MW/SIMD
    pool unit (CF = C/SIMD beats per tap)    OH*OW * K*K*CF, or with a consumer that takes a
                                             beat every R > 1 cycles (a splitting dwc or swu
                                             gearbox): OH*OW * max((K*K-1)*CF + 2 + (CF-2)*R,
                                             CF*R)  (CF = 1: OH*OW * max(K*K, R))
    width converter                          max(input beats, output beats)
    argmax                                   score beats + 1
  Every core moves at most one beat per cycle per port and, apart from the argmax's class
  beat, has no per-image overhead, so the slowest stage sets the pace of the whole chain.

``latency`` (first input beat to the last output beat of one image): every stage is a
  max-plus recurrence over the beats of the image,
      out[k] = max(in[need(k)] + delay, out[k-1] + gap),
  where ``need(k)`` is the last input beat output beat ``k`` depends on (a window needs only
  its last pixel, a pooled pixel its last tap, a width converter a whole input/output
  beat) and ``delay``/``gap`` are the pipeline depth and the issue rate of the core:
      swu      a window leaves 3 cycles after its last pixel's last word is written (the
               writer takes one word per cycle: max(1, CH/BS) cycles per input beat), then
               one beat per cycle;
      engine   compute of window m starts at max(window in buffer, start of m-1 +
               NF*NP*SF); channel fold f leaves (f+1)*NP*SF - 1 + 5 (+T for a hidden
               layer's neuron) cycles after that;
      pool     an output beat leaves 1 cycle after its last-tap input beat, which waits
               for the previous output beat to be taken;
      dwc      an output beat leaves 1 cycle after its input beat(s), at most 1/cycle;
      argmax   each score 1 cycle after it arrives, the class beat 1 cycle after that.
  The recurrence ``t[k] = max(a[k], t[k-1] + g)`` has the closed form
  ``t = g*k + cummax(a - g*k)``, so one pass of cumulative maxima per stage evaluates it
  exactly. This captures what a rate-and-delay sum would miss: a stage starts on its
  first K rows, the last window row waits for the last input row, a slow stage stretches
  everything after it, and the windows of a layer that no later window reads (the right
  or bottom edge a stride skips) do not delay the result.

Back-pressure only matters in one place, which the model includes: a pool unit emits the
CF results of a pixel in CF consecutive cycles from a one-beat output register, so a
consumer that takes a beat every R > 1 cycles makes it wait (the pool's recurrence above
and its interval term). Elsewhere a core stalls its producer only while the producer is
ahead of it, and the buffers are deep enough for the producer to catch up before its
beats are needed: a swu holds R >= K+S rows (the next window row's rows come in while the
current one is read, the next image's first K-P rows while the last one is), an engine
loads the next window while it computes the current one, and an engine stalled by a
splitting consumer hands it the next beat within the consumer's own R cycles. Against
Verilator (tests/test_cycles.py, bench/bench_cycle_model.py) both figures come out exact,
except that the measured interval of a few designs includes a transient of a few cycles
in the first gap between images, which a steady-state figure leaves out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from e3ne.errors import ConfigError
from e3ne.hw.folding import Fold, check_fold
from e3ne.ir import Network
from e3ne.layers import AvgPool, Conv, Flatten, MaxPool, Synaptic

__all__ = ["CycleEstimate", "StageEstimate", "estimate"]


@dataclass(frozen=True)
class StageEstimate:
    """One core of the pipeline, named as its instance in the generated top level."""

    name: str  # instance name in e3ne_top (``s_axis`` for the input stream)
    kind: str  # input, dwc, swu, engine, pool, argmax
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

    @property
    def bottleneck(self) -> StageEstimate:
        """The stage that sets the interval (the first, if several tie)."""
        return max(self.stages, key=lambda s: s.cycles)


def _serve(avail: np.ndarray, gap: int = 1) -> np.ndarray:
    """``t[k] = max(avail[k], t[k-1] + gap)``: a port that moves one beat per ``gap``."""
    g = np.arange(len(avail), dtype=np.int64) * gap
    return g + np.maximum.accumulate(avail - g)


class _Stage:
    """A core: its work per image, and ``forward`` from input to output beat times."""

    kind = ""

    def __init__(self, name: str, layer: str = "") -> None:
        self.name, self.layer = name, layer
        self.out_gap = 1  # cycles between two beats its consumer accepts (set by _chain)

    @property
    def accept_gap(self) -> int:
        """Fewest cycles between two input beats this core takes."""
        return 1

    def cycles(self) -> int:
        raise NotImplementedError

    def forward(self, t: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class _Input(_Stage):
    """s_axis: one pixel (all its channels) per beat and cycle."""

    kind = "input"

    def __init__(self, beats: int) -> None:
        super().__init__("s_axis")
        self.beats = beats

    def cycles(self) -> int:
        return self.beats

    def forward(self, t: np.ndarray) -> np.ndarray:
        return t


class _Dwc(_Stage):
    """stream_dwc.sv: split an input beat into R (latency 1, one output beat per cycle), or
    gather R input beats (one per cycle) into one, offered a cycle after the R-th."""

    kind = "dwc"

    def __init__(self, name: str, layer: str, n_in: int, in_lanes: int, out_lanes: int) -> None:
        super().__init__(name, layer)
        self.n_in, self.a, self.b = n_in, in_lanes, out_lanes

    @property
    def accept_gap(self) -> int:
        return max(1, self.a // self.b)  # a split takes the next beat as the last piece leaves

    def cycles(self) -> int:
        return max(self.n_in, self.n_in * self.a // self.b)

    def forward(self, t: np.ndarray) -> np.ndarray:
        if self.a > self.b:
            return _serve(np.repeat(t, self.a // self.b) + 1)
        r = self.b // self.a
        return _serve(t[r - 1::r] + 1)


class _Swu(_Stage):
    """swu.sv: the writer stores one BS-channel word per cycle (an input beat of CH
    channels takes max(1, CH/BS) cycles); window w's first beat leaves 3 cycles after its
    last pixel's last word is written, and after the previous window's last beat."""

    kind = "swu"

    def __init__(self, name: str, layer: str, shape: tuple[int, ...], k: int, s: int, p: int,
                 ch: int, simd: int) -> None:
        super().__init__(name, layer)
        self.c, self.h, self.w = shape
        self.k, self.s, self.p, self.ch, self.simd = k, s, p, ch, simd
        self.bs = min(simd, self.c)  # channels per written word
        self.oh = (self.h + 2 * p - k) // s + 1
        self.ow = (self.w + 2 * p - k) // s + 1
        self.nb = k * k * self.c // simd  # output beats per window

    @property
    def accept_gap(self) -> int:
        return max(1, self.ch // self.bs)  # the writer stores one word per cycle

    def cycles(self) -> int:
        pixels = self.h * self.w
        return max(pixels * self.c // self.ch, pixels * self.c // self.bs,
                   self.oh * self.ow * self.nb)

    def forward(self, t: np.ndarray) -> np.ndarray:
        nw = max(1, self.ch // self.bs)  # writer cycles per input beat
        taken = _serve(t, nw)
        per_pixel = self.c // self.ch
        written = taken[per_pixel - 1::per_pixel] + nw  # pixel's last word stored
        oy, ox = np.divmod(np.arange(self.oh * self.ow), self.ow)
        y = np.minimum(oy * self.s - self.p + self.k - 1, self.h - 1)  # window's last pixel
        x = np.minimum(ox * self.s - self.p + self.k - 1, self.w - 1)
        ready = written[y * self.w + x] + 3
        return _serve(np.repeat(ready, self.nb))


class _Engine(_Stage):
    """synaptic_engine.sv: NF*NP*SF compute steps per window with the next window loading
    into the second buffer; channel fold f's beat leaves 4 + (T+1 | 1) cycles after its
    last step (neuron of a hidden layer | output layer)."""

    kind = "engine"

    def __init__(self, name: str, layer: str, windows: int, mw: int, c_out: int, fold: Fold,
                 T: int, output: bool) -> None:
        super().__init__(name, layer)
        self.windows = windows
        self.sf = mw // fold.SIMD  # input beats per window
        self.nf = c_out // fold.PE  # channel folds = output beats per window
        self.np_ = T // fold.TP  # plane groups
        self.tail = 5 + (0 if output else T)

    @property
    def per_window(self) -> int:
        return self.nf * self.np_ * self.sf

    def cycles(self) -> int:
        return self.windows * self.per_window

    def forward(self, t: np.ndarray) -> np.ndarray:
        loaded = t[self.sf - 1::self.sf] + 1  # the window's last beat is in the buffer
        start = _serve(loaded, self.per_window)
        last_step = np.arange(1, self.nf + 1) * self.np_ * self.sf - 1
        return (start[:, None] + last_step[None, :] + self.tail).reshape(-1)


class _Pool(_Stage):
    """pool_unit.sv: one input beat per cycle; output beat g of a pixel leaves one cycle
    after the last-tap beat of channel group g. Its output register is one beat deep: a
    last-tap beat waits until the previous result is taken, which matters when the
    consumer takes a beat only every R > 1 cycles (a width converter or swu gearbox that
    splits beats): the CF results of a pixel come in CF consecutive cycles."""

    kind = "pool"

    def __init__(self, name: str, layer: str, windows: int, kk: int, cf: int) -> None:
        super().__init__(name, layer)
        self.windows, self.kk, self.cf = windows, kk, cf

    @property
    def per_window(self) -> int:
        """Steady-state cycles per pixel. With the consumer taking one beat per R cycles,
        result 1 of a pixel is taken at once, the pool takes last tap k >= 2 as result k-1
        is taken (R cycles apart), so a pixel costs (KK-1)*CF + 2 + (CF-2)*R cycles, and
        never less than the consumer's CF*R (CF = 1: max(KK, R))."""
        kk, cf, r = self.kk, self.cf, self.out_gap
        if cf == 1:
            return max(kk, r)
        return max((kk - 1) * cf + 2 + (cf - 2) * r, cf * r)

    def cycles(self) -> int:
        return self.windows * self.per_window

    def forward(self, t: np.ndarray) -> np.ndarray:
        r, cf, n = self.out_gap, self.cf, self.windows * self.kk * self.cf
        if r == 1:  # the consumer takes every result at once: never a wait
            t = _serve(t).reshape(self.windows, self.kk * cf)
            return (t[:, (self.kk - 1) * cf:] + 1).reshape(-1)
        out = np.empty(self.windows * cf, dtype=np.int64)
        first_last = (self.kk - 1) * cf  # index of the first last-tap beat in a window
        taken, accepted, k = -(1 << 62), -(1 << 62), 0
        for j, tj in enumerate(t.tolist()):
            taken = max(tj, taken + 1)
            if j % (self.kk * cf) >= first_last:
                taken = max(taken, accepted)  # output register free (or freeing)
                out[k] = taken + 1
                accepted = max(taken + 1, accepted + r)
                k += 1
        assert k == len(out) and len(t) == n
        return out


class _Argmax(_Stage):
    """argmax_unit.sv: scores pass one register; the class beat follows the last score."""

    kind = "argmax"

    def __init__(self, beats: int) -> None:
        super().__init__("u_argmax")
        self.beats = beats

    def cycles(self) -> int:
        return self.beats + 1

    def forward(self, t: np.ndarray) -> np.ndarray:
        out = _serve(t + 1)
        return np.append(out, out[-1] + 1)


def _square(layer, what: str) -> tuple[int, int, int]:
    (k, k2), (s, s2), (p, p2) = layer.kernel, layer.stride, layer.padding
    if k != k2 or s != s2 or p != p2 or p >= k:
        raise ConfigError(f"{layer.where}: the hardware supports square {what} with padding "
                          f"below the kernel only (kernel {layer.kernel}, stride "
                          f"{layer.stride}, padding {layer.padding})")
    return k, s, p


def _chain(net: Network, folds: dict[str, Fold]) -> list[_Stage]:
    """The cores ``e3ne.hw.generate.generate`` instantiates, in stream order."""
    c0, h0, w0 = net.input_shape
    stages: list[_Stage] = [_Input(h0 * w0)]
    lanes, beats = c0, h0 * w0  # the current stream: lanes per beat, beats per image
    shapes = net.shapes()

    def dwc(to: int, tag: str, layer: str) -> None:
        nonlocal lanes, beats
        if lanes == to:
            return
        if lanes % to and to % lanes:
            dwc(math.gcd(lanes, to), tag + "_g", layer)
        stages.append(_Dwc(f"u_dwc_{tag}", layer, beats, lanes, to))
        beats, lanes = beats * lanes // to, to

    for i, layer in enumerate(net.layers):
        shape, tag = shapes[i], f"l{i}"
        if isinstance(layer, Flatten):
            continue  # the stream is already in HWC order
        if isinstance(layer, (MaxPool, AvgPool)):
            k, s, p = _square(layer, "pooling windows")
            swu = _Swu(f"u_swu_{tag}", layer.name, shape, k, s, p, lanes, lanes)
            stages += [swu, _Pool(f"u_pool_{tag}", layer.name, swu.oh * swu.ow, k * k,
                                  shape[0] // lanes)]
            beats = swu.oh * swu.ow * shape[0] // lanes
            continue
        assert isinstance(layer, Synaptic)
        if layer.name not in folds:
            raise ConfigError(f"{layer.where}: no fold given (PE, SIMD, TP)")
        fold = folds[layer.name]
        check_fold(layer, fold, net.T)
        if isinstance(layer, Conv):
            k, s, p = _square(layer, "convolutions")
            if fold.SIMD <= shape[0] and lanes % fold.SIMD and fold.SIMD % lanes:
                dwc(math.gcd(lanes, fold.SIMD), tag, layer.name)
            swu = _Swu(f"u_swu_{tag}", layer.name, shape, k, s, p, lanes, fold.SIMD)
            stages.append(swu)
            windows = swu.oh * swu.ow
        else:
            dwc(fold.SIMD, tag, layer.name)
            windows = 1
        stages.append(_Engine(f"u_syn_{tag}", layer.name, windows, layer.fan_in,
                              layer.out_channels, fold, net.T, layer.output))
        lanes, beats = fold.PE, windows * layer.out_channels // fold.PE
    stages.append(_Argmax(beats))
    for producer, consumer in zip(stages, stages[1:], strict=False):
        producer.out_gap = consumer.accept_gap
    return stages


def estimate(net: Network, folds: dict[str, Fold]) -> CycleEstimate:
    """Latency and interval of the design ``generate(net, folds)`` writes, without
    generating or simulating it (about a millisecond for the zoo)."""
    stages = _chain(net, folds)
    t = np.arange(stages[0].cycles(), dtype=np.int64)  # input beat i at cycle i
    out = []
    for st in stages:
        first_in = int(t[0])
        t = st.forward(t)
        out.append(StageEstimate(st.name, st.kind, st.layer, st.cycles(),
                                 int(t[0]) - first_in, int(t[0]), int(t[-1])))
    return CycleEstimate(latency=int(t[-1]) + 1, interval=max(s.cycles for s in out),
                         stages=out)
