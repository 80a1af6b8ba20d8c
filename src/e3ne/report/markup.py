"""The report's HTML pieces: escaping, number formats, tables, figures, notes, the CSS,
and the list of sections and of the files the report reads."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from e3ne.artifacts import ConvertDoc, EstimateDoc, ExploreDoc, PnrDoc, SynthDoc, VerifyDoc
from e3ne.ir import NETWORK_FILE

PLAN_FILE = "rtl/plan.json"

#: input file -> what writes it (shown in the "not run" notes), in pipeline order
WRITERS = {
    ConvertDoc.FILE: ConvertDoc.WRITER,
    NETWORK_FILE: "e3ne convert / e3ne compile",
    PLAN_FILE: "e3ne compile",
    ExploreDoc.FILE: ExploreDoc.WRITER,
    EstimateDoc.FILE: EstimateDoc.WRITER,
    VerifyDoc.FILE: VerifyDoc.WRITER,
    SynthDoc.FILE: SynthDoc.WRITER,
    PnrDoc.FILE: PnrDoc.WRITER,
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
    ("place-and-route", "Place and route (measured clock)"),
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
class Section:
    """One section of the page: its HTML parts and its numbers for report.json."""

    id: str
    body: list[str] = field(default_factory=list)
    data: Any = None

    @property
    def title(self) -> str:
        return dict(SECTIONS)[self.id]


def esc(v: Any) -> str:
    return html.escape(str(v), quote=True)


def num(v: Any, digits: int | None = None) -> str:
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


def acc(v: Any) -> str:
    """An accuracy, four decimals."""
    return "—" if v is None else f"{float(v):.4f}"


def rel(v: float | None) -> str:
    """A relative error in percent, signed."""
    return "—" if v is None else f"{100 * v:+.1f}%"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]],
          row_class: Sequence[str] | None = None) -> str:
    """A table; cells are escaped, numbers right-aligned."""
    out = ["<table><thead><tr>", *(f"<th>{esc(h)}</th>" for h in headers),
           "</tr></thead><tbody>"]
    for i, row in enumerate(rows):
        cls = row_class[i] if row_class else ""
        out.append(f'<tr class="{cls}">' if cls else "<tr>")
        for cell in row:
            numeric = isinstance(cell, (int, float)) and not isinstance(cell, bool) or (
                isinstance(cell, str) and cell[:1] in "+-0123456789" and cell != "-")
            text = num(cell) if not isinstance(cell, str) else cell
            out.append(f'<td class="n">{esc(text)}</td>' if numeric else
                       f"<td>{esc(text)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def img(png: bytes | None, alt: str) -> str:
    """A figure with the PNG inline as a data URI; nothing without a PNG."""
    if png is None:
        return ""
    data = base64.b64encode(png).decode("ascii")
    return f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}"></figure>'


def missing(*files: str) -> str:
    """The "not run" note for input files that are not in the directory."""
    parts = [f"<code>{esc(f)}</code> (written by {esc(WRITERS.get(f, '?'))})"
             for f in files]
    return f'<p class="missing">Not run: no {" and no ".join(parts)} in this directory.</p>'


def note(text: str) -> str:
    return f'<p class="missing">{esc(text)}</p>'


def para(text: str) -> str:
    return f"<p>{esc(text)}</p>"


def resource_columns(res: Any) -> dict[str, Any]:
    """The resource columns the report shows, BRAM folded into 36 Kb blocks, of a
    ``SynthDoc``, ``ResourceTotals`` or ``ExplorePoint`` (``None`` for what it lacks, and
    all ``None`` for no ``res``)."""
    def get(key: str) -> Any:
        return getattr(res, key, None)

    b36, b18 = get("BRAM36"), get("BRAM18")
    bram = None
    if b36 is not None or b18 is not None:
        total = (b36 or 0) + (b18 or 0) / 2
        bram = int(total) if float(total).is_integer() else total
    return {"LUT": get("LUT"), "FF": get("FF"), "BRAM": bram, "URAM": get("URAM"),
            "DSP": get("DSP"), "LUTRAM": get("LUTRAM")}
