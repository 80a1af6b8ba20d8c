"""Host side of a generated accelerator: the standalone driver and its hand-off.

``e3ne.host.driver`` imports only numpy (PYNQ lazily), so ``write_host_driver`` can copy it
verbatim into a design directory and onto a board.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from e3ne.errors import ConfigError
from e3ne.host.driver import (
    Accelerator,
    images_to_levels,
    load_plan,
    pack_images,
    unpack_outputs,
)

DRIVER_SOURCE = Path(__file__).resolve().parent / "driver.py"

__all__ = ["Accelerator", "images_to_levels", "load_plan", "pack_images", "unpack_outputs",
           "write_host_driver"]


def write_host_driver(design_dir: str | Path) -> Path:
    """Copy the driver to ``DIR/host/e3ne_driver.py`` and the plan to ``DIR/host/plan.json``.

    The copy of the plan lets ``DIR/host/`` travel to the board on its own (with the
    bitstream); the driver finds ``plan.json`` next to itself, else ``../rtl/plan.json``.
    Returns the driver's path.
    """
    d = Path(design_dir)
    plan = d / "rtl" / "plan.json"
    if not plan.is_file():
        raise ConfigError(f"{d}: no rtl/plan.json; expected a directory written by "
                          "'e3ne compile'")
    try:
        load_plan(plan)
    except ValueError as e:
        raise ConfigError(str(e)) from None
    out = d / "host"
    out.mkdir(exist_ok=True)
    shutil.copyfile(plan, out / "plan.json")
    if (d / "rtl" / "weights.bin").is_file():  # UltraRAM weights: Accelerator.load_weights
        shutil.copyfile(d / "rtl" / "weights.bin", out / "weights.bin")
    path = out / "e3ne_driver.py"
    shutil.copyfile(DRIVER_SOURCE, path)
    return path
