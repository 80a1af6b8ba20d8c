"""The user-facing jobs behind the CLI, one module per step of the pipeline: convert,
explore, compile (itself a recipe of named steps, ``compile.COMPILE_STEPS``), verify, and
the accuracy sweep. ``e3ne synth`` and ``e3ne report`` are single calls
(``e3ne.flow.yosys.synthesize``, ``e3ne.report.write_report``)."""

from e3ne.jobs.compile import (
    COMPILE_STEPS,
    CompileOptions,
    CompileResult,
    compile_design,
    run_compile,
)
from e3ne.jobs.convert import (
    ConvertOptions,
    ConvertResult,
    log,
    parse_shape,
    resolve,
    run_convert,
    summary_lines,
)
from e3ne.jobs.explore import run_explore, write_explore_plots
from e3ne.jobs.sweep import accuracy_sweep, format_sweep, rate_sweep
from e3ne.jobs.verify import run_verify, verify_images

__all__ = ["COMPILE_STEPS", "CompileOptions", "CompileResult", "ConvertOptions",
           "ConvertResult", "accuracy_sweep", "compile_design", "format_sweep", "log",
           "parse_shape", "rate_sweep", "resolve", "run_compile", "run_convert", "run_explore",
           "run_verify", "summary_lines", "verify_images", "write_explore_plots"]
