"""The weights a design takes at run time, and the port they come in on.

Engines whose weights are placed "uram" get a ``weight_load`` each, chained on the weight
port (``load_weights``); engines whose weights stay in DDR ("ext") get a looping
``axi_read_stream`` each (``stream_weights``). Once the design is laid out,
``size_port`` settles the port's width, lays out the weight image and the plan's
``weight_port``, adds the fetch of the loaders' part for ``m_axi``, and puts the readers
on one ``axi_read_arb`` when there are several. The cores' own models know nothing of
each other; this module is where they meet.
"""

from __future__ import annotations

from e3ne.hw.cores.axi_read_arb import AxiReadArb
from e3ne.hw.cores.axi_read_stream import (
    ADDR_W,
    BURST,
    OUTSTANDING,
    AxiReadStream,
    fetch_weights,
)
from e3ne.hw.cores.base import Core, Stream
from e3ne.hw.cores.stream_dwc import StreamDwc
from e3ne.hw.cores.weight_load import WEIGHT_BUS, WIDE_BUS, WeightLoad, port_width


def load_weights(design, engine: Core, words: list[int] | None) -> None:
    """Give ``engine`` (placed in UltraRAM) a loader at the tail of the weight chain;
    ``words``: its memory's words (``SynapticEngine.packed_words``), or None when not
    writing. The port's width is settled once the whole chain is known (``size_port``)."""
    p = engine.params
    depth = p["C_OUT"] // p["PE"] * (p["MW"] // p["SIMD"])
    width = p["PE"] * p["SIMD"] * p["W"]
    src = design.weight_chain(WEIGHT_BUS)
    note_weights(design)
    if design.weight_loads:  # the chain's last loader so far now passes beats on
        design.weight_loads[-1][0].params["PASS"] = 1
    dst = design.stream(1, WEIGHT_BUS, 0)
    name = "u_wl_" + engine.name.removeprefix("u_syn_")
    loader = WeightLoad(name, engine.layer, WeightLoad.parameters(WEIGHT_BUS, depth, width),
                        src, dst)
    loader.info["engine"] = engine.name
    design.add(loader)
    engine.info["loader"] = name
    design.weight_tail = dst
    design.weight_loads.append((loader, words))


def note_weights(design) -> None:
    """Size the weight port once the design is laid out (``size_port``), whichever of
    its run-time weights (loaded or streamed) came first."""
    if size_port not in design.sizers:
        design.sizers.append(size_port)


def size_port(design) -> None:
    """Once the design is laid out: the weight port's width (``port_width``, or
    ``WIDE_BUS`` with streamed weights) on every loader and weight stream, the plan's
    weight_port (offset and beats of each loader, then of each streamed engine's region)
    and, when writing, the weight image; with ``m_axi``, the fetch of the loaders' part,
    and the arbiter when more than one reader shares the port."""
    loads, streams = design.weight_loads, design.weight_streams
    bus = WIDE_BUS if streams else port_width(
        [(ld.params["DEPTH"], ld.params["WIDTH"]) for ld, _ in loads])
    for s in ([design.weight_in] if loads else []) + [ld.dst for ld, _ in loads]:
        s.lane_w = bus
    port = design.plan.weight_port = {"kind": design.weight_port, "width": bus, "beats": 0,
                                      "loads": []}
    for ld, words in loads:
        ld.params["BUS"] = bus
        depth, width = ld.params["DEPTH"], ld.params["WIDTH"]
        nb = -(-width // bus)
        port["loads"].append({"layer": ld.layer, "engine": ld.info["engine"],
                              "loader": ld.name, "offset": port["beats"], "beats": depth * nb,
                              "words": depth, "word_bits": width})
        port["beats"] += depth * nb
        if design.writing:
            design.weight_beats += WeightLoad.beats(words, width, bus)
    readers = []
    if design.weight_port == "m_axi":
        port.update(addr_bits=ADDR_W, burst=BURST, outstanding=OUTSTANDING)
        if loads:
            readers.append(fetch_weights(design, design.weight_in, port["beats"]))
    if streams:
        port["streams"] = []
    for engine, fetch, beats in streams:
        fetch.info["offset"] = port["beats"] * bus // 8
        p = engine.params
        port["streams"].append({"layer": engine.layer, "engine": engine.name,
                                "reader": fetch.name, "offset": port["beats"],
                                "beats": fetch.info["beats"],
                                "words": p["C_OUT"] // p["PE"] * (p["MW"] // p["SIMD"]),
                                "word_bits": p["PE"] * p["SIMD"] * p["W"]})
        port["beats"] += fetch.info["beats"]
        if design.writing:
            design.weight_beats += beats
        readers.append(fetch)
    if len(readers) > 1:
        arbitrate(design, readers)


def stream_weights(design, engine: Core, words: list[int] | None) -> None:
    """Feed ``engine`` (weights placed "ext", ``WGT_RAM`` 2) from its region of the weight
    image in DDR: an AXI read that loops over the region (the words of one window, in the
    order its steps take them: for sf, for nf) and, when a word is wider than the bus, a
    width converter that gathers its beats. ``words``: the engine's weight memory words
    (``SynapticEngine.packed_words``), or None when not writing. The region's place in the
    image, and the arbiter that shares m_axi_weights, come once the design is laid out
    (``size_port``)."""
    p = engine.params
    nf, sf = p["C_OUT"] // p["PE"], p["MW"] // p["SIMD"]
    width, bus = p["PE"] * p["SIMD"] * p["W"], WIDE_BUS
    nb = -(-width // bus)
    tag = engine.name.removeprefix("u_syn_")
    design.weight_port = "m_axi"  # streamed weights are read from DDR
    raw = design.stream(1, bus, 0)
    fetch = AxiReadStream(f"u_wsf_{tag}", engine.layer,
                          AxiReadStream.parameters(bus, loop=True),
                          Stream("m_axi_weights", 1, bus, 0), raw)
    fetch.info["beats"] = nf * sf * nb
    fetch.info["image_beats"] = engine.src.beats * nf * nb  # a region for every window
    design.add(fetch)
    word = raw
    if nb > 1:
        word = design.stream(nb, bus, 0)
        design.add(StreamDwc(f"u_wsg_{tag}", engine.layer,
                             {"IN_LANES": 1, "OUT_LANES": nb, "LANE_W": bus}, raw, word))
    engine.info["wstream"] = word.name
    if word.width > width:
        design.unused.append(f"{word.name}_dat[{word.width - 1}:{width}]")
    order = None if words is None else [words[n * sf + s] for s in range(sf) for n in range(nf)]
    beats = None if order is None else WeightLoad.beats(order, width, bus)
    design.weight_streams.append((engine, fetch, beats))
    note_weights(design)


def arbitrate(design, readers: list[Core]) -> None:
    """Put ``readers`` (the design's AXI readers) on m_axi_weights through one arbiter."""
    d = readers[0].params["DATA_W"]
    arb = AxiReadArb("u_warb", "", AxiReadArb.parameters(
        len(readers), d, ADDR_W, len(readers) * OUTSTANDING), readers[0].src, readers[0].src)
    arb.info["managers"] = [r.name for r in readers]
    for k, r in enumerate(readers):
        r.info["arb"] = (arb.name, k)
    # before the first reader: the output's core stays last
    design.add(arb, at=min(design.cores.index(r) for r in readers))
