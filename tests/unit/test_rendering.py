"""Markdown and table rendering: ordinary Markdown kept, anything active neutralised."""

from __future__ import annotations

import pytest

from qms.core.errors import ValidationFailed
from qms.documents.forms import table_to_text, text_to_table
from qms.documents.rendering import render_block, render_markdown, render_table


def test_ordinary_markdown_is_kept() -> None:
    html = str(render_markdown("# Objetivo\n\n**Atender** a *tiempo*:\n\n- uno\n- dos"))
    assert "<h3>Objetivo</h3>" in html  # demoted below the page's own h1/h2
    assert "<strong>Atender</strong>" in html and "<em>tiempo</em>" in html
    assert "<ul>" in html and "<li>uno</li>" in html


def test_links_keep_safe_schemes_only() -> None:
    html = str(render_markdown("[a](https://example.org) [b](mailto:x@example.org)"))
    assert 'href="https://example.org"' in html and 'href="mailto:x@example.org"' in html
    assert 'rel="noopener noreferrer"' in html


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="javascript:alert(1)">x</a>',
    ],
)
def test_dangerous_links_lose_their_target(source: str) -> None:
    html = str(render_markdown(source)).lower()
    # A live link has no target; raw HTML only ever appears escaped (&lt;a ...).
    assert '<a href="javascript' not in html and '<a href="data' not in html
    assert "<a rel" in html or "&lt;a href" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<div onclick="alert(1)">hi</div>',
        "<iframe src=https://evil.example></iframe>",
        "texto <b onmouseover=alert(1)>negrita</b>",
        "<style>body{display:none}</style>",
    ],
)
def test_raw_html_never_comes_through(source: str) -> None:
    html = str(render_markdown(source))
    for tag in ("<script", "<img", "<div", "<iframe", "<b ", "<style"):
        assert tag not in html
    assert "onerror=" not in html or "&lt;" in html  # only as escaped text


def test_raw_html_is_shown_as_text() -> None:
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in str(
        render_markdown("<script>alert(1)</script>")
    )


def test_table_block_is_escaped() -> None:
    block = {
        "kind": "table",
        "title": "<b>Roles</b>",
        "columns": ["Rol", "<script>x</script>"],
        "rows": [["Líder", "uno\ndos"]],
    }
    html = str(render_table(block))
    assert "<caption>&lt;b&gt;Roles&lt;/b&gt;</caption>" in html
    assert '<th scope="col">&lt;script&gt;x&lt;/script&gt;</th>' in html
    assert "<td>uno<br>dos</td>" in html


def test_unknown_block_kind_is_named_not_failed() -> None:
    assert "widget" in str(render_block({"kind": "widget", "rows": []}))


def test_table_text_round_trips_escapes() -> None:
    block = {"columns": ["A", "B|C"], "rows": [["x\\y", "línea\nnueva"]]}
    text = table_to_text(block)
    assert text == "A | B\\|C\nx\\\\y | línea\\nnueva"
    assert text_to_table(text, 1) == (["A", "B|C"], [["x\\y", "línea\nnueva"]])


def test_table_text_with_a_short_row_is_refused() -> None:
    with pytest.raises(ValidationFailed) as raised:
        text_to_table("A | B | C\n1 | 2", 2)
    assert raised.value.field == "table"
