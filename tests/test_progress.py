"""Progress lines of long steps: what a step can say of itself follows the elapsed time."""

from __future__ import annotations

import time

import pytest

from e3ne.progress import Ticker


def test_a_ticker_line_carries_the_step_s_own_status(capsys: pytest.CaptureFixture) -> None:
    said = iter(["", "1/4 images out", "3/4 images out"])

    def status() -> str:
        return next(said, "4/4 images out")

    with Ticker("verify: simulating 4 image(s)", log_every=0.0, status=status):
        time.sleep(2.5)
    err = capsys.readouterr().err
    assert "images out" in err
    lines = [x for x in err.splitlines() if " s, " in x]
    assert lines and all(x.startswith("verify: simulating 4 image(s) ... ") for x in lines)


def test_a_status_that_cannot_be_read_yet_is_left_out(capsys: pytest.CaptureFixture) -> None:
    def status() -> str:
        raise FileNotFoundError("out.txt")

    with Ticker("step", log_every=0.0, status=status):
        time.sleep(1.5)
    err = capsys.readouterr().err
    assert "step ... " in err and ", " not in err.split("step ... ", 1)[1].splitlines()[0]
