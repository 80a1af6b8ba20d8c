"""What every core model says about its SystemVerilog core, and the registry of them.

A core model is one Python class per hand-written core (``hw/rtl/<module>.sv``). An
instance of it is one instance of the core in a generated design: its RTL parameters,
the facts the cost models need besides them (``info``), and the streams it joins. The
class holds everything the rest of the tool asks of the core:

* ``module``, ``sources``: the SystemVerilog module and the files it needs;
* ``ports(params)``: its input and output data widths (for wrappers and checks);
* cycle behaviour, one stage of the max-plus recurrence of ``e3ne.dse.cycles``:
  ``accept_gap()`` (fewest cycles between two input beats it takes), ``busy(out_gap)``
  (its share of the steady-state interval) and ``forward(t, out_gap)`` (output-beat times
  from input-beat times; ``out_gap`` is the consumer's ``accept_gap``) and ``pace``
  (told that gap when the chain is laid out, for a core that paces its bursts to it);
* ``features(params)``: the structural features the resource model is linear in, and the
  exactly counted block RAM;
* ``calibration_plan()`` and ``calibration_files(params, rng)``: the single-core designs
  the resource model is fitted on (``bench/calibrate_resources.py``).

The generator (``e3ne.design.chain``) builds the list of instances once; the generator's
writer, the cycle model, the resource model and the report all read that list.
"""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

CORE_MODELS: dict[str, type[Core]] = {}


def register_core(cls: type[Core]) -> type[Core]:
    """Class decorator: make a core model known by its SystemVerilog module name."""
    if cls.module in CORE_MODELS:
        raise RuntimeError(f"core {cls.module!r} registered twice")
    CORE_MODELS[cls.module] = cls
    return cls


@functools.cache
def divisors(n: int) -> tuple[int, ...]:
    return tuple(d for d in range(1, n + 1) if n % d == 0)


def clog2(n: int) -> int:
    return max(0, math.ceil(math.log2(n))) if n > 1 else 0


def serve(avail: np.ndarray, gap: int = 1) -> np.ndarray:
    """``t[k] = max(avail[k], t[k-1] + gap)``: a port that moves one beat per ``gap``
    (closed form ``t = g*k + cummax(avail - g*k)``)."""
    g = np.arange(len(avail), dtype=np.int64) * gap
    return g + np.maximum.accumulate(avail - g)


class Acceptor:
    """A consumer's input side, beat by beat: ``take(ready)`` is the cycle it takes a beat
    offered from cycle ``ready`` on (valid held until then), here at most one per ``gap``
    cycles. Cores with input buffers override ``Core.acceptor`` (``StreamFork``)."""

    def __init__(self, gap: int) -> None:
        self.gap, self.last = max(1, gap), -(1 << 62)

    def take(self, ready: int) -> int:
        self.last = max(ready, self.last + self.gap)
        return self.last


@dataclass
class Stream:
    """A wire bundle between two cores: ``lanes`` lanes of ``lane_w`` bits, ``beats``
    beats per image."""

    name: str
    lanes: int
    lane_w: int
    beats: int

    @property
    def width(self) -> int:
        return self.lanes * self.lane_w

    def doc(self) -> dict:
        """As the plan records a traced stream."""
        return {"name": self.name, "lanes": self.lanes, "lane_w": self.lane_w}


@dataclass
class Core:
    """One instance of a core in a design (subclasses: one per SystemVerilog core)."""

    name: str  # instance name in the top level
    layer: str  # the IR layer it serves ("" for the argmax)
    params: dict  # RTL parameters, as written into the top level
    src: Stream  # the stream it reads
    dst: Stream  # the stream it writes
    info: dict = field(default_factory=dict)  # facts for the models, not RTL parameters
    reader: Core | None = field(default=None, repr=False, compare=False)  # dst's consumer

    module: ClassVar[str] = ""
    sources: ClassVar[tuple[str, ...]] = ()  # .sv files in hw/rtl, dependencies first
    stage: ClassVar[str] = ""  # short stage kind in estimates and reports
    # parameters and facts its beat times do not read (where its weights live, the names
    # of its memory files and of the cores that serve them): the search's kept timings
    # (``e3ne.hw.timeline.TimesMemo``) leave them out of their key, so designs that differ
    # only there share one run
    untimed: ClassVar[frozenset[str]] = frozenset()

    # --- streams ---------------------------------------------------------------------
    def inputs(self) -> list[tuple[str, Stream]]:
        """(port prefix, stream) of every stream it reads: ``src`` on ``i*``, and for a core
        that joins two streams the second one too."""
        return [("i", self.src)]

    def outputs(self) -> list[tuple[str, Stream]]:
        """(port prefix, stream) of every stream it writes: ``dst`` on ``o*`` (a fork also
        writes a second one)."""
        return [("o", self.dst)]

    # --- ports -----------------------------------------------------------------------
    @classmethod
    def ports(cls, params: dict) -> tuple[int, int]:
        """(input, output) data widths."""
        raise NotImplementedError

    @classmethod
    def aux_ports(cls, params: dict) -> list[tuple[str, bool, int]]:
        """(port, is an input, width) of its ports besides clock, reset and the streams:
        the argmax's ``olast``, an engine's weight load port."""
        return []

    def aux_connections(self) -> dict[str, str]:
        """What each of ``aux_ports`` connects to in the top level: an input port takes an
        expression (a constant ties it off), an output port drives a wire of that name,
        which the top level declares."""
        return {}

    @classmethod
    def side_ports(cls, params: dict) -> list[tuple[str, bool, int]]:
        """(port prefix, is an input, data width) of its streams besides ``i*`` and
        ``o*``: a join's second input, a fork's second output."""
        return []

    # --- cycles ----------------------------------------------------------------------
    @property
    def in_beats(self) -> int:
        return self.src.beats

    def accept_gap(self) -> int:
        """Fewest cycles between two input beats this core takes."""
        return 1

    def acceptor(self) -> Acceptor:
        """When this core takes the beats offered to it one by one, for a producer whose
        next step waits on that (``PoolUnit``): by default one every ``accept_gap``."""
        return Acceptor(self.accept_gap())

    def busy(self, out_gap: int) -> int:
        """Busy cycles per image: its share of the steady-state interval."""
        raise NotImplementedError

    def forward(self, t: np.ndarray, out_gap: int) -> np.ndarray:
        """Cycles of its output beats of one image from those of its input beats."""
        raise NotImplementedError

    def forward_all(self, ins: list[np.ndarray], out_gap: int) -> list[np.ndarray]:
        """``forward`` for every stream: beat times of each output (``outputs()`` order)
        from those of each input (``inputs()`` order)."""
        return [self.forward(ins[0], out_gap)]

    def pace(self, consumer_gap: int) -> None:
        """Told its consumer's ``accept_gap`` once the chain is laid out: a core that
        emits bursts paces them to it (a parameter); the rest ignore it."""

    # --- resources -------------------------------------------------------------------
    @classmethod
    def features(cls, params: dict) -> tuple[dict, dict]:
        """(features the fitted LUT/FF/LUTRAM are linear in, exactly counted resources)."""
        raise NotImplementedError

    def model_params(self) -> dict:
        """What the resource model reads: the RTL parameters and the facts in ``info``."""
        return {**self.params, **self.info}

    # --- calibration -----------------------------------------------------------------
    @classmethod
    def calibration_plan(cls) -> list[dict]:
        """Parameter sets of the single cores the resource model is fitted on."""
        return []

    @classmethod
    def calibration_files(cls, params: dict, rng: random.Random) -> tuple[dict, dict]:
        """(memory images by file name, the parameters naming them) for a calibration
        core; cores without memories have none."""
        return {}, {}


class OffImagePath:
    """Mixin for a core that serves the weights, not the images (a loader, an AXI reader,
    the arbiter): the cycle model never reaches it from s_axis, so it takes no share of
    the interval."""

    def busy(self, out_gap: int) -> int:
        return 0

    def forward(self, t: np.ndarray, out_gap: int) -> np.ndarray:
        return t + 1
