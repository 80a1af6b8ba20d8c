"""IR + folds -> the design: the chain of core instances, their streams and the plan.

Built once, read by everything that needs the design: the writer (``design.generate``) renders
it, the cycle model runs each core's stage of the recurrence over it, the resource model
sums each core's estimate, the report lists it. Each layer kind decides which cores it
becomes (``Layer.build_hw``); this module only walks the network, hands out streams and
keeps the plan.

Stream plan (see hw/README.md): s_axis carries ``in_pixels`` input pixels per beat (their
C channels, T bits each; one, unless the first layer's window unit takes more a cycle and
needs them); each layer appends its cores; the output layer feeds an argmax unit whose
scores and class leave on m_axis (the class beat carries tlast).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from e3ne.design.folding import Fold, check_fold
from e3ne.errors import ConfigError
from e3ne.hw.cores import CORE_MODELS, Core, Stream
from e3ne.hw.cores.argmax_unit import classify
from e3ne.hw.timeline import TimesMemo, beat_times, consumers, out_gap
from e3ne.ir import Network

# How weights placed in UltraRAM come in after reset: "axis", a stream the host sends
# (s_axis_weights); "m_axi", read by the design itself from DDR (m_axi_weights)
WEIGHT_PORTS = ("axis", "m_axi")


def byte_align(bits: int) -> int:
    return (bits + 7) // 8 * 8


@dataclass
class Plan:
    """What the top level looks like from outside, for benches and host drivers."""

    in_width: int  # s_axis_tdata bits (byte aligned)
    in_lanes: int  # channels per input pixel
    in_beats: int  # input beats per image (pixels / in_pixels)
    out_width: int  # m_axis_tdata bits (byte aligned)
    out_lanes: int  # scores per output beat
    score_bits: int  # bits per score lane (two's complement)
    out_beats: int  # output beats per image: score beats + the class beat
    num_classes: int
    T: int
    folds: dict[str, dict] = field(default_factory=dict)
    stages: list[dict] = field(default_factory=list)
    # the weight port, when engines load their weights at run time (UltraRAM) or stream
    # them (placed "ext"): its "kind" (WEIGHT_PORTS), "width", the image's "beats", per
    # engine its "loads" (offset and beats in the image) and its "streams" (the region
    # one window's words take, read again and again); for m_axi also "addr_bits",
    # "burst" and "outstanding"
    weight_port: dict | None = None
    # the float value of one input level (the network's); None: 1/(2^T-1)
    input_scale: float | None = None
    in_pixels: int = 1  # pixels per input beat, raster order, pixel k at k*in_lanes*T


class Design:
    """The design being built: streams in creation order, cores in stream order, the
    streams traced per layer, memory images (when ``write``), the plan."""

    def __init__(self, net: Network, folds: dict[str, Fold], write: bool,
                 weight_port: str = "axis", in_pixels: int = 1) -> None:
        if weight_port not in WEIGHT_PORTS:
            raise ConfigError(f"--weight-port {weight_port}: expected one of "
                              f"{', '.join(WEIGHT_PORTS)}")
        self.folds, self.T, self.W = folds, net.T, net.W
        self.weight_port = weight_port  # how run-time weights come in: WEIGHT_PORTS
        self.files: dict[str, str] | None = {} if write else None
        self.streams: list[Stream] = []
        self.cores: list[Core] = []
        self.taps: list[tuple[str, Stream]] = []  # (layer tag, its output stream)
        self.layer, self.index = "", -1  # the IR layer whose cores are being added
        self.feature_order: tuple[int, int, int] | None = None  # a flatten's (C, H, W)
        c0, h0, w0 = net.input_shape
        self.input = self.stream(c0 * in_pixels, net.T, h0 * w0 // in_pixels)
        self.plan = Plan(in_width=byte_align(c0 * in_pixels * net.T), in_lanes=c0,
                         in_beats=h0 * w0 // in_pixels, in_pixels=in_pixels,
                         out_width=0, out_lanes=0, score_bits=0, out_beats=0,
                         num_classes=net.num_classes, T=net.T, input_scale=net.input_scale,
                         folds={k: dict(vars(v)) for k, v in folds.items()})
        self.output: Stream | None = None
        self.skips: dict[str, Stream] = {}  # a fork's name -> its buffered skip stream
        self.readers = {layer.reads(): layer for layer in net.layers if layer.reads()}
        self.sizers: list = []  # callables run once the design is laid out and paced
        self._input_times: dict | None = None
        self.weight_in: Stream | None = None  # s_axis_weights (engines loaded at run time)
        self.weight_tail: Stream | None = None  # the last weight loader's pass-through
        self.weight_beats: list[int] = []  # the weight image (when writing)
        self.weight_loads: list = []  # (weight loader, its words or None), in chain order
        # engines with streamed weights: (engine, its AXI reader, its region's beats or None)
        self.weight_streams: list = []
        self.unused: list[str] = []  # expressions the top reads into its unused sink

    @property
    def writing(self) -> bool:
        return self.files is not None

    def input_times(self, memo: TimesMemo | None = None) -> dict[str, np.ndarray]:
        """Beat times of every stream with the input at one beat per cycle, once per
        laid-out design: each skip buffer's sizer reads them (a buffer's depth does not
        change them), and a residual network has a sizer per block. ``memo``: see
        ``e3ne.hw.timeline.beat_times``."""
        if self._input_times is None:
            self._input_times = beat_times(self.cores, self.input,
                                           np.arange(self.input.beats, dtype=np.int64), memo)
        return self._input_times

    def stream(self, lanes: int, lane_w: int, beats: int) -> Stream:
        s = Stream(f"s{len(self.streams)}", lanes, lane_w, beats)
        self.streams.append(s)
        return s

    def weight_chain(self, bus: int) -> Stream:
        """The stream the next weight loader reads: s_axis_weights for the first one
        (``e3ne.hw.cores.weight_load``), then the last one's pass-through."""
        if self.weight_in is None:
            self.weight_in = self.weight_tail = self.stream(1, bus, 0)
        return self.weight_tail

    def add(self, core: Core, at: int | None = None) -> Stream:
        """Append ``core`` (or insert it at index ``at``); its output stream."""
        if core.module not in CORE_MODELS:
            raise RuntimeError(f"core {core.module!r} is not registered")
        self.cores.insert(len(self.cores) if at is None else at, core)
        return core.dst

    def fold(self, layer) -> Fold:
        """The checked fold of a synaptic layer."""
        if layer.name not in self.folds:
            raise ConfigError(f"{layer.where}: no fold given (PE, SIMD, TP)")
        fold = self.folds[layer.name]
        check_fold(layer, fold, self.T, W=self.W)
        return fold

    def stage(self, entry: dict, tap: tuple[str, Stream] | None = None) -> None:
        """A plan entry of the current layer, and the stream ``e3ne verify --trace``
        records for it."""
        self.plan.stages.append(entry)
        if tap is not None:
            self.taps.append(tap)


def build(net: Network, folds: dict[str, Fold], write: bool = False,
          weight_port: str = "axis") -> Design:
    """The design ``generate`` writes; memory images only when ``write``."""
    first = net.layers[0] if net.layers else None
    px = 1 if first is None else first.input_pixels(folds.get(first.name), net.input_shape)
    d = Design(net, folds, write, weight_port, px)
    src = d.input
    for i, (layer, shape) in enumerate(zip(net.layers, net.shapes(), strict=False)):
        d.layer, d.index = layer.name, i
        src = layer.build_hw(d, src, shape, f"l{i}")
    d.layer, d.index = "", -1
    d.output = classify(d, src, net.num_classes)
    readers = consumers(d.cores)
    for core in reversed(d.cores):  # a consumer's pace first: a fork passes it on
        core.reader = readers.get(core.dst.name)
        core.pace(out_gap(core, readers))
    for size in d.sizers:  # skip buffers, from the timing of the laid-out design
        size(d)
    d.plan.out_lanes, d.plan.score_bits = src.lanes, src.lane_w
    d.plan.out_width = byte_align(src.width)
    d.plan.out_beats = d.output.beats
    return d


def core_instances(net: Network, folds: dict[str, Fold]) -> list[Core]:
    """The cores ``generate`` would instantiate, with their parameters, without packing
    memory images or writing files."""
    return build(net, folds).cores
