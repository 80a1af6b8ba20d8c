"""What the report reads from a design directory, as types (``read_inputs``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from e3ne.artifacts import ConvertDoc, EstimateDoc, ExploreDoc, PnrDoc, SynthDoc, VerifyDoc
from e3ne.errors import ConfigError, FormatError
from e3ne.ir import NETWORK_FILE, Network
from e3ne.report.markup import PLAN_FILE, WRITERS


@dataclass
class Inputs:
    """The files of one design directory; ``None`` for each one it does not hold."""

    present: dict[str, bool]  #: input file -> found, in WRITERS order
    conv: ConvertDoc | None
    net: Network | None
    plan: dict[str, Any] | None  #: rtl/plan.json (written by e3ne.design.generate)
    explore: ExploreDoc | None
    estimate: EstimateDoc | None
    verify: VerifyDoc | None
    synth: SynthDoc | None
    pnr: PnrDoc | None


def read_inputs(design_dir: str | Path) -> Inputs:
    """Read every input the directory holds; ConfigError if it is not a design directory,
    FormatError for a malformed file."""
    d = Path(design_dir)
    if not d.is_dir():
        raise ConfigError(f"{d}: not a directory; give a design directory written by "
                          "e3ne convert or e3ne compile")
    present = {name: (d / name).is_file() for name in WRITERS}
    if not any(present.values()):
        raise ConfigError(f"{d}: not a design directory (none of {', '.join(WRITERS)} "
                          "found); give a directory written by e3ne convert or e3ne compile")
    return Inputs(present=present, conv=ConvertDoc.load_if_present(d),
                  net=Network.load(d) if present[NETWORK_FILE] else None,
                  plan=_read_plan(d), explore=ExploreDoc.load_if_present(d),
                  estimate=EstimateDoc.load_if_present(d),
                  verify=VerifyDoc.load_if_present(d), synth=SynthDoc.load_if_present(d),
                  pnr=PnrDoc.load_if_present(d))


def _read_plan(d: Path) -> dict[str, Any] | None:
    path = d / PLAN_FILE
    if not path.is_file():
        return None
    hint = f"rerun the step that writes it ({WRITERS[PLAN_FILE]})"
    try:
        doc = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise FormatError(f"{path}: not valid JSON ({e}); {hint}") from e
    if not isinstance(doc, dict):
        raise FormatError(f"{path}: expected a JSON object, got {type(doc).__name__}; {hint}")
    return doc
