#!/usr/bin/env bash
# Screenshots of the demo for the README: build the demo organisation in a throwaway instance,
# serve it on a free local port, and let scripts/screenshots.py sign in as each demo role with
# Chromium (/usr/bin/chromium, or QMS_CHROMIUM) and save the pages.
#
#   bash scripts/screenshots.sh              # into docs/screenshots/
#   bash scripts/screenshots.sh /tmp/shots   # anywhere else (a trial run)
#
# Nothing outside the output folder is written: the database, the document store, the search
# index and the demo logins live in a temporary folder removed at the end.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"

OUT="$(mkdir -p "${1:-$ROOT/docs/screenshots}" && cd "${1:-$ROOT/docs/screenshots}" && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/qms-screenshots.XXXXXX")"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

ensure_venv
compile_translations

# Everything the app writes goes to the throwaway folder, whatever the caller's environment says.
export QMS_INSTANCE_PATH="$WORK/instance"
export QMS_DATABASE_URL="sqlite:///$WORK/instance/qms.sqlite3"
export QMS_STORE_PATH="$WORK/store"
export QMS_SEARCH_INDEX_PATH="$WORK/instance/search_index"
export QMS_SEARCH_BACKEND="whoosh"
export QMS_RENDER_ON_APPROVAL="false"   # screenshots need no pre-rendered PDFs
export QMS_TICK_MINUTES="0"
mkdir -p "$QMS_INSTANCE_PATH"

echo "==> building the demo in $WORK"
qms db upgrade >/dev/null
qms demo >/dev/null

PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
BASE="http://127.0.0.1:$PORT"
echo "==> serving on $BASE"
gunicorn wsgi:app --bind "127.0.0.1:$PORT" --workers 2 --timeout 60 \
    --error-logfile "$WORK/server.log" --access-logfile /dev/null &
SERVER_PID=$!
for _ in $(seq 1 60); do
    if "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
        "$BASE/login" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        cat "$WORK/server.log" >&2
        echo "!! the server did not start" >&2
        exit 1
    fi
    sleep 0.5
done

"$PY" "$ROOT/scripts/screenshots.py" --base "$BASE" \
    --logins "$QMS_INSTANCE_PATH/demo-logins.txt" --out "$OUT"
