"""One type per JSON file of a design directory, with the parts nested in them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from e3ne.artifacts.base import Doc, Part


# --- convert.json -----------------------------------------------------------------------
@dataclass(kw_only=True)
class ReferenceCheck(Part):
    """A quantised model's own executor beside the golden model, image by image."""

    executor: str | None = None  #: "qonnx"
    images: int | None = None
    accuracy: float | None = None  #: the executor's
    class_matches: int | None = None  #: images whose class is the executor's
    score_matches: int | None = None  #: images whose every score is the executor's
    exact: bool | None = None  #: the mapping is exact by construction (no notes)
    notes: list[str] = field(default_factory=list)  #: where it is not, and why


@dataclass(kw_only=True)
class ConvertDoc(Doc, file="convert.json", writer="e3ne convert / e3ne compile"):
    """How a model was converted, and the accuracies it reached (None on random data)."""

    #: the float model's; for a QONNX/Brevitas model, the model as quantised (its executor's)
    float_accuracy: float | None = None
    snn_accuracy: float | None = None  #: the golden model's, on the test split
    T: int | None = None
    W: int | None = None
    model: str | None = None
    dataset: str | None = None
    test_images: int | None = None
    calibration_images: int | None = None
    percentile: float | None = None
    weight_clip: str | None = None  #: "mse" or "max" (None: a QONNX model's own weights)
    act_clip: str | None = None  #: "mse" or "percentile" (None: a QONNX model's own scales)
    qat_epochs: int | None = None
    reference: ReferenceCheck | None = None  #: a QONNX model: the qonnx executor's results


# --- estimate.json ----------------------------------------------------------------------
@dataclass(kw_only=True)
class CycleStage(Part):
    """One stage of the cycle model: its busy cycles per image and when it emits."""

    name: str | None = None
    kind: str | None = None
    layer: str | None = None
    cycles: int | None = None
    first_out: int | None = None
    last_out: int | None = None


@dataclass(kw_only=True)
class CycleEstimate(Part):
    latency: int | None = None
    interval: int | None = None
    latency_us: float | None = None
    stages: list[CycleStage] = field(default_factory=list)


@dataclass(kw_only=True)
class StageResources(Part):
    """One core of the resource model."""

    name: str | None = None
    kind: str | None = None
    layer: str | None = None
    LUT: int | None = None
    FF: int | None = None
    LUTRAM: int | None = None
    BRAM36: int | None = None
    BRAM18: int | None = None
    URAM: int | None = None


@dataclass(kw_only=True)
class ResourceTotals(Part):
    """The design's modelled totals; ``LUT`` is logic, ``LUT_total`` logic + memory."""

    LUT: int | None = None
    FF: int | None = None
    LUTRAM: int | None = None
    BRAM36: int | None = None
    BRAM18: int | None = None
    URAM: int | None = None
    DSP: int | None = None
    LUT_total: int | None = None
    BRAM36_equiv: float | None = None


@dataclass(kw_only=True)
class ResourceEstimate(Part):
    total: ResourceTotals | None = None
    stages: list[StageResources] = field(default_factory=list)


@dataclass(kw_only=True)
class EstimateDoc(Doc, file="estimate.json", writer="e3ne compile"):
    """The models' view of one design: per-stage cycles, per-core resources."""

    about: str | None = None
    device: str | None = None
    budget: dict[str, float] | None = None  #: lut, ff, bram, uram, dsp
    clock_mhz: float | None = None
    cycles: CycleEstimate = field(default_factory=CycleEstimate)
    resources: ResourceEstimate = field(default_factory=ResourceEstimate)
    chosen_by: str | None = None  #: "explore" or "--fold FILE"
    #: spike x weight-bit products of one image (e3ne.dse.lane_cost)
    products_per_image: int | None = None
    #: modelled LUT (logic + memory) x interval / products: LUTs per product per cycle
    lane_cost: float | None = None


# --- explore.json -----------------------------------------------------------------------
@dataclass(kw_only=True)
class FoldSpec(Part):
    """One layer's folding: PE, SIMD, TP and where its weights live."""

    PE: int | None = None
    SIMD: int | None = None
    TP: int | None = None
    weights: str | None = None


@dataclass(kw_only=True)
class TW(Part):
    T: int | None = None
    W: int | None = None


@dataclass(kw_only=True)
class ExplorePoint(Part):
    """One feasible design the search visited (``LUT`` counts logic + memory)."""

    T: int | None = None
    W: int | None = None
    float_accuracy: float | None = None
    snn_accuracy: float | None = None
    latency: int | None = None
    interval: int | None = None
    LUT: int | None = None
    LUT_logic: int | None = None
    LUTRAM: int | None = None
    FF: int | None = None
    BRAM36: float | None = None
    URAM: int | None = None
    DSP: int | None = None
    folds: dict[str, FoldSpec] | None = None
    pareto: bool | None = None
    chosen: bool | None = None  #: the one design chosen overall
    best_for_TW: bool | None = None  #: the design chosen for its (T, W)


@dataclass(kw_only=True)
class ExploreDoc(Doc, file="explore.json", writer="e3ne explore"):
    """Every design the search visited per (T, W), its front and its choice."""

    model: str | None = None
    device: str | None = None
    budget: dict[str, float] | None = None
    objective: str | None = None  #: "latency" or "throughput"
    target_interval: int | None = None
    weights: str | None = None
    primary: TW | None = None
    chosen_folds: dict[str, FoldSpec] | None = None
    search_seconds: float | None = None
    about: str | None = None
    points: list[ExplorePoint] = field(default_factory=list)

    @property
    def chosen(self) -> ExplorePoint | None:
        return next((p for p in self.points if p.chosen), None)


# --- verify.json ------------------------------------------------------------------------
@dataclass(kw_only=True)
class VerifyRun(Part):
    """One co-simulation run (``e3ne.flow.verify.VerifyResult``)."""

    images: int | None = None
    mismatches: int | None = None
    latency_cycles: int | None = None
    interval_cycles: float | None = None
    stalls: bool | None = None
    first_mismatch: str | None = None


@dataclass(kw_only=True)
class VerifyDoc(Doc, file="verify.json", writer="e3ne verify"):
    """Co-simulation against the golden model: the plain run's figures, every run."""

    images: int | None = None
    mismatches: int | None = None  #: over all runs
    latency_cycles: int | None = None
    interval_cycles: float | None = None
    runs: list[VerifyRun] = field(default_factory=list)


# --- synth.json -------------------------------------------------------------------------
@dataclass(kw_only=True)
class SynthDoc(Doc, file="synth.json", writer="e3ne synth"):
    """Yosys synth_xilinx resource counts (see ``e3ne.flow.yosys`` for the counting)."""

    LUT: int | None = None
    FF: int | None = None
    CARRY: int | None = None
    BRAM36: int | None = None
    BRAM18: int | None = None
    URAM: int | None = None
    DSP: int | None = None
    LUTRAM: int | None = None
    seconds: float | None = None
    cpu_seconds: float | None = None
    family: str | None = None
    top: str | None = None
    yosys: str | None = None
    command: str | None = None
    counting: str | None = None
    cells: dict[str, int] = field(default_factory=dict)
    unclassified: dict[str, int] = field(default_factory=dict)
    #: cells (LUTs, wide muxes, carry cells) on the deepest register-to-register path
    logic_depth: int | None = None
    logic_depth_from: str | None = None
    logic_depth_to: str | None = None


# --- pnr.json ---------------------------------------------------------------------------
@dataclass(kw_only=True)
class CriticalPath(Part):
    """The slowest register-to-register path nextpnr timed."""

    start: str | None = None  #: cell.port it starts at
    end: str | None = None  #: cell.port it ends at
    ns: float | None = None  #: total delay
    logic_ns: float | None = None
    routing_ns: float | None = None
    logic_cells: int | None = None  #: logic cells in series (LUT4 and carry cells)


@dataclass(kw_only=True)
class PnrDoc(Doc, file="pnr.json", writer="e3ne pnr"):
    """Place and route with nextpnr (see ``e3ne.flow.pnr``): Fmax measured by its timing
    analysis, utilisation, the critical path, the bitstream, run times."""

    device: str | None = None
    package: str | None = None
    speed: int | None = None
    seed: int | None = None
    constraint_mhz: float | None = None
    fmax_mhz: dict[str, float] = field(default_factory=dict)  #: per clock
    meets_constraint: bool | None = None
    LUT4: int | None = None  #: TRELLIS_COMB slots used
    FF: int | None = None
    EBR: int | None = None  #: DP16KD block RAMs
    DSP: int | None = None  #: MULT18X18D
    LUTRAM: int | None = None  #: TRELLIS_RAMW (distributed RAM write ports)
    utilization: dict[str, Any] = field(default_factory=dict)  #: nextpnr's, per cell type
    critical_path: CriticalPath = field(default_factory=CriticalPath)
    bitstream: str | None = None
    bitstream_bytes: int | None = None
    seconds: dict[str, float] = field(default_factory=dict)  #: per step: synth, pnr, pack
    tools: dict[str, str] = field(default_factory=dict)


# --- report.json ------------------------------------------------------------------------
@dataclass(kw_only=True)
class ReportDoc(Doc, file="report.json", writer="e3ne report"):
    """The numbers of report.html, one entry per section (its free-form data)."""

    inputs: dict[str, bool] = field(default_factory=dict)  #: input file -> found
    summary: dict[str, Any] | None = None
    accuracy: Any = None
    network: Any = None
    activity: Any = None
    folding: Any = None
    design_space: Any = None
    layers: Any = None
    verification: Any = None
    synthesis: Any = None
    estimate_vs_synthesis: Any = None
    place_and_route: Any = None


DOCS: tuple[type[Doc], ...] = (ConvertDoc, ExploreDoc, EstimateDoc, VerifyDoc, SynthDoc,
                                PnrDoc, ReportDoc)
