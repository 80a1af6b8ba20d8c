"""Saving and loading the IR: round trip, determinism, and one-line errors for bad files."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from netgen import random_levels, random_network

from e3ne import golden
from e3ne.errors import FormatError
from e3ne.ir import Network


@pytest.fixture
def saved(tmp_path: Path) -> tuple[Network, Path]:
    net = random_network(7)
    net.save(tmp_path / "n")
    return net, tmp_path / "n"


def test_round_trip_keeps_every_value(saved) -> None:
    net, d = saved
    back = Network.load(d)
    q0 = random_levels(net, 4, 0)
    np.testing.assert_array_equal(golden.run_fast(net, q0), golden.run_fast(back, q0))
    assert [type(a) for a in back.layers] == [type(a) for a in net.layers]
    for a, b in zip(net.layers, back.layers, strict=True):
        assert a.to_json() == b.to_json()
        for key, arr in a.arrays().items():
            np.testing.assert_array_equal(arr, b.arrays()[key])


def test_saving_twice_gives_identical_bytes(saved, tmp_path: Path) -> None:
    net, d = saved
    net.save(tmp_path / "again")
    for name in ("network.json", "weights.npz"):
        assert (d / name).read_bytes() == (tmp_path / "again" / name).read_bytes()


def test_network_json_records_format_and_accumulator_widths(saved) -> None:
    net, d = saved
    doc = json.loads((d / "network.json").read_text())
    assert doc["format"] == "e3ne-network" and doc["format_version"] == 1
    syn = [ld for ld in doc["layers"] if ld["kind"] in ("conv", "linear")]
    assert [ld["acc_bits"] for ld in syn] == [s.acc_bits(net.T) for s in net.synaptic_layers]


def _expect(d: Path, pattern: str) -> None:
    with pytest.raises(FormatError) as info:
        Network.load(d)
    text = str(info.value)
    assert "\n" not in text
    assert re.search(pattern, text), text


def test_missing_files(tmp_path: Path) -> None:
    _expect(tmp_path, r"network\.json: not found; write it with 'e3ne convert'")


def test_truncated_json(saved) -> None:
    _, d = saved
    text = (d / "network.json").read_text()
    (d / "network.json").write_text(text[: len(text) // 2])
    _expect(d, r"network\.json: not valid JSON .*corrupt or truncated")


def test_wrong_format_version(saved) -> None:
    _, d = saved
    doc = json.loads((d / "network.json").read_text())
    doc["format_version"] = 99
    (d / "network.json").write_text(json.dumps(doc))
    _expect(d, r"format version 99 is not supported; this e3ne reads version 1")


def test_truncated_npz(saved) -> None:
    _, d = saved
    data = (d / "weights.npz").read_bytes()
    (d / "weights.npz").write_bytes(data[: len(data) // 2])
    _expect(d, r"weights\.npz: corrupt or truncated")


def test_garbage_npz(saved) -> None:
    _, d = saved
    (d / "weights.npz").write_bytes(b"not a zip file at all")
    _expect(d, r"weights\.npz: corrupt or truncated")


def test_weights_from_another_network(saved, tmp_path: Path) -> None:
    _, d = saved
    random_network(8).save(tmp_path / "other")
    (d / "weights.npz").write_bytes((tmp_path / "other" / "weights.npz").read_bytes())
    _expect(d, r"weights\.npz: does not belong to network\.json \(weights checksum differs\)")


def test_edited_weights_are_caught(saved) -> None:
    """An out-of-range weight written with a matching checksum is still refused."""
    from e3ne.ir import _checksum, _write_npz

    net, d = saved
    with np.load(d / "weights.npz") as z:
        arrays = {k: z[k] for k in z.files}
    key = next(k for k in arrays if k.endswith("/weight"))
    arrays[key] = arrays[key].copy()
    arrays[key].flat[0] = 1 << net.W
    _write_npz(d / "weights.npz", arrays)
    doc = json.loads((d / "network.json").read_text())
    doc["weights_sha256"] = _checksum(arrays)
    (d / "network.json").write_text(json.dumps(doc))
    _expect(d, rf"layer '[^']+' \((conv|linear)\): weights exceed the {net.W}-bit range")


def test_unknown_layer_kind(saved) -> None:
    _, d = saved
    doc = json.loads((d / "network.json").read_text())
    doc["layers"][0]["kind"] = "lstm"
    (d / "network.json").write_text(json.dumps(doc))
    _expect(d, r"layer 0 has unknown kind 'lstm'; expected one of avgpool, concat, conv, "
               r"flatten, fork, linear, maxpool")


def test_missing_field(saved) -> None:
    _, d = saved
    doc = json.loads((d / "network.json").read_text())
    syn = next(ld for ld in doc["layers"] if ld["kind"] in ("conv", "linear"))
    del syn["shift"]
    (d / "network.json").write_text(json.dumps(doc))
    _expect(d, r"lacks field 'shift'")


def test_npz_member_is_not_pickled(saved) -> None:
    """Loading never unpickles: a member saved with pickle is refused, not executed."""
    _, d = saved
    with zipfile.ZipFile(d / "weights.npz", "a") as zf:
        import io

        buf = io.BytesIO()
        np.save(buf, np.array([object()], dtype=object), allow_pickle=True)
        zf.writestr("0/evil.npy", buf.getvalue())
    _expect(d, r"weights\.npz: corrupt or truncated|does not belong")


def test_input_scale_is_kept_and_sets_the_input_levels(tmp_path: Path) -> None:
    """A QONNX model's own input scale: saved only when given, and the golden model's
    input levels are round(x / scale), clamped to T bits."""
    net = random_network(7)
    net.save(tmp_path / "a")
    assert "scale" not in json.loads((tmp_path / "a" / "network.json").read_text())["input"]
    net.input_scale = 2.0 ** -4
    net.save(tmp_path / "b")
    back = Network.load(tmp_path / "b")
    assert back.input_scale == 2.0 ** -4
    x = np.array([0.0, 0.03, 0.0313, 0.5, 0.95, 1.0]).reshape(1, 1, 1, -1)
    hi = (1 << net.T) - 1
    assert golden.input_levels(back, x).ravel().tolist() == [
        min(hi, int(np.floor(v * 16 + 0.5))) for v in x.ravel()]
    net.input_scale = -1.0
    with pytest.raises(FormatError, match="input scale -1.0 must be a positive number"):
        net.validate()
