#!/usr/bin/env bash
# Run the whole check: lint, format, types, then the whole test suite on everything this machine can
# give it: SQLite always; PostgreSQL found on 127.0.0.1:5432 (or QMS_TEST_DATABASE_URL); the
# browser tests in Debian's chromium, installed when missing and we may (root). Ends with one
# line naming what could not run and why. CI=true: anything missing fails the run.
# Extra arguments go to pytest (after ours, so `-n 0` runs serially).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/_test_services.sh"

ensure_venv
compile_translations
ensure_chromium || true
find_postgres || true

PATHS=(qms tests migrations/env.py)
[ -d bench ] && PATHS+=(bench)
echo "==> ruff check"
ruff check "${PATHS[@]}"
echo "==> ruff format --check"
ruff format --check "${PATHS[@]}"
# Type check qms/ as [tool.mypy] in pyproject.toml says; .mypy_cache makes reruns fast.
echo "==> mypy"
"$PY" -m mypy

# One worker per core (two here), each with its own SQLite files and PostgreSQL database.
WORKERS="${QMS_TEST_WORKERS:-auto}"
echo "==> pytest (workers: $WORKERS)"
set +e
# Test files (SQLite databases, blob stores, indexes) in memory where the machine has a tmpfs:
# still real files with the app's pragmas (synchronous FULL), but a commit's fsync costs
# nothing, and a test commits many times.
BASETEMP=()
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    BASETEMP=(--basetemp "/dev/shm/qms-pytest-$$")
fi
# Work stealing: the slow tests (browsers, races, kills) do not leave one worker idle at the end.
python -m pytest -n "$WORKERS" --dist worksteal --durations=25 "${BASETEMP[@]}" "$@"
status=$?
[ "${#BASETEMP[@]}" -eq 0 ] || rm -rf "${BASETEMP[1]}"
set -e

if [ "$status" -eq 5 ]; then
    echo "!! pytest collected no tests: that is a failure here" >&2
fi
# The last line: what this machine could not run, and why.
if [ "${#NOT_RUN[@]}" -eq 0 ]; then
    echo "==> everything ran: SQLite, PostgreSQL and the browser tests"
else
    line="$(printf '%s; ' "${NOT_RUN[@]}")"
    if [[ "${CI:-}" =~ ^(1|true|yes)$ ]]; then
        [ "$status" -eq 0 ] && status=1
        echo "!! not run, and CI=true requires them: ${line%; }"
    else
        echo "==> not run: ${line%; }"
    fi
fi
exit "$status"
