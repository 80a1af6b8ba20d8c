"""Co-simulation: stream images through the generated design under Verilator and compare
every output beat with the golden model, bit for bit.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from e3ne import golden
from e3ne.artifacts import VerifyDoc, VerifyRun
from e3ne.data import load_dataset
from e3ne.design.generate import TOP, Plan, hex_lines, pack_lanes
from e3ne.errors import ConfigError, Mismatch
from e3ne.flow.hdlsim import build_verilator
from e3ne.flow.saif import write_saif
from e3ne.flow.shards import cluster_threads, run_dask, run_local, shard_sizes
from e3ne.ir import Network
from e3ne.progress import Ticker

TB = Path(__file__).resolve().parent.parent / "hw" / "sim" / "top_tb.sv"
AXI_MEM = TB.parent / "axi_read_mem.sv"  # the bench's memory for m_axi_weights
WB_BASE = 0x4000_0000  # where the bench's memory holds weights.bin (near it)


@dataclass
class VerifyResult:
    images: int
    mismatches: int  # images whose output beats differ from the golden model
    latency_cycles: int  # first input beat -> last output beat of image 0
    interval_cycles: float | None  # steady-state cycles between images (None for 1 image)
    stalls: bool
    first_mismatch: str | None = None


def verification_images(net: Network, images: int, dataset: str | None) -> np.ndarray:
    """Input levels for co-simulation: the test split of ``dataset`` (default: the
    network's own), or uniform random images."""
    if images < 1:
        raise ConfigError(f"--images {images}: expected at least 1")
    dataset = dataset or net.meta.get("dataset") or "random"
    if dataset == "random":
        x, _ = load_dataset("random", shape=net.input_shape, n=images, seed=2)
    else:
        x, _ = load_dataset(dataset, "test", pad_to=net.meta.get("pad_to"), n=images)
        if tuple(x.shape[1:]) != tuple(net.input_shape):
            raise ConfigError(f"--dataset {dataset}: images of {tuple(x.shape[1:])} do not "
                              f"fit the network's input {net.input_shape}")
    return np.ascontiguousarray(golden.input_levels(net, x))


def load_plan(design_dir: Path) -> Plan:
    path = design_dir / "rtl" / "plan.json"
    if not path.is_file():
        raise ConfigError(f"{design_dir}: no rtl/plan.json; generate the design with "
                          "'e3ne compile' first")
    return Plan(**json.loads(path.read_text()))


def input_words(plan: Plan, q0: np.ndarray) -> list[int]:
    """Input levels ``[N, C, H, W]`` -> s_axis beats (``in_pixels`` pixels each in raster
    order, pixel p's channel k at (p*C + k)*T)."""
    pix = q0.transpose(0, 2, 3, 1).reshape(-1, q0.shape[1] * plan.in_pixels)
    return [pack_lanes(row, plan.T) for row in pix]


def expected_words(plan: Plan, scores: np.ndarray) -> list[tuple[int, int]]:
    """Golden scores ``[N, classes]`` -> m_axis beats ``(tlast, tdata)``."""
    beats = []
    for u in scores:
        for b in range(plan.num_classes // plan.out_lanes):
            lanes = u[b * plan.out_lanes:(b + 1) * plan.out_lanes]
            beats.append((0, pack_lanes(lanes, plan.score_bits)))
        beats.append((1, int(np.argmax(u))))
    return beats


HIER_LUTS = 100_000  # designs modelled this large are Verilated an engine at a time
BUILD_TIMEOUT = 6 * 3600  # seconds: a 170k-LUT design's build takes an hour here


def hierarchical_build(design_dir: Path) -> bool:
    """Whether to Verilate the design an engine at a time (``hdlsim.build_verilator``'s
    ``hierarchical``): for a design the resource model puts at ``HIER_LUTS`` or more
    (DIR/estimate.json), whose flattened build would take Verilator past this machine's
    memory (VGG-11 T6 W6 at 172k LUT: over 21 GB). Smaller designs build faster flat."""
    try:
        doc = json.loads((design_dir / "estimate.json").read_text())
        return doc["resources"]["total"]["LUT_total"] >= HIER_LUTS
    except (OSError, ValueError, KeyError, TypeError):
        return False


def build(design_dir: Path, plan: Plan, n_images: int, progress: bool = True,
          trace: bool = False, activity: bool = False,
          hierarchical: bool | None = None) -> Path:
    """Verilate the bench + design for runs of up to ``n_images`` (cached per count, and
    a simulator built for more images serves);
    ``hierarchical`` (default: ``hierarchical_build``, unless ``trace`` or ``activity``
    want to see inside the engines) one engine at a time."""
    if hierarchical is None:
        hierarchical = not (trace or activity) and hierarchical_build(design_dir)
    rtl = design_dir / "rtl"
    sources = [rtl / f for f in (rtl / "filelist.f").read_text().split()] + [TB]
    params = {"IN_W": plan.in_width, "OUT_W": plan.out_width, "IN_BEATS": plan.in_beats,
              "OUT_BEATS": plan.out_beats, "N_IMAGES": n_images,
              "TIMEOUT": 2_000_000_000}
    defines = (["+define+E3NE_TRACE"] if trace else []) + (
        ["--trace", "+define+E3NE_VCD"] if activity else [])
    wp = plan.weight_port
    if wp:  # UltraRAM weights: the bench streams weights.mem in first, or serves its reads
        params.update(WB_W=wp["width"], WB_BEATS=wp["beats"])
        defines.append("+define+E3NE_WEIGHT_PORT")
        if wp.get("kind") == "m_axi":
            # off a 4 KB boundary by 3 words, so the first burst is a short one
            params.update(WB_ADDR_W=wp["addr_bits"], WB_BASE=WB_BASE + 3 * wp["width"] // 8)
            defines.append("+define+E3NE_WEIGHT_AXI")
            sources.insert(-1, AXI_MEM)
    suffix = f"{'-trace' if trace else ''}{'-activity' if activity else ''}"
    src = [p.read_text() for p in sources]

    def key(n: int) -> str:
        return json.dumps({"params": {**params, "N_IMAGES": n}, "trace": trace,
                           "activity": activity, "hierarchical": hierarchical, "src": src})

    # a simulator built for more images runs fewer (+N): a large design's build takes
    # minutes to hours, so `verify --images 1` after `--images 4` reuses it
    built = sorted((int(m[1]), p) for p in (design_dir / "sim").glob(f"n*{suffix}")
                   if (m := re.fullmatch(rf"n(\d+){re.escape(suffix)}", p.name)))
    for n, work in built:
        exe, stamp = work / "obj" / "simv", work / "stamp.json"
        if n >= n_images and exe.is_file() and stamp.is_file() and stamp.read_text() == key(n):
            return exe
    work = design_dir / "sim" / f"n{n_images}{suffix}"
    exe, stamp = work / "obj" / "simv", work / "stamp.json"
    if work.exists():
        shutil.rmtree(work)
    how = ", an engine at a time" if hierarchical else ""
    with Ticker(f"verify: building the simulator with Verilator ({n_images} images{how})",
                enabled=progress):
        exe = build_verilator("top_tb", sources, work, params,
                              extra_args=["-Wno-WIDTH", "-O3", "--x-assign", "fast",
                                          "--x-initial", "fast"] + defines,
                              timeout=BUILD_TIMEOUT, hierarchical=hierarchical)
    stamp.write_text(key(n_images))
    return exe


def design_clock_mhz(d: Path) -> float:
    """The clock the design was compiled for (DIR/options.json ``clock_mhz``; 200 MHz, the
    compile default, when it was generated otherwise)."""
    try:
        return float(json.loads((d / "options.json").read_text()).get("clock_mhz", 200.0))
    except (OSError, ValueError, AttributeError):
        return 200.0


INTERVAL_WINDOW = 64  # the interval is measured over the first this many images


def interval_over(ends: list[int]) -> float | None:
    """Cycles between images: the mean spacing of the last output beats of the first
    ``INTERVAL_WINDOW`` images (all of them in a shorter run). A fixed window keeps the
    figure the same however the images are cut into shards."""
    m = min(len(ends), INTERVAL_WINDOW)
    return (ends[m - 1] - ends[0]) / (m - 1) if m > 1 else None


def run(design_dir: str | Path, q0: np.ndarray, *, stalls: bool = False,
        progress: bool = True, trace: bool = False, workers: int | None = None,
        scheduler: str | None = None, activity: bool = False) -> VerifyResult:
    """Simulate ``q0`` (input levels) and compare with the golden model of the design.

    ``workers`` > 1 cuts the images into that many contiguous shards, each simulated by
    its own process from reset; ``scheduler`` (a Dask address) runs them on that cluster
    instead (by default one shard per worker thread). The result is the one a single
    process gives: every image's outputs are compared, latency is image 0's and the
    interval is measured within the first shard. With ``stalls`` each shard draws its own
    random stalls from the start. ``activity``: dump the design's nets while it runs and
    write their switching activity to ``DIR/activity.saif`` (``e3ne.flow.saif``)."""
    d = Path(design_dir).resolve()
    net = Network.load(d)
    plan = load_plan(d)
    if tuple(q0.shape[1:]) != tuple(net.input_shape):
        raise ConfigError(f"images of shape {q0.shape[1:]} do not fit the design's input "
                          f"{net.input_shape}")
    n = len(q0)
    if workers is None:
        workers = cluster_threads(scheduler) if scheduler else 1
    sizes = shard_sizes(n, workers, INTERVAL_WINDOW)
    if (trace or activity) and (len(sizes) > 1 or scheduler):
        raise ConfigError(f"--{'trace' if trace else 'activity'} runs in one process: drop "
                          "--workers and --scheduler")
    exe = build(d, plan, n, progress, trace, activity)  # serves any cut of n images
    work = exe.parent.parent
    starts = np.cumsum([0] + sizes)
    shards = [(hex_lines(input_words(plan, q0[a:b]), plan.in_width), int(b - a))
              for a, b in zip(starts[:-1], starts[1:], strict=True)]
    where = f" on {scheduler}" if scheduler else (
        f" in {len(sizes)} processes" if len(sizes) > 1 else "")
    outs = [work / "out.txt"] if len(sizes) == 1 else [
        work / f"shard{i}" / "out.txt" for i in range(len(sizes))]

    def images_out() -> str:  # the bench flushes its output file after each image
        done = sum(line.startswith("1 ") for f in outs if f.is_file()
                   for line in f.read_text().splitlines())
        return f"{done}/{n} images out"

    with Ticker(f"verify: simulating {n} image(s){' with random stalls' if stalls else ''}"
                f"{where}", enabled=progress, status=None if scheduler else images_out):
        if scheduler:
            runs = run_dask(scheduler, exe, d / "rtl", shards, stalls)
        else:
            vcd = (work / "activity.vcd").resolve()
            runs = run_local(exe, d / "rtl", work, shards, stalls,
                             (f"+VCD={vcd}",) if activity else ())
        if activity and "PASS" in runs[0].log:
            with Ticker("verify: switching activity -> activity.saif", enabled=progress):
                write_saif(vcd, d / "activity.saif", TOP, ("TOP", "top_tb", "dut"),
                           clock_mhz=design_clock_mhz(d))
            vcd.unlink()
    got: list[tuple[int, int]] = []
    ends: list[int] = []
    latency = 0
    for k, r in enumerate(runs):
        if "PASS" not in r.log:
            fail = next((ln for ln in r.log.splitlines() if "FAIL" in ln), r.log[-300:])
            shard = f" (shard {k}: images {starts[k]}-{starts[k + 1] - 1})" \
                if len(shards) > 1 else ""
            raise Mismatch(f"{d}: simulation failed{shard}: {fail}")
        got += [(int(a), int(b, 16)) for a, b in
                (ln.split() for ln in r.out.splitlines() if ln.strip())]
        if k == 0:  # the timing: image 0's latency, the interval of the first images
            times = {int(m[1]): (int(m[2]), int(m[3]))
                     for m in re.finditer(r"IMG (\d+) (\d+) (\d+)", r.log)}
            latency = times[0][1] - times[0][0] + 1
            ends = [times[i][1] for i in range(sizes[0])]
    scores, per_layer = golden.run_fast(net, q0, collect=True)
    want = expected_words(plan, scores)
    per_image = plan.out_beats
    bad = [i for i in range(n)
           if got[i * per_image:(i + 1) * per_image] != want[i * per_image:(i + 1) * per_image]]
    first = None
    if bad:
        i = bad[0]
        first = f"image {i}: got {got[i * per_image:(i + 1) * per_image]}, " \
                f"expected {want[i * per_image:(i + 1) * per_image]}"
        if trace:
            first = first_layer_mismatch(net, plan, per_layer, work) or first
    return VerifyResult(n, len(bad), latency, interval_over(ends), stalls, first)


def first_layer_mismatch(net: Network, plan: Plan, per_layer: list[np.ndarray],
                         work: Path) -> str | None:
    """Compare every tapped layer stream with the golden layer outputs, in pipeline order;
    name the first layer, image, pixel and channel that differ."""
    for stage in plan.stages:
        if "tap" not in stage:
            continue
        idx, tap = stage["index"], stage["tap"]
        ref = per_layer[idx]
        n = ref.shape[0]
        spatial = ref.ndim == 4
        seq = (ref.transpose(0, 2, 3, 1) if spatial else ref).reshape(-1)
        mask = (1 << tap["lane_w"]) - 1
        path = work / f"trace_l{idx}.txt"
        values = []
        for line in path.read_text().split():
            word = int(line, 16)
            values += [(word >> (j * tap["lane_w"])) & mask for j in range(tap["lanes"])]
        for pos, want in enumerate(seq):
            got = values[pos] if pos < len(values) else None
            if got != (int(want) & mask):
                per_img = seq.size // n
                img, rest = divmod(pos, per_img)
                if spatial:
                    _, c, h, w = ref.shape
                    pix, ch = divmod(rest, c)
                    y, x = divmod(pix, w)
                    where = f"pixel (y={y}, x={x}), channel {ch}"
                else:
                    where = f"output {rest}"
                return (f"layer '{stage['layer']}' ({stage['kind']}) differs first at image "
                        f"{img}, {where}: hardware {got}, golden {int(want)} "
                        f"(two's complement in {tap['lane_w']} bits)")
    return None


def verify_doc(results: list[VerifyResult]) -> VerifyDoc:
    """verify.json's document: the plain run's figures, mismatches over all runs, and
    every run (the stalled one too, if there was one)."""
    plain = next((r for r in results if not r.stalls), results[0])
    return VerifyDoc(images=plain.images, mismatches=sum(r.mismatches for r in results),
                     latency_cycles=plain.latency_cycles,
                     interval_cycles=plain.interval_cycles,
                     runs=[VerifyRun(**asdict(r)) for r in results])


def write_report(design_dir: str | Path, results: list[VerifyResult]) -> dict:
    """Write DIR/verify.json (``verify_doc``); return its JSON, the dict ``run_verify``
    and the CLI read."""
    doc = verify_doc(results)
    doc.save(design_dir)
    return doc.to_json()


__all__ = ["INTERVAL_WINDOW", "TOP", "VerifyResult", "interval_over", "run",
           "verification_images", "verify_doc", "write_report"]
