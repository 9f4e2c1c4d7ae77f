"""Paste from Word and Excel into the draft's block editor (paste.js), in a real Chromium.

A paste is a ClipboardEvent dispatched on the focused control with a DataTransfer filled as
Word, Excel or LibreOffice fill the clipboard (text/html, text/plain with tabs).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from qms.core.db import db
from qms.documents.models import DocumentVersion
from qms.documents.rendering import render_markdown
from tests.documents_fixtures import build_org, new_document
from tests.e2e.test_block_editor import add_block, sign_in
from tests.word_examples import example_docx

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Returns whether the page let the paste through (False: the editor handled it itself).
PASTE = """([id, html, text]) => {
  const dt = new DataTransfer();
  if (html !== null) { dt.setData('text/html', html); }
  if (text !== null) { dt.setData('text/plain', text); }
  const target = document.getElementById(id);
  target.focus();
  return target.dispatchEvent(new ClipboardEvent('paste',
    {clipboardData: dt, bubbles: true, cancelable: true}));
}"""


def paste(page: Any, target: str, html: str | None = None, text: str | None = None) -> bool:
    return bool(page.evaluate(PASTE, [target, html, text]))


def word_document(body: str) -> str:
    """What Word puts on the clipboard: a whole HTML document around the copied fragment."""
    return (
        "<html xmlns:o='urn:schemas-microsoft-com:office:office' "
        "xmlns:w='urn:schemas-microsoft-com:office:word'><head><meta charset=utf-8>"
        "<style>p.MsoNormal{margin:0cm}</style></head><body lang=ES-CO>"
        f"<!--StartFragment-->{body}<!--EndFragment--></body></html>"
    )


def open_editor(app: Flask, live_server: str, page: Any) -> int:
    org = build_org(app)
    _, version_id = new_document(app, org, text="Objetivo: responder a tiempo.")
    sign_in(page, live_server, "olga")
    page.goto(f"{live_server}/documents/versions/{version_id}/edit")
    page.wait_for_selector("#block-editor:not([hidden])")
    return version_id


def save(app: Flask, page: Any, version_id: int) -> list[dict[str, Any]]:
    with page.expect_navigation():
        page.locator("button[type=submit][value=save]").first.click()
    page.wait_for_selector("#block-editor:not([hidden])")
    assert page.locator(".alert-error:not([hidden])").count() == 0
    with app.app_context():
        return db.session.get(DocumentVersion, version_id).content


def values(page: Any, ids: list[str]) -> list[str]:
    return [page.input_value(f"#{i}") for i in ids]


SIPOC_KEYS = ["phase", "suppliers", "inputs", "activity", "outputs", "clients"]

EXCEL_RANGE = (
    "PLANEAR\tGerencia\tPlan anual\tPlanear la atención\tCronograma\tEquipo\r\n"
    'HACER\tUsuarios\t"PQRS\nescrita"\tAtender la PQRS\tRespuesta\tCiudadanía\r\n'
    "v\tSistema\tRegistros\t  Medir   tiempos \tInforme\tGerencia\r\n"
)

WORD_SIPOC = word_document(
    "<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0>"
    "<tr><td><p class=MsoNormal><b>FASE<o:p></o:p></b></p></td>"
    "<td><p class=MsoNormal><b>Proveedores</b></p></td><td><b>Entradas</b></td>"
    "<td><b>Actividades</b></td><td><b>Salidas</b></td><td><b>Clientes</b></td></tr>"
    "<tr><td colspan=6><p class=MsoNormal align=center><b>HACER<o:p></o:p></b></p></td></tr>"
    "<tr><td></td><td><p class=MsoNormal>Usuarios</p></td><td>Solicitud</td>"
    "<td><p class=MsoNormal>Radicar</p>\n<p class=MsoNormal>la   solicitud</p></td>"
    "<td>Radicado</td><td>Usuario</td></tr>"
    "<tr><td></td><td>Área</td><td>Radicado</td><td>Responder<br>al usuario</td>"
    "<td>Respuesta<img src=x onerror='window.__pwned = 1'></td>"
    "<td>Usuario<script>window.__pwned = 1</script></td></tr>"
    "<tr><td colspan=6><p class=MsoNormal>Verificar</p></td></tr>"
    "<tr><td></td><td>Calidad</td><td>Respuestas</td><td>Revisar tiempos</td>"
    "<td>Informe</td><td>Gerencia</td></tr>"
    "</table>"
)

WORD_STEPS = word_document(
    "<table class=MsoTableGrid border=1>"
    "<tr><td><b>No.</b></td><td><b>Tarea</b></td><td><b>Responsable</b></td>"
    "<td><b>Cómo</b></td><td><b>Registros</b></td><td><b>Formato</b></td></tr>"
    "<tr><td>1</td><td>Recibir la PQRS</td><td>Auxiliar</td><td>En ventanilla</td>"
    "<td>Radicado</td><td>f-01</td></tr>"
    "<tr><td>2</td><td>Clasificar</td><td>Profesional</td><td>Según tipo<br>y urgencia</td>"
    "<td></td><td></td></tr>"
    "</table>"
)

EXCEL_TABLE = (
    "<html><body><table border=0 cellpadding=0 cellspacing=0 width=256>"
    "<col width=64 span=3><tr height=20><td class=xl65>Rol</td><td>Función</td>"
    "<td>Autoridad</td></tr><tr height=20><td>Líder</td><td>Aprueba</td><td>Alta</td></tr>"
    "<tr height=20><td>Auxiliar</td><td>Radica</td><td>Baja</td></tr></table></body></html>"
)

LIST_ITEM = (
    "<p class={cls} style='margin-left:36.0pt;mso-add-space:auto;text-indent:-18.0pt;"
    "mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol;"
    "mso-fareast-font-family:Symbol'><span style='mso-list:Ignore'>·<span "
    "style='font:7.0pt \"Times New Roman\"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; "
    "</span></span></span><![endif]>{text}<o:p></o:p></p>\n"
)
WORD_TEXT = word_document(
    "<h1>Alcance<o:p></o:p></h1>\n"
    "<p class=MsoNormal>Aplica a <b>todas</b> las <i>PQRS</i>\ndel área_1 [interna] * 2."
    "<o:p></o:p></p>\n"
    "<p class=MsoHeading2 style='mso-outline-level:2'>Pasos</p>\n"
    + LIST_ITEM.format(cls="MsoListParagraphCxSpFirst", text="Recibir")
    + LIST_ITEM.format(cls="MsoListParagraphCxSpLast", text="Responder <b>a tiempo</b>")
    + "<p class=MsoNormal># 1 no es título<script>window.__pwned = 1</script></p>"
    + "<p class=MsoNormal>&lt;script&gt;<img src=x onerror='window.__pwned = 1'></p>"
)
WORD_MARKDOWN = (
    "### Alcance\n\n"
    "Aplica a **todas** las *PQRS* del área\\_1 \\[interna\\] \\* 2.\n\n"
    "### Pasos\n\n"
    "- Recibir\n"
    "- Responder **a tiempo**\n\n"
    "\\# 1 no es título\n\n"
    "<script>"
)


def test_excel_range_fills_sipoc_rows_with_their_phases(
    app: Flask, live_server: str, page: Any
) -> None:
    version_id = open_editor(app, live_server, page)
    add_block(page, "sipoc")
    page.keyboard.type("Caracterización")
    page.click("#be-1-rows-add")
    # A single value pasted into one input is the browser's own paste.
    assert paste(page, "be-1-rows-0-suppliers", text="Usuarios") is True
    assert paste(page, "be-1-rows-0-suppliers", html="<b>Usuarios</b>", text="Usuarios") is True
    # The caret in the phase select of the new row: the range fills it and two new rows.
    assert paste(page, "be-1-rows-0-phase", text=EXCEL_RANGE) is False
    assert values(page, [f"be-1-rows-{r}-phase" for r in range(3)]) == ["P", "H", "V"]
    assert values(page, [f"be-1-rows-1-{k}" for k in SIPOC_KEYS]) == [
        "H",
        "Usuarios",
        "PQRS\nescrita",
        "Atender la PQRS",
        "Respuesta",
        "Ciudadanía",
    ]
    assert page.locator("#be-1-rows-3-phase").count() == 0
    assert page.evaluate("document.activeElement.id") == "be-1-rows-0-phase"

    sipoc = save(app, page, version_id)[1]
    assert [[row[k] for k in SIPOC_KEYS] for row in sipoc["rows"]] == [
        ["P", "Gerencia", "Plan anual", "Planear la atención", "Cronograma", "Equipo"],
        ["H", "Usuarios", "PQRS\nescrita", "Atender la PQRS", "Respuesta", "Ciudadanía"],
        ["V", "Sistema", "Registros", "Medir tiempos", "Informe", "Gerencia"],
    ]
    assert page.problems.items == []


def test_word_tables_fill_sipoc_steps_and_a_free_table(
    app: Flask, live_server: str, page: Any
) -> None:
    version_id = open_editor(app, live_server, page)
    # SIPOC: the caret in the suppliers cell of an existing row; the header row is skipped,
    # the merged HACER and Verificar rows set the phase of the rows under them.
    add_block(page, "sipoc")
    page.click("#be-1-rows-add")
    page.fill("#be-1-rows-0-activity", "Se reemplaza")
    assert paste(page, "be-1-rows-0-suppliers", html=WORD_SIPOC, text="ignored\tby html") is False
    assert values(page, [f"be-1-rows-{r}-phase" for r in range(3)]) == ["H", "H", "V"]
    assert page.locator("#be-1-rows-3-phase").count() == 0

    # Steps: pasted on "Add a step" of an empty steps block; "No." need not match its label.
    add_block(page, "steps")
    assert paste(page, "be-2-steps-add", html=WORD_STEPS) is False
    assert values(page, ["be-2-steps-0-id", "be-2-steps-1-id", "be-2-steps-1-how"]) == [
        "1",
        "2",
        "Según tipo\ny urgencia",
    ]
    # Pasted again from the task column of a new third step: its number stays its own.
    page.click("#be-2-steps-add")
    steps_tsv = "Archivar\tAuxiliar\r\nCerrar\tLíder\r\n"
    assert paste(page, "be-2-steps-2-task", text=steps_tsv) is False

    # Free table: pasted into its first column's name, the first row names three columns; a
    # wider paste into the second row's last cell adds two more columns and a row.
    add_block(page, "table")
    assert paste(page, "be-3-col-0", html=EXCEL_TABLE) is False
    assert values(page, ["be-3-col-0", "be-3-col-1", "be-3-col-2"]) == [
        "Rol",
        "Función",
        "Autoridad",
    ]
    assert paste(page, "be-3-rows-1-2", text="Media\tSí\tAnual\nNula\tNo\tNunca\n") is False
    assert page.locator("[id^=be-3-col-]").count() == 5

    content = save(app, page, version_id)
    sipoc, steps, table = content[1], content[2], content[3]
    assert [[row[k] for k in SIPOC_KEYS] for row in sipoc["rows"]] == [
        ["H", "Usuarios", "Solicitud", "Radicar\nla solicitud", "Radicado", "Usuario"],
        ["H", "Área", "Radicado", "Responder\nal usuario", "Respuesta", "Usuario"],
        ["V", "Calidad", "Respuestas", "Revisar tiempos", "Informe", "Gerencia"],
    ]
    assert [
        (s["id"], s["task"], s["who"], s["how"], s["records"], s["form_code"])
        for s in steps["steps"]
    ] == [
        ("1", "Recibir la PQRS", "Auxiliar", "En ventanilla", "Radicado", "F-01"),
        ("2", "Clasificar", "Profesional", "Según tipo\ny urgencia", "", ""),
        ("3", "Archivar", "Auxiliar", "", "", ""),
        ("4", "Cerrar", "Líder", "", "", ""),
    ]
    assert table["columns"] == ["Rol", "Función", "Autoridad", "", ""]
    assert table["rows"] == [
        ["Líder", "Aprueba", "Alta", "", ""],
        ["Auxiliar", "Radica", "Media", "Sí", "Anual"],
        ["", "", "Nula", "No", "Nunca"],
    ]
    assert page.evaluate("window.__pwned") is None
    assert "script" not in str(content) and "onerror" not in str(content)
    assert page.problems.items == []


def test_word_text_becomes_markdown_at_the_caret(app: Flask, live_server: str, page: Any) -> None:
    version_id = open_editor(app, live_server, page)
    page.evaluate("""() => { const t = document.getElementById('be-0-text');
        t.focus(); t.setSelectionRange(t.value.length, t.value.length); }""")
    assert paste(page, "be-0-text", html=WORD_TEXT, text="plain") is False
    expected = "Objetivo: responder a tiempo.\n\n" + WORD_MARKDOWN
    assert page.input_value("#be-0-text") == expected
    # Plain text alone is the browser's paste.
    assert paste(page, "be-0-text", text="*literal*") is True

    text = save(app, page, version_id)[0]["text"]
    assert text == expected
    assert page.evaluate("window.__pwned") is None and "__pwned" not in text
    with app.app_context():
        html = str(render_markdown(text))
    assert "<strong>todas</strong>" in html and "<em>PQRS</em>" in html
    assert "<li>Recibir</li>" in html and "<strong>a tiempo</strong>" in html
    assert "área_1 [interna] * 2." in html and "# 1 no es título" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert page.problems.items == []
    _clipboard_readers_in_the_page(page)  # on the same page: one browser session less


def _clipboard_readers_in_the_page(page: Any) -> None:
    read = page.evaluate(
        """() => {
        const dt = (html, text) => { const d = new DataTransfer();
          if (html) { d.setData('text/html', html); } if (text) { d.setData('text/plain', text); }
          return d; };
        const P = window.QmsPaste;
        return {
          quoted: P.tableFromClipboard(dt(null, 'a\\t"b ""c""\\r\\nd"\\r\\n\\t\\r\\ne\\tf\\r\\n')),
          spans: P.tableFromClipboard(dt('<table><tr><td rowspan=2>P</td><td>x</td></tr>' +
            '<tr><td>y</td></tr><tr><td colspan=2>z</td></tr></table>')),
          lines: P.tableFromClipboard(dt(null, 'one\\ntwo')),
          none: P.tableFromClipboard(dt('<p>text</p>', 'text')),
          lists: P.markdownFromHtml('<ol><li>uno<ul><li>a</li></ul></li><li>dos</li></ol>' +
            '<p>- no lista</p><b style="font-weight:normal"><p>Docs <span ' +
            'style="font-weight:700">negrita</span></p></b>'),
        };
      }"""
    )
    assert read["quoted"] == [["a", 'b "c"\nd'], ["e", "f"]]
    assert read["spans"] == [["P", "x"], ["P", "y"], ["z", ""]]
    assert read["lines"] is None and read["none"] is None
    assert read["lists"] == "1. uno\n    - a\n2. dos\n\n\\- no lista\n\nDocs **negrita**"


def test_the_import_preview_edits_blocks_before_anything_is_saved(
    app: Flask, live_server: str, page: Any, tmp_path: Any
) -> None:
    build_org(app)
    source = tmp_path / "csc.docx"
    source.write_bytes(example_docx("atencion-al-cliente"))
    sign_in(page, live_server, "ana")
    page.goto(f"{live_server}/documents/import")
    page.set_input_files("input[name=file]", str(source))
    with page.expect_navigation():
        page.locator("form[action$='/import/preview'] [type=submit]").click()
    page.wait_for_selector("#block-editor:not([hidden])")
    assert page.locator("#fallback-editor").count() == 0  # the editor, not the read-only view
    blocks = json.loads(page.input_value("#content_json"))
    text = next(i for i, block in enumerate(blocks) if block["kind"] == "text")
    page.fill(f"#be-{text}-text", "Objetivo corregido antes de importar.")
    with page.expect_navigation():
        page.locator("input[name=save]").click()
    assert "/documents/" in page.url and "/import" not in page.url, page.content()[:2000]
    with app.app_context():
        version = db.session.scalar(
            sa.select(DocumentVersion).where(DocumentVersion.state == "effective")
        )
        assert version is not None
        assert version.content[text]["text"] == "Objetivo corregido antes de importar."
