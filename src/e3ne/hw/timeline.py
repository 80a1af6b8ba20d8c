"""Beat times of every stream of a design: the cores' cycle stages run over its graph.

A design is a list of core instances in stream order (every core after the cores that
write its inputs). Most read one stream and write one; a fork writes two and a residual
join reads two, so the streams form a graph, not a chain. Each core states its own stage
(``Core.forward_all``: output-beat times from input-beat times, given the pace its
consumer accepts); this module only walks the graph once, in list order. The cycle model
(``e3ne.dse.cycles``) reads the times; the design builder sizes skip buffers from them.
"""

from __future__ import annotations

import numpy as np

from e3ne.hw.cores.base import Core, Stream


def consumers(cores: list[Core]) -> dict[str, Core]:
    """The core that reads each stream, by stream name."""
    return {s.name: c for c in cores for _, s in c.inputs()}


def out_gap(core: Core, readers: dict[str, Core]) -> int:
    """Fewest cycles between two beats the consumers of ``core``'s outputs take (1 for the
    design's output port)."""
    return max((readers[s.name].accept_gap() for _, s in core.outputs() if s.name in readers),
               default=1)


def _frozen(v: object) -> object:
    """A hashable stand-in for a core's parameter or fact (dicts, lists, arrays)."""
    if isinstance(v, dict):
        return tuple(sorted((k, _frozen(x)) for k, x in v.items()))
    if isinstance(v, (list, tuple)):
        return tuple(_frozen(x) for x in v)
    if isinstance(v, np.ndarray):
        return (v.shape, str(v.dtype), v.tobytes())
    return v


def _core_key(core: Core) -> tuple:
    """What a core's beat times depend on, besides its inputs' times and its consumer:
    its class, its parameters and facts but those it says its timing ignores
    (``Core.untimed``), its streams' shapes."""
    skip = core.untimed
    params = {k: v for k, v in core.params.items() if k not in skip}
    info = {k: v for k, v in core.info.items() if k not in skip}
    return (type(core).__name__, _frozen(params), _frozen(info),
            tuple((s.lanes, s.lane_w, s.beats) for _, s in core.inputs() + core.outputs()))


class TimesMemo:
    """Beat times of core runs kept across designs (``beat_times``), at most ``limit``
    bytes of them: past it all are dropped and keeping starts again. Entries are numbered
    in the order they were made, never reused, so a key that names a dropped entry's
    number only misses."""

    def __init__(self, limit: int = 512 << 20) -> None:
        self.limit, self.nbytes, self.made = limit, 0, 0
        self.entries: dict[tuple, tuple[int, list | None]] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def entry(self, key: tuple) -> tuple[int, list | None]:
        """(entry number, kept output times or None) of ``key``; a new key gets the next
        number."""
        if key not in self.entries:
            self.entries[key] = (self.made, None)
            self.made += 1
        return self.entries[key]

    def keep(self, key: tuple, n: int, outs: list) -> None:
        size = sum(t.nbytes for t in outs)
        if self.nbytes + size > self.limit:
            self.entries.clear()
            self.nbytes = 0
        for t in outs:
            t.flags.writeable = False
        self.entries[key] = (n, outs)
        self.nbytes += size


def beat_times(cores: list[Core], start: Stream, t0: np.ndarray,
               memo: TimesMemo | None = None) -> dict[str, np.ndarray]:
    """Times of every beat of every stream reachable from ``start``, whose beats arrive at
    ``t0``: one pass over the cores in list order (a core with an input not reached, such as
    an outer block's join seen from an inner block's fork, or with no input stream, such as
    the weight fetch, is left out with all it feeds).

    ``memo`` (kept by the caller across designs, e.g. the search's candidates, which differ
    from one another in a layer or two): each core's output times are kept under what they
    depend on (the core's class, parameters and facts, its streams' shapes, its consumer
    and the keys of its input times, recursively), so a core whose inputs and setting
    another design shares is not run again. The kept arrays are read-only."""
    t0 = np.asarray(t0, dtype=np.int64)
    times = {start.name: t0}
    # a stream's key: (the entry number of the core run that wrote it, its output index)
    keys: dict[str, tuple] = {}
    if memo is not None:
        keys[start.name] = (memo.entry(("in", t0.tobytes()))[0], 0)
    readers = consumers(cores)
    core_keys = {id(c): _core_key(c) for c in cores} if memo is not None else {}
    for core in cores:
        ins = core.inputs()
        if not ins or not all(s.name in times for _, s in ins):
            continue
        gap = out_gap(core, readers)
        if memo is None:
            outs = core.forward_all([times[s.name] for _, s in ins], gap)
        else:
            reader = core.reader
            reader = None if reader is None else core_keys.get(id(reader)) or _core_key(reader)
            key = (core_keys[id(core)], gap, reader, tuple(keys[s.name] for _, s in ins))
            n, outs = memo.entry(key)
            if outs is None:
                outs = core.forward_all([times[s.name] for _, s in ins], gap)
                memo.keep(key, n, outs)
            for k, (_, s) in enumerate(core.outputs()):
                keys[s.name] = (n, k)
        for (_, s), t in zip(core.outputs(), outs, strict=True):
            times[s.name] = t
    return times
