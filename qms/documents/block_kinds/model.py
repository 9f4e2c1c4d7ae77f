"""The shape of a block kind's declaration, and what every view derives from its fields.

A kind says once which fields it holds (key, label, input, choices, the required one); the
validator, the empty block, the table that the page, the print, search and the redline read,
the editor's configuration and the JSON Schema are all computed from that.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from qms.documents.block_fields import cell, fail, flag, records, string_list, title

Block = dict[str, Any]
Table = dict[str, Any]

# How a value is entered and stored: one line of text, a few lines, Markdown, a list of texts,
# one of fixed choices, yes/no, ISO clause numbers, a step's decision, a table's grid.
INPUTS = ("line", "text", "markdown", "list", "choice", "flag", "clauses", "decision", "grid")
_LISTS = ("list", "clauses")


def _decision_text(decision: Any) -> str:
    if not decision:
        return ""
    return _(
        "%(question)s Yes → step %(yes)s · No → step %(no)s",
        question=decision.get("question", ""),
        yes=decision.get("yes", ""),
        no=decision.get("no", ""),
    ).strip()


@dataclass(frozen=True)
class Field:
    key: str
    label: Any  # lazy_gettext: the editor's label
    input: str = "text"
    heading: Any = None  # the table's column header, where it says it shorter than the label
    choices: tuple[tuple[str, Any], ...] = ()  # (stored value, label), the first the default
    aliases: Mapping[str, str] = field(default_factory=dict)  # casefolded spellings accepted
    show_value: bool = False  # the editor names a choice as "P · Plan"
    item_label: Any = None  # a list's word for one item, "%(n)s" its number
    # A row that lacks this field is refused with this message (given the row's number).
    required: Callable[[int], Any] | None = None
    invalid: Callable[[int, str], Any] | None = None  # a choice outside the choices
    upper: bool = False  # codes are stored in capitals
    raw_in_table: bool = False  # a choice the table shows as stored, not by its label
    # The editor fills choices, flags and a step's number itself: they alone leave a row empty.
    fills_row: bool | None = None  # None: all but choices and flags
    # How real Word documents head this column beyond its label (folded: lower case, no
    # accents), for the import to recognise their tables.
    headers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.input not in INPUTS:
            raise ValueError(f"unknown input {self.input!r} of field {self.key!r}")
        if self.fills_row is None:
            object.__setattr__(self, "fills_row", self.input not in ("choice", "flag"))

    @property
    def empty(self) -> Any:
        if self.input in _LISTS:
            return []
        if self.input == "choice":
            return self.choices[0][0]
        if self.input == "flag":
            return False
        if self.input == "decision":
            return None
        return ""

    @property
    def column(self) -> str:
        return str(self.heading if self.heading is not None else self.label)

    def clean(self, value: Any) -> Any:
        """The stored form of a posted value; choices are checked later, with the row's number."""
        if self.input in _LISTS:
            items = string_list(value)
            return [item.upper() for item in items] if self.upper else items
        if self.input == "flag":
            return flag(value)
        text = cell(value)
        if self.input == "choice":
            text = text or self.empty
            return self.aliases.get(text.casefold(), text)
        return text.upper() if self.upper else text

    def check_choice(self, value: str, n: int) -> None:
        if self.input == "choice" and value not in {v for v, _label in self.choices}:
            assert self.invalid is not None, f"choice field {self.key} names no message"
            fail(self.invalid(n, value))

    def shown(self, value: Any) -> str:
        """The value as a table cell reads it."""
        if self.input == "decision":
            return _decision_text(value)
        if self.input == "choice" and not self.raw_in_table:
            return str(dict(self.choices).get(value, value or ""))
        if self.input == "flag":
            return _("Yes") if value else _("No")
        if self.input in _LISTS:
            return ", ".join(value or [])
        return str(value or "")

    def schema(self) -> dict[str, Any]:
        described: dict[str, Any] = {"description": str(self.label)}
        if self.input in _LISTS:
            return {"type": "array", "items": {"type": "string"}, **described}
        if self.input == "choice":
            return {"type": "string", "enum": [v for v, _label in self.choices], **described}
        if self.input == "flag":
            return {"type": "boolean", **described}
        if self.input == "decision":
            answer = {"type": "string"}
            parts = {"question": {"type": "string"}, "yes": answer, "no": answer}
            return {"type": ["object", "null"], "properties": parts, **described}
        if self.input == "grid":
            rows = {"type": "array", "items": {"type": "string"}}
            return {"type": "array", "items": rows, **described}
        return {"type": "string", **described}

    def editor(self) -> dict[str, Any]:
        """What block-editor.js needs to draw this field's input."""
        config: dict[str, Any] = {"key": self.key, "label": str(self.label), "input": self.input}
        if self.choices:
            config["choices"] = [[value, str(label)] for value, label in self.choices]
            config["showValue"] = self.show_value
        if self.item_label is not None:
            config["item"] = str(self.item_label)
        # A pasted table's header row is recognised by these, as the Word import does.
        if self.heading is not None:
            config["heading"] = str(self.heading)
        if self.headers:
            config["headers"] = list(self.headers)
        if self.aliases:
            config["aliases"] = dict(self.aliases)
        config["empty"] = self.empty
        return config


@dataclass(frozen=True)
class BlockKind:
    kind: str
    label: Any  # lazy_gettext: the kind's name in the editor
    fields: tuple[Field, ...]
    place: int  # where a new version's blocks put it (the examples' order)
    rows: str | None = None  # the key of its list of rows; None: the fields sit on the block
    titled: bool = True
    starter_title: Any = ""  # the title a new document's block of this kind starts with
    # The block editor's layout: "grid" (rows as a table of inputs), "form" (the fields one
    # under another), "steps", "table", "text".
    editor: str = "form"
    # Rules beyond the fields: over one cleaned row (with its number and the rows kept so far),
    # over the whole cleaned block; or a cleaner of its own for a kind that is not rows of
    # fields (text, the free table, steps).
    check_row: Callable[[dict[str, Any], int, list[dict[str, Any]]], None] | None = None
    finish: Callable[[Block], Block] | None = None
    cleaner: Callable[[Block], Block] | None = None
    # A table view of its own (the free table); None: one column per field, or for a kind
    # without rows one line per field (or per item of a list field).
    tabler: Callable[[Block], Table] | None = None
    # A kind without rows reads as (field, value) lines under these two headings.
    pair_headings: tuple[Any, Any] | tuple[()] = ()
    prose: bool = False  # read as text (Markdown), not as a table
    empty_override: Mapping[str, Any] | None = None

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    # --- cleaning ------------------------------------------------------------------------

    def clean(self, block: Block) -> Block:
        """The validated, normalised copy; raises ValidationFailed on the first fault."""
        if self.cleaner is not None:
            return self.cleaner(block)
        cleaned: Block = {"kind": self.kind}
        if self.titled:
            cleaned["title"] = title(block)
        if self.rows is None:
            fields = {f.key: f.clean(block.get(f.key, f.empty)) for f in self.fields}
            self._check(fields, 1)
            cleaned |= fields
        else:
            cleaned[self.rows] = self._clean_rows(block)
        return self.finish(cleaned) if self.finish is not None else cleaned

    def _clean_rows(self, block: Block) -> list[dict[str, Any]]:
        kept: list[dict[str, Any]] = []
        for n, row in enumerate(records(block, self.rows or "rows"), start=1):
            clean = {f.key: f.clean(row.get(f.key)) for f in self.fields}
            # A row the editor added but nobody filled is dropped, not refused.
            if not any(clean[f.key] for f in self.fields if f.fills_row):
                continue
            self._check(clean, n)
            if self.check_row is not None:
                self.check_row(clean, n, kept)
            kept.append(clean)
        return kept

    def _check(self, values: dict[str, Any], n: int) -> None:
        """The required fields first, then the choices (the order the messages came in)."""
        for f in self.fields:
            if f.required is not None and not values[f.key]:
                fail(f.required(n))
        for f in self.fields:
            f.check_choice(values[f.key], n)

    def empty(self) -> Block:
        """The block the editor adds: every field at its empty value."""
        if self.empty_override is not None:
            return copy.deepcopy(dict(self.empty_override))
        block: Block = {"kind": self.kind}
        if self.titled:
            block["title"] = ""
        if self.rows is not None:
            block[self.rows] = []
        else:
            block |= {f.key: f.empty for f in self.fields}
        return block

    # --- views ---------------------------------------------------------------------------

    def table(self, block: Block) -> Table:
        """{columns, rows} of plain text: what the page's tables, the redline and search read."""
        if self.tabler is not None:
            return self.tabler(block)
        if self.rows is None and not self.pair_headings:
            # A single list (related codes): one line per item.
            only = self.fields[0]
            return {"columns": [only.column], "rows": [[i] for i in block.get(only.key) or []]}
        if self.rows is None:
            lines = [
                [f.column, item]
                for f in self.fields
                for item in (
                    block.get(f.key) or [] if f.input in _LISTS else [f.shown(block.get(f.key))]
                )
            ]
            return {"columns": [str(h) for h in self.pair_headings], "rows": lines}
        return {
            "columns": [f.column for f in self.fields],
            "rows": [
                [f.shown(row.get(f.key)) for f in self.fields] for row in block.get(self.rows) or []
            ],
        }

    def plain_text(self, block: Block) -> str:
        """What a reader sees of the block as plain text, for search: a prose block's words (no
        Markdown source), any other block's title, headers and cells."""
        if self.prose:
            # Imported here: rendering draws the structured kinds, which read these declarations.
            from qms.documents.rendering import markdown_text

            return markdown_text(str(block.get(self.fields[0].key) or ""))
        table = self.table(block)
        cells = [str(block.get("title") or ""), *map(str, table["columns"])]
        cells += [str(cell or "") for row in table["rows"] for cell in row]
        return "\n".join(cell for cell in cells if cell)

    def editor_config(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": str(self.label),
            "editor": self.editor,
            "titled": self.titled,
            "rows": self.rows,
            "fields": [f.editor() for f in self.fields],
        }

    def json_schema(self) -> dict[str, Any]:
        properties: dict[str, Any] = {"kind": {"const": self.kind}}
        if self.titled:
            properties["title"] = {"type": "string"}
        fields = {f.key: f.schema() for f in self.fields}
        if self.rows is None:
            properties |= fields
        else:
            row = {"type": "object", "properties": fields}
            properties[self.rows] = {"type": "array", "items": row}
        return {
            "title": str(self.label),
            "type": "object",
            "properties": properties,
            "required": ["kind"],
        }
