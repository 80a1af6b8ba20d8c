"""Step ``compile``: convert, choose folds (a fold file or the search), generate the RTL,
its estimate, the Vivado project and the host driver.

The recipe is ``COMPILE_STEPS``, a list of named steps ``step(ctx)`` run in order over one
``CompileContext``; a caller may pass its own list to swap or add a step (as FINN's
builder does). The options travel in ``CompileOptions``, written into the design
directory as ``options.json`` so that a design can be rebuilt from its own directory
(``CompileOptions.load(DIR)``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from e3ne.errors import ConfigError, FormatError
from e3ne.jobs.convert import ConvertOptions, ConvertResult, log, run_convert

OPTIONS_FILE = "options.json"


@dataclass
class CompileOptions:
    """Everything ``e3ne compile`` takes besides the output directory."""

    convert: ConvertOptions  #: the model and its conversion (``e3ne convert``'s options)
    fold_file: str | None = None  #: JSON fold file; None: the design-space search chooses
    device: str | None = None  #: device of e3ne.devices (None: xc7z020)
    budget: str | None = None  #: e.g. "lut=18335,bram=40" (None: the whole device)
    objective: str = "latency"  #: latency | throughput
    interval: int | None = None  #: target cycles per image for --objective throughput
    clock_mhz: float = 200.0  #: clock constraint of the Vivado project (assumed, not measured)
    #: how weights in UltraRAM come in after reset: "axis" (s_axis_weights, sent by the
    #: host) or "m_axi" (m_axi_weights: the design reads weights.bin from weights_addr)
    weight_port: str = "axis"
    #: the search streams every layer's weights from DDR (placed "ext") instead of
    #: keeping them on chip
    external_weights: bool = False

    def to_json(self) -> dict:
        d = asdict(self)
        d["convert"]["input_shape"] = (None if self.convert.input_shape is None
                                       else list(self.convert.input_shape))
        return {"format": "e3ne-options", "format_version": 1, **d}

    @classmethod
    def from_json(cls, d: dict, where: str = OPTIONS_FILE) -> CompileOptions:
        if not isinstance(d, dict) or d.get("format") != "e3ne-options":
            raise FormatError(f"{where}: not an e3ne options file")
        known = {f.name for f in fields(cls)}
        conv_known = {f.name for f in fields(ConvertOptions)}
        c = d.get("convert")
        if not isinstance(c, dict) or set(c) - conv_known or "model" not in c:
            raise FormatError(f"{where}: 'convert' must hold the convert options "
                              f"({', '.join(sorted(conv_known))})")
        if c.get("input_shape") is not None:
            c = {**c, "input_shape": tuple(c["input_shape"])}
        rest = {k: v for k, v in d.items() if k in known and k != "convert"}
        return cls(convert=ConvertOptions(**c), **rest)

    def save(self, out_dir: str | Path) -> None:
        (Path(out_dir) / OPTIONS_FILE).write_text(json.dumps(self.to_json(), indent=1) + "\n")

    @classmethod
    def load(cls, design_dir: str | Path) -> CompileOptions:
        path = Path(design_dir) / OPTIONS_FILE
        try:
            return cls.from_json(json.loads(path.read_text()), str(path))
        except FileNotFoundError:
            raise FormatError(f"{path}: not found; write it with 'e3ne compile'") from None
        except json.JSONDecodeError as e:
            raise FormatError(f"{path}: not valid JSON ({e})") from None


@dataclass
class CompileResult:
    plan: object  # e3ne.design.chain.Plan
    folds: dict
    estimate: dict  # estimate.json
    chosen_by: str  # "explore" or "--fold FILE"


@dataclass
class CompileContext:
    """What the steps pass on: the options, the directory, and what each step made."""

    opts: CompileOptions
    out_dir: Path
    converted: ConvertResult | None = None
    folds: dict = field(default_factory=dict)
    chosen_by: str = ""
    budget: dict | None = None
    plan: object = None
    estimate: dict = field(default_factory=dict)


def step_check(ctx: CompileContext) -> None:
    """Refuse contradictory or malformed options before any work."""
    from e3ne.design.chain import WEIGHT_PORTS
    from e3ne.devices import get_device
    from e3ne.dse.explore import DEFAULT_DEVICE
    from e3ne.dse.search import check_options

    o = ctx.opts
    if o.fold_file is not None and not Path(o.fold_file).is_file():
        raise ConfigError(f"--fold {o.fold_file}: file not found")
    if o.fold_file is not None and (o.budget or o.interval):
        raise ConfigError("--fold: a fold file fixes the design; drop --budget/--interval "
                          "or the fold file")
    o.device = get_device(o.device or DEFAULT_DEVICE).name
    if o.weight_port not in WEIGHT_PORTS:
        raise ConfigError(f"--weight-port {o.weight_port}: expected one of "
                          f"{', '.join(WEIGHT_PORTS)}")
    if o.fold_file is not None:
        check_fold_device(o.fold_file, o.device)
    if o.fold_file is None:
        check_options(o.device, o.budget, o.objective, o.interval)


def step_convert(ctx: CompileContext) -> None:
    """network.json, weights.npz, convert.json (reusing a conversion the caller made)."""
    if ctx.converted is None:
        ctx.converted = run_convert(ctx.opts.convert, ctx.out_dir)
    else:
        ctx.converted.save(ctx.out_dir)
    ctx.opts.save(ctx.out_dir)


def check_fold_device(fold_file: str, device: str) -> None:
    """Before any work: weights placed "uram" need a device with UltraRAM (the rest of the
    fold file is checked against the network once it is converted)."""
    import json

    from e3ne.devices import DEVICES, get_device

    try:
        given = json.loads(Path(fold_file).read_text())
    except (OSError, ValueError):
        return  # load_folds names the problem
    dev = get_device(device)
    uram = [name for name, f in given.items() if isinstance(f, dict)
            and f.get("weights") == "uram"] if isinstance(given, dict) else []
    if uram and dev.URAM == 0:
        have = ", ".join(d.name for d in DEVICES.values() if d.URAM)
        raise ConfigError(f"--fold {fold_file}: layer {uram[0]!r}: weights 'uram' need "
                          f"UltraRAM and {dev.name} has none; use lut, bram or auto, or a "
                          f"device with UltraRAM ({have})")


def step_choose_folds(ctx: CompileContext) -> None:
    """The folds: from the fold file, else the design-space search within the budget."""
    from e3ne.design.folding import load_folds
    from e3ne.dse.search import search

    o, net = ctx.opts, ctx.converted.net
    if o.fold_file is not None:
        ctx.folds, ctx.chosen_by = load_folds(net, o.fold_file), f"--fold {o.fold_file}"
        return
    found = search(net, o.device, o.budget, o.objective, o.interval,
                   external_weights=o.external_weights, weight_port=o.weight_port,
                   clock_mhz=o.clock_mhz,
                   progress=lambda msg: log(f"{o.convert.model}: {msg}"))
    ctx.folds, ctx.chosen_by, ctx.budget = found.chosen.folds, "explore", found.budget
    c = found.chosen
    log(f"{o.convert.model}: explored {len(found.points)} designs for {o.device} in "
        f"{found.seconds:.2f} s; chosen: latency {c.latency:,} cycles, interval "
        f"{c.interval:,}, {c.lut:,} LUT, {c.resources.FF:,} FF, "
        f"{c.resources.bram:g} BRAM36 (modelled)")


def step_generate(ctx: CompileContext) -> None:
    """DIR/rtl: the top level, memory images, cores, filelist, plan."""
    from e3ne.design.generate import generate

    log(f"{ctx.opts.convert.model}: generating RTL into {ctx.out_dir / 'rtl'}")
    ctx.plan = generate(ctx.converted.net, ctx.folds, ctx.out_dir, ctx.opts.weight_port)
    if ctx.opts.weight_port != "axis" and ctx.plan.weight_port is None:
        log(f"{ctx.opts.convert.model}: --weight-port {ctx.opts.weight_port}: no engine "
            "keeps its weights in UltraRAM, so the design has no weight port")


def step_estimate(ctx: CompileContext) -> None:
    """DIR/estimate.json: the cycle and resource models' view of the design."""
    from e3ne.dse.explore import estimate_doc

    o = ctx.opts
    est = estimate_doc(ctx.converted.net, ctx.folds, o.device, ctx.budget, o.clock_mhz,
                       ctx.chosen_by, o.weight_port)
    est.save(ctx.out_dir)
    ctx.estimate = est.to_json()


def step_handoff(ctx: CompileContext) -> None:
    """DIR/vivado (build.tcl, constraints) and DIR/host (the PYNQ-style driver)."""
    from e3ne.flow.vivado import write_vivado_project
    from e3ne.host import write_host_driver

    write_vivado_project(ctx.out_dir, device=ctx.opts.device, clock_mhz=ctx.opts.clock_mhz)
    write_host_driver(ctx.out_dir)


COMPILE_STEPS: list[Callable[[CompileContext], None]] = [
    step_check, step_convert, step_choose_folds, step_generate, step_estimate, step_handoff]


def compile_design(opts: CompileOptions, out_dir: str | Path,
                   converted: ConvertResult | None = None,
                   steps: list[Callable[[CompileContext], None]] | None = None
                   ) -> CompileResult:
    """Run the compile recipe (``COMPILE_STEPS`` unless ``steps``) into ``out_dir``."""
    ctx = CompileContext(opts, Path(out_dir), converted)
    for step in COMPILE_STEPS if steps is None else steps:
        step(ctx)
    return CompileResult(ctx.plan, ctx.folds, ctx.estimate, ctx.chosen_by)


def run_compile(opts: ConvertOptions, out_dir: str | Path, fold_file: str | None = None,
                device: str | None = None, budget: str | None = None,
                objective: str = "latency", interval: int | None = None,
                clock_mhz: float = 200.0, converted: ConvertResult | None = None,
                weight_port: str = "axis", external_weights: bool = False) -> CompileResult:
    """convert + choose folds + generate: DIR/network.json, weights.npz, convert.json,
    options.json, DIR/rtl, DIR/estimate.json, DIR/vivado and DIR/host.

    Folds come from ``fold_file`` when given (layers it omits get the default), else from
    the design-space search for ``device`` (default xc7z020) within ``budget``. A network
    ``converted`` already (from ``opts``) is saved instead of converting again."""
    return compile_design(CompileOptions(opts, fold_file, device, budget, objective,
                                         interval, clock_mhz, weight_port, external_weights),
                          out_dir,
                          converted)
