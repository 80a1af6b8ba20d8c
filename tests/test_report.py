"""The HTML report: spike activity, figures, and a page that renders in a real browser.

The design directories here hold a real small network (network.json, weights.npz) and a
real rtl/plan.json from the generator; convert.json, explore.json, estimate.json,
verify.json and synth.json are hand-written fixtures for the renderer that follow the
schemas the other jobs write (e3ne.artifacts), without the format fields, as e3ne wrote
them before those existed; their numbers are invented.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from netgen import random_folds, random_levels, random_network

from e3ne.artifacts import ReportDoc, VerifyDoc, VerifyRun
from e3ne.encoding import radix_encode
from e3ne.errors import ConfigError, FormatError
from e3ne.ir import Network
from e3ne.layers import Flatten, Synaptic
from e3ne.report import plots, spike_activity, write_report
from e3ne.report.html import SECTIONS

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SEED = 3  # random_network(3): three convs with pooling, three linears, T=5


# --- spike activity ---------------------------------------------------------------------
def _literal_activity(net: Network, q0: np.ndarray) -> dict[str, list[float]]:
    """Spike fractions counted on the literal executor's spike trains, layer by layer."""
    spikes = radix_encode(q0, net.T)
    expect = {"input": spikes.reshape(net.T, -1).mean(axis=1).tolist()}
    for layer in net.layers:
        spikes = layer.run_literal(spikes, net.T)
        if isinstance(layer, Synaptic) and layer.output:
            break
        if not isinstance(layer, Flatten):
            expect[layer.name] = spikes.reshape(net.T, -1).mean(axis=1).tolist()
    return expect


@pytest.mark.parametrize("seed", range(12))
def test_spike_activity_matches_literal_spike_counts(seed: int) -> None:
    net = random_network(seed)
    q0 = random_levels(net, 7, seed)
    got = spike_activity(net, q0)
    expect = _literal_activity(net, q0)
    assert list(got) == list(expect)
    for name in expect:
        assert len(got[name]) == net.T
        assert got[name] == pytest.approx(expect[name], abs=1e-12), name


def test_spike_activity_msb_first() -> None:
    """The spike at t is bit T-1-t: an input of only 2^(T-1) spikes at t = 0 only."""
    net = random_network(SEED)
    q0 = np.full((2, *net.input_shape), 1 << (net.T - 1), dtype=np.int64)
    assert spike_activity(net, q0)["input"] == [1.0] + [0.0] * (net.T - 1)


def test_spike_activity_rejects_wrong_input_shape() -> None:
    net = random_network(SEED)
    with pytest.raises(ConfigError, match="expected"):
        spike_activity(net, np.zeros((2, 1, 2, 2), dtype=np.int64))


# --- figures --------------------------------------------------------------------------
def test_plots_are_deterministic_pngs() -> None:
    points = _explore(random_network(SEED))["points"]
    makers = [
        lambda: plots.accuracy_vs_T(points),
        lambda: plots.pareto(points, "latency"),
        lambda: plots.stage_bars(["a", "b", "c"], [3, 1, 2], "cycles", "cycles"),
        lambda: plots.activity_heatmap({"input": [0.5, 0.25], "fc0": [0.1, 0.0]}),
    ]
    for make in makers:
        first, second = make(), make()
        assert first.startswith(PNG_MAGIC) and len(first) > 1000
        assert first == second
    assert plots.accuracy_vs_T([{"T": 4, "W": 3, "snn_accuracy": None}]) is None
    assert plots.pareto([]) is None


# --- fixtures for the renderer ----------------------------------------------------------
def _stages(net: Network) -> list[tuple[str, str, str]]:
    out = [("input", "input", "")]
    out += [(layer.name, layer.kind, layer.name) for layer in net.layers
            if not isinstance(layer, Flatten)]
    return out + [("argmax", "argmax", "")]


def _estimate(net: Network) -> dict:
    stages = _stages(net)
    cycles = [{"name": n, "kind": k, "layer": la, "cycles": 40 + 37 * i,
               "first_out": 5 + 11 * i, "last_out": 60 + 45 * i}
              for i, (n, k, la) in enumerate(stages)]
    res = [{"name": n, "kind": k, "layer": la, "LUT": 120 + 90 * (i % 4), "FF": 200 + 50 * i,
            "BRAM36": i % 2, "BRAM18": 1 if k == "conv" else 0, "URAM": 0, "LUTRAM": 8 * i}
           for i, (n, k, la) in enumerate(stages)]
    total = {key: sum(r[key] for r in res) for key in ("LUT", "FF", "BRAM36", "BRAM18",
                                                        "URAM", "LUTRAM")}
    total["DSP"] = 0
    return {"device": "xc7z020",
            "budget": {"lut": 53200, "ff": 106400, "bram": 140, "uram": 0, "dsp": 220},
            "cycles": {"latency": cycles[-1]["last_out"],
                       "interval": max(c["cycles"] for c in cycles), "stages": cycles},
            "resources": {"total": total, "stages": res}, "clock_mhz": 200.0}


def _explore(net: Network) -> dict:
    names = [layer.name for layer in net.synaptic_layers]
    points = []
    for W in (3, 4):
        for T in (2, 3, 4, 6):
            for k in range(3):
                lut = 900 + 400 * k + 150 * T + 60 * W
                points.append({
                    "T": T, "W": W, "float_accuracy": 0.9875,
                    "snn_accuracy": round(0.9875 - 0.3 / T ** 2 - 0.01 / W, 4),
                    "latency": int(9000 * T / (k + 1)), "interval": int(7000 * T / (k + 1)),
                    "LUT": lut, "FF": 2 * lut, "BRAM36": 4 + k, "URAM": 0, "DSP": 0,
                    "folds": {n: {"PE": k + 1, "SIMD": 1, "TP": 1} for n in names},
                    "pareto": False, "chosen": False})
    for p in points:  # the front of (LUT, latency), both minimised
        p["pareto"] = not any(q["LUT"] <= p["LUT"] and q["latency"] <= p["latency"]
                              and q is not p and (q["LUT"], q["latency"]) !=
                              (p["LUT"], p["latency"]) for q in points)
    front = sorted((p for p in points if p["pareto"]), key=lambda p: p["LUT"])
    front[len(front) // 2]["chosen"] = True
    return {"model": "netgen-3", "device": "xc7z020",
            "budget": {"lut": 53200, "ff": 106400, "bram": 140, "uram": 0, "dsp": 220},
            "objective": "latency", "points": points, "search_seconds": 12.34}


def _write(d: Path, name: str, doc: dict) -> None:
    (d / name).write_text(json.dumps(doc, indent=1) + "\n")


def _full_design(d: Path) -> Network:
    from e3ne.design.generate import generate

    net = random_network(SEED)
    net.meta = {"model": "netgen-3 <&>", "dataset": "random"}  # escaping is checked too
    net.save(d)
    generate(net, random_folds(net, SEED), d)
    _write(d, "convert.json", {"float_accuracy": 0.9875, "snn_accuracy": 0.9812, "T": net.T,
                               "W": net.W, "model": "netgen-3 <&>", "dataset": "random",
                               "test_images": 1000, "calibration_images": 1000,
                               "percentile": 99.99, "qat_epochs": 0})
    _write(d, "explore.json", _explore(net))
    _write(d, "estimate.json", _estimate(net))
    _write(d, "verify.json", {"images": 100, "mismatches": 0, "latency_cycles": 1234,
                              "interval_cycles": 987.5, "runs": []})
    _write(d, "synth.json", {"LUT": 1500, "FF": 2300, "CARRY": 40, "BRAM36": 3, "BRAM18": 3,
                             "URAM": 0, "DSP": 0, "LUTRAM": 100, "seconds": 42.0,
                             "family": "xc7"})
    _write(d, "pnr.json", {"device": "lfe5u-85f", "speed": 8, "constraint_mhz": 200.0,
                           "fmax_mhz": {"ap_clk": 123.4}, "meets_constraint": False,
                           "LUT4": 2698, "FF": 616, "EBR": 2, "DSP": 0,
                           "critical_path": {"start": "a.Q", "end": "b.CE", "ns": 8.1,
                                             "logic_ns": 3.5, "routing_ns": 4.2,
                                             "logic_cells": 9},
                           "bitstream": "pnr/e3ne.bit", "bitstream_bytes": 1927725,
                           "seconds": {"synth": 6.3, "pnr": 20.6, "pack": 2.8}})
    return net


@pytest.fixture(scope="module")
def full_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("design")
    _full_design(d)
    return write_report(d)


# --- the page -------------------------------------------------------------------------
class _Page(HTMLParser):
    """Collects section ids, their h2 headings, images, links and tags of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.headings: dict[str, str] = {}
        self.imgs: list[str] = []
        self.urls: list[str] = []
        self.tags: set[str] = set()
        self._h2: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "section":
            self.sections.append(a.get("id") or "")
        if tag == "h2":
            self._h2 = ""
        if tag == "img":
            self.imgs.append(a.get("src") or "")
        self.urls += [v for k, v in attrs if k in ("href", "src", "action") and v]

    def handle_data(self, data: str) -> None:
        if self._h2 is not None:
            self._h2 += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self._h2 is not None:
            self.headings[self.sections[-1]] = self._h2
            self._h2 = None


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_full_report_is_self_contained(full_report: Path) -> None:
    page = _parse(full_report)
    assert page.sections == [sid for sid, _ in SECTIONS]
    assert page.headings == dict(SECTIONS)
    assert len(page.imgs) == 5  # activity, Pareto, accuracy vs T, cycles, LUTs
    for src in page.imgs:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1], validate=True).startswith(PNG_MAGIC)
    assert all(u.startswith(("#", "data:")) for u in page.urls), page.urls
    text = full_report.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text
    assert not page.tags & {"script", "link", "iframe", "object", "embed"}
    assert "Not run" not in text
    assert "netgen-3 &lt;&amp;&gt;" in text and "netgen-3 <&>" not in text


def test_full_report_json_holds_the_numbers(full_report: Path) -> None:
    doc = json.loads((full_report.parent / "report.json").read_text())
    assert doc["inputs"] == dict.fromkeys(doc["inputs"], True)
    summary = doc["summary"]
    assert summary["latency (cycles)"] == {"value": 1234, "source": "Verilator (verify.json)"}
    assert summary["LUT (logic + memory)"] == {"value": 1500 + 100, "source": "Yosys synthesis"}
    assert summary["Fmax (MHz)"] == {"value": 123.4, "source": "nextpnr (lfe5u-85f)"}
    assert summary["latency (µs)"] == {"value": round(1234 / 123.4, 3), "source":
                                       "Verilator (verify.json) at the measured Fmax"}
    assert doc["place_and_route"]["fmax_mhz"] == 123.4
    from e3ne.dse.lane_cost import lane_cost, products_per_image
    from e3ne.ir import Network

    products = products_per_image(Network.load(full_report.parent))
    assert summary["lane cost (LUT per product per cycle)"]["value"] == \
        round(lane_cost(1500 + 100, 987.5, products), 2)
    assert summary["BRAM (36 Kb blocks)"]["value"] == 4.5  # 3 + 3/2
    assert summary["bit-exact"]["value"] is True
    est = json.loads((full_report.parent / "estimate.json").read_text())
    errs = {r["resource"]: r for r in doc["estimate_vs_synthesis"]}
    lut = est["resources"]["total"]["LUT"]
    assert errs["LUT"]["relative_error"] == pytest.approx((lut - 1500) / 1500)
    total = est["resources"]["total"]
    assert errs["BRAM"]["estimate"] == total["BRAM36"] + total["BRAM18"] / 2
    assert errs["URAM"]["relative_error"] == 0.0  # 0 vs 0
    net = Network.load(full_report.parent)
    assert list(doc["folding"]["folds"]) == [layer.name for layer in net.synaptic_layers]
    front = doc["design_space"]["front"]
    assert front and sum(p["chosen"] for p in front) == 1
    assert {(r["T"], r["W"]) for r in doc["design_space"]["accuracy_vs_T"]} == {
        (t, w) for t in (2, 3, 4, 6) for w in (3, 4)}
    act = doc["activity"]
    assert act["images"] == 100 and list(act["fractions"])[0] == "input"


def _chromium() -> str:
    exe = shutil.which("chromium")
    if exe is None:
        pytest.fail("chromium: not installed; scripts/setup.sh installs it (Debian package "
                    "'chromium')")
    return exe


def _chromium_run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={tmp_path / 'chromium-profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)


def test_full_report_renders_in_chromium(full_report: Path, tmp_path: Path) -> None:
    url = full_report.resolve().as_uri()
    dom = _chromium_run(tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    page = _Page()
    page.feed(dom.stdout)
    assert page.headings == dict(SECTIONS)
    assert len(page.imgs) == 5 and all(s.startswith("data:image/png;base64,")
                                       for s in page.imgs)
    shot = tmp_path / "report.png"
    run = _chromium_run(tmp_path, f"--screenshot={shot}", "--window-size=1200,3000", url)
    assert run.returncode == 0, run.stderr[-2000:]
    png = shot.read_bytes()
    assert png.startswith(PNG_MAGIC) and len(png) > 10_000


def test_network_only_dir_says_what_was_not_run(tmp_path: Path) -> None:
    random_network(SEED).save(tmp_path)
    page = _parse(write_report(tmp_path))
    assert page.sections == [sid for sid, _ in SECTIONS]
    assert len(page.imgs) == 1  # spike activity only
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    for sid in ("accuracy", "folding", "design-space", "layers", "verification",
                "synthesis", "estimate-vs-synthesis"):
        part = html.split(f'<section id="{sid}">', 1)[1].split("</section>", 1)[0]
        assert "Not run" in part, sid
    for sid in ("network", "activity"):
        part = html.split(f'<section id="{sid}">', 1)[1].split("</section>", 1)[0]
        assert "Not run" not in part, sid


def test_mismatches_show_not_bit_exact(tmp_path: Path) -> None:
    _write(tmp_path, "verify.json", {"images": 10, "mismatches": 2, "latency_cycles": 50,
                                     "interval_cycles": None})
    html = write_report(tmp_path).read_text(encoding="utf-8")
    assert "Bit-exact: NO" in html
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["summary"]["bit-exact"]["value"] is False
    assert doc["verification"]["bit_exact"] is False


def test_report_is_deterministic(tmp_path: Path) -> None:
    _full_design(tmp_path)
    first = (write_report(tmp_path).read_bytes(), (tmp_path / "report.json").read_bytes())
    second = (write_report(tmp_path).read_bytes(), (tmp_path / "report.json").read_bytes())
    assert first == second


def test_report_errors_name_the_culprit(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a directory"):
        write_report(tmp_path / "nowhere")
    with pytest.raises(ConfigError, match="not a design directory"):
        write_report(tmp_path)
    (tmp_path / "estimate.json").write_text("{truncated")
    with pytest.raises(FormatError, match=r"estimate\.json: not valid JSON"):
        write_report(tmp_path)
    (tmp_path / "estimate.json").write_text('{"cycles": {"latency": "fast"}}')
    with pytest.raises(FormatError, match=r"estimate\.json: field 'cycles\.latency': "
                                          r"expected an integer, got \"fast\""):
        write_report(tmp_path)
    (tmp_path / "estimate.json").write_text('{"format": "e3ne-estimate", "format_version": 9}')
    with pytest.raises(FormatError, match=r"estimate\.json: format_version 9 is not supported"):
        write_report(tmp_path)


def test_report_reads_typed_files_and_writes_a_report_doc(tmp_path: Path) -> None:
    VerifyDoc(images=4, mismatches=0, latency_cycles=70, interval_cycles=50.0,
              runs=[VerifyRun(images=4, mismatches=0, latency_cycles=70, interval_cycles=50.0,
                              stalls=s) for s in (False, True)]).save(tmp_path)
    html = write_report(tmp_path).read_text(encoding="utf-8")
    assert "Bit-exact: yes" in html and "with stalls" in html
    doc = ReportDoc.load(tmp_path)
    assert doc.inputs["verify.json"] and not doc.inputs["convert.json"]
    assert doc.verification["bit_exact"] is True
    assert doc.summary["interval (cycles)"] == {"value": 50.0,
                                                "source": "Verilator (verify.json)"}
