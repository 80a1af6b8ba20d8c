"""Hardware: the hand-written SystemVerilog cores (``rtl/``), their benches (``sim/``), one
Python model per core (``cores/``), memory placement, and the generator that chains the
cores for a network."""

from pathlib import Path

RTL_DIR = Path(__file__).resolve().parent / "rtl"  # the cores, copied into every design
SIM_DIR = Path(__file__).resolve().parent / "sim"  # their benches and the stream bench library
