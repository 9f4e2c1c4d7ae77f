"""Every structured block seen as a plain table of text: what the redline compares row by row
and what a search index reads. Headers are in the reader's language; values are as stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _

Table = dict[str, Any]


def _phase(letter: str) -> str:
    names = {"P": _("Plan"), "H": _("Do"), "V": _("Check"), "A": _("Act")}
    return names.get(letter, letter)


def _sipoc(block: dict[str, Any]) -> Table:
    keys = ("suppliers", "inputs", "activity", "outputs", "clients")
    return {
        "columns": [
            _("Phase"),
            _("Suppliers"),
            _("Inputs"),
            _("Activity"),
            _("Outputs"),
            _("Clients"),
        ],
        "rows": [
            [_phase(r.get("phase", "")), *(r.get(k, "") for k in keys)]
            for r in block.get("rows") or []
        ],
    }


def _step_row(step: dict[str, Any]) -> list[str]:
    decision = step.get("decision") or {}
    branches = ""
    if decision:
        branches = _(
            "%(question)s Yes → step %(yes)s · No → step %(no)s",
            question=decision.get("question", ""),
            yes=decision.get("yes", ""),
            no=decision.get("no", ""),
        ).strip()
    return [
        step.get("id", ""),
        step.get("task", ""),
        step.get("who", ""),
        step.get("how", ""),
        step.get("records", ""),
        step.get("form_code", ""),
        branches,
    ]


def _steps(block: dict[str, Any]) -> Table:
    return {
        "columns": [
            _("No."),
            _("Task"),
            _("Who"),
            _("How"),
            _("Records"),
            _("Form"),
            _("Decision"),
        ],
        "rows": [_step_row(step) for step in block.get("steps") or []],
    }


def _rows(keys: tuple[str, ...], headers: Callable[[], list[str]]) -> Callable[..., Table]:
    def table(block: dict[str, Any]) -> Table:
        rows = [[row.get(key, "") for key in keys] for row in block.get("rows") or []]
        return {"columns": headers(), "rows": rows}

    return table


def _requirements(block: dict[str, Any]) -> Table:
    groups = (("ISO 9001:2015", "iso"), (_("Legal"), "legal"), (_("Internal"), "internal"))
    rows = [[label, item] for label, key in groups for item in block.get(key) or []]
    return {"columns": [_("Kind"), _("Requirement")], "rows": rows}


def _resources(block: dict[str, Any]) -> Table:
    labels = (
        ("human", _("Human")),
        ("physical", _("Physical")),
        ("technological", _("Technological")),
        ("environment", _("Work environment")),
    )
    return {
        "columns": [_("Resource"), _("Description")],
        "rows": [[label, block.get(key, "")] for key, label in labels],
    }


def _related(block: dict[str, Any]) -> Table:
    return {"columns": [_("Code")], "rows": [[code] for code in block.get("codes") or []]}


def _form_fields(block: dict[str, Any]) -> Table:
    rows = [
        [
            f.get("label", ""),
            f.get("type", ""),
            _("Yes") if f.get("required") else _("No"),
            ", ".join(f.get("options") or []),
        ]
        for f in block.get("fields") or []
    ]
    return {"columns": [_("Field"), _("Type"), _("Required"), _("Options")], "rows": rows}


TABLES: dict[str, Callable[[dict[str, Any]], Table]] = {
    "sipoc": _sipoc,
    "steps": _steps,
    "indicators": _rows(
        ("name", "formula", "target", "frequency", "responsible"),
        lambda: [_("Indicator"), _("Formula"), _("Target"), _("Frequency"), _("Responsible")],
    ),
    "requirements": _requirements,
    "controls": _rows(
        ("activity", "variable", "criterion", "responsible", "frequency", "evidence", "action"),
        lambda: [
            _("Activity"),
            _("Variable"),
            _("Criterion"),
            _("Responsible"),
            _("Frequency"),
            _("Evidence"),
            _("Action"),
        ],
    ),
    "resources": _resources,
    "related": _related,
    "form_fields": _form_fields,
}


def as_table(block: dict[str, Any]) -> Table | None:
    """{title, columns, rows} of a structured block (or a table block); None for text."""
    kind = block.get("kind")
    if kind == "table":
        return {
            "title": block.get("title", ""),
            "columns": list(block.get("columns") or []),
            "rows": [list(row) for row in block.get("rows") or []],
        }
    maker = TABLES.get(str(kind))
    if maker is None:
        return None
    table = maker(block)
    table["title"] = block.get("title", "")
    table["rows"] = [[str(value or "") for value in row] for row in table["rows"]]
    return table
