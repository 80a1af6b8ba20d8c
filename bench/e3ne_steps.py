"""The steps of bench/bench_e3ne.py: the compute bound of a design, compiling, simulating,
synthesizing, timing the golden model; and the machine notes of a run."""

from __future__ import annotations

import json
import math
import os
import platform
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

from e3ne_common import (
    ANCHOR,
    DEVICE,
    FAMILY,
    PNR_DEVICE,
    REPO,
    SIM,
    ZOO_OPTS,
    log,
    median,
    wall,
)


def load_anchor() -> dict:
    if not ANCHOR.is_file():
        sys.exit(f"bench_e3ne: error: E3NE anchor file {ANCHOR} is missing")
    return json.loads(ANCHOR.read_text())


def machine_note() -> dict:
    up = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    return {"uptime": up, "loadavg": list(os.getloadavg()), "cpus": os.cpu_count(),
            "platform": platform.platform(), "python": platform.python_version()}


def git_commit() -> str | None:
    p = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                       text=True, check=False)
    return p.stdout.strip() or None


# --- compute bound -------------------------------------------------------------------

def compute_bound(net, folds: dict) -> dict:
    """Spike-plane products per image against the lanes of a design (DESIGN.md section 3).

    work_l = output pixels x C_out x fan_in x T (one spike plane of one weight-activation
    product); lanes_l = PE x SIMD x TP (products per cycle). ``bound_all_lanes`` = sum work /
    sum lanes: the interval if every lane of the design worked every cycle.
    ``bound_bottleneck`` = max_l work_l / lanes_l: the interval if every engine worked every
    cycle (a pipeline cannot beat its slowest engine)."""
    from e3ne.layers import Synaptic

    shapes = net.shapes()[1:]
    layers, work, lanes = [], 0, 0
    for layer, shape in zip(net.layers, shapes, strict=True):
        if not isinstance(layer, Synaptic):
            continue
        f = folds[layer.name]
        pixels = math.prod(shape[1:]) if len(shape) > 1 else 1
        w = pixels * layer.out_channels * layer.fan_in * net.T
        n = f.PE * f.SIMD * f.TP
        layers.append({"layer": layer.name, "out_shape": list(shape), "fan_in": layer.fan_in,
                       "work": w, "PE": f.PE, "SIMD": f.SIMD, "TP": f.TP, "lanes": n,
                       "weights": f.weights, "cycles_if_busy": w / n})
        work += w
        lanes += n
    return {"work_products": work, "lanes": lanes, "bound_all_lanes": work / lanes,
            "bound_bottleneck": max(r["cycles_if_busy"] for r in layers), "layers": layers}


def utilisation(bound: dict, interval: float | None, which: str) -> dict:
    if not interval:
        return {"interval": None, "interval_from": which}
    return {"interval": interval, "interval_from": which,
            "lane_utilisation": bound["bound_all_lanes"] / interval,
            "engine_utilisation": bound["bound_bottleneck"] / interval}


# --- steps ---------------------------------------------------------------------------

def timed_compiles(model: str, d: Path, budget: str, repeats: int, warmup: bool) -> tuple:
    """run_compile into ``d`` (the design kept), then more runs into a scratch dir; returns
    (CompileResult of d, timed seconds, warm-up seconds or None)."""
    from e3ne.jobs import ConvertOptions, run_compile

    opts = ConvertOptions(model=model, **ZOO_OPTS[model])
    log(f"{model}: compile for {DEVICE} within budget {budget or 'whole device'!r}"
        f"{' (warm-up: fills the training cache)' if warmup else ''}")
    t0 = time.perf_counter()
    res = run_compile(opts, d, device=DEVICE, budget=budget or None)
    first = time.perf_counter() - t0
    times = [] if warmup else [first]
    scratch = d.parent / f"{d.name}-compile-timing"
    while len(times) < repeats:
        log(f"{model}: timing compile {len(times) + 1}/{repeats}")
        t0 = time.perf_counter()
        again = run_compile(opts, scratch, device=DEVICE, budget=budget or None)
        times.append(time.perf_counter() - t0)
        if again.folds != res.folds:
            log(f"{model}: warning: compile run {len(times)} chose other folds than the first")
    return res, times, first if warmup else None


def simulate(d: Path, images: int, repeats: int) -> dict:
    """Co-simulate ``images`` test images plain and with stalls (bit-exact against the
    golden model); time plain runs with the simulator already built."""
    from e3ne.flow import verify
    from e3ne.ir import Network

    d = d.resolve()
    net = Network.load(d)
    q0 = verify.verification_images(net, images, None)
    log(f"{d.name}: building the Verilator model for {images} images")
    t0 = time.perf_counter()
    verify.build(d, verify.load_plan(d), images)
    build_s = time.perf_counter() - t0
    runs, times = [], []
    for i in range(repeats):
        log(f"{d.name}: simulating {images} images (plain, run {i + 1}/{repeats})")
        t0 = time.perf_counter()
        r = verify.run(d, q0)
        times.append(time.perf_counter() - t0)
        runs.append(r)
    log(f"{d.name}: simulating {images} images with random stalls")
    stalled = verify.run(d, q0, stalls=True)
    doc = verify.verify_doc([runs[0], stalled])
    doc.save(d)
    t = median(times)
    return {"images": images, "mismatches": doc.mismatches,
            "mismatches_plain": runs[0].mismatches, "mismatches_stalled": stalled.mismatches,
            "latency_cycles": runs[0].latency_cycles,
            "interval_cycles": runs[0].interval_cycles,
            "stalled_latency_cycles": stalled.latency_cycles,
            "stalled_interval_cycles": stalled.interval_cycles,
            "consistent_across_repeats": all(
                (r.latency_cycles, r.interval_cycles, r.mismatches)
                == (runs[0].latency_cycles, runs[0].interval_cycles, runs[0].mismatches)
                for r in runs),
            "build_seconds": round(build_s, 1), "sim_seconds": times,
            "sim_seconds_median": t, "sim_images_per_s": images / t,
            "how": f"{SIM}; images/s = images / wall time of e3ne.flow.verify.run with the "
                   f"simulator built (includes the golden-model check), median of {repeats}"}


def simulate_with_timeout(d: Path, images: int, timeout: float) -> dict:
    """`e3ne verify DIR --images N` in its own process group, killed after ``timeout``."""
    from e3ne.artifacts import VerifyDoc

    cmd = [str(REPO / ".venv" / "bin" / "e3ne"), "verify", str(d), "--images", str(images)]
    log(f"{d.name}: co-simulating {images} random images, timeout {timeout:.0f} s "
        f"({shlex.join(cmd)})")
    vj = d / VerifyDoc.FILE
    vj.unlink(missing_ok=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {"simulated": False,
                "reason": f"Verilator build + simulation did not finish within {timeout:.0f} s"}
    seconds = time.perf_counter() - t0
    if not vj.is_file():
        lines = [ln.strip() for ln in out.splitlines() if ln.strip()]
        errs = [ln for ln in lines if ln.startswith("%Error-") or "error:" in ln.lower()
                or "FAIL" in ln]
        why = next((ln for ln in errs if ln.startswith("%Error-")), None) or \
            (errs or lines or ["no output"])[-1]
        return {"simulated": False, "exit": proc.returncode, "output_tail": lines[-12:],
                "reason": f"e3ne verify exited {proc.returncode}: {why[:300]}"}
    doc = VerifyDoc.load(d)
    return {"simulated": True, "images": doc.images, "mismatches": doc.mismatches,
            "latency_cycles": doc.latency_cycles, "interval_cycles": doc.interval_cycles,
            "seconds_incl_build": round(seconds, 1),
            "how": SIM + ", images of the network's dataset (random for alexnet/vgg11)"}


def synth(d: Path):  # -> e3ne.artifacts.SynthDoc
    from e3ne.artifacts import SynthDoc
    from e3ne.flow.yosys import synthesize

    log(f"{d.name}: synthesizing with Yosys synth_xilinx -flatten -family {FAMILY} "
        "(slow: minutes)")
    return SynthDoc.from_json(synthesize(d, family=FAMILY))


def pnr(d: Path):  # -> e3ne.artifacts.PnrDoc
    from e3ne.flow.pnr import place_and_route

    log(f"{d.name}: placing and routing on {PNR_DEVICE} speed 8 with nextpnr (slow: minutes)")
    return place_and_route(d, device=PNR_DEVICE, speed=8)


def golden_speed(repeats: int) -> dict:
    """bench/bench_golden.py in a subprocess (LeNet-5, batch 256), its printed medians."""
    cmd = [sys.executable, str(REPO / "bench" / "bench_golden.py"), "--repeats", str(repeats)]
    log(f"golden model vs float forward: {shlex.join(cmd)}")
    p = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["failed"])[-1]}
    ips = dict(re.findall(r"^(float forward|golden \(fast\)).*\(\s*([\d.]+) images/s\)",
                          p.stdout, re.M))
    ms = dict(re.findall(r"^(float forward|golden \(fast\))\s+median\s+([\d.]+) ms",
                         p.stdout, re.M))
    fl, go = float(ips["float forward"]), float(ips["golden (fast)"])
    return {"model": "lenet5", "batch": 256, "repeats": repeats,
            "float_images_per_s": fl, "golden_images_per_s": go,
            "float_ms": float(ms["float forward"]), "golden_ms": float(ms["golden (fast)"]),
            "golden_over_float": go / fl,
            "command": f".venv/bin/python bench/bench_golden.py --repeats {repeats}",
            "output": p.stdout.strip(), "how": wall(repeats) + ", interleaved runs"}
