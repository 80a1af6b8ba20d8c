"""Vivado hand-off of a generated design: build.tcl + xdc (no Vivado needed)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from netgen import random_folds, random_network

from e3ne.design.generate import generate
from e3ne.devices import DEVICES
from e3ne.errors import ConfigError
from e3ne.flow.vivado import PARTS, write_vivado_project

SEED = 29  # conv + maxpool + 2 linears, 3 channels of 6 bits (24-bit beats), 10 classes


@pytest.fixture(scope="module")
def design(tmp_path_factory: pytest.TempPathFactory) -> Path:
    net = random_network(SEED, max_convs=1, max_linears=2)
    d = tmp_path_factory.mktemp("viv") / "design"
    generate(net, random_folds(net, SEED), d)
    return d


def _copy(design: Path, dst: Path) -> Path:
    shutil.copytree(design / "rtl", dst / "rtl")
    return dst


def _read_verilog(tcl: str) -> list[str]:
    return re.findall(r"^read_verilog -sv \[file join \$rtl (\S+)\]$", tcl, re.M)


def _read_mem(tcl: str) -> list[str]:
    block = re.search(r"^set mems \{\n(.*?)^\}$", tcl, re.M | re.S)
    assert block and "read_mem [file join $rtl $m]" in tcl
    return block[1].split()


def test_tcl_reads_filelist_and_every_memory_image(design: Path, tmp_path: Path) -> None:
    d = _copy(design, tmp_path / "d")
    path = write_vivado_project(d)
    assert path == d / "vivado" / "build.tcl"
    tcl = path.read_text()
    assert _read_verilog(tcl) == (d / "rtl" / "filelist.f").read_text().split()
    mems = sorted(p.name for p in (d / "rtl").glob("*.mem"))
    assert mems and _read_mem(tcl) == mems
    # copied into the run dir, where $readmemh resolves the bare names
    assert "file copy -force [file join $rtl $m] [file join $run $m]" in tcl
    assert "set here [file dirname [file normalize [info script]]]" in tcl
    assert str(tmp_path) not in tcl  # relative to the script: the directory can move
    assert "read_xdc [file join $here e3ne_top.xdc]" in tcl
    for cmd in ("opt_design", "place_design", "route_design", "report_utilization -file",
                "report_timing_summary", "write_checkpoint -force"):
        assert re.search(rf"^{cmd}", tcl, re.M), cmd


@pytest.mark.parametrize("device, part", [("xc7z020", "xc7z020clg400-1"),
                                          ("xczu3eg", "xczu3eg-sbva484-1-e"),
                                          ("XCVU13P", "xcvu13p-fhga2104-2L-e")])
def test_part_and_top(design: Path, tmp_path: Path, device: str, part: str) -> None:
    d = _copy(design, tmp_path / "d")
    tcl = write_vivado_project(d, device=device).read_text()
    assert f"create_project -in_memory -part {part}\n" in tcl
    assert f"synth_design -top e3ne_top -part {part} -mode out_of_context\n" in tcl
    assert len(re.findall(r"-part (\S+)", tcl)) == 2


def test_every_device_has_a_part() -> None:
    assert set(PARTS) == set(DEVICES)
    for name, part in PARTS.items():
        assert part.lower().startswith(name)


def test_full_part_name_is_kept(design: Path, tmp_path: Path) -> None:
    d = _copy(design, tmp_path / "d")
    tcl = write_vivado_project(d, device="xczu3eg-sbva484-2-i").read_text()
    assert "create_project -in_memory -part xczu3eg-sbva484-2-i\n" in tcl


@pytest.mark.parametrize("mhz, period", [(200.0, "5.000"), (150, "6.667"), (333.3, "3.000"),
                                         (1000, "1.000"), (0.5, "2000.000")])
def test_xdc_clock_on_the_top_level_clock_port(design: Path, tmp_path: Path, mhz: float,
                                              period: str) -> None:
    d = _copy(design, tmp_path / "d")
    write_vivado_project(d, clock_mhz=mhz)
    xdc = (d / "vivado" / "e3ne_top.xdc").read_text()
    clocks = re.findall(r"^create_clock -period (\S+) -name (\S+) \[get_ports (\S+)\]$",
                        xdc, re.M)
    assert clocks == [(period, "ap_clk", "ap_clk")]
    assert "PACKAGE_PIN" not in xdc and "IOSTANDARD" not in xdc
    top = (d / "rtl" / "e3ne_top.sv").read_text()
    assert re.search(r"^\s*input\s+logic\s+ap_clk,", top, re.M)


def test_top_port_widths_match_plan(design: Path) -> None:
    plan = json.loads((design / "rtl" / "plan.json").read_text())
    top = (design / "rtl" / "e3ne_top.sv").read_text()
    s = re.search(r"input\s+logic \[(\d+):0\]\s+s_axis_tdata", top)
    m = re.search(r"output\s+logic \[(\d+):0\]\s+m_axis_tdata", top)
    assert s and int(s[1]) + 1 == plan["in_width"] == 24
    assert m and int(m[1]) + 1 == plan["out_width"]


def test_deterministic_and_path_independent(design: Path, tmp_path: Path) -> None:
    a, b = _copy(design, tmp_path / "a"), _copy(design, tmp_path / "b b")
    write_vivado_project(a, "xczu7ev", 250)
    first = {p.name: p.read_bytes() for p in (a / "vivado").iterdir()}
    write_vivado_project(a, "xczu7ev", 250)
    again = {p.name: p.read_bytes() for p in (a / "vivado").iterdir()}
    write_vivado_project(b, "xczu7ev", 250.0)
    other = {p.name: p.read_bytes() for p in (b / "vivado").iterdir()}
    assert set(first) == {"build.tcl", "e3ne_top.xdc"}
    assert first == again == other


@pytest.mark.skipif(shutil.which("tclsh") is None, reason="tclsh not installed")
def test_tcl_runs_under_stubbed_vivado(design: Path, tmp_path: Path) -> None:
    """Run build.tcl in plain Tcl with the Vivado commands stubbed: the syntax holds, every
    path resolves to an existing file, and the images land in the run directory."""
    d = _copy(design, tmp_path / "d d")
    script = write_vivado_project(d)
    stubs = tmp_path / "stubs.tcl"
    stubs.write_text(
        "set log [open [file join [pwd] calls.txt] w]\n"
        "foreach c {create_project read_verilog read_mem read_xdc synth_design "
        "write_checkpoint report_utilization opt_design place_design phys_opt_design "
        "route_design report_timing_summary get_timing_paths read_saif report_power} {\n"
        "  proc $c args [format {puts $::log [list %s {*}$args]; return 0} $c]\n"
        "}\n"
        "proc get_property args { return 0.123 }\n"
        f"source {{{script}}}\n"
        "close $log\n")
    run = tmp_path / "run"
    run.mkdir()
    proc = subprocess.run(["tclsh", str(stubs)], cwd=run, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert "WNS 0.123 ns" in proc.stdout
    calls = [ln for ln in (run / "calls.txt").read_text().splitlines()]
    read = [ln for ln in calls if ln.startswith(("read_verilog", "read_mem", "read_xdc"))]
    assert len(read) == len(_read_verilog(script.read_text())) + len(
        _read_mem(script.read_text())) + 1
    for ln in read:  # "read_verilog -sv {/path/with space/x.sv}" or "read_mem /path/x.mem"
        path = ln.split(" ", 2)[-1] if ln.startswith("read_verilog") else ln.split(" ", 1)[1]
        assert Path(path.strip("{}")).resolve().is_file(), ln
    for m in (d / "rtl").glob("*.mem"):
        assert (run / m.name).read_bytes() == m.read_bytes()
    # power: vectorless without a SAIF; with DIR/activity.saif it is read first
    assert any(ln.startswith("report_power") for ln in calls)
    assert not any(ln.startswith("read_saif") for ln in calls)
    (d / "activity.saif").write_text("(SAIFILE)\n")
    proc = subprocess.run(["tclsh", str(stubs)], cwd=run, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    calls = (run / "calls.txt").read_text().splitlines()
    (saif,) = [ln for ln in calls if ln.startswith("read_saif")]
    path, strip = saif.removeprefix("read_saif -file ").rsplit(" -strip_path ", 1)
    assert Path(path.strip("{}")).resolve() == (d / "activity.saif").resolve()
    assert strip == "e3ne_top"
    assert calls.index(saif) < next(i for i, ln in enumerate(calls)
                                    if ln.startswith("report_power"))


def _one_line_config_error(fn, *args, **kw) -> str:
    with pytest.raises(ConfigError) as e:
        fn(*args, **kw)
    msg = str(e.value)
    assert "\n" not in msg and msg
    return msg


def test_missing_filelist_names_dir_and_compile(tmp_path: Path) -> None:
    d = tmp_path / "empty"
    d.mkdir()
    msg = _one_line_config_error(write_vivado_project, d)
    assert str(d) in msg and "e3ne compile" in msg and "filelist.f" in msg
    assert not (d / "vivado").exists()
    msg = _one_line_config_error(write_vivado_project, tmp_path / "nowhere")
    assert "nowhere" in msg and "e3ne compile" in msg


def test_unknown_device(design: Path, tmp_path: Path) -> None:
    d = _copy(design, tmp_path / "d")
    msg = _one_line_config_error(write_vivado_project, d, device="stratix10")
    assert "stratix10" in msg and "xc7z020" in msg
    assert not (d / "vivado").exists()


@pytest.mark.parametrize("mhz", [0, -5, 1000.5, float("nan"), float("inf"), "fast"])
def test_bad_clock(design: Path, tmp_path: Path, mhz) -> None:
    d = _copy(design, tmp_path / "d")
    msg = _one_line_config_error(write_vivado_project, d, clock_mhz=mhz)
    assert "--clock-mhz" in msg and "1000" in msg
    assert not (d / "vivado").exists()
