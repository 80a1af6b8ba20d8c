"""The main job (``e3ne demo``, ``./scripts/demo.sh``): LeNet-5 from training to a verified,
synthesized design with a report, the way a user meets the pipeline.

Steps, each with progress on stderr: train (cached), explore T in {2, 3, 4, 6} at W=3 for
the device and budget, compile the chosen T=4 design, verify test images bit for bit in
Verilator, synthesize with Yosys, place and route on an ECP5 with nextpnr (the clock rate
its timing analysis measures, so that the latency is a time, not only cycles), write
``report.html``. stdout ends with a short table.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from e3ne.jobs import ConvertOptions, log, run_compile, run_verify

# E3NE's released LeNet-5 design used 18,335 LUT and 40 BRAM36 (anchors/e3ne.json): the demo
# asks for a design in that budget on the default device, so the comparison is like for
# like and Yosys finishes in a few minutes.
DEMO_DEVICE = "xc7z020"
DEMO_BUDGET = "lut=18335,bram=40"
E3NE_LENET_CYCLES = 85_608


PNR_DEVICE = "lfe5u-85f"  # the largest ECP5: nextpnr-ecp5 has its real timing (speed 8)


def run_demo(out_dir: str | Path = "out/demo", model: str = "lenet5",
             device: str = DEMO_DEVICE, budget: str = DEMO_BUDGET,
             verify_images_n: int = 200, synth: bool = True, pnr: bool = True,
             clock_mhz: float = 200.0) -> dict:
    from e3ne.devices import get_device
    from e3ne.flow.pnr import place_and_route
    from e3ne.flow.yosys import synthesize
    from e3ne.jobs import run_explore
    from e3ne.report import write_report
    from e3ne.train import cached_zoo_checkpoint

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    log(f"[1/7] {model}: float model (trained once, then cached)")
    cached_zoo_checkpoint(model)
    opts = ConvertOptions(model=model, T=4, W=3, qat_epochs=3)
    log(f"[2/7] explore {device} within {budget}: T = 2, 3, 4, 6 at W = 3 (QAT 3 epochs)")
    nets: dict = {}
    run_explore(opts, device=device, budget=budget, sweep={"T": [2, 3, 4, 6], "W": [3]},
                out_dir=out, converted=nets)
    log("[3/7] compile the chosen T=4 W=3 design")
    comp = run_compile(opts, out, device=device, budget=budget, clock_mhz=clock_mhz,
                       converted=nets[(4, 3)])
    log(f"[4/7] verify {verify_images_n} MNIST test images in Verilator, bit for bit")
    ver = run_verify(out, images=verify_images_n)
    syn = None
    if synth:
        log("[5/7] synthesize with Yosys")
        syn = synthesize(out, family=get_device(device).family)
    placed = None
    if pnr:
        log(f"[6/7] place and route on {PNR_DEVICE} (speed 8) with nextpnr: the measured clock")
        placed = place_and_route(out, device=PNR_DEVICE, clock_mhz=clock_mhz)
    log("[7/7] report")
    report = write_report(out)
    conv = json.loads((out / "convert.json").read_text())
    summary = {"model": model, "device": device, "budget": budget, "T": 4, "W": 3,
               "float_accuracy": conv["float_accuracy"], "snn_accuracy": conv["snn_accuracy"],
               "images_verified": ver["images"], "mismatches": ver["mismatches"],
               "latency_cycles": ver["latency_cycles"], "interval_cycles": ver["interval_cycles"],
               "modelled_latency": comp.estimate["cycles"]["latency"],
               "clock_mhz": clock_mhz, "synth": None if syn is None else
               {k: syn[k] for k in ("LUT", "LUTRAM", "FF", "BRAM36", "BRAM18", "DSP",
                                    "family", "seconds")},
               "pnr": None if placed is None else
               {"device": placed.device, "speed": placed.speed,
                "fmax_mhz": min(placed.fmax_mhz.values()), "LUT4": placed.LUT4,
                "FF": placed.FF, "EBR": placed.EBR, "bitstream_bytes": placed.bitstream_bytes,
                "seconds": placed.seconds},
               "seconds": round(time.perf_counter() - t0, 1)}
    (out / "demo.json").write_text(json.dumps(summary, indent=1) + "\n")
    for line in summary_table(summary):
        print(line)
    print(f"report: {report}")
    return summary


def summary_table(s: dict) -> list[str]:
    """The closing table of the demo."""
    lat, iv, placed = s["latency_cycles"], s["interval_cycles"], s.get("pnr")
    rows = [
        ("accuracy (1,000 MNIST test)",
         f"float {s['float_accuracy']:.3f}, spiking {s['snn_accuracy']:.3f} "
         f"({s['snn_accuracy'] - s['float_accuracy']:+.3f})"),
        ("latency (Verilator)", f"{lat:,} cycles; E3NE {E3NE_LENET_CYCLES:,} "
         f"({E3NE_LENET_CYCLES / lat:.1f}x fewer)"),
        ("interval (Verilator)", f"{iv:,.0f} cycles per image" if iv else "n/a (1 image)"),
    ]
    if placed:
        f = placed["fmax_mhz"]
        rows.append((f"clock ({placed['device'].upper()}, nextpnr)",
                     f"Fmax {f:.1f} MHz (measured); {placed['LUT4']:,} LUT4, "
                     f"{placed['FF']:,} FF, {placed['EBR']} EBR"))
        rows.append(("time per image", f"{lat / f:.2f} µs latency"
                     + (f", {f * 1e6 / iv:,.0f} images/s" if iv else "")
                     + f" at the measured {f:.1f} MHz"))
    else:
        rows.append(("time per image", f"{lat / s['clock_mhz']:.2f} µs at an assumed "
                     f"{s['clock_mhz']:g} MHz (not measured: place and route skipped)"))
    if s["synth"]:
        y = s["synth"]
        rows.append((f"resources (Yosys {y['family']})",
                     f"{y['LUT'] + y['LUTRAM']:,} LUT ({y['LUTRAM']:,} as memory), "
                     f"{y['FF']:,} FF, {y['BRAM36'] + y['BRAM18'] / 2:g} BRAM36, {y['DSP']} DSP"))
    ok = s["mismatches"] == 0
    rows.append(("bit-exact", f"{'yes' if ok else 'NO'}: {s['images_verified']} images, "
                 f"{s['mismatches']} mismatches"))
    width = max(len(k) for k, _ in rows)
    title = f"{s['model']} T={s['T']} W={s['W']} on {s['device']} ({s['budget']})"
    return ["", title, "-" * len(title)] + [f"{k:<{width}}  {v}" for k, v in rows]
