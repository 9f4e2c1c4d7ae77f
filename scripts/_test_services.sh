# Sourced by test.sh after _env.sh: find what the whole suite needs beyond SQLite, and note
# what cannot be had here. Each finder appends "what (why)" to NOT_RUN when it gives up.

NOT_RUN=()
CHROMIUM="${QMS_CHROMIUM:-/usr/bin/chromium}"
PG_HOST_PORT="127.0.0.1:5432"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }

ensure_chromium() {
    # The browser tests drive Debian's chromium (Playwright never downloads a browser here).
    [ -x "$CHROMIUM" ] && return 0
    if [ "$CHROMIUM" = /usr/bin/chromium ] && command -v apt-get >/dev/null \
        && { [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; }; then
        echo "==> installing Debian chromium for the browser tests (apt-get)"
        if as_root apt-get update -q >/dev/null \
            && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q chromium >/dev/null \
            && [ -x "$CHROMIUM" ]; then
            return 0
        fi
        NOT_RUN+=("browser tests (apt-get install chromium failed)")
        return 1
    fi
    if [ "$CHROMIUM" != /usr/bin/chromium ]; then
        NOT_RUN+=("browser tests (QMS_CHROMIUM=$CHROMIUM is missing)")
    else
        NOT_RUN+=("browser tests ($CHROMIUM is missing; apt-get install chromium needs root)")
    fi
    return 1
}

_pg_check() {
    # Exit 0 when the URL connects and its role may create databases; else print why.
    "$PY" - "$1" <<'PYCODE'
import sys

import psycopg
from sqlalchemy.engine import make_url

url = make_url(sys.argv[1])
try:
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password,
        dbname=url.database, connect_timeout=5,
    ) as connection:
        row = connection.execute(
            "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
except Exception as error:  # noqa: BLE001 - any failure means "not usable"
    print(str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__)
    sys.exit(1)
if not (row and row[0]):
    print(f"role {url.username} may not create databases")
    sys.exit(1)
PYCODE
}

find_postgres() {
    # QMS_TEST_DATABASE_URL when given, else a server on 127.0.0.1:5432 as postgres or as the
    # current user. The suite makes its own databases there (one per worker) and drops them.
    local candidates=() candidate why="" where="nothing usable on $PG_HOST_PORT"
    if [ -n "${QMS_TEST_DATABASE_URL:-}" ]; then
        candidates=("$QMS_TEST_DATABASE_URL")
        where="QMS_TEST_DATABASE_URL is not usable"
    else
        candidates=(
            "postgresql+psycopg://postgres@$PG_HOST_PORT/postgres"
            "postgresql+psycopg://$(id -un)@$PG_HOST_PORT/postgres"
        )
    fi
    for candidate in "${candidates[@]}"; do
        if why="$(_pg_check "$candidate")"; then
            export QMS_TEST_DATABASE_URL="$candidate"
            return 0
        fi
    done
    unset QMS_TEST_DATABASE_URL
    NOT_RUN+=("PostgreSQL tests ($where: ${why:-no answer})")
    return 1
}
