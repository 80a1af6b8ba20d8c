"""The report's figures, as PNG bytes.

Drawn with matplotlib's object API on an Agg canvas (no pyplot, so no global state and no
display), at a fixed size and dpi, with the PNG's "Software" tag removed: the same data
give the same bytes, so reports can be diffed and cached.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 100
_ACCENT = "#1f5fa8"
_MUTED = "#9aa5b1"
_CHOSEN = "#d1495b"


def _figure(width: float = 7.5, height: float = 4.0) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def accuracy_vs_T(points: Sequence[Mapping]) -> bytes | None:
    """SNN accuracy against T, one line per W; the float model's as a dashed line.
    ``None`` when no point carries an accuracy."""
    by_w: dict[int, dict[int, float]] = {}
    floats: list[float] = []
    for p in points:
        acc, T, W = p.get("snn_accuracy"), p.get("T"), p.get("W")
        if acc is None or T is None or W is None:
            continue
        by_w.setdefault(int(W), {})[int(T)] = float(acc)  # same (T, W): same network
        if p.get("float_accuracy") is not None:
            floats.append(float(p["float_accuracy"]))
    if not by_w:
        return None
    fig = _figure()
    ax = fig.add_subplot()
    for W in sorted(by_w):
        ts = sorted(by_w[W])
        ax.plot(ts, [by_w[W][t] for t in ts], marker="o", label=f"SNN, W={W}")
    ax.set_xticks(sorted({t for d in by_w.values() for t in d}))
    return _accuracy_axes(fig, ax, floats, "T (time steps = activation bits)", "Accuracy vs T")


def _accuracy_axes(fig: Figure, ax, floats: list[float], xlabel: str, title: str) -> bytes:
    """The float model's accuracy as a dashed line, labels, grid, legend: the PNG."""
    if floats:
        ax.axhline(max(floats), color="black", linestyle="--", linewidth=1.2,
                   label=f"float ({max(floats):.4f})")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("test accuracy")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return _png(fig)


def accuracy_vs_latency(points: Sequence[Mapping]) -> bytes | None:
    """SNN accuracy against the latency of the design chosen for each (T, W): what a
    spike more or a weight bit more costs in cycles. ``None`` without such points."""
    pts = [p for p in points if p.get("best_for_TW") and p.get("snn_accuracy") is not None]
    if not pts:
        return None
    fig = _figure()
    ax = fig.add_subplot()
    for W in sorted({int(p["W"]) for p in pts}):
        row = sorted((p for p in pts if int(p["W"]) == W), key=lambda p: p["latency"])
        ax.plot([p["latency"] for p in row], [p["snn_accuracy"] for p in row], marker="o",
                label=f"W={W}")
        for p in row:
            ax.annotate(f"T={p['T']}", (p["latency"], p["snn_accuracy"]),
                        textcoords="offset points", xytext=(4, -10), fontsize=8)
    floats = [p["float_accuracy"] for p in pts if p.get("float_accuracy") is not None]
    return _accuracy_axes(fig, ax, floats, "latency (cycles, modelled) of the chosen design",
                          "Accuracy vs latency over T and W")


def pareto(points: Sequence[Mapping], metric: str = "latency") -> bytes | None:
    """Cycles (``metric``: latency or interval) against LUTs for every design point, the
    Pareto front highlighted and the chosen point marked. ``None`` without points."""
    pts = [p for p in points if p.get(metric) is not None and p.get("LUT") is not None]
    if not pts:
        return None
    fig = _figure()
    ax = fig.add_subplot()
    ax.scatter([p["LUT"] for p in pts], [p[metric] for p in pts], s=14, color=_MUTED,
               label="design point", zorder=2)
    groups = sorted({(p.get("T"), p.get("W")) for p in pts}, key=str)
    for i, g in enumerate(groups):  # one front per (T, W) of a sweep
        gp = [p for p in pts if (p.get("T"), p.get("W")) == g]
        color = _ACCENT if len(groups) == 1 else f"C{i}"
        label = "Pareto front" if len(groups) == 1 else f"front, T={g[0]} W={g[1]}"
        line = _front2d(gp, metric)  # the latency-vs-LUT staircase of this group
        if line:
            ax.step([p["LUT"] for p in line], [p[metric] for p in line], where="post",
                     color=color, linewidth=1.2, zorder=3)
        front = [p for p in gp if p.get("pareto")]
        if front:
            ax.scatter([p["LUT"] for p in front], [p[metric] for p in front], s=24,
                       color=color, label=label, zorder=4)
    chosen = [p for p in pts if p.get("chosen")]
    if chosen:
        ax.scatter([p["LUT"] for p in chosen], [p[metric] for p in chosen], s=220,
                   marker="*", color=_CHOSEN, edgecolors="black", linewidths=0.6,
                   label="chosen", zorder=5)
    ax.set_xlabel("LUT")
    ax.set_ylabel(f"{metric} (cycles)")
    ax.set_title(f"Design space: {metric} vs LUT")
    if max(p[metric] for p in pts) > 20 * max(1, min(p[metric] for p in pts)):
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right")
    return _png(fig)


def _front2d(points: Sequence[Mapping], metric: str) -> list[Mapping]:
    """The points no other beats on both LUT and ``metric``, by increasing LUT."""
    out, best = [], float("inf")
    for p in sorted(points, key=lambda p: (p["LUT"], p[metric])):
        if p[metric] < best:
            out.append(p)
            best = p[metric]
    return out


def stage_bars(names: Sequence[str], values: Sequence[float], ylabel: str,
               title: str) -> bytes | None:
    """One bar per stage (per-layer cycles or LUTs). ``None`` without stages."""
    if not names:
        return None
    fig = _figure(7.5, 3.6)
    ax = fig.add_subplot()
    x = range(len(names))
    ax.bar(x, values, color=_ACCENT)
    ax.set_xticks(list(x), list(names), rotation=45 if len(names) > 6 else 0, ha="right"
                  if len(names) > 6 else "center", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def activity_heatmap(activity: Mapping[str, Sequence[float]]) -> bytes | None:
    """Spike fraction per layer (rows) and time step (columns), values written in the
    cells. ``None`` without layers."""
    if not activity:
        return None
    names = list(activity)
    grid = [list(activity[n]) for n in names]
    T = len(grid[0])
    fig = _figure(min(3.0 + 0.75 * T, 9.0), 1.2 + 0.42 * len(names))
    ax = fig.add_subplot()
    im = ax.imshow(grid, aspect="auto", cmap="viridis", vmin=0.0,
                   vmax=max(0.05, max(max(r) for r in grid)))
    ax.set_xticks(range(T), [f"t={t}\n(bit {T - 1 - t})" for t in range(T)], fontsize=8)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.set_title("Spikes per neuron per time step (MSB first)")
    if T <= 12:
        top = im.norm.vmax
        for i, row in enumerate(grid):
            for t, v in enumerate(row):
                ax.text(t, i, f"{v:.3f}", ha="center", va="center", fontsize=7,
                        color="black" if v > 0.6 * top else "white")
    fig.colorbar(im, ax=ax, label="fraction spiking")
    return _png(fig)
