#!/usr/bin/env bash
# The README's main command: set up (idempotent), then run the end-to-end demo.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
exec .venv/bin/e3ne demo "$@"
