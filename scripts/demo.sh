#!/usr/bin/env bash
# Set up everything (virtualenv, dependencies, translations, database, demo data) and serve
# the app on http://127.0.0.1:8000 under gunicorn. Safe to run again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"

ensure_venv
compile_translations
echo "==> migrating the database"
qms db upgrade
echo "==> demo data"
qms demo

HOST="${QMS_HOST:-127.0.0.1}"
PORT="${QMS_PORT:-8000}"
echo "==> serving on http://$HOST:$PORT  (Ctrl-C stops)"
exec gunicorn wsgi:app \
    --bind "$HOST:$PORT" \
    --workers "${QMS_WORKERS:-2}" \
    --timeout 60 \
    --graceful-timeout 20 \
    --keep-alive 5 \
    --access-logfile - \
    --error-logfile -
