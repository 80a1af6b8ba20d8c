"""The JSON files of a design directory, as types.

One class per file, each with its file name (``FILE``), the command that writes it
(``WRITER``), ``to_json()`` / ``from_json()`` and ``save(dir)`` / ``load(dir)``:
``ConvertDoc`` (convert.json, e3ne convert / compile), ``EstimateDoc`` (estimate.json,
e3ne compile), ``ExploreDoc`` (explore.json, e3ne explore), ``VerifyDoc`` (verify.json,
e3ne verify), ``SynthDoc`` (synth.json, e3ne synth), ``ReportDoc`` (report.json, e3ne
report). Nested parts (stages, points, folds, runs) are ``Part`` dataclasses too.

* A file is a JSON object whose first keys are ``"format": "e3ne-<kind>"`` and
  ``"format_version": 1``, then the fields in the order the class declares them, with
  ``indent=1`` and a final newline: the same document gives the same bytes.
* **A file without a format field** (written by e3ne before this module existed) is
  *accepted as version 1*: its fields are the same. A file of another kind or another
  version is refused with a one-line :class:`~e3ne.errors.FormatError` naming the file
  and the command to re-run.
* A missing field, or ``null``, reads as the field's default (``None``, or an empty list,
  dict or part), which the readers show as "—". A field of the wrong JSON type is refused
  with a FormatError naming the file and the field (``cycles.stages[2].cycles``).
* Keys a class does not know are kept in its ``extra`` dict and written back after the
  known ones: reading and re-writing a file drops nothing.

Imports only the standard library and :mod:`e3ne.errors`, so every stage of the pipeline
(and the report, and the benchmarks) can use it.
"""

from __future__ import annotations

import json
import os
import types
import typing
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, TypeVar, Union

from e3ne.errors import ConfigError, FormatError

FORMAT_VERSION = 1  #: the ``format_version`` this e3ne writes and reads

P = TypeVar("P", bound="Part")
D = TypeVar("D", bound="Doc")

_EXPECTED = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}


# --- the machinery ----------------------------------------------------------------------
@dataclass(kw_only=True)
class Part:
    """A JSON object with typed fields (every field has a default); unknown keys are
    kept in ``extra``."""

    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict[str, Any]:
        """A fresh dict of the fields in declaration order, then ``extra``."""
        out = {f.name: _dump(getattr(self, f.name)) for f in fields(self) if f.name != "extra"}
        out.update((k, _dump(v)) for k, v in self.extra.items() if k not in out)
        return out

    @classmethod
    def from_json(cls: type[P], doc: Any, source: str | None = None) -> P:
        """Build from a parsed JSON object; ``source`` names it in errors."""
        return cls._build(doc, source or cls.__name__, "", cls._hint())

    @classmethod
    def _hint(cls) -> str:
        return "expected a file written by e3ne"

    @classmethod
    def _build(cls: type[P], doc: Any, source: str, path: str, hint: str) -> P:
        if not isinstance(doc, dict):
            raise FormatError(f"{source}: {_where(path)}expected an object, got "
                              f"{_show(doc)}; {hint}")
        hints = _field_types(cls)
        known, extra = {}, {}
        for key, value in doc.items():
            if key in hints:
                if value is not None:
                    known[key] = _load(value, hints[key], source, f"{path}{key}", hint)
            else:
                extra[key] = value
        return cls(**known, extra=extra)


@dataclass(kw_only=True)
class Doc(Part):
    """A whole file of a design directory."""

    FILE: ClassVar[str]  #: its name in the design directory
    FORMAT: ClassVar[str]  #: the value of its ``format`` field: "e3ne-" + FILE's stem
    WRITER: ClassVar[str]  #: the command that writes it (named in errors)

    def __init_subclass__(cls, file: str, writer: str, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls.FILE, cls.FORMAT, cls.WRITER = file, "e3ne-" + file.split(".")[0], writer

    def to_json(self) -> dict[str, Any]:
        return {"format": self.FORMAT, "format_version": FORMAT_VERSION, **super().to_json()}

    @classmethod
    def _hint(cls) -> str:
        return f"re-run `{cls.WRITER}` to rewrite it"

    @classmethod
    def from_json(cls: type[D], doc: Any, source: str | None = None) -> D:
        src = source or cls.FILE
        if isinstance(doc, dict):
            fmt = doc.get("format", cls.FORMAT)
            if fmt != cls.FORMAT:
                raise FormatError(f"{src}: format {_show(fmt)} is not {_show(cls.FORMAT)} "
                                  f"(not a {cls.FILE}?); {cls._hint()}")
            version = doc.get("format_version", FORMAT_VERSION)
            if version != FORMAT_VERSION or isinstance(version, bool):
                raise FormatError(f"{src}: format_version {_show(version)} is not supported "
                                  f"(this e3ne reads {FORMAT_VERSION}); written by another "
                                  f"e3ne, re-run `{cls.WRITER}`")
            doc = {k: v for k, v in doc.items() if k not in ("format", "format_version")}
        return cls._build(doc, src, "", cls._hint())

    def dumps(self) -> str:
        """The file's text: deterministic (same document, same bytes)."""
        return json.dumps(self.to_json(), indent=1) + "\n"

    def save(self, design_dir: str | Path) -> Path:
        """Write ``DIR/FILE`` (atomically: a reader never sees half a file)."""
        path = Path(design_dir) / self.FILE
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(self.dumps())
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls: type[D], design_dir: str | Path) -> D:
        """Read ``DIR/FILE``: ConfigError if it is missing, FormatError if malformed."""
        doc = cls.load_if_present(design_dir)
        if doc is None:
            raise ConfigError(f"{Path(design_dir) / cls.FILE}: not found; run `{cls.WRITER}` "
                              "first")
        return doc

    @classmethod
    def load_if_present(cls: type[D], design_dir: str | Path) -> D | None:
        """Like :meth:`load`, but ``None`` when the file does not exist."""
        path = Path(design_dir) / cls.FILE
        if not path.is_file():
            return None
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise FormatError(f"{path}: not valid JSON ({e}); {cls._hint()}") from e
        return cls.from_json(doc, str(path))


@cache
def _field_types(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in fields(cls) if f.name != "extra"}


def _dump(v: Any) -> Any:
    if isinstance(v, Part):
        return v.to_json()
    if isinstance(v, dict):
        return {k: _dump(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_dump(x) for x in v]
    return v


def _load(v: Any, tp: Any, source: str, path: str, hint: str) -> Any:
    """``v`` checked against the annotation ``tp`` (Parts built, numbers kept as read)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any:
        return v
    if origin in (Union, types.UnionType):
        if v is None:
            return None
        (arm,) = [a for a in args if a is not type(None)]
        return _load(v, arm, source, path, hint)
    if isinstance(tp, type) and issubclass(tp, Part):
        return tp._build(v, source, path + ".", hint)
    if origin is list and isinstance(v, list):
        return [_load(x, args[0], source, f"{path}[{i}]", hint) for i, x in enumerate(v)]
    if origin is dict and isinstance(v, dict):
        return {k: _load(x, args[1], source, f"{path}[{k!r}]", hint) for k, x in v.items()}
    if tp in _EXPECTED and isinstance(v, tp if tp is not float else (int, float)) and (
            tp is bool or not isinstance(v, bool)):
        return v
    want = {list: "a list", dict: "an object"}.get(origin) or _EXPECTED.get(tp, str(tp))
    raise FormatError(f"{source}: {_where(path)}expected {want}, got {_show(v)}; {hint}")


def _where(path: str) -> str:
    return f"field {path.rstrip('.')!r}: " if path else ""


def _show(v: Any) -> str:
    text = json.dumps(v) if not isinstance(v, (dict, list)) else type(v).__name__
    return text if len(text) <= 40 else text[:37] + "..."


# --- convert.json -----------------------------------------------------------------------
@dataclass(kw_only=True)
class ConvertDoc(Doc, file="convert.json", writer="e3ne convert / e3ne compile"):
    """How a model was converted, and the accuracies it reached (None on random data)."""

    float_accuracy: float | None = None
    snn_accuracy: float | None = None  #: the golden model's, on the test split
    T: int | None = None
    W: int | None = None
    model: str | None = None
    dataset: str | None = None
    test_images: int | None = None
    calibration_images: int | None = None
    percentile: float | None = None
    qat_epochs: int | None = None


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

__all__ = ["DOCS", "FORMAT_VERSION", "ConvertDoc", "CriticalPath", "CycleEstimate", "CycleStage",
           "Doc", "PnrDoc",
           "EstimateDoc", "ExploreDoc", "ExplorePoint", "FoldSpec", "Part", "ReportDoc",
           "ResourceEstimate", "ResourceTotals", "StageResources", "SynthDoc", "TW",
           "VerifyDoc", "VerifyRun"]
