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


def beat_times(cores: list[Core], start: Stream, t0: np.ndarray) -> dict[str, np.ndarray]:
    """Times of every beat of every stream reachable from ``start``, whose beats arrive at
    ``t0``: one pass over the cores in list order (a core with an input not reached, such as
    an outer block's join seen from an inner block's fork, or with no input stream, such as
    the weight fetch, is left out with all it feeds)."""
    times = {start.name: np.asarray(t0, dtype=np.int64)}
    readers = consumers(cores)
    for core in cores:
        ins = core.inputs()
        if not ins or not all(s.name in times for _, s in ins):
            continue
        outs = core.forward_all([times[s.name] for _, s in core.inputs()],
                                out_gap(core, readers))
        for (_, s), t in zip(core.outputs(), outs, strict=True):
            times[s.name] = t
    return times
