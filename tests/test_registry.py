"""Every registered layer kind and core model implements every hook the generic code calls.

Generic code (front end, IR loader, golden model, the chain builder, cycle and resource
models, calibration) dispatches through these hooks only, so a kind or core that misses
one would fail far from where it is defined; this test names it at once.
"""

from __future__ import annotations

import json

import pytest

from e3ne.dse.calibrate import CALIBRATION_FILE
from e3ne.hw import RTL_DIR
from e3ne.hw.cores import CORE_MODELS, Core
from e3ne.layers import LAYER_KINDS, Layer, Synaptic

LAYER_HOOKS = ["out_shape", "to_json", "from_json", "run_fast", "run_literal", "build_hw",
               "float_forward", "from_float"]
SYNAPTIC_HOOKS = ["legal_simd", "hw_weights", "hw_input", "fold_input_affine",
                  "synaptic_current"]
CORE_HOOKS = ["ports", "busy", "forward", "features", "calibration_plan"]


def _overrides(cls: type, base: type, name: str) -> bool:
    return getattr(cls, name) is not getattr(base, name, None)


@pytest.mark.parametrize("kind", sorted(LAYER_KINDS))
def test_layer_kind_implements_every_hook(kind: str) -> None:
    cls = LAYER_KINDS[kind]
    missing = [h for h in LAYER_HOOKS if not _overrides(cls, Layer, h)]
    if cls.synaptic:
        missing += [h for h in SYNAPTIC_HOOKS if not _overrides(cls, Synaptic, h)]
    # a torch matcher: a module, a traced call, or both
    if not (_overrides(cls, Layer, "match_module") or _overrides(cls, Layer, "match_call")):
        missing.append("match_module/match_call")
    assert not missing, f"layer kind {kind!r} lacks {missing}"


@pytest.mark.parametrize("module", sorted(CORE_MODELS))
def test_core_model_implements_every_hook(module: str) -> None:
    cls = CORE_MODELS[module]
    missing = [h for h in CORE_HOOKS if not _overrides(cls, Core, h)]
    assert not missing, f"core {module!r} lacks {missing}"
    assert cls.sources and cls.sources[-1] == f"{module}.sv", cls.sources
    for src in cls.sources:
        assert (RTL_DIR / src).is_file(), src
    assert cls.stage


@pytest.mark.parametrize("module", sorted(CORE_MODELS))
def test_core_model_is_calibrated_on_its_own_plan(module: str) -> None:
    """The shipped calibration holds a measurement for every sample of the core's plan,
    and the model's features evaluate on each."""
    cls = CORE_MODELS[module]
    samples = json.loads(CALIBRATION_FILE.read_text())["samples"]
    have = {json.dumps(s["params"], sort_keys=True) for s in samples if s["module"] == module}
    plan = cls.calibration_plan()
    assert plan
    for params in plan:
        assert json.dumps(params, sort_keys=True) in have, params
        feats, exact = cls.features(params)
        assert feats and all(v >= 0 for v in feats.values())
        iw, ow = cls.ports(params)
        # no input stream (0) only for a core that reads none (the AXI read master), no
        # output stream only for one that writes none (the AXI read arbiter)
        core = cls("x", "", params, None, None)
        assert (iw > 0 or not core.inputs()) and (ow > 0 or not core.outputs())
