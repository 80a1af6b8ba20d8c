"""Host driver: DMA buffers equal the co-simulation's beats, outputs decode to the golden
scores, and the copied DIR/host/e3ne_driver.py works on its own (no PYNQ, no e3ne)."""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import json
import sys
import types
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from netgen import random_folds, random_levels, random_network

from e3ne import golden
from e3ne.design.generate import Plan, generate
from e3ne.errors import ConfigError
from e3ne.flow.verify import expected_words, input_words, load_plan
from e3ne.host import driver, write_host_driver

# seed: (last-layer PE, why)
CASES = {
    12: (1, "every score negative; 4 channels x 4 bits = 16-bit beats"),
    10: (3, "conv + maxpool, 9 classes in 3 lanes, 10 input bits in 16"),
    29: (5, "conv + maxpool, 10 classes in 5 lanes, 24-bit input beats"),
    2: (2, "conv, 1 channel, large scores, 10 classes in 2 lanes"),
}


def _make(seed: int, d: Path):
    net = random_network(seed, max_convs=1, max_linears=2)
    folds = random_folds(net, seed)
    last = net.synaptic_layers[-1].name
    folds[last] = replace(folds[last], PE=CASES[seed][0])
    plan = generate(net, folds, d)
    return net, plan


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    seed = request.param
    d = tmp_path_factory.mktemp(f"host{seed}")
    net, plan = _make(seed, d)
    q0 = random_levels(net, 7, seed)
    return seed, d, net, plan, q0


def _plan_dict(d: Path) -> dict:
    return json.loads((d / "rtl" / "plan.json").read_text())


def _output_bytes(plan: Plan, scores: np.ndarray) -> np.ndarray:
    """The m_axis buffer the DMA would write, from the co-simulation's expected beats."""
    nb = plan.out_width // 8
    return np.frombuffer(b"".join(w.to_bytes(nb, "little")
                                  for _, w in expected_words(plan, scores)), np.uint8)


def test_case_shapes(case) -> None:
    seed, d, net, plan, q0 = case
    pe = CASES[seed][0]
    assert plan.out_lanes == pe and plan.num_classes == net.num_classes
    if pe > 1:
        assert 1 < plan.out_lanes < plan.num_classes
    assert _plan_dict(d) == json.loads(json.dumps(load_plan(d).__dict__))


def test_pack_images_equals_cosim_input_beats(case) -> None:
    _, d, net, plan, q0 = case
    buf = driver.pack_images(_plan_dict(d), q0)
    nb = plan.in_width // 8
    want = b"".join(w.to_bytes(nb, "little") for w in input_words(plan, q0))
    assert buf.dtype == np.uint8 and buf.ndim == 1
    assert buf.size == len(q0) * plan.in_beats * nb
    assert buf.tobytes() == want
    single = driver.pack_images(_plan_dict(d), q0[3])  # one [C, H, W] image
    assert single.tobytes() == want[3 * plan.in_beats * nb:4 * plan.in_beats * nb]


def test_unpack_outputs_gives_golden_scores_and_classes(case) -> None:
    seed, d, net, plan, q0 = case
    u = golden.run_fast(net, q0)
    scores, classes = driver.unpack_outputs(_plan_dict(d), _output_bytes(plan, u))
    assert scores.dtype == np.int64 and classes.dtype == np.int64
    assert np.array_equal(scores, u)
    assert np.array_equal(classes, u.argmax(axis=1))
    if seed == 12:
        assert (u < 0).all()  # sign extension of every lane is exercised


def test_unpack_accepts_wider_words(case) -> None:
    _, d, net, plan, q0 = case
    u = golden.run_fast(net, q0)
    raw = _output_bytes(plan, u)
    size = next(n for n in (8, 4, 2, 1) if raw.size % n == 0)
    scores, _ = driver.unpack_outputs(_plan_dict(d), raw.view(f"<u{size}"))
    assert np.array_equal(scores, u)
    scores, _ = driver.unpack_outputs(_plan_dict(d), raw.reshape(len(q0), -1))
    assert np.array_equal(scores, u)


def test_extreme_scores_sign_extend() -> None:
    """Lanes at the two's-complement limits, score_bits 1..64, decode exactly."""
    for sb in (1, 2, 7, 17, 33, 63, 64):
        lanes = 3
        width = (lanes * sb + 7) // 8 * 8
        plan = dict(in_width=8, in_lanes=1, in_beats=1, out_width=width, out_lanes=lanes,
                    score_bits=sb, out_beats=3, num_classes=6, T=1)
        lo, hi = -(1 << (sb - 1)), (1 << (sb - 1)) - 1
        u = np.array([[lo, hi, 0, -1 if sb > 1 else 0, lo + 1 if sb > 1 else 0, hi]],
                     dtype=object)
        words = []
        for b in range(2):
            w = 0
            for j in range(lanes):
                w |= (int(u[0, b * lanes + j]) & ((1 << sb) - 1)) << (j * sb)
            words.append(w)
        words.append(5)
        raw = np.frombuffer(b"".join(w.to_bytes(width // 8, "little") for w in words),
                            np.uint8)
        scores, classes = driver.unpack_outputs(plan, raw)
        assert scores.tolist() == u.tolist(), sb
        assert classes.tolist() == [5]


def test_images_to_levels_equals_golden(case) -> None:
    _, _, net, _, _ = case
    rng = np.random.default_rng(0)
    x = rng.random((5, *net.input_shape))
    x[0] = 0.0
    x[1] = 1.0
    x[2].flat[:3] = [-0.5, 1.5, 0.5]
    # halfway points of the rounding, where float details matter
    x[3] = (np.arange(x[3].size).reshape(x[3].shape) % (1 << net.T) + 0.5) / ((1 << net.T) - 1)
    assert np.array_equal(driver.images_to_levels(x, net.T), golden.input_levels(net, x))
    assert np.array_equal(driver.images_to_levels(x[0], net.T), golden.input_levels(net, x[0]))
    scaled = dataclasses.replace(net, input_scale=2.0 ** -3)  # a QONNX model's own
    x[4] = (np.arange(x[4].size).reshape(x[4].shape) % 9 + 0.5) / 8
    assert np.array_equal(driver.images_to_levels(x, net.T, scaled.input_scale),
                          golden.input_levels(scaled, x))


def test_bad_inputs_are_one_line_errors(case) -> None:
    _, d, net, plan, q0 = case
    p = _plan_dict(d)
    for bad, word in [(q0[:, :, :1], "shape"), (q0.astype(float), "dtype"),
                      (q0 + (1 << net.T), "range")]:
        with pytest.raises(ValueError) as e:
            driver.pack_images(p, bad)
        assert word in str(e.value) and "\n" not in str(e.value)
    raw = _output_bytes(plan, golden.run_fast(net, q0))
    with pytest.raises(ValueError, match="whole number of images") as e:
        driver.unpack_outputs(p, raw[:-1])
    assert "\n" not in str(e.value)
    with pytest.raises(ValueError, match="missing score_bits"):
        driver.unpack_outputs({k: v for k, v in p.items() if k != "score_bits"}, raw)


def _import_file(path: Path, name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
    finally:
        del sys.modules[name]
    return mod


def test_driver_imports_only_numpy() -> None:
    tree = ast.parse(Path(driver.__file__).read_text())
    top = {a.name.split(".")[0] for n in tree.body if isinstance(n, ast.Import) for a in n.names}
    top |= {n.module.split(".")[0] for n in tree.body
            if isinstance(n, ast.ImportFrom) and n.module}
    assert top <= {"__future__", "json", "pathlib", "numpy"}, top
    everywhere = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert everywhere <= {"json", "numpy", "pynq"}


def test_write_host_driver_standalone(case, tmp_path: Path) -> None:
    _, d, net, plan, q0 = case
    path = write_host_driver(d)
    assert path == d / "host" / "e3ne_driver.py"
    assert path.read_bytes() == Path(driver.__file__).read_bytes()
    assert (d / "host" / "plan.json").read_bytes() == (d / "rtl" / "plan.json").read_bytes()
    # board-style copy: only the host directory, no e3ne importable
    board = tmp_path / "board"
    board.mkdir()
    for f in ("e3ne_driver.py", "plan.json"):
        (board / f).write_bytes((d / "host" / f).read_bytes())
    saved = {k: v for k, v in sys.modules.items() if k == "e3ne" or k.startswith("e3ne.")}
    for k in saved:
        sys.modules[k] = None  # any "import e3ne..." inside the copy fails
    try:
        mod = _import_file(board / "e3ne_driver.py", "e3ne_driver_copy")
    finally:
        sys.modules.update(saved)
    p = mod.load_plan()  # finds plan.json next to itself
    assert p == _plan_dict(d)
    assert mod.load_plan(d) == p == mod.load_plan(d / "rtl" / "plan.json")
    u = golden.run_fast(net, q0)
    nb = plan.in_width // 8
    assert mod.pack_images(p, q0).tobytes() == b"".join(
        w.to_bytes(nb, "little") for w in input_words(plan, q0))
    scores, classes = mod.unpack_outputs(p, _output_bytes(plan, u))
    assert np.array_equal(scores, u) and np.array_equal(classes, u.argmax(1))
    # no plan.json beside it and no ../rtl/plan.json: a clear error, not a guess
    (board / "plan.json").unlink()
    with pytest.raises(FileNotFoundError):
        mod.load_plan()


def test_write_host_driver_needs_a_compiled_design(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        write_host_driver(tmp_path)
    msg = str(e.value)
    assert "\n" not in msg and str(tmp_path) in msg and "e3ne compile" in msg
    assert not (tmp_path / "host").exists()


class _FakeBuffer(np.ndarray):
    def flush(self) -> None:
        pass

    def invalidate(self) -> None:
        pass

    def freebuffer(self) -> None:
        pass


class _FakeDesign:
    """A stand-in for the DMA + e3ne_top: decodes s_axis bytes, answers with the golden
    model's m_axis beats (one image per S2MM transfer, as tlast ends it)."""

    def __init__(self, net, plan: Plan) -> None:
        self.net, self.plan, self.rx = net, plan, bytearray()
        self.sends: list[int] = []
        self.pending = None
        outer = self

        class Send:
            _max_size = 1 << 20

            def transfer(self, buf, start=0, nbytes=0):
                outer.sends.append(nbytes)
                outer.rx += np.asarray(buf)[start:start + nbytes].tobytes()

            def wait(self):
                pass

        class Recv:
            def transfer(self, buf, start=0, nbytes=0):
                assert outer.pending is None
                outer.pending = (buf, start, nbytes)

            def wait(self):
                outer.answer()

        self.sendchannel, self.recvchannel = Send(), Recv()

    def answer(self) -> None:
        plan, net = self.plan, self.net
        c, h, w = net.input_shape
        nb = plan.in_width // 8
        img = plan.in_beats * nb
        data, self.rx = bytes(self.rx[:img]), self.rx[img:]
        assert len(data) == img
        beats = [int.from_bytes(data[i:i + nb], "little") for i in range(0, img, nb)]
        mask = (1 << plan.T) - 1
        q = np.array([[(b >> (k * plan.T)) & mask for k in range(c)] for b in beats])
        q0 = q.reshape(1, h, w, c).transpose(0, 3, 1, 2)
        out = _output_bytes(plan, golden.run_fast(net, q0))
        buf, start, nbytes = self.pending
        assert nbytes == out.size
        buf[start:start + nbytes] = out
        self.pending = None


def test_accelerator_with_fake_pynq(case, monkeypatch: pytest.MonkeyPatch) -> None:
    _, d, net, plan, q0 = case
    fake = _FakeDesign(net, plan)

    def overlay(bitfile, download=True):
        assert bitfile.endswith("e3ne.bit")
        return types.SimpleNamespace(axi_dma_0=fake)

    def allocate(shape, dtype):
        return np.zeros(shape, dtype).view(_FakeBuffer)

    monkeypatch.setitem(sys.modules, "pynq", types.SimpleNamespace(Overlay=overlay,
                                                                     allocate=allocate))
    acc = driver.Accelerator("/board/e3ne.bit", d / "rtl" / "plan.json",
                             max_transfer_bytes=7)
    nb = plan.in_width // 8
    assert acc.max_transfer_bytes == max(nb, 7 // nb * nb)
    u = golden.run_fast(net, q0)
    scores, classes = acc.classify_levels(q0)
    assert np.array_equal(scores, u) and np.array_equal(classes, u.argmax(1))
    assert max(fake.sends) <= acc.max_transfer_bytes and not fake.rx
    x = np.random.default_rng(1).random((3, *net.input_shape))
    scores, classes = acc.classify(x)
    assert np.array_equal(scores, golden.run_fast(net, golden.input_levels(net, x)))
    with pytest.raises(ValueError, match="no IP called 'dma9'"):
        driver.Accelerator("/board/e3ne.bit", d / "rtl" / "plan.json", dma="dma9")


def test_load_weights_sends_the_weight_image(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    """A design with weights in UltraRAM: ``load_weights`` sends weights.bin (copied into
    DIR/host) whole, in pieces of whole beats, through the weight DMA; a design without
    the port, or a wrong image, is refused in one line."""
    net = random_network(3, windows=True)
    folds = {k: replace(f, weights="uram") for k, f in random_folds(net, 3).items()}
    d = tmp_path / "d"
    net.save(d)
    plan = generate(net, folds, d)
    write_host_driver(d)
    image = (d / "rtl" / "weights.bin").read_bytes()
    assert (d / "host" / "weights.bin").read_bytes() == image
    got, sizes = bytearray(), []

    class Send:
        def transfer(self, buf, start=0, nbytes=0):
            sizes.append(nbytes)
            got.extend(np.asarray(buf)[start:start + nbytes].tobytes())

        def wait(self):
            pass

    wdma = types.SimpleNamespace(sendchannel=Send())
    dma = types.SimpleNamespace(sendchannel=types.SimpleNamespace(_max_size=20))
    monkeypatch.setitem(sys.modules, "pynq", types.SimpleNamespace(
        Overlay=lambda bitfile, download=True: types.SimpleNamespace(
            axi_dma_0=dma, axi_dma_weights=wdma),
        allocate=lambda shape, dtype: np.zeros(shape, dtype).view(_FakeBuffer)))
    acc = driver.Accelerator("/board/e3ne.bit", d / "host" / "plan.json")
    assert acc.load_weights() == len(image) == plan.weight_port["beats"] * 8
    assert bytes(got) == image and all(n % 8 == 0 for n in sizes) and len(sizes) > 1
    (tmp_path / "short.bin").write_bytes(image[:-8])
    with pytest.raises(ValueError, match=r"short.bin: expected the design's weight image"):
        acc.load_weights(tmp_path / "short.bin")
    with pytest.raises(ValueError, match="no IP called 'nope'"):
        acc.load_weights(dma="nope")
    rom = tmp_path / "rom"
    net.save(rom)
    generate(net, random_folds(net, 3), rom)
    mx = tmp_path / "mx"  # m_axi: the image stays in a buffer whose address the design reads
    net.save(mx)
    generate(net, folds, mx, weight_port="m_axi")
    acc3 = driver.Accelerator("/board/e3ne.bit", mx / "rtl" / "plan.json")
    sizes.clear()

    def allocate(shape, dtype):
        buf = np.zeros(shape, dtype).view(_FakeBuffer)
        buf.device_address = 0x7000_0000
        return buf

    monkeypatch.setattr(sys.modules["pynq"], "allocate", allocate, raising=False)
    assert acc3.load_weights() == len(image) and not sizes
    assert acc3.weights_address == 0x7000_0000
    assert bytes(np.asarray(acc3.weight_buffer)) == (mx / "rtl" / "weights.bin").read_bytes()
    acc2 = driver.Accelerator("/board/e3ne.bit", rom / "rtl" / "plan.json")
    with pytest.raises(ValueError, match="keeps its weights in ROMs"):
        acc2.load_weights()
