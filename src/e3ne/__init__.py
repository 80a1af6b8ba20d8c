"""e3ne: PyTorch CNN -> radix-encoded spiking network -> bit-exact FPGA logic."""

from e3ne.errors import (
    ConfigError,
    E3neError,
    FormatError,
    InfeasibleBudget,
    Mismatch,
    ToolFailed,
    ToolNotFound,
    UnsupportedModel,
)

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "E3neError",
    "FormatError",
    "InfeasibleBudget",
    "Mismatch",
    "ToolFailed",
    "ToolNotFound",
    "UnsupportedModel",
    "__version__",
]
