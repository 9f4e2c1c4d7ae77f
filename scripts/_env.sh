# Shared by demo.sh, test.sh and i18n.sh: a project virtualenv with the package installed.
# Sourced, not run. Re-installs only when pyproject.toml changed (a stamp holds its hash).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

ensure_venv() {
    if [ ! -x "$PY" ]; then
        echo "==> creating virtualenv in .venv"
        "${PYTHON:-python3}" -m venv "$VENV"
    fi
    local stamp="$VENV/.qms-install-stamp" want have=""
    want="$("$PY" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' pyproject.toml)"
    [ -f "$stamp" ] && have="$(cat "$stamp")"
    # Reinstall when pyproject.toml changed or the editable install is gone.
    if [ "$want" != "$have" ] || ! "$PY" -c 'import qms' >/dev/null 2>&1; then
        echo "==> installing dependencies (pip install -e '.[test]')"
        "$PY" -m pip install --disable-pip-version-check -q -e '.[test]'
        echo "$want" > "$stamp"
    fi
    export PATH="$VENV/bin:$PATH"
}

compile_translations() {
    # Compile every catalog that exists; a missing catalog only means English strings for now.
    if compgen -G "qms/translations/*/LC_MESSAGES/messages.po" >/dev/null; then
        "$VENV/bin/pybabel" -q compile -d qms/translations -D messages || {
            echo "!! pybabel compile failed" >&2
            return 1
        }
    else
        echo "==> no translation catalog yet (qms/translations/*/LC_MESSAGES/messages.po)"
    fi
}
