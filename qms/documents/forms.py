"""Forms of the document pages, and the plain-text format of table blocks in the editor."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from qms.core.errors import ValidationFailed
from qms.core.forms import optional_int
from qms.documents.editor_forms import EMPTY_BLOCKS, block_to_json, empty_block, parse_block_json

TABLE_HINT = _l(
    'First line: the column names; then one line per row. Separate cells with " | ". '
    "Write \\| for a bar inside a cell and \\n for a line break."
)
SEPARATOR = " | "


class DocumentFilterForm(FlaskForm):
    """The list's filters, read from the query string: no CSRF, nothing changes."""

    class Meta:
        csrf = False

    q = StringField(_l("Code or title"), validators=[Optional(), Length(max=100)])
    # Not `process`: that name is a method of every WTForms form.
    process_id = SelectField(_l("Process"), coerce=optional_int, validate_choice=False)
    type_id = SelectField(_l("Type"), coerce=optional_int, validate_choice=False)


class DocumentCreateForm(FlaskForm):
    type_id = SelectField(_l("Document type"), coerce=optional_int, validate_choice=True)
    process_id = SelectField(_l("Process"), coerce=optional_int, validate_choice=True)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    code = StringField(
        _l("Code"),
        validators=[Optional(), Length(max=40)],
        description=_l(
            "Empty: the next code of the type's pattern. Or the code the document already has,"
            " e.g. O.BP.C10: uppercase letters, digits, '.', '_' or '-'."
        ),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    owner_id = SelectField(_l("Owner"), coerce=optional_int, validate_choice=True)
    parent_id = SelectField(
        _l("Parent document"),
        coerce=optional_int,
        validate_choice=True,
        description=_l("For forms: the procedure they belong to (their code derives from it)."),
    )
    review_interval_months = IntegerField(
        _l("Review interval (months)"),
        validators=[Optional(), NumberRange(min=1, max=120)],
        description=_l("Empty: the document type's interval."),
    )
    retention_years = IntegerField(
        _l("Retention (years)"), default=5, validators=[DataRequired(), NumberRange(0, 100)]
    )
    external_source = StringField(_l("Source"), validators=[Optional(), Length(max=300)])
    external_edition = StringField(_l("Edition"), validators=[Optional(), Length(max=100)])
    next_verification_on = DateField(_l("Next verification"), validators=[Optional()])
    submit = SubmitField(_l("Create document"))

    def set_choices(self, types: list, processes: list, users: list, parents: list) -> None:
        self.type_id.choices = [(t.id, t.name) for t in types]
        self.process_id.choices = [
            (p.id, f"{p.code} · {p.name}") for p in sorted(processes, key=lambda p: p.code)
        ]
        self.owner_id.choices = [
            (u.id, f"{u.full_name} ({u.username})")
            for u in sorted(users, key=lambda u: u.full_name.lower())
        ]
        self.parent_id.choices = [("", _l("— none —"))] + [
            (d.id, f"{d.code} · {d.title}") for d in parents
        ]


class BlockForm(Form):
    """One block in the editor; `origin` is its index in the stored content."""

    kind = HiddenField()
    origin = HiddenField()
    text = TextAreaField(_l("Text (Markdown)"), validators=[Optional()])
    title = StringField(_l("Table title"), validators=[Optional(), Length(max=5000)])
    table = TextAreaField(_l("Table"), validators=[Optional()], description=TABLE_HINT)
    # Other kinds without JavaScript: the block as JSON, validated on save.
    json = TextAreaField(_l("Block content (JSON)"), validators=[Optional()])


class DraftForm(FlaskForm):
    blocks = FieldList(FormField(BlockForm), max_entries=300)
    change_summary = TextAreaField(
        _l("Change description"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Required from the second version on."),
    )


class AttachmentForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired()])
    submit = SubmitField(_l("Attach"))


class RemoveAttachmentForm(FlaskForm):
    submit = SubmitField(_l("Remove"))


class StartDraftForm(FlaskForm):
    submit = SubmitField(_l("Start a new version"))


class CorrectCodeForm(FlaskForm):
    code = StringField(_l("New code"), validators=[DataRequired(), Length(max=40)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Correct the code"))


def _escape_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "\\n")


def table_to_text(block: dict[str, Any]) -> str:
    """Columns on the first line, one line per row, cells joined by " | " (escaped)."""
    lines = [block.get("columns") or [""], *(block.get("rows") or [])]
    return "\n".join(SEPARATOR.join(_escape_cell(c) for c in line) for line in lines)


def _split_line(line: str) -> list[str]:
    """Cells of one line: split on unescaped bars; \\| \\n \\\\ are a bar, a newline, a slash."""
    cells, current, chars = [], [], iter(line)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            current.append({"n": "\n", "|": "|", "\\": "\\"}.get(following, "\\" + following))
        elif char == "|":
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    cells.append("".join(current).strip())
    return cells


def text_to_table(text: str, position: int) -> tuple[list[str], list[list[str]]]:
    """Parse the editor's table text; a row with the wrong number of cells is refused."""
    lines = [line for line in (text or "").replace("\r\n", "\n").split("\n") if line.strip()]
    if not lines:
        return [""], []
    columns = _split_line(lines[0])
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        cells = _split_line(line)
        if len(cells) != len(columns):
            raise ValidationFailed(
                str(
                    _l(
                        "Block %(block)d, line %(line)d: %(cells)d cells where the table has "
                        "%(columns)d columns.",
                        block=position,
                        line=number,
                        cells=len(cells),
                        columns=len(columns),
                    )
                ),
                field="table",
            )
        rows.append(cells)
    return columns, rows


def draft_form(
    draft: Any, *, fill: bool, content: list[Any] | None = None, summary: str | None = None
) -> DraftForm:
    """The editor's form: filled from the stored draft (or the given content and summary),
    or (fill=False) from the request only."""
    if not fill:
        return DraftForm()
    entries = []
    blocks = draft.content if content is None else content
    for origin, block in enumerate(blocks):
        block = block if isinstance(block, dict) else {"kind": "", "value": block}
        entry = {"kind": block.get("kind", ""), "origin": str(origin)}
        if block.get("kind") == "text":
            entry["text"] = block.get("text", "")
        elif block.get("kind") == "table":
            entry.update(title=block.get("title", ""), table=table_to_text(block))
        else:
            entry["json"] = block_to_json(block)
        entries.append(entry)
    change_summary = draft.change_summary if summary is None else summary
    return DraftForm(formdata=None, data={"blocks": entries, "change_summary": change_summary})


def _stored_block(draft: Any, origin: str | None, kind: str) -> dict[str, Any]:
    """A block the editor does not edit (later kinds) is kept exactly as stored."""
    index = optional_int(origin)
    if index is None or not 0 <= index < len(draft.content):
        raise ValidationFailed(str(_l("The draft changed meanwhile; reload the page.")))
    block = draft.content[index]
    if block.get("kind") != kind:
        raise ValidationFailed(str(_l("The draft changed meanwhile; reload the page.")))
    return dict(block)


def posted_blocks(form: DraftForm, draft: Any) -> list[dict[str, Any]]:
    """Blocks from the editor; table faults are marked on their fields, then raised as one."""
    blocks: list[dict[str, Any]] = []
    faulty = False
    for position, entry in enumerate(form.blocks.entries, start=1):
        sub = entry.form
        kind = sub.kind.data or ""
        if kind == "text":
            blocks.append({"kind": "text", "text": sub.text.data or ""})
        elif kind == "table":
            try:
                columns, rows = text_to_table(sub.table.data or "", position)
            except ValidationFailed as error:
                sub.table.errors = [*sub.table.errors, error.message]
                faulty = True
                continue
            blocks.append(
                {"kind": "table", "title": sub.title.data or "", "columns": columns, "rows": rows}
            )
        elif sub.json.data is not None:
            try:
                blocks.append(parse_block_json(sub.json.data, kind, position))
            except ValidationFailed as error:
                sub.json.errors = [*sub.json.errors, error.message]
                faulty = True
        else:
            blocks.append(_stored_block(draft, sub.origin.data, kind))
    if faulty:
        raise ValidationFailed(str(_l("Some blocks need correcting; nothing was saved.")))
    return blocks


def apply_operation(blocks: list[dict[str, Any]], op: str) -> tuple[list[dict[str, Any]], str]:
    """Add, remove or move a block as the pressed button asks; returns the blocks and an anchor."""
    name, _sep, number = op.partition("-")
    if name == "add_text":
        blocks.append({"kind": "text", "text": ""})
        return blocks, f"block-{len(blocks) - 1}"
    if name == "add_table":
        blocks.append({"kind": "table", "title": "", "columns": [""], "rows": []})
        return blocks, f"block-{len(blocks) - 1}"
    if name == "add" and number in EMPTY_BLOCKS:
        blocks.append(empty_block(number))
        return blocks, f"block-{len(blocks) - 1}"
    index = optional_int(number)
    if name not in {"remove", "up", "down"} or index is None or not 0 <= index < len(blocks):
        return blocks, "content"
    if name == "remove":
        del blocks[index]
        return blocks, "content"
    target = index - 1 if name == "up" else index + 1
    if 0 <= target < len(blocks):
        blocks[index], blocks[target] = blocks[target], blocks[index]
        return blocks, f"block-{target}"
    return blocks, f"block-{index}"
