"""hls4ml's PyTorch test models through e3ne's converter, as a new user would run them.

    .venv/bin/python bench/bench_hls4ml_models.py --hls4ml ../hls4ml
    .venv/bin/python bench/bench_hls4ml_models.py --hls4ml /path/to/hls4ml.git --no-cosim
    .venv/bin/python bench/bench_hls4ml_models.py --hls4ml ../hls4ml --only LinearModel,seq_named

hls4ml is not part of this repository: fetch it, do not vendor it
(``git clone https://github.com/fastmachinelearning/hls4ml``). ``--hls4ml DIR`` takes a
checkout or a bare git directory; from a bare one the test files are read at HEAD with
``git show HEAD:test/pytest/...`` into a temporary directory under ``--out`` at run time.
hls4ml itself need not (and should not) be installed.

The corpus is every ``test/pytest/*pytorch*.py``. Each file is imported on its own, with
``hls4ml``, ``pytest`` and any other import that is not installed replaced by stub modules
whose attributes are dummies (``pytest.fixture`` and ``pytest.mark.*`` are pass-through
decorators, so fixtures are plain functions; hls4ml's ``HLS4MLModule``, a marker subclass
of ``nn.Module``, stands in as ``nn.Module``). Collected: every ``nn.Module`` subclass
defined at module level, every ``nn.Sequential`` built at module level, and every
``nn.Sequential`` returned by a module-level helper function that takes no arguments.
Models built inside test functions are out of reach without copying hls4ml's code, and are
not collected.

Each model gets a tiny wrapper file (``OUT/models/*.py``: it loads the test file with the
stubs and defines a class constructible without arguments; constructor arguments and input
shapes come from the table ``MODELS`` below, our reading of how each test builds and feeds
the model) and goes through the CLI in a subprocess of its own::

    e3ne convert WRAPPER.py:Class --dataset random --input-shape SHAPE --out DIR

(timeout 120 s). Recorded: accepted or refused, the one-line error, whether a Python
traceback appeared (a bug), the exit code. Accepted models are then compiled
(``e3ne compile``, same options) and co-simulated in Verilator (``e3ne verify DIR
--images 4``, then ``--images 4 --stalls``), one at a time, unless ``--no-cosim``.
Prints a summary and writes ``bench/results/hls4ml_models.json`` (with ``--only``, the
models run replace their entries in the existing file). Progress goes to stderr.
Exit status 1 if a traceback, a timeout or a co-simulation mismatch was seen.
"""

from __future__ import annotations

import argparse
import ast
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import types
from pathlib import Path

from e3ne.models.loader import import_file

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "hls4ml_models.json"
E3NE = str(Path(sys.executable).parent / "e3ne")
TEST_DIR = "test/pytest"
TEST_GLOB = "*pytorch*.py"
CONVERT_TIMEOUT = 120
COMPILE_TIMEOUT = 600
VERIFY_TIMEOUT = 600
VERIFY_IMAGES = 4

# (test file, model) -> (input shape without the batch dimension, constructor arguments as
# Python source, or None for none). ``_t`` in the arguments is the loaded test module. A
# model is a class name, a module-level Sequential's variable name, or "helper()" for a
# no-argument function returning a Sequential. Shapes and arguments are those the hls4ml
# test uses; a model taking several inputs gets the first one's shape (the test's other
# inputs are noted in the comment).
MODELS: dict[tuple[str, str], tuple[tuple[int, ...], str | None]] = {
    # fusion_data (2, n_in=2, 32); BatchNorm_w_Fusion(filters=n_in, momentum=0.99)
    ("test_batchnorm_pytorch.py", "BatchNorm_w_Fusion"): ((2, 32), "2, 0.99"),
    # x of shape (8,); config_from_pytorch_model(pmodel, (8,))
    ("test_extensions_pytorch.py", "TReverse"): ((8,), None),
    # used after nn.Linear(4, 4); config (4,)
    ("test_extensions_pytorch_snn.py", "TSNNWindowReadout"): ((4,), None),
    # in_shape = (10, 8): LayerNorm over the last axis of [N, 10, 8]
    ("test_layernorm_pytorch.py", "model()"): ((10, 8), None),
    ("test_layernorm_pytorch.py", "custom_epsilon_model()"): ((10, 8), None),
    # two inputs of (3, 10, 10); merge_op from ['cat', 'add', 'mul', 'sub', ...]
    ("test_merge_pytorch.py", "MergeModule"): ((3, 10, 10), "'add'"),
    ("test_merge_pytorch.py", "ConcatModule"): ((3, 10, 10), None),
    ("test_pytorch_api.py", "LinearModel"): ((1,), None),
    ("test_pytorch_api.py", "ReLuModel"): ((1,), None),
    ("test_pytorch_api.py", "SoftmaxModel"): ((1,), None),
    ("test_pytorch_api.py", "TanHModel"): ((1,), None),
    ("test_pytorch_api.py", "LeakyReLuModel"): ((1,), None),
    ("test_pytorch_api.py", "EluModel"): ((1,), None),
    ("test_pytorch_api.py", "ThresholdModel"): ((1,), None),
    ("test_pytorch_api.py", "SigmoidModel"): ((1,), None),
    ("test_pytorch_api.py", "BatchNormModel"): ((5,), None),
    ("test_pytorch_api.py", "SqueezeModel"): ((5,), None),
    ("test_pytorch_api.py", "ModelSkippedLayers"): ((3, 8), None),
    # two inputs: (None, 4) and (None, 5)
    ("test_pytorch_api.py", "EinsumOuterProduct"): ((4,), None),
    # two inputs: (None, 2, 5) and (None, 5, 4)
    ("test_pytorch_api.py", "EinsumBatchMatMul"): ((2, 5), None),
    ("test_pytorch_api.py", "EinsumSingleInput"): ((8,), None),
    # the profiler tests build these from test_layers; the first entry is Linear(10, 20),
    # Linear(20, 5). They define no forward() (the test only counts parameters).
    ("test_pytorch_profiler.py", "SubClassModel"): ((10,), "_t.test_layers[0][1]"),
    ("test_pytorch_profiler.py", "ModuleListModel"): ((10,), "_t.test_layers[0][1]"),
    ("test_pytorch_profiler.py", "NestedSequentialModel"): ((10,), "_t.test_layers[0][1]"),
    # [N, 1, 10] sequences (batch_first); GRUNet, LSTM and RNN also take h0 (and c0)
    ("test_recurrent_pytorch.py", "GRUNet"): ((1, 10), None),
    ("test_recurrent_pytorch.py", "GRUNetStream"): ((1, 10), None),
    ("test_recurrent_pytorch.py", "LSTM"): ((1, 10), None),
    ("test_recurrent_pytorch.py", "LSTMStream"): ((1, 10), None),
    ("test_recurrent_pytorch.py", "RNN"): ((1, 10), None),
    # config_from_pytorch_model(model, (1, 5, 5)) for all four (conversion only)
    ("test_sequential_parsing_pytorch.py", "seq_unnamed"): ((1, 5, 5), None),
    ("test_sequential_parsing_pytorch.py", "seq_named"): ((1, 5, 5), None),
    ("test_sequential_parsing_pytorch.py", "SeqModelUnnamedLayers"): ((1, 5, 5), None),
    ("test_sequential_parsing_pytorch.py", "SeqModelNamedLayers"): ((1, 5, 5), None),
    # every SNN test model is Linear(4, 4) + neuron (+ readout): config (4,)
    ("test_snn_pytorch.py", "Leaky"): ((4,), None),
    ("test_snn_pytorch.py", "LIFNet"): ((4,), None),
    ("test_snn_pytorch.py", "IFNet"): ((4,), None),
    ("test_snn_pytorch.py", "SNNClassifier"): ((4,), None),
    ("test_snn_pytorch.py", "SNNMembraneReadoutClassifier"): ((4,), None),
    ("test_snn_pytorch.py", "SNNClassifierWithResetPolicy"): ((4,), None),
    ("test_snn_pytorch.py", "IFNetTol"): ((4,), None),
    ("test_snn_pytorch.py", "LIFVectorNet"): ((4,), None),
    ("test_snn_pytorch.py", "IFVectorThresholdNet"): ((4,), None),
    ("test_snn_pytorch.py", "LearnedVectorParamsNet"): ((4,), None),
    # data_1d (100, in_feat=4, in_width=8); data_2d (100, 4, in_height=6, 8)
    ("test_upsampling_pytorch.py", "Upsample1DModel"): ((4, 8), None),
    ("test_upsampling_pytorch.py", "Upsample2DModel"): ((4, 6, 8), None),
}

# stub attributes that must be real classes for the test's own classes to be modules
STUB_AS = {"hls4ml.utils.torch.HLS4MLModule": ("torch.nn", "Module")}
ALWAYS_STUBBED = ("hls4ml",)


def log(msg: str) -> None:
    print(f"[bench_hls4ml {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- stubs and loading


class Dummy:
    """Whatever a stubbed module's attribute is: callable, indexable, subclassable."""

    def __init__(self, name: str) -> None:
        self._stub_name = name

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Dummy(f"{self._stub_name}.{attr}")

    def __call__(self, *args, **kwargs):
        return Dummy(f"{self._stub_name}()")

    def __getitem__(self, key):
        return Dummy(f"{self._stub_name}[]")

    def __iter__(self):
        return iter(())

    def __mro_entries__(self, bases):
        return (type(self._stub_name.rsplit(".", 1)[-1], (), {"__module__": "stub"}),)

    def __repr__(self) -> str:
        return f"<stub {self._stub_name}>"


class StubModule(types.ModuleType):
    """A module whose every attribute is a ``Dummy`` (or, for ``STUB_AS``, a real class)."""

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        full = f"{self.__name__}.{attr}"
        if full in STUB_AS:
            mod, name = STUB_AS[full]
            return getattr(importlib.import_module(mod), name)
        return Dummy(full)


class StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Supplies a ``StubModule`` for every module under the stubbed top-level names."""

    def __init__(self) -> None:
        self.roots: set[str] = set()

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in self.roots:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        return StubModule(spec.name)

    def exec_module(self, module) -> None:
        module.__path__ = []


def _marker(*args, **kwargs):
    """``@pytest.mark.x`` and ``@pytest.mark.x(...)``, ``@pytest.fixture(...)``: no-ops."""
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return args[0]
    return lambda f: f


class _Mark:
    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _marker


def pytest_shim() -> types.ModuleType:
    mod = StubModule("pytest")
    mod.fixture = _marker
    mod.mark = _Mark()
    return mod


_FINDER = StubFinder()


def imported_roots(source: str) -> set[str]:
    """Top-level names of every absolute import in ``source``."""
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def stubbed_roots(path: str | Path) -> list[str]:
    """What loading ``path`` replaces by stubs: hls4ml, pytest, and any missing import."""
    roots = imported_roots(Path(path).read_text())
    missing = {r for r in roots - {"pytest"} if r in ALWAYS_STUBBED
               or r not in sys.modules and importlib.util.find_spec(r) is None}
    return sorted(missing | ({"pytest"} & roots))


def load_test_module(path: str | Path) -> types.ModuleType:
    """Import one hls4ml test file on its own, its missing imports stubbed (see above)."""
    path = Path(path).resolve()
    stubs = stubbed_roots(path)
    _FINDER.roots |= set(stubs) - {"pytest"}
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    saved = sys.modules.get("pytest")
    sys.modules["pytest"] = pytest_shim()
    try:
        module = import_file(path, f"hls4ml_test_{path.stem}")
    finally:
        if saved is None:
            sys.modules.pop("pytest", None)
        else:
            sys.modules["pytest"] = saved
    return module


# ---------------------------------------------------------------- the corpus


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          check=True).stdout


def materialize(hls4ml: Path, scratch: Path) -> tuple[Path, str | None, str]:
    """The directory holding the test files, the commit, and the kind of source."""
    if (hls4ml / TEST_DIR).is_dir():
        try:
            commit = git(hls4ml, "rev-parse", "HEAD").strip()
        except (subprocess.CalledProcessError, FileNotFoundError):
            commit = None
        return hls4ml / TEST_DIR, commit, "checkout"
    try:
        bare = git(hls4ml, "rev-parse", "--is-bare-repository").strip() == "true"
    except subprocess.CalledProcessError:
        bare = False
    if not bare:
        sys.exit(f"--hls4ml {hls4ml}: neither a checkout (no {TEST_DIR}/) nor a bare git dir")
    commit = git(hls4ml, "rev-parse", "HEAD").strip()
    dest = scratch / "hls4ml_tests" / TEST_DIR
    shutil.rmtree(scratch / "hls4ml_tests", ignore_errors=True)
    dest.mkdir(parents=True)
    names = git(hls4ml, "ls-tree", "--name-only", "HEAD", f"{TEST_DIR}/").split()
    for name in names:
        if Path(name).match(TEST_GLOB):
            (dest / Path(name).name).write_text(git(hls4ml, "show", f"HEAD:{name}"))
    return dest, commit, "bare git (HEAD)"


def stub_attributes(model) -> list[str]:
    """Attributes of ``model`` and its submodules that are stub objects."""
    return sorted(f"{mname + '.' if mname else ''}{k}" for mname, m in model.named_modules()
                  for k, v in vars(m).items() if isinstance(v, Dummy))


def forward_inputs(model) -> int | None:
    try:
        sig = inspect.signature(model.forward)
    except (TypeError, ValueError):
        return None
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in
               sig.parameters.values())


def required_args(cls) -> list[str]:
    try:
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    except (TypeError, ValueError):
        return []
    return [p.name for p in params if p.default is p.empty
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def discover(test_dir: Path) -> tuple[list[dict], list[dict]]:
    """Every model of every test file (in file, then definition order), and per file what
    was stubbed and whether it imported."""
    import torch.nn as nn

    models, files = [], []
    for path in sorted(test_dir.glob(TEST_GLOB)):
        entry = {"file": path.name, "stubbed": stubbed_roots(path)}
        files.append(entry)
        try:
            mod = load_test_module(path)
        except Exception as e:  # the file itself does not import: recorded, not fatal
            entry["import_error"] = f"{type(e).__name__}: {e}"
            log(f"{path.name}: import failed ({entry['import_error']})")
            continue
        found = []
        for name, obj in list(vars(mod).items()):
            if name.startswith("__"):
                continue
            if isinstance(obj, type) and issubclass(obj, nn.Module) \
                    and obj.__module__ == mod.__name__:
                found.append({"name": name, "kind": "class",
                              "needs_args": required_args(obj) or None})
            elif isinstance(obj, nn.Sequential):
                found.append({"name": name, "kind": "sequential"})
            elif inspect.isfunction(obj) and obj.__module__ == mod.__name__ \
                    and not name.startswith("test") and not required_args_fn(obj):
                try:
                    res = obj()
                except Exception:
                    continue
                if isinstance(res, nn.Sequential):
                    found.append({"name": f"{name}()", "kind": "helper"})
        for m in found:
            m["file"] = path.name
            shape, args = MODELS.get((path.name, m["name"]), (None, None))
            m["input_shape"] = list(shape) if shape else None
            m["constructor_args"] = args
            m["module"] = mod
            models.append(m)
        entry["models"] = [m["name"] for m in found]
    return models, files


def required_args_fn(fn) -> list[str]:
    return [p.name for p in inspect.signature(fn).parameters.values()
            if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def wrapper_source(m: dict, test_file: Path) -> tuple[str, str]:
    """A model file e3ne can load (``file.py:Class``) and the class name in it."""
    head = (f'"""e3ne wrapper for hls4ml {TEST_DIR}/{m["file"]}: {m["name"]} '
            '(written by bench/bench_hls4ml_models.py)."""\n\n'
            "import sys\nfrom collections import OrderedDict  # noqa: F401\n\n"
            "import torch.nn as nn  # noqa: F401\n\n"
            f"sys.path.insert(0, {str(BENCH)!r})\n"
            "from bench_hls4ml_models import load_test_module  # noqa: E402\n\n"
            f"_t = load_test_module({str(test_file)!r})\n\n")
    name, args = m["name"], m["constructor_args"]
    if m["kind"] == "sequential":
        cls = name
        body = (f"class {cls}(nn.Sequential):\n    def __init__(self):\n"
                f"        super().__init__(OrderedDict(_t.{name}.named_children()))\n")
    elif m["kind"] == "helper":
        cls = "Fn_" + name.rstrip("()")
        body = (f"class {cls}(nn.Sequential):\n    def __init__(self):\n"
                f"        super().__init__(OrderedDict(_t.{name}.named_children()))\n")
    elif args:
        cls = name
        body = (f"class {cls}(_t.{name}):\n    def __init__(self):\n"
                f"        super().__init__({args})\n")
    else:
        cls = name
        body = f"{cls} = _t.{name}\n"
    return head + body, cls


def check_instance(m: dict, wrapper: Path, cls: str) -> None:
    """Build the model here once (as the wrapper will) to note stubbed attributes and the
    number of forward() inputs; a failure here is recorded, e3ne reports its own."""
    try:
        spec = importlib.util.spec_from_file_location(f"wrap_{wrapper.stem}", wrapper)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        model = getattr(mod, cls)()
        m["stub_attributes"] = stub_attributes(model)
        m["forward_inputs"] = forward_inputs(model)
    except Exception as e:
        m["build_error"] = f"{type(e).__name__}: {e}"


# ---------------------------------------------------------------- running e3ne


def rel(p: Path) -> Path:
    """``p`` relative to the repository (where every command runs), if it is inside."""
    return p.relative_to(REPO) if p.is_relative_to(REPO) else p


def run(cmd: list[str], timeout: int, logfile: Path) -> dict:
    """One CLI call in its own process group (killed whole on timeout)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=REPO, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        rc, timed_out = proc.returncode, False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        rc, timed_out = None, True
    logfile.write_text(f"$ {shlex.join(cmd)}\n--- stdout\n{out}\n--- stderr\n{err}\n")
    lines = [ln.strip() for ln in re.split(r"[\r\n]", err) if ln.strip()]
    last = lines[-1] if lines else ""
    if timed_out:
        last = f"(timed out after {timeout} s) {last}"
    return {"exit_code": rc, "timeout": timed_out, "traceback": "Traceback" in out + err,
            "last_stderr": last, "seconds": round(time.perf_counter() - t0, 1)}


def reason(step: dict, spec: str) -> str:
    """The one-line message, with the model argument replaced by <model>."""
    msg = step["last_stderr"].removeprefix("e3ne: error: ")
    return msg.replace(spec, "<model>")


def group_key(r: dict) -> str:
    """A refusal's message with the model's class and quoted layer/op names elided, so the
    same reason groups across models."""
    cls = r.get("wrapper_class", r["name"])
    msg = r["reason"].replace(f"model ({cls})", "model (<model>)")
    return re.sub(r"'[^']*'", "'…'", msg)


def verify(design: Path, stalls: bool, work: Path) -> dict:
    tag = "verify_stalls" if stalls else "verify"
    cmd = [E3NE, "verify", str(rel(design)), "--images", str(VERIFY_IMAGES)] + (
        ["--stalls"] if stalls else [])
    (design / "verify.json").unlink(missing_ok=True)
    res = run(cmd, VERIFY_TIMEOUT, work / f"{tag}.log")
    vj = design / "verify.json"
    if vj.is_file():
        doc = json.loads(vj.read_text())
        res["mismatches"] = doc["mismatches"]
        res["latency_cycles"] = doc["latency_cycles"]
        res["interval_cycles"] = doc["interval_cycles"]
        res["runs"] = doc["runs"]
        res["first_mismatch"] = next((r["first_mismatch"] for r in doc["runs"]
                                      if r.get("first_mismatch")), None)
    return res


def run_model(m: dict, out: Path, test_dir: Path, cosim: bool) -> dict:
    key = f"{Path(m['file']).stem}__{m['name'].rstrip('()')}"
    work = out / key
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    src, cls = wrapper_source(m, test_dir / m["file"])
    wrapper = out / "models" / f"{key}.py"
    wrapper.parent.mkdir(exist_ok=True)
    wrapper.write_text(src)
    check_instance(m, wrapper, cls)
    row = {k: m.get(k) for k in ("file", "name", "kind", "needs_args", "input_shape",
                                 "constructor_args",
                                 "forward_inputs", "stub_attributes", "build_error")}
    row = {k: v for k, v in row.items() if v is not None}
    if m["input_shape"] is None:
        row.update(outcome="skipped", reason="no input shape in MODELS (a new test model?)")
        return row
    spec = f"{rel(wrapper)}:{cls}"
    row["wrapper"] = str(rel(wrapper))
    row["wrapper_class"] = cls
    shape = ",".join(map(str, m["input_shape"]))
    opts = ["--dataset", "random", "--input-shape", shape]
    cmd = [E3NE, "convert", spec, *opts, "--out", str(rel(work / "convert"))]
    row["command"] = shlex.join(["e3ne", *cmd[1:]])
    conv = run(cmd, CONVERT_TIMEOUT, work / "convert.log")
    row.update(conv)
    row["outcome"] = "accepted" if conv["exit_code"] == 0 else "refused"
    if row["outcome"] == "refused":
        row["reason"] = reason(conv, spec)
    if row["outcome"] != "accepted" or not cosim:
        return row
    design = work / "design"
    log(f"  compile {m['file']}:{m['name']}")
    comp = run([E3NE, "compile", spec, *opts, "--out", str(rel(design))], COMPILE_TIMEOUT,
               work / "compile.log")
    row["compile"] = comp
    if comp["exit_code"] != 0:
        comp["reason"] = reason(comp, spec)
        return row
    for stalls in (False, True):
        log(f"  verify {m['file']}:{m['name']}{' --stalls' if stalls else ''}")
        row["verify_stalls" if stalls else "verify"] = verify(design, stalls, work)
    return row


# ---------------------------------------------------------------- summary


def selected(m: dict, only: list[str] | None) -> bool:
    if not only:
        return True
    stem, name = Path(m["file"]).stem, m["name"]
    names = {name, name.rstrip("()"), m["file"], stem, f"{m['file']}:{name}", f"{stem}:{name}",
             f"{m['file']}:{name.rstrip('()')}", f"{stem}:{name.rstrip('()')}"}
    return bool(names & set(only))


def counts(rows: list[dict]) -> dict:
    c = {"models": len(rows)}
    for o in ("accepted", "refused", "skipped"):
        c[o] = sum(r["outcome"] == o for r in rows)
    c["tracebacks"] = sum(bool(r.get("traceback") or r.get("compile", {}).get("traceback")
                               or r.get("verify", {}).get("traceback")
                               or r.get("verify_stalls", {}).get("traceback")) for r in rows)
    c["timeouts"] = sum(bool(r.get("timeout")) for r in rows)
    ver = [r for r in rows if "verify_stalls" in r or "verify" in r]
    c["cosimulated"] = len(ver)
    c["cosim_mismatches"] = sum((r.get("verify", {}).get("mismatches") or 0)
                                + (r.get("verify_stalls", {}).get("mismatches") or 0)
                                for r in ver)
    return c


def refusals(rows: list[dict]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for r in rows:
        if r["outcome"] == "refused":
            groups.setdefault(group_key(r), []).append(f"{r['file']}:{r['name']}")
    return dict(sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def print_summary(rows: list[dict]) -> None:
    print(f"{'file':<36}{'model':<30}{'shape':<10}{'outcome':<10}{'rc':>4}{'tb':>4}  message")
    for r in rows:
        shape = ",".join(map(str, r.get("input_shape") or [])) or "-"
        msg = r.get("reason", "") if r["outcome"] != "accepted" else ""
        print(f"{r['file']:<36}{r['name']:<30}{shape:<10}{r['outcome']:<10}"
              f"{str(r.get('exit_code', '-')):>4}{'yes' if r.get('traceback') else '':>4}  "
              f"{msg[:110]}")
    print("\nrefusals by reason:")
    for msg, models in refusals(rows).items():
        print(f"  [{len(models)}] {msg}")
        for name in models:
            print(f"        {name}")
    ver = [r for r in rows if "compile" in r]
    if ver:
        print(f"\nco-simulation ({VERIFY_IMAGES} random images; plain, then with stalls):")
        print(f"{'model':<48}{'compile':<9}{'mism':>5}{'latency':>9}{'interval':>9}"
              f"{'mism(st)':>10}{'lat(st)':>9}")
        for r in ver:
            v, s = r.get("verify", {}), r.get("verify_stalls", {})
            st_runs = [x for x in s.get("runs", []) if x["stalls"]]
            iv = v.get("interval_cycles")
            print(f"{r['file'] + ':' + r['name']:<48}"
                  f"{'ok' if r['compile']['exit_code'] == 0 else 'FAILED':<9}"
                  f"{str(v.get('mismatches', '-')):>5}{str(v.get('latency_cycles', '-')):>9}"
                  f"{'-' if iv is None else f'{iv:.1f}':>9}{str(s.get('mismatches', '-')):>10}"
                  f"{str(st_runs[0]['latency_cycles']) if st_runs else '-':>9}")
            for x in (r["compile"], v, s):
                if x.get("exit_code") not in (0, None) or x.get("first_mismatch"):
                    print(f"    {x.get('first_mismatch') or x.get('last_stderr')}")
    print("\n" + json.dumps(counts(rows)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hls4ml", required=True, type=Path,
                    help="an hls4ml checkout or bare git dir (fetch it, do not vendor it)")
    ap.add_argument("--out", default="out/bench_hls4ml", type=Path,
                    help="scratch directory (wrappers, conversions, designs, logs)")
    ap.add_argument("--no-cosim", action="store_true",
                    help="do not compile and co-simulate the accepted models")
    ap.add_argument("--only", help="comma-separated models: Class, file:Class, or a file")
    args = ap.parse_args()
    only = args.only.split(",") if args.only else None
    out = args.out if args.out.is_absolute() else REPO / args.out
    out.mkdir(parents=True, exist_ok=True)
    test_dir, commit, kind = materialize(args.hls4ml.resolve(), out)
    log(f"hls4ml {commit or '(no commit)'} from {kind}: {test_dir}")
    models, files = discover(test_dir)
    log(f"{len(models)} models in {len(files)} files")
    todo = [m for m in models if selected(m, only)]
    if only and not todo:
        sys.exit(f"--only {args.only}: no such model")
    rows = []
    for i, m in enumerate(todo, 1):
        log(f"[{i}/{len(todo)}] {m['file']}:{m['name']} "
            f"{tuple(m['input_shape']) if m['input_shape'] else '(no shape)'}")
        row = run_model(m, out, test_dir, cosim=not args.no_cosim)
        log(f"  {row['outcome']}{': ' + row['reason'] if 'reason' in row else ''}"
            f"{'  [TRACEBACK]' if row.get('traceback') else ''}")
        rows.append(row)
    order = {(m["file"], m["name"]): i for i, m in enumerate(models)}
    if only and RESULTS.is_file():  # merge into the full run's results
        old = json.loads(RESULTS.read_text())
        if old.get("hls4ml", {}).get("commit") == commit:
            mine = {(r["file"], r["name"]) for r in rows}
            rows = [r for r in old["models"] if (r["file"], r["name"]) in order
                    and (r["file"], r["name"]) not in mine] + rows
    rows.sort(key=lambda r: order[(r["file"], r["name"])])
    print_summary(rows)
    e3ne_commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"],
                                 capture_output=True, text=True).stdout.strip()
    doc = {"hls4ml": {"commit": commit, "source": kind, "tests": f"{TEST_DIR}/{TEST_GLOB}"},
           "e3ne_commit": e3ne_commit or None,
           "command": shlex.join(["python", *sys.argv]),
           "how": "e3ne CLI per model in a subprocess (convert timeout "
                  f"{CONVERT_TIMEOUT} s); accepted models compiled and co-simulated in "
                  f"Verilator ({VERIFY_IMAGES} random images, plain and with stalls)",
           "counts": counts(rows), "refusals": refusals(rows),
           "files": [{k: v for k, v in f.items()} for f in files], "models": rows}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(doc, indent=1) + "\n")
    log(f"wrote {RESULTS}")
    c = doc["counts"]
    return 1 if c["tracebacks"] or c["timeouts"] or c["cosim_mismatches"] else 0


if __name__ == "__main__":
    sys.exit(main())
