"""Validators of the structured block kinds: SIPOC, steps, indicators, requirements, controls,
resources, related documents and form fields.

A fully empty row is dropped (the editor adds rows before they are filled); a row that says
something must say its key field. Every message names the row, and the editor adds the block.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l

from qms.documents import iso9001
from qms.documents.block_fields import cell, fail, flag, records, string_list, title

PHASES = ("P", "H", "V", "A")
PHASE_ALIASES = {
    "planear": "P",
    "plan": "P",
    "hacer": "H",
    "do": "H",
    "verificar": "V",
    "check": "V",
    "actuar": "A",
    "act": "A",
}
SIPOC_FIELDS = ("suppliers", "inputs", "activity", "outputs", "clients")
INDICATOR_FIELDS = ("name", "formula", "target", "frequency", "responsible")
CONTROL_FIELDS = (
    "activity",
    "variable",
    "criterion",
    "responsible",
    "frequency",
    "evidence",
    "action",
)
RESOURCE_FIELDS = ("human", "physical", "technological", "environment")
FIELD_TYPES = ("text", "number", "date", "choice", "checkbox", "signature")
CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,39}$")
STEP_ID = re.compile(r"^[\w.-]{1,20}$")


def _row_fields(row: dict[str, Any], fields: tuple[str, ...]) -> dict[str, str]:
    return {name: cell(row.get(name, "")) for name in fields}


def _phase(value: Any) -> str:
    text = cell(value).strip()
    phase = PHASE_ALIASES.get(text.casefold(), text.upper())
    if phase not in PHASES:
        fail(_l("The PHVA phase is one of P, H, V or A."))
    return phase


def _sipoc(block: dict[str, Any]) -> dict[str, Any]:
    rows = []
    for n, row in enumerate(records(block, "rows"), start=1):
        clean = _row_fields(row, SIPOC_FIELDS)
        if not any(clean.values()):
            continue
        if not clean["activity"]:
            fail(_l("Row %(n)d: the activity is required.", n=n))
        rows.append({"phase": _phase(row.get("phase") or "P"), **clean})
    return {"kind": "sipoc", "title": title(block), "rows": rows}


def _decision(step: dict[str, Any], n: int) -> dict[str, str] | None:
    decision = step.get("decision")
    if not decision:
        return None
    if not isinstance(decision, dict):
        fail(_l("Step %(n)d: a decision has a question and a yes and a no step.", n=n))
    return {
        "question": cell(decision.get("question", "")),
        "yes": cell(decision.get("yes", "")),
        "no": cell(decision.get("no", "")),
    }


def _steps(block: dict[str, Any]) -> dict[str, Any]:
    steps: list[dict[str, Any]] = []
    for n, step in enumerate(records(block, "steps"), start=1):
        clean = _row_fields(step, ("id", "task", "who", "how", "records", "form_code"))
        decision = _decision(step, n)
        if not any(v for k, v in clean.items() if k != "id") and decision is None:
            continue
        if not STEP_ID.match(clean["id"]):
            fail(_l("Step %(n)d: the step needs a short number (letters, digits, '.').", n=n))
        if any(other["id"] == clean["id"] for other in steps):
            fail(_l("Step number %(id)s is used twice.", id=clean["id"]))
        if decision is None and not clean["task"]:
            fail(_l("Step %(n)d: the task is required.", n=n))
        if decision is not None and not (decision["question"] or clean["task"]):
            fail(_l("Step %(n)d: a decision step asks a question.", n=n))
        clean["form_code"] = clean["form_code"].upper()
        if clean["form_code"] and not CODE.match(clean["form_code"]):
            fail(_l("Step %(n)d: the form code is not a document code.", n=n))
        steps.append({**clean, "decision": decision})
    ids = {step["id"] for step in steps}
    for step in steps:
        decision = step["decision"]
        if decision is None:
            continue
        for answer in ("yes", "no"):
            target = decision[answer]
            if target not in ids or target == step["id"]:
                fail(
                    _l(
                        "Step %(id)s: choose another step to go to when the answer is "
                        "“%(answer)s”.",
                        id=step["id"],
                        answer=_l("yes") if answer == "yes" else _l("no"),
                    )
                )
    return {"kind": "steps", "title": title(block), "steps": steps}


def _rows_of(
    kind: str, fields: tuple[str, ...], key_field: str, message: Any
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def validate(block: dict[str, Any]) -> dict[str, Any]:
        rows = []
        for n, row in enumerate(records(block, "rows"), start=1):
            clean = _row_fields(row, fields)
            if not any(clean.values()):
                continue
            if not clean[key_field]:
                fail(message.format(n=n))
            rows.append(clean)
        return {"kind": kind, "title": title(block), "rows": rows}

    return validate


def _requirements(block: dict[str, Any]) -> dict[str, Any]:
    clauses = string_list(block.get("iso"))
    unknown = [number for number in clauses if not iso9001.is_clause(number)]
    if unknown:
        fail(_l("%(number)s is not a clause of ISO 9001:2015.", number=unknown[0]))
    return {
        "kind": "requirements",
        "title": title(block),
        "iso": sorted(clauses, key=iso9001.sort_key),
        "legal": string_list(block.get("legal")),
        "internal": string_list(block.get("internal")),
    }


def _resources(block: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "resources", "title": title(block), **_row_fields(block, RESOURCE_FIELDS)}


def _related(block: dict[str, Any]) -> dict[str, Any]:
    codes = [code.upper() for code in string_list(block.get("codes"))]
    bad = [code for code in codes if not CODE.match(code)]
    if bad:
        fail(_l("%(code)s is not a document code.", code=bad[0]))
    return {"kind": "related", "title": title(block), "codes": list(dict.fromkeys(codes))}


def _form_fields(block: dict[str, Any]) -> dict[str, Any]:
    fields: list[dict[str, Any]] = []
    for n, field in enumerate(records(block, "fields"), start=1):
        label = cell(field.get("label", ""))
        options = string_list(field.get("options"))
        if not label and not options:
            continue
        if not label:
            fail(_l("Field %(n)d: the label is required.", n=n))
        if any(other["label"].casefold() == label.casefold() for other in fields):
            fail(_l("Field %(n)d: another field is already called “%(label)s”.", n=n, label=label))
        kind = cell(field.get("type", "text")) or "text"
        if kind not in FIELD_TYPES:
            fail(_l("Field %(n)d: unknown field type %(type)s.", n=n, type=kind))
        if kind == "choice" and len(options) < 2:
            fail(_l("Field %(n)d: a choice offers at least two options.", n=n))
        fields.append(
            {
                "label": label,
                "type": kind,
                "required": flag(field.get("required")),
                "options": options if kind == "choice" else [],
            }
        )
    return {"kind": "form_fields", "title": title(block), "fields": fields}


VALIDATORS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "sipoc": _sipoc,
    "steps": _steps,
    "indicators": _rows_of(
        "indicators", INDICATOR_FIELDS, "name", _l("Row {n}: the indicator needs a name.")
    ),
    "requirements": _requirements,
    "controls": _rows_of(
        "controls", CONTROL_FIELDS, "activity", _l("Row {n}: the controlled activity is required.")
    ),
    "resources": _resources,
    "related": _related,
    "form_fields": _form_fields,
}
