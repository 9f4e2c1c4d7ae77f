"""Block kinds are declared once (qms.documents.block_kinds): no other code spells their fields,
and the views, the editor's configuration and the JSON Schema are read off the declaration."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qms.core.errors import ValidationFailed
from qms.documents.block_kinds import KINDS, block_json_schema
from qms.documents.block_kinds.model import INPUTS

ROOT = Path(__file__).resolve().parents[2]
DECLARATION = ROOT / "qms" / "documents" / "block_kinds" / "declared.py"
SIPOC_KEYS = [f.key for f in KINDS["sipoc"].fields]


def _quoted(key: str) -> re.Pattern[str]:
    """The key as a string literal (not an HTML attribute value such as class="phase")."""
    return re.compile(rf"""(?<![=\w])["']{re.escape(key)}["']""")


def test_sipoc_fields_are_spelled_in_one_python_declaration_only():
    assert {"suppliers", "inputs", "activity", "outputs", "clients"} <= set(SIPOC_KEYS)
    sources = [
        path
        for path in (ROOT / "qms").rglob("*.py")
        if "translations" not in path.parts and path != DECLARATION
    ]
    found = {
        (str(path.relative_to(ROOT)), key)
        for path in sources
        for key in SIPOC_KEYS
        if _quoted(key).search(path.read_text(encoding="utf-8"))
    }
    assert found == set()
    declared = DECLARATION.read_text(encoding="utf-8")
    assert all(_quoted(key).search(declared) for key in SIPOC_KEYS)


def test_the_block_editor_script_names_no_field_of_any_kind():
    script = "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "qms/static/js").rglob("*.js")
    )
    # The script knows the kinds of input ("text", "decision"…) and HTML's <label>, which
    # share a key's name; no other key may be spelled there.
    keys = {f.key for kind in KINDS.values() for f in kind.fields} - {*INPUTS, "label"}
    assert sorted(key for key in keys if _quoted(key).search(script)) == []
    # Nor as a property (row.suppliers) or an object key ({suppliers: …}).
    used = [k for k in SIPOC_KEYS if re.search(rf"\.{k}\b|\b{k}\s*:|{_quoted(k).pattern}", script)]
    assert used == []


def test_the_json_schema_has_one_branch_per_kind_told_apart_by_kind():
    schema = block_json_schema()
    branches = {b["properties"]["kind"]["const"]: b for b in schema["oneOf"]}
    assert list(branches) == list(KINDS)
    rows = branches["sipoc"]["properties"]["rows"]["items"]["properties"]
    assert list(rows) == SIPOC_KEYS
    assert rows["phase"]["enum"] == ["P", "H", "V", "A"]
    assert branches["form_fields"]["properties"]["fields"]["items"]["properties"]["required"] == {
        "type": "boolean",
        "description": "Required",
    }
    assert branches["requirements"]["properties"]["iso"]["type"] == "array"
    assert "title" not in branches["text"]["properties"]
    for branch in branches.values():
        assert branch["type"] == "object" and branch["required"] == ["kind"]


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_empty_block_of_every_kind_is_valid_and_matches_its_schema(kind):
    declared = KINDS[kind]
    empty = declared.empty()
    assert declared.clean(empty) == empty
    properties = declared.json_schema()["properties"]
    assert set(empty) <= set(properties)


def test_a_declared_grid_kind_cleans_tables_and_configures_the_editor():
    sipoc = KINDS["sipoc"]
    block = {"rows": [{"phase": "hacer", "activity": " Atender "}, {"phase": "V"}]}
    cleaned = sipoc.clean(block)
    assert cleaned["rows"] == [
        dict.fromkeys(SIPOC_KEYS, "") | {"phase": "H", "activity": "Atender"}
    ]
    assert sipoc.table(cleaned)["rows"][0][:4] == ["Do", "", "", "Atender"]
    config = sipoc.editor_config()
    assert config["editor"] == "grid" and config["rows"] == "rows"
    assert [f["key"] for f in config["fields"]] == SIPOC_KEYS
    assert config["fields"][0]["choices"][0] == ["P", "Plan"] and config["fields"][0]["showValue"]
    with pytest.raises(ValidationFailed):
        sipoc.clean({"rows": [{"phase": "X", "activity": "a"}]})
