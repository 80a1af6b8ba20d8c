#!/usr/bin/env bash
# Idempotent set-up for a fresh machine: HDL tools from Debian, a virtual environment
# in .venv with e3ne installed in editable mode. Safe to run again: each step is skipped
# when what it would install is already there. Source it or run it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

need_apt=()
command -v verilator >/dev/null 2>&1 || need_apt+=(verilator)
command -v iverilog  >/dev/null 2>&1 || need_apt+=(iverilog)
command -v yosys     >/dev/null 2>&1 || need_apt+=(yosys)
command -v ccache    >/dev/null 2>&1 || need_apt+=(ccache)  # speeds up Verilator builds
command -v chromium  >/dev/null 2>&1 || need_apt+=(chromium)  # renders the HTML report in tests
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "[setup] installing Debian packages: ${need_apt[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "[setup] creating virtual environment in .venv"
    python3 -m venv "$VENV"
fi

# Reinstall only when pyproject.toml changed since the last successful install.
STAMP="$VENV/.e3ne-installed"
WANT="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
    echo "[setup] installing e3ne and its pinned dependencies (torch==2.13.0, CPU build)"
    "$VENV/bin/pip" install -q --disable-pip-version-check -e "$ROOT[dev]"
    echo "$WANT" > "$STAMP"
fi
