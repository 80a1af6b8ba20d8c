"""``write_report(DIR)``: one self-contained HTML page about a design directory.

The page reads whatever the other jobs left in DIR (convert.json, network.json +
weights.npz, rtl/plan.json, explore.json, estimate.json, verify.json, synth.json, pnr.json; see
:mod:`e3ne.report.inputs`) and shows one section per input, with a "not run" note where
the file is missing, so it can be written at any point of the flow. Figures are embedded
as base64 PNG data URIs and the CSS is inline: the file can be mailed or archived alone,
opens offline and loads nothing. The numbers shown go to ``DIR/report.json`` (a
:class:`~e3ne.artifacts.ReportDoc`) too. Output is deterministic (no timestamps, no
absolute paths): the same DIR gives the same bytes.

This module assembles the page; the sections are in :mod:`e3ne.report.sections`,
:mod:`e3ne.report.design` and :mod:`e3ne.report.summary`, the HTML pieces in
:mod:`e3ne.report.markup`.
"""

from __future__ import annotations

from pathlib import Path

from e3ne.artifacts import ReportDoc
from e3ne.report import design, sections
from e3ne.report.inputs import read_inputs
from e3ne.report.markup import CSS, SECTIONS, WRITERS, Section, esc
from e3ne.report.summary import summary

REPORT_HTML = "report.html"
REPORT_JSON = ReportDoc.FILE
ACTIVITY_IMAGES = 100  #: images of the network's dataset for the spike-activity section

__all__ = ["ACTIVITY_IMAGES", "REPORT_HTML", "REPORT_JSON", "SECTIONS", "WRITERS",
           "render_page", "write_report"]


def render_page(title: str, sub: str, parts: list[Section]) -> str:
    """The whole page: head with the inline CSS, title, navigation, the sections."""
    nav = "".join(f'<a href="#{s.id}">{esc(s.title)}</a>' for s in parts)
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{esc(title)}</title><style>{CSS}</style></head><body><main>",
           f"<h1>{esc(title)}</h1>", f'<p class="sub">{esc(sub)}</p>', f"<nav>{nav}</nav>"]
    for s in parts:
        out.append(f'<section id="{s.id}"><h2>{esc(s.title)}</h2>')
        out.extend(s.body)
        out.append("</section>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"


def write_report(design_dir: str | Path, activity_images: int = ACTIVITY_IMAGES) -> Path:
    """Write ``DIR/report.html`` (self-contained) and ``DIR/report.json`` (its numbers);
    return the HTML's path."""
    d = Path(design_dir)
    inp = read_inputs(d)
    body = [
        sections.accuracy(inp.conv), sections.network(inp.net),
        sections.activity(inp.net, activity_images), sections.folding(inp.plan),
        design.design_space(inp.explore), design.layers(inp.estimate),
        sections.verification(inp.verify), sections.synthesis(inp.synth),
        sections.estimate_vs_synthesis(inp.estimate, inp.synth),
        sections.place_and_route(inp.pnr),
    ]
    head = summary(inp)
    parts = [head, *body]
    model = head.data["model"]["value"]
    title = f"e3ne report: {model}" if model else "e3ne report"
    sub = (f"Design directory {d.resolve().name}; inputs found: "
           f"{', '.join(n for n, ok in inp.present.items() if ok)}.")
    page = render_page(title, sub, parts)
    ReportDoc(inputs=inp.present, **{s.id.replace("-", "_"): s.data for s in parts}).save(d)
    out = d / REPORT_HTML
    out.write_text(page, encoding="utf-8")
    return out
