#!/usr/bin/env bash
# Run the whole check: lint, format, then the test suite. Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"

ensure_venv
compile_translations

PATHS=(qms tests migrations/env.py)
[ -d bench ] && PATHS+=(bench)
echo "==> ruff check"
ruff check "${PATHS[@]}"
echo "==> ruff format --check"
ruff format --check "${PATHS[@]}"

echo "==> pytest"
set +e
python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "!! pytest collected no tests: that is a failure here" >&2
    exit 5
fi
exit "$status"
