"""HTML of the structured blocks, for the page and for the print template: one model, two views.

Headers, labels and keys come from the kinds' declarations (qms.documents.block_kinds): a kind
of rows of text without a renderer here is drawn as a table, a kind of plain fields as a list.

Every value is escaped here; the only markup is ours. Related documents and a step's form are
looked up by code when the block is shown, so they always name the version in force. The
print view drops links (a PDF has nowhere to go) and lays form fields out as a blank form.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from qms.core.db import db
from qms.core.timefmt import format_day
from qms.documents import iso9001
from qms.documents.block_kinds import KINDS, BlockKind
from qms.documents.flowchart import steps_flowchart
from qms.documents.flowchart_pages import steps_flowchart_parts
from qms.documents.queries import in_force_by_code


def cell_html(value: Any) -> Markup:
    """Plain text with its line breaks kept visible."""
    return Markup("<br>").join(escape(part) for part in str(value or "").split("\n"))


def _title(block: dict[str, Any]) -> Markup:
    text = block.get("title") or ""
    return Markup('<h3 class="block-title">%s</h3>') % text if text else Markup("")


def _table(headers: list[str], rows: list[list[Markup]], css: str = "") -> Markup:
    head = Markup("").join(Markup('<th scope="col">%s</th>') % h for h in headers)
    body = Markup("").join(
        Markup("<tr>%s</tr>") % Markup("").join(Markup("<td>%s</td>") % c for c in row)
        for row in rows
    )
    return Markup(
        '<div class="table-wrap"><table class="list content-table %s">'
        "<thead><tr>%s</tr></thead><tbody>%s</tbody></table></div>"
    ) % (css, head, body)


def _empty() -> Markup:
    return Markup('<p class="muted">%s</p>') % _("Nothing recorded yet.")


def _choice(kind: BlockKind) -> Any:
    return next(f for f in kind.fields if f.input == "choice")


def phase_names() -> dict[str, str]:
    return {value: str(label) for value, label in _choice(KINDS["sipoc"]).choices}


def render_sipoc(block: dict[str, Any], *, for_print: bool = False) -> Markup:
    """One table, the rows grouped under their PHVA phase as the characterisations show."""
    sipoc = KINDS["sipoc"]
    phase = _choice(sipoc)
    shown = [f for f in sipoc.fields if f is not phase]
    rows = block.get(sipoc.rows or "rows") or []
    if not rows:
        return _title(block) + _empty()
    parts = []
    for letter, name in phase_names().items():
        in_phase = [row for row in rows if row.get(phase.key) == letter]
        if not in_phase:
            continue
        parts.append(
            Markup('<tr class="phase"><th colspan="%d" scope="rowgroup">%s</th></tr>')
            % (len(shown), name.upper())
        )
        for row in in_phase:
            cells = Markup("").join(
                Markup("<td>%s</td>") % cell_html(row.get(f.key)) for f in shown
            )
            parts.append(Markup("<tr>%s</tr>") % cells)
    head = Markup("").join(Markup('<th scope="col">%s</th>') % f.column for f in shown)
    return _title(block) + Markup(
        '<div class="table-wrap"><table class="list content-table sipoc">'
        "<thead><tr>%s</tr></thead><tbody>%s</tbody></table></div>"
    ) % (head, Markup("").join(parts))


def _document_ref(code: str, found: Any, *, for_print: bool) -> Markup:
    """A code, linked on the page to its document when it exists."""
    if found is None or for_print:
        return escape(code)
    document, _version = found
    href = url_for("documents.show", document_id=document.id)
    return Markup('<a href="%s">%s</a>') % (href, code)


def render_steps(block: dict[str, Any], *, for_print: bool = False) -> Markup:
    """The flowchart drawn from the steps, then the steps as the procedure table."""
    steps = block.get("steps") or []
    if not steps:
        return _title(block) + _empty()
    forms = in_force_by_code(db.session, [s["form_code"] for s in steps if s.get("form_code")])
    labels = {
        "start_label": _("Start"),
        "end_label": _("End"),
        "yes_label": _("Yes"),
        "no_label": _("No"),
    }
    if for_print:
        # An SVG never breaks across pages: print the chart in page-sized parts.
        parts = steps_flowchart_parts(
            steps, continued_from=_("from step %s"), continues_at=_("to step %s"), **labels
        )
    else:
        parts = [steps_flowchart(steps, **labels)]
    rows = []
    for step in steps:
        decision = step.get("decision")
        task = cell_html(step.get("task"))
        if decision:
            question = cell_html(decision.get("question") or step.get("task"))
            branches = _("Yes → step %(yes)s · No → step %(no)s", **decision)
            task = Markup('%s<br><span class="decision">%s</span>') % (question, branches)
        records = cell_html(step.get("records"))
        code = step.get("form_code")
        if code:
            ref = _document_ref(code, forms.get(code), for_print=for_print)
            records = Markup("%s%s%s") % (records, Markup("<br>") if records else "", ref)
        rows.append(
            [
                escape(step.get("id", "")),
                task,
                cell_html(step.get("who")),
                cell_html(step.get("how")),
                records,
            ]
        )
    # The form and the decision are shown within the records and the task.
    headers = [f.column for f in KINDS["steps"].fields if f.key not in ("form_code", "decision")]
    figure = Markup("").join(Markup('<figure class="flowchart">%s</figure>') % p for p in parts)
    if not for_print:
        # A long procedure's chart is tall: the reader may fold it away to reach the table.
        figure = Markup('<details class="flowchart" open><summary>%s</summary>%s</details>') % (
            _("Flowchart"),
            figure,
        )
    return _title(block) + figure + _table(headers, rows, "steps")


def _rows_renderer(kind: BlockKind) -> Callable[..., Markup]:
    """A kind of rows without a renderer of its own: one column per declared field."""

    def render(block: dict[str, Any], *, for_print: bool = False) -> Markup:
        rows = block.get(kind.rows or "rows") or []
        if not rows:
            return _title(block) + _empty()
        cells = [[cell_html(f.shown(row.get(f.key))) for f in kind.fields] for row in rows]
        return _title(block) + _table([f.column for f in kind.fields], cells)

    return render


def _facts_renderer(kind: BlockKind) -> Callable[..., Markup]:
    """A kind of plain fields (the resources): each filled field as a term and its text."""

    def render(block: dict[str, Any], *, for_print: bool = False) -> Markup:
        items = [
            Markup("<dt>%s</dt><dd>%s</dd>") % (str(f.label), cell_html(f.shown(block.get(f.key))))
            for f in kind.fields
            if block.get(f.key)
        ]
        if not items:
            return _title(block) + _empty()
        css = Markup("facts %s") % kind.kind
        return _title(block) + Markup('<dl class="%s">%s</dl>') % (css, Markup("").join(items))

    return render


def _list(items: list[Markup]) -> Markup:
    return Markup("<ul>%s</ul>") % Markup("").join(Markup("<li>%s</li>") % i for i in items)


def render_requirements(block: dict[str, Any], *, for_print: bool = False) -> Markup:
    from flask_babel import get_locale

    language = str(get_locale() or "es")
    parts = []
    clauses = [
        Markup('<span class="clause">%s</span> %s')
        % (number, iso9001.title_of(number, language) or "")
        for number in block.get("iso") or []
    ]
    iso, legal, internal = KINDS["requirements"].fields
    sections = (
        (iso.column, clauses),
        (str(legal.label), [escape(t) for t in block.get(legal.key) or []]),
        (str(internal.label), [escape(t) for t in block.get(internal.key) or []]),
    )
    for heading, items in sections:
        if items:
            parts.append(Markup("<h4>%s</h4>%s") % (heading, _list(items)))
    if not parts:
        return _title(block) + _empty()
    return _title(block) + Markup('<div class="requirements">%s</div>') % Markup("").join(parts)


def render_related(block: dict[str, Any], *, for_print: bool = False) -> Markup:
    """Each code with its title and the version in force today, whatever the block was."""
    codes = block.get("codes") or []
    if not codes:
        return _title(block) + _empty()
    found = in_force_by_code(db.session, codes)
    rows = []
    for code in codes:
        match = found.get(code)
        version = match[1] if match else None
        if match is None:
            title, state = Markup(""), _("No such document")
        elif version is None:
            title, state = Markup(""), _("No version in force")
        else:
            title = escape(match[0].title)
            day = format_day(version.effective_from) or "—"
            state = _("Version %(n)d, in force since %(day)s", n=version.number, day=day)
        rows.append([_document_ref(code, match, for_print=for_print), title, escape(state)])
    return _title(block) + _table([_("Code"), _("Title"), _("Version in force")], rows)


def _blank(field: dict[str, Any]) -> Markup:
    kind = field.get("type")
    if kind == "checkbox":
        return Markup('<span class="box">☐</span>')
    if kind == "choice":
        return Markup(" ").join(
            Markup('<span class="option"><span class="box">☐</span> %s</span>') % option
            for option in field.get("options") or []
        )
    if kind == "date":
        return Markup('<span class="blank">____ / ____ / ________</span>')
    return Markup('<span class="blank line"></span>')


def render_form_fields(block: dict[str, Any], *, for_print: bool = False) -> Markup:
    """On the page the form's definition; printed, the blank form to fill in by hand."""
    fields = block.get("fields") or []
    if not fields:
        return _title(block) + _empty()
    declared = KINDS["form_fields"]
    types = {value: str(label) for value, label in declared.field("type").choices}
    if for_print:
        rows = [
            [
                Markup("%s%s") % (f["label"], Markup(" *") if f.get("required") else ""),
                _blank(f),
            ]
            for f in fields
        ]
        return _title(block) + _table([_("Field"), _("Entry")], rows, "blank-form")
    rows = [
        [
            escape(f["label"]),
            escape(types.get(f.get("type", ""), f.get("type", ""))),
            escape(_("Yes") if f.get("required") else _("No")),
            escape(", ".join(f.get("options") or [])),
        ]
        for f in fields
    ]
    return _title(block) + _table([f.column for f in declared.fields], rows)


# The kinds drawn unlike a table of their fields; every other structured kind is drawn from
# its declaration.
CUSTOM: dict[str, Callable[..., Markup]] = {
    "sipoc": render_sipoc,
    "steps": render_steps,
    "requirements": render_requirements,
    "related": render_related,
    "form_fields": render_form_fields,
}


def _renderer(kind: BlockKind) -> Callable[..., Markup]:
    if kind.kind in CUSTOM:
        return CUSTOM[kind.kind]
    return _rows_renderer(kind) if kind.rows else _facts_renderer(kind)


# The free kinds (text, table) are drawn by qms.documents.rendering.
STRUCTURED: dict[str, Callable[..., Markup]] = {
    name: _renderer(kind) for name, kind in KINDS.items() if not kind.prose and kind.tabler is None
}
PAGE_RENDERERS: dict[str, Callable[[dict[str, Any]], Markup]] = dict(STRUCTURED)
PRINT_RENDERERS: dict[str, Callable[[dict[str, Any]], Markup]] = {
    kind: partial(render, for_print=True) for kind, render in STRUCTURED.items()
}
