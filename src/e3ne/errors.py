"""The errors a user can see.

Every message reads ``<culprit>: what is wrong; what would be accepted``, on one line, so
the CLI can print it as it is and exit non-zero (``--debug`` shows the traceback).
"""

from __future__ import annotations


class E3neError(Exception):
    """Base class of every error e3ne raises on purpose."""


class UnsupportedModel(E3neError):
    """The PyTorch model uses something that cannot be radix-encoded."""


class FormatError(E3neError):
    """A saved file (network.json / weights.npz, a design directory's JSON, a checkpoint) is
    corrupt, truncated, of another version or inconsistent."""


class ConfigError(E3neError):
    """An option or argument is out of range or malformed."""


class ToolNotFound(E3neError):
    """An external tool (Verilator, Icarus, Yosys) is missing."""


class Mismatch(E3neError):
    """Hardware and golden model disagree."""


class InfeasibleBudget(E3neError):
    """No design fits the requested resource budget."""


class ToolFailed(E3neError):
    """An external tool ran but failed or timed out."""


def first_line(e: BaseException, limit: int = 200) -> str:
    """``Type: first line of its message`` (at most ``limit`` characters of it): a foreign
    library's reason, quoted inside one of our one-line errors."""
    text = str(e).strip()
    return f"{type(e).__name__}: {text.splitlines()[0][:limit] if text else ''}"
