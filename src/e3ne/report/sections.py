"""The report's sections about the network and the hardware checks: accuracy, network,
spike activity, folding, verification, synthesis, estimate vs synthesis.

Each function takes what it shows (``None`` when the directory lacks it) and returns a
:class:`~e3ne.report.markup.Section` with its HTML and its numbers.
"""

from __future__ import annotations

from typing import Any

from e3ne.artifacts import ConvertDoc, EstimateDoc, FoldSpec, PnrDoc, SynthDoc, VerifyDoc
from e3ne.errors import ConfigError
from e3ne.ir import NETWORK_FILE, Network
from e3ne.report import plots
from e3ne.report.activity import spike_activity
from e3ne.report.markup import (
    PLAN_FILE,
    RESOURCES,
    Section,
    acc,
    esc,
    img,
    missing,
    note,
    num,
    para,
    rel,
    resource_columns,
    table,
)


def accuracy(conv: ConvertDoc | None) -> Section:
    s = Section("accuracy")
    if conv is None:
        s.body.append(missing(ConvertDoc.FILE))
        return s
    fa, sa = conv.float_accuracy, conv.snn_accuracy
    s.data = {k: getattr(conv, k) for k in (
        "model", "dataset", "T", "W", "float_accuracy", "snn_accuracy", "test_images",
        "calibration_images", "percentile", "qat_epochs")}
    diff = None if fa is None or sa is None else sa - fa
    s.data["snn_minus_float"] = diff
    rows = [["model", num(conv.model)], ["dataset", num(conv.dataset)],
            ["T (time steps)", num(conv.T)], ["W (weight bits)", num(conv.W)],
            ["float accuracy", acc(fa)], ["SNN accuracy (golden model)", acc(sa)],
            ["SNN − float", "—" if diff is None else f"{diff:+.4f}"],
            ["test images", num(conv.test_images)],
            ["calibration images", num(conv.calibration_images)],
            ["activation percentile", num(conv.percentile)],
            ["QAT epochs", num(conv.qat_epochs)]]
    if fa is None and sa is None:
        s.body.append(para("No accuracy: the network was converted on random data."))
    s.body.append(table(["quantity", "value"], rows))
    return s


def network(net: Network | None) -> Section:
    s = Section("network")
    if net is None:
        s.body.append(missing(NETWORK_FILE))
        return s
    rows = [["input", "input", "x".join(map(str, net.input_shape)), ""]]
    for layer, shape in zip(net.layers, net.shapes()[1:], strict=True):
        bits = layer.acc_bits(net.T) if hasattr(layer, "acc_bits") else None
        rows.append([layer.name, layer.kind, "x".join(map(str, shape)),
                     "" if bits is None else bits])
    s.data = {"T": net.T, "W": net.W, "input_shape": list(net.input_shape),
              "layers": [dict(zip(("layer", "kind", "output", "acc_bits"), r, strict=True))
                         for r in rows[1:]]}
    s.body.append(para(f"T = {net.T} time steps, W = {net.W}-bit weights, "
                       f"{len(net.synaptic_layers)} synaptic layers, {net.num_classes} "
                       "classes."))
    s.body.append(table(["layer", "kind", "output shape", "acc bits"], rows))
    return s


def activity(net: Network | None, images: int) -> Section:
    from e3ne.flow.verify import verification_images

    s = Section("activity")
    if net is None:
        s.body.append(missing(NETWORK_FILE))
        return s
    try:
        q0 = verification_images(net, images, None)
    except ConfigError as e:
        s.body.append(note(f"Not run: {e}"))
        return s
    act = spike_activity(net, q0)
    dataset = net.meta.get("dataset") or "random"
    s.data = {"images": len(q0), "dataset": dataset, "fractions": act}
    data = ("uniform random images" if dataset == "random" else
            f"test images of {dataset}")
    s.body.append(para(f"Fraction of neurons spiking at each time step t (MSB first: the "
                       f"spike at t is bit T−1−t), over {len(q0)} {data}, from the golden "
                       "model. The output layer emits membrane potentials, not spikes, and "
                       "Flatten repeats its input's spikes; neither is shown."))
    s.body.append(img(plots.activity_heatmap(act), "spike activity per layer and time step"))
    rows = [[name, *(f"{v:.4f}" for v in fr), f"{sum(fr) / len(fr):.4f}"]
            for name, fr in act.items()]
    s.body.append(table(["layer", *(f"t={t}" for t in range(net.T)), "mean"], rows))
    return s


def folding(plan: dict[str, Any] | None) -> Section:
    """The folds of rtl/plan.json (the generator's own file, read as JSON)."""
    s = Section("folding")
    if plan is None:
        s.body.append(missing(PLAN_FILE))
        return s
    folds = {k: dict(v) for k, v in (plan.get("folds") or {}).items() if isinstance(v, dict)}
    for st in plan.get("stages") or []:  # where "auto" weights ended up
        if isinstance(st, dict) and st.get("layer") in folds and st.get("weights_in"):
            folds[st["layer"]]["weights"] = st["weights_in"]
    s.data = {"folds": folds}
    if not folds:
        s.body.append(note(f"{PLAN_FILE} lists no folds."))
        return s
    s.body.append(para("PE: output channels computed in parallel; SIMD: window elements "
                       "per cycle per PE; TP: time steps (spike planes) in parallel."))
    s.body.append(fold_table({k: FoldSpec.from_json(f, PLAN_FILE) for k, f in folds.items()}))
    return s


def fold_table(folds: dict[str, FoldSpec]) -> str:
    """Layer, PE, SIMD, TP, and where the weights live when the folds say so."""
    place = any(f.weights is not None for f in folds.values())
    rows = [[name, f.PE, f.SIMD, f.TP, *([f.weights] if place else [])]
            for name, f in folds.items()]
    return table(["layer", "PE", "SIMD", "TP", *(["weights in"] if place else [])], rows)


def verification(ver: VerifyDoc | None) -> Section:
    s = Section("verification")
    if ver is None:
        s.body.append(missing(VerifyDoc.FILE))
        return s
    n, bad = ver.images, ver.mismatches
    exact = None if bad is None else bad == 0
    s.data = {"images": n, "mismatches": bad, "bit_exact": exact,
              "latency_cycles": ver.latency_cycles, "interval_cycles": ver.interval_cycles}
    if exact is None:
        verdict = "<p>Bit-exact: unknown (verify.json has no mismatch count).</p>"
    elif exact:
        verdict = (f'<p class="ok">Bit-exact: yes. Every output beat of {esc(num(n))} '
                   "images matches the golden model.</p>")
    else:
        verdict = (f'<p class="bad">Bit-exact: NO. {esc(num(bad))} of {esc(num(n))} '
                   "images differ from the golden model.</p>")
    s.body.append(verdict)
    rows = [["images", num(n)], ["mismatching images", num(bad)],
            ["latency (cycles, image 0)", num(ver.latency_cycles)],
            ["interval (cycles between images)", num(ver.interval_cycles)]]
    s.body.append(table(["quantity", "value (Verilator)"], rows))
    if len(ver.runs) > 1:
        s.body.append(table(["run", "images", "mismatches", "latency", "interval"],
                            [["with stalls" if r.stalls else "plain", num(r.images),
                              num(r.mismatches), num(r.latency_cycles),
                              num(r.interval_cycles)] for r in ver.runs]))
    return s


SYNTH_KEYS = ["LUT", "FF", "CARRY", "BRAM36", "BRAM18", "URAM", "DSP", "LUTRAM"]


def synthesis(syn: SynthDoc | None) -> Section:
    s = Section("synthesis")
    if syn is None:
        s.body.append(missing(SynthDoc.FILE))
        return s
    s.data = {k: getattr(syn, k) for k in [*SYNTH_KEYS, "family", "seconds"]}
    s.body.append(para(f"Yosys synth_xilinx, family {syn.family or '?'}, "
                       f"{num(syn.seconds, 1)} s."))
    s.body.append(table(["resource", "count"], [[k, num(getattr(syn, k))]
                                                for k in SYNTH_KEYS]))
    if syn.logic_depth is not None:
        s.data["logic_depth"] = syn.logic_depth
        s.body.append(para(f"Logic depth: {num(syn.logic_depth)} cells (LUTs, wide muxes, "
                           "carry cells) on the deepest register-to-register path "
                           f"({syn.logic_depth_from or '?'} -> "
                           f"{syn.logic_depth_to or '?'}), Yosys ltp."))
    return s


def estimate_vs_synthesis(est: EstimateDoc | None, syn: SynthDoc | None) -> Section:
    s = Section("estimate-vs-synthesis")
    if est is None or syn is None:
        s.body.append(missing(*[f for f, d in ((EstimateDoc.FILE, est), (SynthDoc.FILE, syn))
                                if d is None]))
        return s
    e = resource_columns(est.resources.total)
    y = resource_columns(syn)
    rows, data = [], []
    for key in RESOURCES:
        a, b = e[key], y[key]
        r = None
        if a is not None and b is not None:
            r = 0.0 if a == b else (None if b == 0 else (a - b) / b)
        data.append({"resource": key, "estimate": a, "synthesis": b, "relative_error": r})
        rows.append([key, num(a), num(b), rel(r)])
    s.data = data
    s.body.append(para("Relative error = (estimate − synthesis) / synthesis; BRAM in 36 Kb "
                       "blocks (BRAM36 + BRAM18/2)."))
    s.body.append(table(["resource", "estimate", "synthesis (Yosys)", "relative error"],
                        rows))
    return s


def place_and_route(pnr: PnrDoc | None) -> Section:
    s = Section("place-and-route")
    if pnr is None:
        s.body.append(missing(PnrDoc.FILE))
        return s
    fmax = min(pnr.fmax_mhz.values()) if pnr.fmax_mhz else None
    cp = pnr.critical_path
    s.data = {"device": pnr.device, "speed": pnr.speed, "constraint_mhz": pnr.constraint_mhz,
              "fmax_mhz": fmax, "LUT4": pnr.LUT4, "FF": pnr.FF, "EBR": pnr.EBR,
              "DSP": pnr.DSP, "critical_path_ns": cp.ns, "logic_cells": cp.logic_cells,
              "bitstream_bytes": pnr.bitstream_bytes}
    s.body.append(para(f"Yosys synth_ecp5, nextpnr-ecp5 on {pnr.device or '?'} speed "
                       f"{pnr.speed or '?'}, constrained to {num(pnr.constraint_mhz)} MHz; "
                       "Fmax is nextpnr's timing analysis of the routed design."))
    s.body.append(table(["quantity", "value"], [
        ["Fmax (MHz, measured)", num(fmax, 1)],
        ["meets the constraint", "yes" if pnr.meets_constraint else "no"],
        ["LUT4", num(pnr.LUT4)], ["FF", num(pnr.FF)], ["EBR (DP16KD)", num(pnr.EBR)],
        ["DSP (MULT18X18D)", num(pnr.DSP)],
        ["critical path", f"{num(cp.ns, 2)} ns through {num(cp.logic_cells)} logic cells "
                          f"({num(cp.logic_ns, 2)} ns logic, {num(cp.routing_ns, 2)} ns "
                          f"routing): {cp.start or '?'} -> {cp.end or '?'}"],
        ["bitstream", f"{pnr.bitstream or '?'}, {num(pnr.bitstream_bytes)} bytes"],
        ["run time (s)", ", ".join(f"{k} {num(v, 1)}" for k, v in pnr.seconds.items())]]))
    return s
