#!/usr/bin/env bash
# Translations: extract messages from code and templates, update (or start) the Spanish
# catalog, compile. Translate in qms/translations/es/LC_MESSAGES/messages.po, then run again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
ensure_venv

POT=qms/translations/messages.pot
mkdir -p qms/translations
pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -k lazy_ngettext:1,2 \
    -k _lp:1c,2 -k lazy_pgettext:1c,2 \
    --project=qms --no-wrap --sort-by-file -o "$POT" .

for lang in es; do
    po="qms/translations/$lang/LC_MESSAGES/messages.po"
    if [ -f "$po" ]; then
        pybabel -q update --no-wrap -i "$POT" -d qms/translations -l "$lang"
    else
        pybabel -q init --no-wrap -i "$POT" -d qms/translations -l "$lang"
    fi
done
pybabel compile --statistics -d qms/translations
