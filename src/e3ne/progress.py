"""Progress on long steps: a bar for loops of known length, a ticker for tool runs.

On a terminal both redraw one line in place; in a log (CI, a pipe) they print a line now
and then, so logs stay short. Everything goes to stderr: stdout carries results only.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable

_WIDTH = 24


def _tty() -> bool:
    return sys.stderr.isatty()


def bar(done: int, total: int, label: str) -> None:
    """``[#######.........] 3/8 label``; the last call ends the line."""
    total = max(total, 1)
    fill = round(_WIDTH * done / total)
    text = f"[{'#' * fill}{'.' * (_WIDTH - fill)}] {done}/{total} {label}"
    if _tty():
        end = "\n" if done >= total else ""
        print(f"\r\033[K{text}", end=end, file=sys.stderr, flush=True)
    else:
        print(text, file=sys.stderr, flush=True)


class Ticker:
    """Elapsed time of a step whose progress a tool does not report (Verilator, Yosys)."""

    def __init__(self, label: str, enabled: bool = True, log_every: float = 30.0,
                 status: Callable[[], str] | None = None) -> None:
        """``status``: asked at each line for what the step can say of itself (e.g. the
        images a simulator has written out so far), shown after the time."""
        self.label, self.enabled, self.log_every = label, enabled, log_every
        self.status = status
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.t0 = 0.0

    def _run(self) -> None:
        last_log = 0.0
        spin = "|/-\\"
        k = 0
        while not self._stop.wait(0.5 if _tty() else 1.0):
            dt = time.perf_counter() - self.t0
            if _tty():
                k += 1
                print(f"\r\033[K{spin[k % 4]} {self.label} ... {dt:.0f} s{self._status()}",
                      end="", file=sys.stderr, flush=True)
            elif dt - last_log >= self.log_every:
                last_log = dt
                print(f"{self.label} ... {dt:.0f} s{self._status()}", file=sys.stderr,
                      flush=True)

    def _status(self) -> str:
        if self.status is None:
            return ""
        try:
            said = self.status()
        except OSError:  # a file the step writes, not there yet
            return ""
        return f", {said}" if said else ""

    def __enter__(self) -> Ticker:
        self.t0 = time.perf_counter()
        if self.enabled:
            print(f"{self.label} ...", file=sys.stderr, flush=True)
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            dt = time.perf_counter() - self.t0
            state = "failed" if exc[0] is not None else "done"
            if _tty():
                print(f"\r\033[K{self.label}: {state} in {dt:.1f} s", file=sys.stderr,
                      flush=True)
            else:
                print(f"{self.label}: {state} in {dt:.1f} s", file=sys.stderr, flush=True)
