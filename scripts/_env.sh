# Shared by demo.sh, test.sh and i18n.sh: a project virtualenv with the package installed.
# Sourced, not run. Re-installs only when pyproject.toml changed (a stamp holds its hash).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

ensure_system_libs() {
    # WeasyPrint renders PDFs through Pango and subsets fonts with HarfBuzz (it warns, and the
    # warnings-as-errors suite fails, without it); fonts-dejavu gives accented glyphs.
    local libs
    libs="$(ldconfig -p 2>/dev/null)"
    if grep -q libpangoft2-1.0 <<<"$libs" && grep -q libharfbuzz-subset <<<"$libs" \
        && [ -d /usr/share/fonts/truetype/dejavu ]; then
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "!! PDF rendering needs libpangoft2-1.0-0, libharfbuzz-subset0 and fonts-dejavu-core" >&2
        return 0
    fi
    echo "==> installing Pango, HarfBuzz-Subset and DejaVu fonts for PDF rendering (apt-get)"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null
}

ensure_venv() {
    ensure_system_libs
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
