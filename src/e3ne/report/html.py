"""``write_report(DIR)``: one self-contained HTML page about a design directory.

The page reads whatever the other jobs left in DIR (convert.json, network.json +
weights.npz, rtl/plan.json, explore.json, estimate.json, verify.json, synth.json) and
shows one section per input, with a "not run" note where the file is missing, so it can
be written at any point of the flow. Figures are embedded as base64 PNG data URIs and the
CSS is inline: the file can be mailed or archived alone, opens offline and loads nothing.
The numbers shown go to ``DIR/report.json`` too. Output is deterministic (no timestamps,
no absolute paths): the same DIR gives the same bytes.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from e3ne.errors import ConfigError
from e3ne.ir import NETWORK_FILE, Network
from e3ne.report import plots
from e3ne.report.activity import spike_activity

REPORT_HTML = "report.html"
REPORT_JSON = "report.json"
ACTIVITY_IMAGES = 100  #: images of the network's dataset for the spike-activity section

#: input file -> what writes it (shown in the "not run" notes)
WRITERS = {
    "convert.json": "e3ne convert / e3ne compile",
    NETWORK_FILE: "e3ne convert / e3ne compile",
    "rtl/plan.json": "e3ne compile",
    "explore.json": "e3ne explore",
    "estimate.json": "e3ne compile",
    "verify.json": "e3ne verify",
    "synth.json": "e3ne synth",
}

#: (section id, heading) in page order
SECTIONS = [
    ("summary", "Summary"),
    ("accuracy", "Accuracy"),
    ("network", "Network"),
    ("activity", "Spike activity"),
    ("folding", "Folding"),
    ("design-space", "Design space"),
    ("layers", "Per-layer cycles and resources"),
    ("verification", "Verification"),
    ("synthesis", "Synthesis"),
    ("estimate-vs-synthesis", "Estimate vs synthesis"),
]

RESOURCES = ["LUT", "FF", "BRAM", "URAM", "DSP", "LUTRAM"]

CSS = """
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:0;background:#f4f6f8;
color:#1d2733;line-height:1.45}
main{max-width:1060px;margin:0 auto;padding:24px 32px 48px;background:#fff;
box-shadow:0 0 8px rgba(0,0,0,.08)}
h1{font-size:1.7em;margin:0 0 4px}
h2{font-size:1.25em;border-bottom:2px solid #1f5fa8;padding-bottom:4px;margin:0 0 12px}
h3{font-size:1.05em;margin:18px 0 8px}
section{margin:28px 0}
p.sub{color:#56606b;margin:0 0 16px}
nav{font-size:.9em;margin:0 0 8px}nav a{margin-right:12px;color:#1f5fa8}
table{border-collapse:collapse;margin:8px 0 12px;font-size:.9em}
th,td{border:1px solid #d5dbe1;padding:3px 9px;text-align:left}
th{background:#eef2f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.chosen td{background:#fdf0d5;font-weight:bold}tr.total td{font-weight:bold;
background:#f6f8fa}
p.missing{color:#8a5a00;background:#fff6e0;border-left:4px solid #e0a800;
padding:6px 10px}
.ok{color:#1b7f3b;font-weight:bold}.bad{color:#b00020;font-weight:bold}
figure{margin:8px 0 16px}img{max-width:100%;height:auto;border:1px solid #e3e7eb}
code{background:#eef2f6;padding:0 3px}
"""


@dataclass
class _Section:
    id: str
    body: list[str] = field(default_factory=list)
    data: Any = None

    @property
    def title(self) -> str:
        return dict(SECTIONS)[self.id]


# --- formatting ---------------------------------------------------------------------
def _esc(v: Any) -> str:
    return html.escape(str(v), quote=True)


def _num(v: Any, digits: int | None = None) -> str:
    """A number for a table cell; '—' when missing."""
    if v is None or v == "":
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if digits is not None:
            return f"{v:.{digits}f}"
        return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}"
    return str(v)


def _acc(v: Any) -> str:
    return "—" if v is None else f"{float(v):.4f}"


def _rel(v: float | None) -> str:
    return "—" if v is None else f"{100 * v:+.1f}%"


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]],
           row_class: Sequence[str] | None = None) -> str:
    """A table; cells are escaped, numbers right-aligned."""
    out = ["<table><thead><tr>", *(f"<th>{_esc(h)}</th>" for h in headers),
           "</tr></thead><tbody>"]
    for i, row in enumerate(rows):
        cls = row_class[i] if row_class else ""
        out.append(f'<tr class="{cls}">' if cls else "<tr>")
        for cell in row:
            numeric = isinstance(cell, (int, float)) and not isinstance(cell, bool) or (
                isinstance(cell, str) and cell[:1] in "+-0123456789" and cell != "-")
            text = _num(cell) if not isinstance(cell, str) else cell
            out.append(f'<td class="n">{_esc(text)}</td>' if numeric else
                       f"<td>{_esc(text)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _img(png: bytes | None, alt: str) -> str:
    if png is None:
        return ""
    data = base64.b64encode(png).decode("ascii")
    return f'<figure><img src="data:image/png;base64,{data}" alt="{_esc(alt)}"></figure>'


def _missing(*files: str) -> str:
    parts = [f"<code>{_esc(f)}</code> (written by {_esc(WRITERS.get(f, '?'))})"
             for f in files]
    return f'<p class="missing">Not run: no {" and no ".join(parts)} in this directory.</p>'


def _note(text: str) -> str:
    return f'<p class="missing">{_esc(text)}</p>'


def _p(text: str) -> str:
    return f"<p>{_esc(text)}</p>"


# --- reading --------------------------------------------------------------------------
def _read(d: Path, name: str) -> dict | None:
    path = d / name
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not valid JSON ({e}); rerun the step that writes it "
                          f"({WRITERS.get(name, '?')})") from e
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a JSON object, got {type(doc).__name__}; "
                          f"rerun the step that writes it ({WRITERS.get(name, '?')})")
    return doc


def _bram(res: dict) -> float | None:
    """BRAM in 36 Kb blocks: BRAM36 + BRAM18/2."""
    b36, b18 = res.get("BRAM36"), res.get("BRAM18")
    if b36 is None and b18 is None:
        return None
    total = (b36 or 0) + (b18 or 0) / 2
    return int(total) if float(total).is_integer() else total


def _resources(res: dict) -> dict[str, Any]:
    """The resource columns the report shows, BRAM folded into 36 Kb blocks."""
    return {"LUT": res.get("LUT"), "FF": res.get("FF"), "BRAM": _bram(res),
            "URAM": res.get("URAM"), "DSP": res.get("DSP"), "LUTRAM": res.get("LUTRAM")}


# --- sections -------------------------------------------------------------------------
def _accuracy(conv: dict | None) -> _Section:
    s = _Section("accuracy")
    if conv is None:
        s.body.append(_missing("convert.json"))
        return s
    fa, sa = conv.get("float_accuracy"), conv.get("snn_accuracy")
    s.data = {k: conv.get(k) for k in ("model", "dataset", "T", "W", "float_accuracy",
                                       "snn_accuracy", "test_images", "calibration_images",
                                       "percentile", "qat_epochs")}
    diff = None if fa is None or sa is None else sa - fa
    s.data["snn_minus_float"] = diff
    rows = [["model", _num(conv.get("model"))], ["dataset", _num(conv.get("dataset"))],
            ["T (time steps)", _num(conv.get("T"))], ["W (weight bits)", _num(conv.get("W"))],
            ["float accuracy", _acc(fa)], ["SNN accuracy (golden model)", _acc(sa)],
            ["SNN − float", "—" if diff is None else f"{diff:+.4f}"],
            ["test images", _num(conv.get("test_images"))],
            ["calibration images", _num(conv.get("calibration_images"))],
            ["activation percentile", _num(conv.get("percentile"))],
            ["QAT epochs", _num(conv.get("qat_epochs"))]]
    if fa is None and sa is None:
        s.body.append(_p("No accuracy: the network was converted on random data."))
    s.body.append(_table(["quantity", "value"], rows))
    return s


def _network(net: Network | None) -> _Section:
    s = _Section("network")
    if net is None:
        s.body.append(_missing(NETWORK_FILE))
        return s
    rows = [["input", "input", "x".join(map(str, net.input_shape)), ""]]
    for layer, shape in zip(net.layers, net.shapes()[1:], strict=True):
        acc = layer.acc_bits(net.T) if hasattr(layer, "acc_bits") else None
        rows.append([layer.name, layer.kind, "x".join(map(str, shape)),
                     "" if acc is None else acc])
    s.data = {"T": net.T, "W": net.W, "input_shape": list(net.input_shape),
              "layers": [dict(zip(("layer", "kind", "output", "acc_bits"), r, strict=True))
                         for r in rows[1:]]}
    s.body.append(_p(f"T = {net.T} time steps, W = {net.W}-bit weights, "
                     f"{len(net.synaptic_layers)} synaptic layers, {net.num_classes} classes."))
    s.body.append(_table(["layer", "kind", "output shape", "acc bits"], rows))
    return s


def _activity(net: Network | None, images: int) -> _Section:
    from e3ne.jobs import verify_images

    s = _Section("activity")
    if net is None:
        s.body.append(_missing(NETWORK_FILE))
        return s
    try:
        q0 = verify_images(net, images, None)
    except ConfigError as e:
        s.body.append(_note(f"Not run: {e}"))
        return s
    act = spike_activity(net, q0)
    dataset = net.meta.get("dataset") or "random"
    s.data = {"images": len(q0), "dataset": dataset, "fractions": act}
    data = ("uniform random images" if dataset == "random" else
            f"test images of {dataset}")
    s.body.append(_p(f"Fraction of neurons spiking at each time step t (MSB first: the spike "
                     f"at t is bit T−1−t), over {len(q0)} {data}, from the golden model. "
                     "The output layer emits membrane potentials, not spikes, and Flatten "
                     "repeats its input's spikes; neither is shown."))
    s.body.append(_img(plots.activity_heatmap(act), "spike activity per layer and time step"))
    rows = [[name, *(f"{v:.4f}" for v in fr), f"{sum(fr) / len(fr):.4f}"]
            for name, fr in act.items()]
    s.body.append(_table(["layer", *(f"t={t}" for t in range(net.T)), "mean"], rows))
    return s


def _folding(plan: dict | None) -> _Section:
    s = _Section("folding")
    if plan is None:
        s.body.append(_missing("rtl/plan.json"))
        return s
    folds = {k: dict(v) for k, v in (plan.get("folds") or {}).items() if isinstance(v, dict)}
    for st in plan.get("stages") or []:  # where "auto" weights ended up
        if isinstance(st, dict) and st.get("layer") in folds and st.get("weights_in"):
            folds[st["layer"]]["weights"] = st["weights_in"]
    s.data = {"folds": folds}
    if not folds:
        s.body.append(_note("rtl/plan.json lists no folds."))
        return s
    s.body.append(_p("PE: output channels computed in parallel; SIMD: window elements per "
                     "cycle per PE; TP: time steps (spike planes) in parallel."))
    s.body.append(_fold_table(folds))
    return s


def _fold_table(folds: dict) -> str:
    """Layer, PE, SIMD, TP, and where the weights live when the folds say so."""
    place = any(isinstance(f, dict) and "weights" in f for f in folds.values())
    rows = [[name, f.get("PE"), f.get("SIMD"), f.get("TP"), *([f.get("weights")] if place
                                                                else [])]
            for name, f in folds.items() if isinstance(f, dict)]
    return _table(["layer", "PE", "SIMD", "TP", *(["weights in"] if place else [])], rows)


def _design_space(ex: dict | None) -> _Section:
    s = _Section("design-space")
    if ex is None:
        s.body.append(_missing("explore.json"))
        return s
    points = [p for p in ex.get("points") or [] if isinstance(p, dict)]
    objective = ex.get("objective") or "latency"
    metric = "interval" if objective == "throughput" else "latency"
    front = sorted((p for p in points if p.get("pareto")),
                   key=lambda p: (p.get("LUT") or 0, p.get(metric) or 0))
    chosen = next((p for p in points if p.get("chosen")), None)
    cols = ["T", "W", "snn_accuracy", "latency", "interval", "LUT", "FF", "BRAM36", "URAM",
            "DSP"]
    s.data = {"model": ex.get("model"), "device": ex.get("device"),
              "budget": ex.get("budget"), "objective": objective, "points": len(points),
              "seconds": ex.get("search_seconds", ex.get("seconds")),
              "front": [{k: p.get(k) for k in [*cols, "chosen"]} for p in front],
              "chosen": None if chosen is None else {k: chosen.get(k)
                                                     for k in [*cols, "folds"]}}
    budget = ex.get("budget") or {}
    btext = ", ".join(f"{k.upper()} {_num(v)}" for k, v in budget.items())
    s.body.append(_p(f"{len(points)} design points of {ex.get('model') or '?'} on "
                     f"{ex.get('device') or '?'} (budget: {btext or '—'}), objective "
                     f"{objective}; {len(front)} on the Pareto front (latency, LUT, BRAM); "
                     f"search took {_num(s.data['seconds'], 2)} s."))
    s.body.append(_img(plots.pareto(points, metric), f"Pareto front, {metric} vs LUT"))
    if chosen is not None:  # the table: the front of the chosen (T, W), the rest is plotted
        front = [p for p in front if (p.get("T"), p.get("W")) == (chosen.get("T"),
                                                                  chosen.get("W"))]
    if front:
        at = "" if chosen is None else f" at T={chosen.get('T')} W={chosen.get('W')}"
        s.body.append(f"<h3>Pareto front{_esc(at)}</h3>")
        rows = [[p.get("T"), p.get("W"), _acc(p.get("snn_accuracy")), p.get("latency"),
                 p.get("interval"), p.get("LUT"), p.get("FF"), p.get("BRAM36"), p.get("URAM"),
                 p.get("DSP"), "chosen" if p.get("chosen") else ""] for p in front]
        s.body.append(_table(["T", "W", "SNN acc.", "latency", "interval", "LUT", "FF",
                              "BRAM36", "URAM", "DSP", ""], rows,
                             ["chosen" if p.get("chosen") else "" for p in front]))
    else:
        s.body.append(_note("No point is marked as on the Pareto front."))
    if chosen is not None and chosen.get("folds"):
        s.body.append("<h3>Folds of the chosen point</h3>")
        s.body.append(_fold_table(chosen["folds"]))
    s.body.append("<h3>Accuracy vs T</h3>")
    acc_png = plots.accuracy_vs_T(points)
    if acc_png is None:
        s.body.append(_note("No point of the sweep carries an accuracy (random data or no "
                            "labelled test set)."))
    else:
        s.body.append(_img(acc_png, "accuracy vs T"))
        seen: dict[tuple, dict] = {}
        for p in points:
            if p.get("snn_accuracy") is not None:
                seen.setdefault((p.get("T"), p.get("W")), p)
        s.data["accuracy_vs_T"] = [{"T": t, "W": w, "float_accuracy": p.get("float_accuracy"),
                                    "snn_accuracy": p.get("snn_accuracy")}
                                   for (t, w), p in sorted(seen.items())]
    return s


def _merge_stages(est: dict) -> list[dict]:
    """Cycle and resource stages joined by name, in the cycle model's order."""
    merged: dict[str, dict] = {}
    for st in (est.get("cycles") or {}).get("stages") or []:
        merged.setdefault(str(st.get("name")), {}).update(st)
    for st in (est.get("resources") or {}).get("stages") or []:
        merged.setdefault(str(st.get("name")), {}).update(st)
    return list(merged.values())


def _layers(est: dict | None) -> _Section:
    s = _Section("layers")
    if est is None:
        s.body.append(_missing("estimate.json"))
        return s
    cyc = est.get("cycles") or {}
    total = (est.get("resources") or {}).get("total") or {}
    stages = _merge_stages(est)
    clock = est.get("clock_mhz")
    lat, itv = cyc.get("latency"), cyc.get("interval")
    s.data = {"device": est.get("device"), "clock_mhz": clock, "latency": lat,
              "interval": itv, "total": _resources(total), "budget": est.get("budget"),
              "stages": stages}
    line = (f"Estimated (cycle model and resource model) for {est.get('device') or '?'}: "
            f"latency {_num(lat)} cycles, interval {_num(itv)} cycles")
    if clock and lat and itv:
        line += (f"; at {_num(float(clock))} MHz {lat / clock:,.1f} µs per image, "
                 f"{clock * 1e6 / itv:,.0f} images/s")
    s.body.append(_p(line + "."))
    named = [st for st in stages if st.get("cycles") is not None]
    s.body.append(_img(plots.stage_bars([str(st.get("name")) for st in named],
                                        [st["cycles"] for st in named], "cycles per image",
                                        "Per-stage cycles (interval = the largest)"),
                       "per-stage cycles"))
    named = [st for st in stages if st.get("LUT") is not None]
    s.body.append(_img(plots.stage_bars([str(st.get("name")) for st in named],
                                        [st["LUT"] for st in named], "LUT",
                                        "Per-stage LUTs"), "per-stage LUTs"))
    heads = ["stage", "kind", "layer", "cycles", "first out", "last out", "LUT", "FF",
             "BRAM36", "BRAM18", "URAM", "LUTRAM"]
    rows = [[st.get("name"), st.get("kind"), st.get("layer"), st.get("cycles"),
             st.get("first_out"), st.get("last_out"), st.get("LUT"), st.get("FF"),
             st.get("BRAM36"), st.get("BRAM18"), st.get("URAM"), st.get("LUTRAM")]
             for st in stages]
    classes = [""] * len(rows)
    if total:
        rows.append(["total", "", "", "", "", "", *(
            total.get(k) if total.get(k) is not None else "—"
            for k in ("LUT", "FF", "BRAM36", "BRAM18", "URAM", "LUTRAM"))])
        classes.append("total")
    s.body.append(_table(heads, rows, classes))
    budget = est.get("budget") or {}
    if total and budget:
        res = _resources(total)
        urows = []
        for key in ("LUT", "FF", "BRAM", "URAM", "DSP"):
            have, cap = res.get(key), budget.get(key.lower())
            util = None if have is None or not cap else have / cap
            urows.append([key, _num(have), _num(cap),
                          "—" if util is None else f"{100 * util:.1f}%"])
        s.body.append("<h3>Utilisation of the budget</h3>")
        s.body.append(_table(["resource", "estimate", "budget", "used"], urows))
    return s


def _verification(ver: dict | None) -> _Section:
    s = _Section("verification")
    if ver is None:
        s.body.append(_missing("verify.json"))
        return s
    n, bad = ver.get("images"), ver.get("mismatches")
    exact = None if bad is None else bad == 0
    s.data = {"images": n, "mismatches": bad, "bit_exact": exact,
              "latency_cycles": ver.get("latency_cycles"),
              "interval_cycles": ver.get("interval_cycles")}
    if exact is None:
        verdict = "<p>Bit-exact: unknown (verify.json has no mismatch count).</p>"
    elif exact:
        verdict = (f'<p class="ok">Bit-exact: yes. Every output beat of {_esc(_num(n))} '
                   "images matches the golden model.</p>")
    else:
        verdict = (f'<p class="bad">Bit-exact: NO. {_esc(_num(bad))} of {_esc(_num(n))} '
                   "images differ from the golden model.</p>")
    s.body.append(verdict)
    rows = [["images", _num(n)], ["mismatching images", _num(bad)],
            ["latency (cycles, image 0)", _num(ver.get("latency_cycles"))],
            ["interval (cycles between images)", _num(ver.get("interval_cycles"))]]
    s.body.append(_table(["quantity", "value (Verilator)"], rows))
    runs = [r for r in ver.get("runs") or [] if isinstance(r, dict)]
    if len(runs) > 1:
        s.body.append(_table(["run", "images", "mismatches", "latency", "interval"],
                             [["with stalls" if r.get("stalls") else "plain",
                               _num(r.get("images")), _num(r.get("mismatches")),
                               _num(r.get("latency_cycles")), _num(r.get("interval_cycles"))]
                              for r in runs]))
    return s


def _synthesis(syn: dict | None) -> _Section:
    s = _Section("synthesis")
    if syn is None:
        s.body.append(_missing("synth.json"))
        return s
    keys = ["LUT", "FF", "CARRY", "BRAM36", "BRAM18", "URAM", "DSP", "LUTRAM"]
    s.data = {k: syn.get(k) for k in [*keys, "family", "seconds"]}
    s.body.append(_p(f"Yosys synth_xilinx, family {syn.get('family') or '?'}, "
                     f"{_num(syn.get('seconds'), 1)} s."))
    s.body.append(_table(["resource", "count"], [[k, _num(syn.get(k))] for k in keys]))
    return s


def _estimate_vs_synthesis(est: dict | None, syn: dict | None) -> _Section:
    s = _Section("estimate-vs-synthesis")
    if est is None or syn is None:
        s.body.append(_missing(*[f for f, d in (("estimate.json", est), ("synth.json", syn))
                                 if d is None]))
        return s
    e = _resources((est.get("resources") or {}).get("total") or {})
    y = _resources(syn)
    rows, data = [], []
    for key in RESOURCES:
        a, b = e.get(key), y.get(key)
        rel = None
        if a is not None and b is not None:
            rel = 0.0 if a == b else (None if b == 0 else (a - b) / b)
        data.append({"resource": key, "estimate": a, "synthesis": b, "relative_error": rel})
        rows.append([key, _num(a), _num(b), _rel(rel)])
    s.data = data
    s.body.append(_p("Relative error = (estimate − synthesis) / synthesis; BRAM in 36 Kb "
                     "blocks (BRAM36 + BRAM18/2)."))
    s.body.append(_table(["resource", "estimate", "synthesis (Yosys)", "relative error"],
                         rows))
    return s


def _summary(conv: dict | None, net: Network | None, ex: dict | None, est: dict | None,
             ver: dict | None, syn: dict | None) -> _Section:
    s = _Section("summary")
    chosen = next((p for p in (ex or {}).get("points") or []
                   if isinstance(p, dict) and p.get("chosen")), None)

    def pick(*cands: tuple[str, Callable[[], Any]]) -> tuple[Any, str]:
        for src, get in cands:
            v = get()
            if v is not None:
                return v, src
        return None, ""

    c, e, x = conv or {}, est or {}, chosen or {}
    meta = net.meta if net is not None else {}
    cyc = e.get("cycles") or {}
    tot = (e.get("resources") or {}).get("total") or {}
    res_src, res = (("Yosys synthesis", _resources(syn)) if syn is not None else
                    ("resource model (estimate.json)", _resources(tot)) if est is not None else
                    ("design-space search (chosen point)", _resources(x)) if chosen else
                    ("", {}))
    facts: dict[str, tuple[Any, str]] = {
        "model": pick(("convert.json", lambda: c.get("model")),
                      (NETWORK_FILE, lambda: meta.get("model")),
                      ("explore.json", lambda: (ex or {}).get("model"))),
        "dataset": pick(("convert.json", lambda: c.get("dataset")),
                        (NETWORK_FILE, lambda: meta.get("dataset"))),
        "T": pick(("convert.json", lambda: c.get("T")),
                  (NETWORK_FILE, lambda: net.T if net else None),
                  ("chosen design point", lambda: x.get("T"))),
        "W": pick(("convert.json", lambda: c.get("W")),
                  (NETWORK_FILE, lambda: net.W if net else None),
                  ("chosen design point", lambda: x.get("W"))),
        "float accuracy": pick(("convert.json", lambda: c.get("float_accuracy")),
                               ("chosen design point", lambda: x.get("float_accuracy"))),
        "SNN accuracy": pick(("convert.json", lambda: c.get("snn_accuracy")),
                             ("chosen design point", lambda: x.get("snn_accuracy"))),
        "latency (cycles)": pick(("Verilator (verify.json)",
                                  lambda: (ver or {}).get("latency_cycles")),
                                 ("cycle model (estimate.json)", lambda: cyc.get("latency")),
                                 ("chosen design point", lambda: x.get("latency"))),
        "interval (cycles)": pick(("Verilator (verify.json)",
                                   lambda: (ver or {}).get("interval_cycles")),
                                  ("cycle model (estimate.json)",
                                   lambda: cyc.get("interval")),
                                  ("chosen design point", lambda: x.get("interval"))),
    }
    if res.get("LUT") is not None and res_src != "design-space search (chosen point)":
        # synth.json / estimate.json count LUTs as logic and as memory apart; a device's LUT
        # count (and a budget) covers both, as the search's chosen point already does
        res = {**res, "LUT": res["LUT"] + (res.get("LUTRAM") or 0)}
    for key in ("LUT", "FF", "BRAM", "DSP"):
        v = res.get(key)
        label = {"BRAM": "BRAM (36 Kb blocks)", "LUT": "LUT (logic + memory)"}.get(key, key)
        facts[label] = (v, res_src if v is not None else "")
    if ver is not None and ver.get("mismatches") is not None:
        exact = ver["mismatches"] == 0
        facts["bit-exact"] = (exact, f"Verilator, {_num(ver.get('images'))} images")
    else:
        facts["bit-exact"] = (None, "")
    s.data = {k: {"value": v, "source": src or None} for k, (v, src) in facts.items()}
    rows = []
    for k, (v, src) in facts.items():
        text = (_acc(v) if "accuracy" in k and v is not None else
                ("yes" if v else "NO") if k == "bit-exact" and v is not None else _num(v))
        rows.append([k, text, src or ("unknown" if k in ("model", "dataset", "T", "W")
                                      else "not run")])
    s.body.append(_table(["quantity", "value", "source"], rows))
    return s


# --- the page -------------------------------------------------------------------------
def _page(title: str, sub: str, sections: list[_Section]) -> str:
    nav = "".join(f'<a href="#{s.id}">{_esc(s.title)}</a>' for s in sections)
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{_esc(title)}</title><style>{CSS}</style></head><body><main>",
             f"<h1>{_esc(title)}</h1>", f'<p class="sub">{_esc(sub)}</p>', f"<nav>{nav}</nav>"]
    for s in sections:
        parts.append(f'<section id="{s.id}"><h2>{_esc(s.title)}</h2>')
        parts.extend(s.body)
        parts.append("</section>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def write_report(design_dir: str | Path, activity_images: int = ACTIVITY_IMAGES) -> Path:
    """Write ``DIR/report.html`` (self-contained) and ``DIR/report.json`` (its numbers);
    return the HTML's path."""
    d = Path(design_dir)
    if not d.is_dir():
        raise ConfigError(f"{d}: not a directory; give a design directory written by "
                          "e3ne convert or e3ne compile")
    present = {name: (d / name).is_file() for name in WRITERS}
    if not any(present.values()):
        raise ConfigError(f"{d}: not a design directory (none of {', '.join(WRITERS)} "
                          "found); give a directory written by e3ne convert or e3ne compile")
    conv = _read(d, "convert.json")
    plan = _read(d, "rtl/plan.json")
    ex, est = _read(d, "explore.json"), _read(d, "estimate.json")
    ver, syn = _read(d, "verify.json"), _read(d, "synth.json")
    net = Network.load(d) if present[NETWORK_FILE] else None

    body = [
        _accuracy(conv), _network(net), _activity(net, activity_images), _folding(plan),
        _design_space(ex), _layers(est), _verification(ver), _synthesis(syn),
        _estimate_vs_synthesis(est, syn),
    ]
    summary = _summary(conv, net, ex, est, ver, syn)
    sections = [summary, *body]
    model = summary.data["model"]["value"]
    title = f"e3ne report: {model}" if model else "e3ne report"
    sub = (f"Design directory {d.resolve().name}; inputs found: "
           f"{', '.join(n for n, ok in present.items() if ok)}.")
    page = _page(title, sub, sections)
    doc = {"format": "e3ne-report", "format_version": 1,
           "inputs": present, **{s.id.replace("-", "_"): s.data for s in sections}}
    (d / REPORT_JSON).write_text(json.dumps(doc, indent=1) + "\n")
    out = d / REPORT_HTML
    out.write_text(page, encoding="utf-8")
    return out
