"""Measure the calibration cores with Yosys and write src/e3ne/dse/calibration.json.

    .venv/bin/python bench/calibrate_resources.py [--only synaptic_engine,swu]

Each core of ``e3ne.dse.calibrate.sample_plan()`` is synthesized alone (synth_xilinx
-flatten -family xcup, random memory contents); the resource model fits itself to these
measurements. Slow: about 10 minutes on two cores.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time

from e3ne.dse.calibrate import CALIBRATION_FILE, measure, sample_plan


def _write(samples: list[dict]) -> None:
    doc = {"about": "Single cores synthesized with Yosys 0.23 'synth_xilinx -flatten -family "
                    "xcup' (random memory contents); produced by "
                    "'.venv/bin/python bench/calibrate_resources.py'.",
           "samples": sorted(samples, key=lambda s: _key(s["module"], s["params"]))}
    CALIBRATION_FILE.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")


def _measure(job: tuple[str, dict, int]) -> dict:
    module, params, seed = job
    t0 = time.perf_counter()
    res = measure(module, params, seed=seed)
    return {"module": module, "params": params, "yosys": res,
            "seconds": round(time.perf_counter() - t0, 1)}


def _key(module: str, params: dict) -> str:
    return module + json.dumps(params, sort_keys=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="comma-separated core modules to re-measure (others "
                    "measured before with the same parameters are kept)")
    ap.add_argument("--jobs", type=int, default=2, help="Yosys runs at once (default 2)")
    args = ap.parse_args()
    only = set(args.only.split(",")) if args.only else None
    old = json.loads(CALIBRATION_FILE.read_text()) if CALIBRATION_FILE.is_file() else None
    keep = [] if old is None else old["samples"]
    # cores measured before with the same parameters are reused unless --only re-measures
    cache = {_key(s["module"], s["params"]): s for s in keep
             if only is None or s["module"] not in only}
    full = sample_plan()
    samples = [cache[_key(m, p)] for m, p in full if _key(m, p) in cache]
    plan = [(m, p) for m, p in full if _key(m, p) not in cache]
    t_all = time.perf_counter()
    seed0 = len(samples)
    jobs = [(module, params, seed0 + i) for i, (module, params) in enumerate(plan)]
    with multiprocessing.Pool(args.jobs) as pool:
        for i, row in enumerate(pool.imap_unordered(_measure, jobs)):
            samples.append(row)
            res = row["yosys"]
            print(f"[{i + 1}/{len(plan)}] {row['module']} {row['params']}: {res['LUT']} LUT "
                  f"{res['FF']} FF {res['BRAM36']}+{res['BRAM18']}/2 BRAM {res['LUTRAM']} "
                  f"LUTRAM ({row['seconds']:.0f} s)", file=sys.stderr, flush=True)
            _write(samples)  # after every core: an interrupted run resumes where it stopped
    _write(samples)
    print(f"wrote {CALIBRATION_FILE} ({len(samples)} samples, "
          f"{time.perf_counter() - t_all:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
