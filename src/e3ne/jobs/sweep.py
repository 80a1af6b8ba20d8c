"""The accuracy sweep over T and W (post-training and after QAT)."""

from __future__ import annotations

from pathlib import Path

from e3ne.jobs.convert import ConvertOptions, log, run_convert


def accuracy_sweep(model: str, Ts=(2, 3, 4, 6), Ws=(3,), qat_epochs: int = 3,
                   out_root: str | Path | None = None, progress: bool = True) -> list[dict]:
    """Float vs radix-SNN test accuracy over T and W, post-training and after QAT."""
    rows = []
    for W in Ws:
        for T in Ts:
            row = {"model": model, "T": T, "W": W}
            for key, epochs in (("ptq", 0), ("qat", qat_epochs)):
                if key == "qat" and not epochs:
                    continue
                out = None if out_root is None else Path(out_root) / f"{model}-T{T}-W{W}-{key}"
                if progress:
                    log(f"{model}: T={T} W={W} {key.upper()}")
                res = run_convert(ConvertOptions(model=model, T=T, W=W, qat_epochs=epochs),
                                  out, progress=False)
                row["float"], row[key] = res.float_accuracy, res.snn_accuracy
            rows.append(row)
    return rows


def format_sweep(rows: list[dict]) -> list[str]:
    """The sweep as a text table."""
    has_qat = any("qat" in r for r in rows)
    head = f"{'model':<8}{'T':>3}{'W':>3}{'float':>8}{'SNN PTQ':>9}"
    lines = [head + (f"{'SNN QAT':>9}{'QAT-float':>10}" if has_qat else "")]
    for r in rows:
        line = f"{r['model']:<8}{r['T']:>3}{r['W']:>3}{r['float']:>8.3f}{r['ptq']:>9.3f}"
        if has_qat:
            line += f"{r['qat']:>9.3f}{r['qat'] - r['float']:>+10.3f}"
        lines.append(line)
    return lines
