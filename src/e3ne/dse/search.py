"""Design-space search: per-layer (PE, SIMD, TP) and weight placement under a budget.

Each synaptic layer has a *ladder* of folds: every legal (PE, SIMD, TP), grouped by the
cycles one window takes (C_OUT/PE * T/TP * MW/SIMD), keeping the cheapest per speed
(engine LUTs from the resource model).
The search starts from the cheapest rung everywhere and climbs greedily, as FINN's
SetFolding does, but with both cost models in the loop:

1. *interval*: while the bottleneck stage (cycle model) belongs to a layer that can go
   faster, move that layer (or, for a stage its input width sets, the layer feeding it)
   one rung up;
2. *latency*: then, while some one-rung move shortens the single-image latency, take the
   move with the most cycles saved per LUT added;
3. *latency, off the ladders*: then, while changing one layer to any of its folds (not
   only a rung: two folds of one speed can differ in latency, a wider SIMD waiting for
   fewer, larger beats), with its weights in LUTs or in block RAM, shortens the latency
   within the budget, take the best such move (LUT and BRAM each against its own spare).

4. *weights on chip* (with ``external_weights``, where the search starts from every
   layer streamed): from the fastest design, bring streamed layers' weights on chip, first
   by latency saved per share of the budget spent, then by latency alone.

For the latency objective, phases 2 and 3 run three times: from where phase 1 ended,
from the smallest design (the interval climb can spend the budget on a layer the latency
does not need), and from a balanced start: the bottleneck layer a rung up at a time, no
gain ratio, until every stage keeps pace with the input stream (the gain ratio prices
block RAM at the budget's LUT-per-BRAM ratio, and spent LeNet-5's LUTs on hard-wired
weights while 35 of its 40 BRAM36 sat idle: 2,492 cycles; the balanced start finds
1,663 in the same budget).

A move that would break the budget is not taken. Every design visited is a point
(latency, interval, resources); the Pareto front is taken over (latency, LUT, BRAM).
With streamed weights, a candidate whose weight port alone takes at least the cycles the
move must beat (known from each layer's fold, before any stage is timed) is skipped, not
visited: no move to it could be taken. Candidates share what they have in common: each
design is evaluated once, and each core's beat times are kept across designs
(``e3ne.hw.timeline.TimesMemo``; where the weights live does not change them). The
chosen design minimises latency within the budget (``objective="latency"``) or is the
smallest that meets an interval (``objective="throughput"``).

Weights go to block RAM where that saves more LUTs than a block is worth *in this
budget* (``lut / bram``), so a LUT-tight, BRAM-rich budget pushes ROMs into BRAM.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from e3ne.design.chain import build
from e3ne.design.folding import Fold, divisors, legal_simd, stream_keeps_up
from e3ne.devices import get_device, parse_budget
from e3ne.dse import cycles as cycle_model
from e3ne.dse import resources as resource_model
from e3ne.dse.cycles import port_cycles
from e3ne.errors import ConfigError, InfeasibleBudget
from e3ne.hw.cores import SynapticEngine
from e3ne.hw.memory import DEFAULT_LUTS_PER_BRAM36, weights_in_bram
from e3ne.hw.timeline import TimesMemo
from e3ne.ir import Network
from e3ne.layers import Synaptic

__all__ = ["DesignPoint", "SearchResult", "search", "ladder"]

PROGRESS_SECONDS = 30.0  # between two progress lines of a long search


@dataclass
class DesignPoint:
    """One design: its folds and what the models say about it."""

    folds: dict[str, Fold]
    cycles: cycle_model.CycleEstimate
    resources: resource_model.ResourceEstimate
    pareto: bool = False

    @property
    def latency(self) -> int:
        return self.cycles.latency

    @property
    def interval(self) -> int:
        return self.cycles.interval

    @property
    def lut(self) -> int:
        return self.resources.lut_total

    def summary(self) -> dict:
        r = self.resources
        return {"latency": self.latency, "interval": self.interval, "LUT": r.lut_total,
                "LUT_logic": r.LUT, "LUTRAM": r.LUTRAM, "FF": r.FF, "BRAM36": r.bram,
                "URAM": r.URAM, "DSP": r.DSP,
                "folds": {k: {"PE": f.PE, "SIMD": f.SIMD, "TP": f.TP, "weights": f.weights}
                          for k, f in self.folds.items()}}


@dataclass
class SearchResult:
    points: list[DesignPoint]
    chosen: DesignPoint
    budget: dict
    device: str
    objective: str
    seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def front(self) -> list[DesignPoint]:
        return [p for p in self.points if p.pareto]


def _cycles_per_window(layer: Synaptic, f: Fold, T: int) -> int:
    return (layer.out_channels // f.PE) * (T // f.TP) * (layer.fan_in // f.SIMD)


def _folds(layer: Synaptic, T: int, W: int, luts_per_bram: float, max_lanes: int = 4096,
           external: bool = False) -> list[tuple[int, float, Fold]]:
    """Every legal fold of ``layer``, placed, as (cycles per window, cost in LUTs, fold)."""
    out = []
    for pe in divisors(layer.out_channels):
        for simd in legal_simd(layer):
            if pe * simd > max_lanes:
                continue
            for tp in divisors(T):
                f = Fold(pe, simd, tp, "ext") if external else \
                    _place(layer, Fold(pe, simd, tp), T, W, luts_per_bram)
                if external and not stream_keeps_up(f, T, W):
                    continue  # the weight port could not feed it
                e = resource_model.core_estimate(SynapticEngine, layer.engine_params(f, T, W))
                out.append((_cycles_per_window(layer, f, T),
                            e.LUT + e.LUTRAM + luts_per_bram * e.bram, f))
    return out


def ladder(layer: Synaptic, T: int, W: int, luts_per_bram: float,
           max_lanes: int = 4096, external: bool = False,
           folds: list[tuple[int, float, Fold]] | None = None) -> list[Fold]:
    """Folds of ``layer`` from slowest to fastest: the cheapest fold per speed. A faster
    rung may cost less than a slower one; it is kept all the same, since the speed of one
    window is not the latency (a fold with a wider SIMD waits for fewer, larger beats),
    and dropping such rungs lost Fang's best design at E3NE's budget."""
    best: dict[int, tuple[float, Fold]] = {}
    for cyc, cost, f in folds or _folds(layer, T, W, luts_per_bram, max_lanes, external):
        if cyc not in best or cost < best[cyc][0]:
            best[cyc] = (cost, f)
    return [best[cyc][1] for cyc in sorted(best, reverse=True)]


def _place(layer: Synaptic, f: Fold, T: int, W: int, luts_per_bram: float) -> Fold:
    depth = layer.out_channels // f.PE * (layer.fan_in // f.SIMD)
    bram = weights_in_bram("auto", depth, f.PE * f.SIMD * W, luts_per_bram)
    return replace(f, weights="bram" if bram else "lut")


def fits(res: resource_model.Resources, budget: dict) -> bool:
    return res.fits(budget)


def _over(res: resource_model.Resources, budget: dict) -> list[str]:
    need = res.needs()
    return [f"{k} {_num(need[k])} > {_num(budget[k])}" for k in res.over(budget)]


def _num(v: float) -> str:
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.1f}"


def _pareto(points: list[DesignPoint]) -> None:
    """Mark the points no other point beats on latency, LUT and BRAM at once. In latency
    order a point can only be beaten by one before it, and if by any, then by one already on
    the front, so each point is checked against the front alone."""
    def key(p: DesignPoint) -> tuple:
        return (p.latency, p.lut, p.resources.bram)

    front: list[tuple] = []
    for p in sorted(points, key=key):
        kp = key(p)
        p.pareto = not any(k[1] <= kp[1] and k[2] <= kp[2] and k != kp for k in front)
        if p.pareto:
            front.append(kp)


def check_options(device: str, budget: str | None, objective: str,
                  target_interval: int | None) -> dict:
    """Validate the search options before any work; return the parsed budget."""
    if objective not in ("latency", "throughput"):
        raise ConfigError(f"--objective {objective!r}: expected latency or throughput")
    if objective == "throughput" and not target_interval:
        raise ConfigError("--objective throughput: give --interval N (cycles per image)")
    if target_interval is not None and target_interval < 1:
        raise ConfigError(f"--interval {target_interval}: expected a positive cycle count")
    return parse_budget(budget or "", get_device(device))


def search(net: Network, device: str = "xc7z020", budget: str | dict | None = None,
           objective: str = "latency", target_interval: int | None = None,
           external_weights: bool = False, max_steps: int = 2000,
           weight_port: str = "axis", clock_mhz: float = 200.0,
           progress: Callable[[str], None] | None = None) -> SearchResult:
    """Explore folds of ``net`` for ``device`` within ``budget`` (see devices.parse_budget).

    ``external_weights`` lets the search stream a layer's weights from outside the chip
    (fold weights "ext": no ROM; a reader per layer counted instead; only folds whose words
    the weight port delivers as fast as the engine takes them, ``folding.stream_keeps_up``):
    it starts with every layer streamed and keeps on chip the layers whose ROMs buy the
    most latency within the budget (phase 4); the port moves a 512-bit beat a cycle, or
    fewer where the device's board memory is slower at ``clock_mhz``. Raises
    InfeasibleBudget, naming the smallest design's needs, when nothing fits.
    ``progress``: told every ``PROGRESS_SECONDS`` what the search is doing (a large
    network's search takes minutes)."""
    t0 = time.perf_counter()
    phase, told = "start", t0
    dev = get_device(device)
    bud = budget if isinstance(budget, dict) else check_options(dev.name, budget, objective,
                                                                target_interval)
    port_pace = dev.port_cycles_per_beat(clock_mhz)
    ratio = bud["lut"] / bud["bram"] if bud["bram"] > 0 else float("inf")
    ratio = ratio if ratio != float("inf") else DEFAULT_LUTS_PER_BRAM36 * 1e6
    T, W = net.T, net.W
    syn = net.synaptic_layers
    every = {layer.name: _folds(layer, T, W, ratio, external=external_weights)
             for layer in syn}
    ladders = {layer.name: ladder(layer, T, W, ratio, folds=every[layer.name])
               for layer in syn}
    # start from each layer's cheapest fold (the slowest is not always the cheapest)
    cost_of = {n: {f: c for _, c, f in every[n]} for n in ladders}
    cheapest = {n: min(range(len(r)), key=lambda i, n=n: (cost_of[n][ladders[n][i]], -i))
                for n, r in ladders.items()}
    rung = dict(cheapest)
    order = [layer.name for layer in syn]

    layers = {layer.name: layer for layer in syn}
    # phase 3 tries each fold with its weights in LUTs and in block RAM (streamed folds:
    # streamed only)
    alternatives = {n: [g for _, _, f in every[n] for g in
                        ([f] if f.weights == "ext" else
                         [replace(f, weights="lut"), replace(f, weights="bram")])]
                    for n in every}

    # the cores' beat times, kept across candidates (which share all but a layer or two)
    memo = TimesMemo()

    def engine_cost(name: str, f: Fold) -> resource_model.CoreEstimate:
        return resource_model.core_estimate(SynapticEngine, layers[name].engine_params(f, T, W))

    def point(r: dict[str, int], below: int | None = None) -> DesignPoint | None:
        return point_of({n: ladders[n][i] for n, i in r.items()}, below)

    # the designs evaluated, by their folds (the three starts of phases 2 and 3 and
    # phase 4's moves meet the same candidates again), and the weight port's beats per
    # image of each layer and fold seen (a streamed layer's region once per window; 0 on
    # chip), which only the layer and its fold set
    evaluated: dict[tuple, DesignPoint] = {}
    layer_beats: dict[tuple[str, Fold], int] = {}

    def point_of(folds: dict[str, Fold], below: int | None = None) -> DesignPoint | None:
        """The design ``folds`` make, or None if it cannot take fewer than ``below``
        cycles: its weight port's beats alone take as many (a streamed conv layer reads
        its weights once a window), so no move to it can gain; it is not timed, nor laid
        out when every layer's beats are known."""
        key = tuple(sorted(folds.items(), key=lambda kv: kv[0]))
        if key in evaluated:
            return evaluated[key]

        def ruled_out() -> bool:  # every layer's beats known: the port's floor >= below
            return below is not None and all(kv in layer_beats for kv in key) and \
                port_cycles(sum(layer_beats[kv] for kv in key), port_pace) >= below

        if ruled_out():
            return None
        design = build(net, folds, weight_port=weight_port)
        for name, f in key:
            layer_beats[name, f] = sum(c.info.get("image_beats", 0) for c in design.cores
                                       if c.layer == name)
        if ruled_out():
            return None
        evaluated[key] = evaluate(folds, design)
        nonlocal told
        if progress is not None and time.perf_counter() - told >= PROGRESS_SECONDS:
            told = time.perf_counter()
            best = min(evaluated.values(), key=lambda p: p.latency)
            progress(f"search: {phase}: {len(evaluated):,} designs timed in "
                     f"{told - t0:.0f} s; fastest so far {best.latency:,} cycles")
        return evaluated[key]

    def evaluate(folds: dict[str, Fold], design) -> DesignPoint:
        cores = design.cores
        res = resource_model.estimate_cores(cores)
        if not fits(res, bud) and bud["uram"] > 0:  # UltraRAM to spare: weights there?
            folds, cores, res = _to_uram(net, layers, folds, cores, res, bud, weight_port)
        if not fits(res, bud):  # the ratio rule placed weights badly for this budget?
            folds, cores, res = _replace_weights(net, layers, folds, cores, res, bud,
                                                 weight_port)
        # the laid-out design's own timeline, unless the weights moved (a new design)
        same = cores is design.cores and cores[0].src is design.input
        times = design.input_times(memo) if same else None
        return DesignPoint(folds, cycle_model.estimate_cores(cores, times, port_pace, memo),
                           res)

    cur = point(rung)
    points = [cur]
    if not fits(cur.resources, bud):
        r = cur.resources
        hint = "" if external_weights else " (or model external weights: --external-weights)"
        raise InfeasibleBudget(
            f"budget for {dev.name}: no design fits; the smallest needs {r.lut_total:,} LUT, "
            f"{r.FF:,} FF, {r.bram:g} BRAM36 (modelled), over on {', '.join(_over(r, bud))}; "
            f"give at least --budget lut={r.lut_total},ff={r.FF},bram={r.bram:g} or a "
            f"larger device{hint}")

    def feeder(stage_layer: str) -> list[str]:
        """Synaptic layers whose fold changes the stage serving ``stage_layer``."""
        names = [ly.name for ly in net.layers]
        if stage_layer not in names:
            return []
        i = names.index(stage_layer)
        out = [stage_layer] if stage_layer in ladders else []
        for ly in reversed(net.layers[:i]):
            if ly.name in ladders:
                out.append(ly.name)
                break
        return out

    def climb(names: list[str], gain_of, below: int) -> bool:
        """Take the one-rung move among ``names`` with the best gain (None: not a move);
        ``below``: the cycles (latency or interval) a move must beat."""
        nonlocal cur
        best = None
        for name in names:
            if rung[name] + 1 >= len(ladders[name]):
                continue
            cand = point({**rung, name: rung[name] + 1}, below)
            if cand is None:
                continue
            points.append(cand)
            gain = gain_of(cand) if fits(cand.resources, bud) else None
            if gain is not None and (best is None or gain > best[0]):
                best = (gain, name, cand)
        if best is not None:
            rung[best[1]] += 1
            cur = best[2]
        return best is not None

    def interval_gain(c: DesignPoint) -> float | None:
        if c.interval >= cur.interval:
            return None
        return (cur.interval - c.interval) / max(1, c.lut - cur.lut)

    def latency_gain(c: DesignPoint) -> float | None:
        if c.latency >= cur.latency or c.interval > cur.interval:
            return None
        return (cur.latency - c.latency) / max(1, c.lut - cur.lut)

    def by_latency(c: DesignPoint, base: DesignPoint) -> tuple | None:
        return (-c.latency, -c.lut) if (c.latency, c.lut) < (base.latency, base.lut) else None

    def per_share(c: DesignPoint, base: DesignPoint) -> tuple | None:
        if c.latency >= base.latency:
            return None
        spent = max(0.0, (c.lut - base.lut) / bud["lut"]) + (
            max(0.0, (c.resources.bram - base.resources.bram) / bud["bram"])
            if bud["bram"] > 0 else 0.0)
        return ((base.latency - c.latency) / max(spent, 1e-6),)

    def refine(start: DesignPoint, moves_of, gain_of) -> DesignPoint:
        """Phase 3's loop: while one layer's move to another fold (``moves_of(name,
        fold)``) fits the budget and ``gain_of(candidate, current)`` is not None, take
        the move with the largest gain."""
        nonlocal steps
        cur = start
        while steps < max_steps:
            steps += 1
            best = None
            spare_lut = bud["lut"] - cur.lut
            spare_bram = bud["bram"] - cur.resources.bram
            for name in order:
                f0 = cur.folds[name]
                e0 = engine_cost(name, f0)
                for f in moves_of(name, f0):
                    if f == f0:
                        continue
                    # each resource against its own spare (the LUT-per-BRAM ratio that
                    # builds the ladders priced idle block RAM out of reach here)
                    e = engine_cost(name, f)
                    if (e.LUT + e.LUTRAM - e0.LUT - e0.LUTRAM > spare_lut
                            or e.bram - e0.bram > spare_bram):
                        continue
                    # (by_latency also takes the same latency in fewer LUTs)
                    cand = point_of({**cur.folds, name: f}, cur.latency + 1)
                    if cand is None:  # its port alone is slower than the current design
                        continue
                    points.append(cand)
                    gain = gain_of(cand, cur) if fits(cand.resources, bud) else None
                    if gain is not None and (best is None or gain > best[0]):
                        best = (gain, cand)
            if best is None:
                break
            cur = best[1]
        return cur

    steps = 0
    phase = "phase 1 (interval)"
    # phase 1: the interval, bottleneck first
    while steps < max_steps and not (objective == "throughput"
                                     and cur.interval <= target_interval):
        steps += 1
        if not climb(feeder(cur.cycles.bottleneck.layer), interval_gain, cur.interval):
            break
    # phases 2 and 3 (latency objective), from where phase 1 ended and again from the
    # smallest design: the interval climb can spend the budget on a layer whose speed the
    # latency does not need (Fang: a fast conv2 left its linear layer the bottleneck)
    starts = [(dict(rung), cur)] + ([(dict(cheapest), points[0])]
                                    if objective == "latency" else [])
    if objective == "latency":
        # and from the slowest layers sped up a rung at a time, each just enough to keep
        # pace with the input stream (no gain ratio: it prices each resource by the
        # budget's LUT-per-BRAM ratio, which can spend LUTs on a layer while block RAM
        # sits idle)
        phase = "balanced start"
        r, p = dict(cheapest), points[0]
        while steps < max_steps and p.interval > p.cycles.stages[0].cycles:
            steps += 1
            name = next((n for n in feeder(p.cycles.bottleneck.layer)
                         if r[n] + 1 < len(ladders[n])), None)
            if name is None:
                break
            q = point({**r, name: r[name] + 1})
            points.append(q)
            if not fits(q.resources, bud):
                break
            r, p = {**r, name: r[name] + 1}, q
        starts.append((r, p))
    for k, (start_rung, start) in enumerate(starts):
        phase = f"phases 2-3 (latency), start {k + 1} of {len(starts)}"
        rung.update(start_rung)
        cur = start
        steps = min(steps, max_steps // 2)
        # phase 2: latency, any layer, a rung at a time
        while objective == "latency" and steps < max_steps:
            steps += 1
            if not climb(order, latency_gain, cur.latency):
                break
        # phase 3: latency, off the ladders: a ladder keeps the cheapest fold per speed,
        # but two folds of one speed can give different latencies (a wider SIMD waits for
        # fewer, larger beats), so try every fold of each layer
        if objective == "latency":
            cur = refine(cur, lambda name, f0: alternatives[name], by_latency)
    if objective == "latency" and external_weights:
        # phase 4: weights on chip where they pay. From the fastest design so far, bring
        # a streamed layer's weights on chip (its fold kept, or a rung of its on-chip
        # ladder; every on-chip fold would make each step of a large network take a
        # minute): a streamed conv layer reads its weights again for every window, port
        # beats a ROM saves. First by latency saved per share of the budget spent (taking
        # the largest saving first filled AlexNet's LUTs with one hard-wired layer), then
        # by latency alone.
        on_chip = {n: [g for f in ladder(layers[n], T, W, ratio)
                       for g in (replace(f, weights="lut"), replace(f, weights="bram"))]
                   for n in every}

        def moves(name: str, f0: Fold) -> list[Fold]:
            kept = ([replace(f0, weights="lut"), replace(f0, weights="bram")]
                    if f0.weights == "ext" else [])
            return kept + on_chip[name] + alternatives[name]

        phase = "phase 4 (weights on chip)"
        cur = min((p for p in points if fits(p.resources, bud)),
                  key=lambda p: (p.latency, p.lut))
        cur = refine(cur, moves, per_share)
        cur = refine(cur, moves, by_latency)
    points = _dedupe(points)
    feasible = [p for p in points if fits(p.resources, bud)]
    _pareto(feasible)
    notes = []
    if objective == "throughput":
        meets = [p for p in feasible if p.interval <= target_interval]
        if not meets:
            fastest = min(feasible, key=lambda p: p.interval)
            raise InfeasibleBudget(
                f"--interval {target_interval}: the fastest design within the budget takes "
                f"{fastest.interval:,} cycles per image ({fastest.lut:,} LUT); raise the "
                f"budget or the interval")
        chosen = min(meets, key=lambda p: (p.lut, p.latency))
    else:
        chosen = min(feasible, key=lambda p: (p.latency, p.interval, p.lut))
    bn = chosen.cycles.bottleneck
    notes.append(f"bottleneck: {bn.name} ({bn.kind}, {bn.cycles:,} cycles per image)")
    beats = chosen.cycles.port_beats
    if beats:
        have = (f"the board's memory gives {dev.mem_gbps:g} GB/s ({dev.mem_source})"
                if dev.mem_gbps else f"no board memory bandwidth known for {dev.name}")
        gbps = chosen.cycles.port_gbps(clock_mhz)
        notes.append(f"weight port: {beats:,} beats of 512 bits per image "
                     f"({beats * 64 / 1e6:.1f} MB), {gbps:.1f} GB/s at {clock_mhz:g} MHz "
                     f"(assumed clock); {have}")
    return SearchResult(feasible, chosen, bud, dev.name, objective,
                        time.perf_counter() - t0, notes)


def _replace_weights(net: Network, layers: dict[str, Synaptic], folds: dict[str, Fold],
                     cores: list, res: resource_model.ResourceEstimate, bud: dict,
                     weight_port: str = "axis"
                     ) -> tuple[dict[str, Fold], list, resource_model.ResourceEstimate]:
    """Move weight ROMs between LUTs and block RAM so that a design over one budget and under
    the other fits, if it can: over on BRAM, the ROMs that cost the fewest LUTs per block
    freed go to LUTs; over on LUTs, those that free the most LUTs per block go to BRAM."""
    T, W = net.T, net.W
    trades = []
    for name, f in folds.items():
        if f.weights in ("ext", "uram"):
            continue
        other = replace(f, weights="lut" if f.weights == "bram" else "bram")
        a = resource_model.core_estimate(SynapticEngine, layers[name].engine_params(f, T, W))
        b = resource_model.core_estimate(SynapticEngine,
                                         layers[name].engine_params(other, T, W))
        d_lut, d_bram = (b.LUT + b.LUTRAM) - (a.LUT + a.LUTRAM), b.bram - a.bram
        trades.append((name, other, d_lut, d_bram))
    over_bram = res.bram > bud["bram"]
    want = [t for t in trades if (t[3] < 0 if over_bram else t[2] < 0)]
    # cheapest first: LUTs added per BRAM freed, or BRAM added per LUT freed
    want.sort(key=lambda t: t[2] / -t[3] if over_bram else t[3] / -t[2])
    folds = dict(folds)
    for name, other, _, _ in want:
        folds[name] = other
        design = build(net, folds, weight_port=weight_port)
        cores = design.cores
        res = resource_model.estimate_cores(cores)
        if fits(res, bud) or (res.bram <= bud["bram"] if over_bram else
                              res.lut_total <= bud["lut"]):
            break
    return folds, cores, res


def _to_uram(net: Network, layers: dict[str, Synaptic], folds: dict[str, Fold], cores: list,
             res: resource_model.ResourceEstimate, bud: dict, weight_port: str = "axis"
             ) -> tuple[dict[str, Fold], list, resource_model.ResourceEstimate]:
    """Move weight memories into UltraRAM (loaded at run time) while the design is over its
    LUT or block-RAM budget and UltraRAM is left: first those that free the most of what
    is over (LUTs, or BRAM36 counted at the budget's LUTs per block) per URAM cell taken."""
    if not {"lut", "bram"} & set(res.over(bud)):
        return folds, cores, res
    T, W = net.T, net.W
    lut_per_bram = bud["lut"] / bud["bram"] if bud["bram"] > 0 else DEFAULT_LUTS_PER_BRAM36
    moves = []
    for name, f in folds.items():
        if f.weights in ("ext", "uram"):
            continue
        a = resource_model.core_estimate(SynapticEngine, layers[name].engine_params(f, T, W))
        b = resource_model.core_estimate(SynapticEngine, layers[name].engine_params(
            replace(f, weights="uram"), T, W))
        freed = (a.lut_total - b.lut_total) + lut_per_bram * (a.bram - b.bram)
        if freed > 0 and b.URAM > 0:
            moves.append((freed / b.URAM, name))
    folds = dict(folds)
    for _, name in sorted(moves, reverse=True):
        trial = {**folds, name: replace(folds[name], weights="uram")}
        t_cores = build(net, trial, weight_port=weight_port).cores
        t_res = resource_model.estimate_cores(t_cores)
        if t_res.URAM > bud["uram"]:
            continue  # too big for what is left; a smaller one may still fit
        folds, cores, res = trial, t_cores, t_res
        if fits(res, bud):
            break
    return folds, cores, res


def _dedupe(points: list[DesignPoint]) -> list[DesignPoint]:
    seen, out = set(), []
    for p in points:
        key = tuple(sorted((k, f.PE, f.SIMD, f.TP, f.weights) for k, f in p.folds.items()))
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
