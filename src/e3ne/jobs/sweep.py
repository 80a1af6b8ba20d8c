"""The accuracy sweep over T and W (post-training and after QAT, over training seeds),
and the rate-coded baseline of the same conversions."""

from __future__ import annotations

import statistics
from pathlib import Path

from e3ne.data import load_dataset
from e3ne.jobs.convert import ConvertOptions, log, run_convert
from e3ne.models.zoo import ZOO
from e3ne.rate import rate_accuracy
from e3ne.train import cached_zoo_checkpoint


def _weights(model: str, seed: int, progress: bool) -> str:
    return str(cached_zoo_checkpoint(model, seed=seed, progress=progress))


def summarise(values: list[float]) -> dict:
    """Mean and spread (population standard deviation, min, max) of one figure."""
    return {"mean": statistics.fmean(values), "std": statistics.pstdev(values),
            "min": min(values), "max": max(values)}


def accuracy_sweep(model: str, Ts=(2, 3, 4, 6), Ws=(3,), qat_epochs: int = 3,
                   out_root: str | Path | None = None, progress: bool = True,
                   seeds=(0,), device: str | None = None, budget: str | None = None
                   ) -> list[dict]:
    """Float vs radix-SNN test accuracy over T and W, post-training and after QAT, for
    each training seed (the zoo model trained from that seed; conversion defaults);
    per figure its values by seed and their mean and spread. With ``device``, also the
    modelled latency of the design the search picks for the seed-0 post-training network
    (``budget`` as ``e3ne explore``'s)."""
    from e3ne.dse.search import search

    rows = []
    for W in Ws:
        for T in Ts:
            row: dict = {"model": model, "T": T, "W": W, "seeds": list(seeds)}
            per: dict[str, list[float]] = {"float": [], "ptq": [], "qat": []}
            for seed in seeds:
                for key, epochs in (("ptq", 0), ("qat", qat_epochs)):
                    if key == "qat" and not epochs:
                        continue
                    out = None if out_root is None else (
                        Path(out_root) / f"{model}-T{T}-W{W}-s{seed}-{key}")
                    if progress:
                        log(f"{model}: T={T} W={W} seed {seed} {key.upper()}")
                    res = run_convert(ConvertOptions(model=model, T=T, W=W,
                                                     weights=_weights(model, seed, progress),
                                                     qat_epochs=epochs), out, progress=False)
                    if key == "ptq":
                        per["float"].append(res.float_accuracy)
                        if device and seed == seeds[0]:
                            row["latency_cycles"] = search(res.net, device,
                                                           budget).chosen.latency
                    per[key].append(res.snn_accuracy)
            for key, vals in per.items():
                if vals:
                    row[key] = vals
                    row[f"{key}_summary"] = summarise(vals)
            rows.append(row)
    return rows


def rate_sweep(model: str, W: int, steps=(1, 3, 7, 15, 31, 63), T_net: int = 8,
               seeds=(0,), progress: bool = True) -> list[dict]:
    """Test accuracy of the rate-coded baseline (``e3ne.rate``) at each number of steps:
    the model post-training converted at ``T_net`` (fine thresholds; rate coding's own
    resolution is the step count) and W, per training seed."""
    entry = ZOO[model]
    test, labels = load_dataset(entry.dataset, "test", pad_to=entry.pad_to)
    per = {s: [] for s in steps}
    for seed in seeds:
        res = run_convert(ConvertOptions(model=model, T=T_net, W=W,
                                         weights=_weights(model, seed, progress)),
                          progress=False)
        for s in steps:
            if progress:
                log(f"{model}: rate-coded, W={W} seed {seed}, {s} steps")
            per[s].append(rate_accuracy(res.net, test, labels, s))
    return [{"model": model, "W": W, "T_net": T_net, "steps": s, "seeds": list(seeds),
             "rate": v, "rate_summary": summarise(v)} for s, v in per.items()]


def format_sweep(rows: list[dict]) -> list[str]:
    """The sweep as a text table (means over seeds, and their spread)."""
    has_qat = any("qat" in r for r in rows)

    def m(r: dict, key: str) -> float:
        return r[f"{key}_summary"]["mean"]

    head = f"{'model':<8}{'T':>3}{'W':>3}{'seeds':>6}{'float':>8}{'SNN PTQ':>9}{'±':>6}"
    lines = [head + (f"{'SNN QAT':>9}{'±':>6}{'QAT-float':>10}" if has_qat else "")]
    for r in rows:
        line = (f"{r['model']:<8}{r['T']:>3}{r['W']:>3}{len(r['seeds']):>6}"
                f"{m(r, 'float'):>8.3f}{m(r, 'ptq'):>9.3f}{r['ptq_summary']['std']:>6.3f}")
        if has_qat:
            line += (f"{m(r, 'qat'):>9.3f}{r['qat_summary']['std']:>6.3f}"
                     f"{m(r, 'qat') - m(r, 'float'):>+10.3f}")
        lines.append(line)
    return lines
