#!/usr/bin/env bash
# The README's test command: set up (idempotent), lint, then the fast test suite.
# Extra arguments go to pytest. pytest's exit code 5 (no tests collected) is a failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
.venv/bin/ruff check src tests bench
set +e
.venv/bin/python -m pytest -m "not slow" "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    echo "test.sh: pytest collected no tests; that is a failure" >&2
    exit 1
fi
exit "$rc"
