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

from e3ne.artifacts.base import FORMAT_VERSION, Doc, Part
from e3ne.artifacts.docs import (
    DOCS,
    TW,
    ConvertDoc,
    CriticalPath,
    CycleEstimate,
    CycleStage,
    EstimateDoc,
    ExploreDoc,
    ExplorePoint,
    FoldSpec,
    PnrDoc,
    ReferenceCheck,
    ReportDoc,
    ResourceEstimate,
    ResourceTotals,
    StageResources,
    SynthDoc,
    VerifyDoc,
    VerifyRun,
)

__all__ = [
    "ConvertDoc",
    "CriticalPath",
    "CycleEstimate",
    "CycleStage",
    "DOCS",
    "Doc",
    "EstimateDoc",
    "ExploreDoc",
    "ExplorePoint",
    "FORMAT_VERSION",
    "FoldSpec",
    "Part",
    "PnrDoc",
    "ReferenceCheck",
    "ReportDoc",
    "ResourceEstimate",
    "ResourceTotals",
    "StageResources",
    "SynthDoc",
    "TW",
    "VerifyDoc",
    "VerifyRun",
]
