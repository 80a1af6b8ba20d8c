"""How a simulator tool that dies is reported: the exit and, for SIGKILL (the kernel's
out-of-memory killer here), what most likely happened."""

from __future__ import annotations

from pathlib import Path

import pytest

from e3ne.errors import Mismatch
from e3ne.flow.hdlsim import _run


def test_a_tool_killed_by_sigkill_is_named_as_out_of_memory(tmp_path: Path) -> None:
    with pytest.raises(Mismatch, match=r"failed \(exit -9\): killed by signal 9, most likely "
                                       r"out of memory"):
        _run(["sh", "-c", "kill -9 $$"], tmp_path, 30)


def test_verilator_reporting_its_child_killed_is_named_too(tmp_path: Path) -> None:
    with pytest.raises(Mismatch, match="exit 255.*most likely out of memory"):
        _run(["sh", "-c", "echo '%Error: Verilator threw signal 9.'; exit 255"], tmp_path, 30)


def test_an_ordinary_failure_has_no_such_hint(tmp_path: Path) -> None:
    with pytest.raises(Mismatch) as e:
        _run(["sh", "-c", "echo broken; exit 1"], tmp_path, 30)
    assert "exit 1" in str(e.value) and "memory" not in str(e.value)
