"""Design-space exploration: which folding fits which FPGA, and how fast it runs."""
