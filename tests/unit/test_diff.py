"""The block-aware redline: words in text blocks, rows, columns and cells in tables."""

from __future__ import annotations

from typing import Any

from qms.documents.diff import (
    ADDED,
    CHANGED,
    DELETE,
    EQUAL,
    INSERT,
    REMOVED,
    SAME,
    Segment,
    compare_content,
    diff_table,
    diff_words,
)


def text(value: str) -> dict[str, Any]:
    return {"kind": "text", "text": value}


def table(rows: list[list[str]], columns: list[str] | None = None) -> dict[str, Any]:
    return {"kind": "table", "title": "", "columns": columns or ["Tarea", "Quién"], "rows": rows}


def ops(segments: tuple[Segment, ...], op: str) -> list[str]:
    return [s.text for s in segments if s.op == op]


def test_identical_versions_have_no_changes() -> None:
    content = [text("Objetivo: responder a tiempo."), table([["1", "Usuario"]])]
    result = compare_content(content, [dict(b) for b in content])
    assert not result.has_changes
    assert [b.status for b in result.blocks] == [SAME, SAME]


def test_changed_text_marks_inserted_and_removed_words() -> None:
    segments = diff_words(
        "El cliente recibe respuesta en 15 días.", "El usuario recibe respuesta en 10 días."
    )
    assert ops(segments, DELETE) == ["cliente", "15"]
    assert ops(segments, INSERT) == ["usuario", "10"]
    assert (
        "".join(s.text for s in segments if s.op != INSERT)
        == "El cliente recibe respuesta en 15 días."
    )
    assert (
        "".join(s.text for s in segments if s.op != DELETE)
        == "El usuario recibe respuesta en 10 días."
    )


def test_added_and_removed_words() -> None:
    assert ops(diff_words("Responder a tiempo", "Responder siempre a tiempo"), INSERT) == [
        " siempre"
    ]
    assert ops(diff_words("Responder siempre a tiempo", "Responder a tiempo"), DELETE) == [
        " siempre"
    ]


def test_neighbouring_changes_read_as_one() -> None:
    segments = diff_words("uno dos tres", "cuatro cinco tres")
    assert segments == (
        Segment(DELETE, "uno dos"),
        Segment(INSERT, "cuatro cinco"),
        Segment(EQUAL, " tres"),
    )


def test_text_is_kept_raw_for_the_template_to_escape() -> None:
    segments = diff_words("a", "a <script>")
    assert "".join(ops(segments, INSERT)) == " <script>"


def test_changed_text_block_is_paired_with_its_old_self() -> None:
    result = compare_content([text("Objetivo viejo")], [text("Objetivo nuevo")])
    (block,) = result.blocks
    assert block.status == CHANGED and ops(block.text, INSERT) == ["nuevo"]


def test_inserted_block_is_detected_without_shifting_the_others() -> None:
    old = [text("Objetivo"), table([["1", "Usuario"]]), text("Alcance: todo el proceso.")]
    new = [
        text("Objetivo"),
        text("Responsable: Gerente."),
        table([["1", "Usuario"]]),
        text("Alcance: todo el proceso de servicio."),
    ]
    result = compare_content(old, new)
    assert [(b.kind, b.status) for b in result.blocks] == [
        ("text", SAME),
        ("text", ADDED),
        ("table", SAME),
        ("text", CHANGED),
    ]
    assert ops(result.blocks[-1].text, INSERT) == [" de servicio"]


def test_removed_block() -> None:
    result = compare_content([text("Uno"), table([["1", "A"]])], [text("Uno")])
    assert [b.status for b in result.blocks] == [SAME, REMOVED]
    assert result.blocks[1].table is not None
    assert [r.status for r in result.blocks[1].table.rows] == [REMOVED]


def test_added_row() -> None:
    diff = diff_table(table([["1", "Usuario"]]), table([["1", "Usuario"], ["2", "Auxiliar"]]))
    assert [r.status for r in diff.rows] == [SAME, ADDED]
    assert [c.new for c in diff.rows[1].cells] == ["2", "Auxiliar"]


def test_removed_row_in_the_middle() -> None:
    old = table([["1", "A"], ["2", "B"], ["3", "C"]])
    diff = diff_table(old, table([["1", "A"], ["3", "C"]]))
    assert [r.status for r in diff.rows] == [SAME, REMOVED, SAME]


def test_changed_cell_shows_old_and_new() -> None:
    diff = diff_table(table([["1", "Usuario"]]), table([["1", "Auxiliar"]]))
    (row,) = diff.rows
    assert row.status == CHANGED
    assert [(c.status, c.old, c.new) for c in row.cells] == [
        (SAME, "1", "1"),
        (CHANGED, "Usuario", "Auxiliar"),
    ]


def test_added_and_removed_columns() -> None:
    old = table([["1", "A"]], ["Tarea", "Quién"])
    new = table([["1", "Registro"]], ["Tarea", "Registros"])
    diff = diff_table(old, new)
    assert [(c.status, c.old, c.new) for c in diff.columns] == [
        (SAME, "Tarea", "Tarea"),
        (CHANGED, "Quién", "Registros"),
    ]
    added = diff_table(old, table([["1", "A", "x"]], ["Tarea", "Quién", "Cómo"]))
    assert [c.status for c in added.columns] == [SAME, SAME, ADDED]
    assert [c.status for c in added.rows[0].cells] == [SAME, SAME, ADDED]
    removed = diff_table(old, table([["1"]], ["Tarea"]))
    assert [c.status for c in removed.columns] == [SAME, REMOVED]
    assert removed.rows[0].cells[1].status == REMOVED


def test_block_of_an_unknown_kind_is_compared_whole() -> None:
    old = [{"kind": "widget", "rows": [["a"]]}]
    new = [{"kind": "widget", "rows": [["b"]]}]
    (block,) = compare_content(old, new).blocks
    assert block.status == CHANGED and block.old == old[0] and block.new == new[0]


def _sipoc_row(activity: str, phase: str = "H") -> dict[str, str]:
    return {
        "phase": phase,
        "suppliers": "Clientes",
        "inputs": "PQRS",
        "activity": activity,
        "outputs": "Respuesta",
        "clients": "Afiliados",
    }


def test_a_structured_block_compares_as_its_table_cell_by_cell() -> None:
    old = [{"kind": "sipoc", "title": "SIPOC", "rows": [_sipoc_row("Tramitar PQRS")]}]
    new = [
        {
            "kind": "sipoc",
            "title": "SIPOC",
            "rows": [_sipoc_row("Tramitar PQRS a tiempo"), _sipoc_row("Medir", "V")],
        }
    ]
    (block,) = compare_content(old, new).blocks
    assert block.status == CHANGED and block.table is not None
    first, second = block.table.rows
    activity = first.cells[3]
    assert (activity.status, activity.old, activity.new) == (
        CHANGED,
        "Tramitar PQRS",
        "Tramitar PQRS a tiempo",
    )
    assert first.cells[1].status == "same" and second.status == "added"
    assert [c.new for c in block.table.columns][:2] == ["Phase", "Suppliers"]


def test_kind_change_at_one_position_is_a_removal_and_an_addition() -> None:
    result = compare_content([text("Tabla pendiente")], [table([["1", "A"]])])
    assert sorted(b.status for b in result.blocks) == [ADDED, REMOVED]


def test_text_blocks_compare_as_the_words_a_reader_sees_not_markdown() -> None:
    result = compare_content(
        [text("**Objetivo:** responder en 15 días.")],
        [text("**Objetivo:** responder en [10 días](https://ley.example/1755).")],
    )
    [block] = result.blocks
    shown = "".join(s.text for s in block.text)
    assert "**" not in shown and "](" not in shown
    assert ops(block.text, DELETE) == ["15"] and ops(block.text, INSERT) == ["10"]
    assert shown.startswith("Objetivo: responder en")
