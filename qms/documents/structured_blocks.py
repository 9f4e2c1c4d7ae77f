"""The rules of the structured kinds beyond their declared fields (qms.documents.block_kinds):
a step's number and decision, ISO clauses, document codes, a form field's options.

A fully empty row is dropped (the editor adds rows before they are filled); a row that says
something must say its key field. Every message names the row, and the editor adds the block.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l

from qms.documents import iso9001
from qms.documents.block_fields import cell, fail, records, title

CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,39}$")
STEP_ID = re.compile(r"^[\w.-]{1,20}$")


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


def clean_steps(block: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """`keys`: the declared text fields of a step; the number, task, form and decision have
    rules of their own (the order of the checks is what the messages have always said)."""
    steps: list[dict[str, Any]] = []
    for n, step in enumerate(records(block, "steps"), start=1):
        clean = {key: cell(step.get(key, "")) for key in keys}
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
    _check_targets(steps)
    return {"kind": "steps", "title": title(block), "steps": steps}


def _check_targets(steps: list[dict[str, Any]]) -> None:
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


def finish_requirements(block: dict[str, Any]) -> dict[str, Any]:
    unknown = [number for number in block["iso"] if not iso9001.is_clause(number)]
    if unknown:
        fail(_l("%(number)s is not a clause of ISO 9001:2015.", number=unknown[0]))
    return {**block, "iso": sorted(block["iso"], key=iso9001.sort_key)}


def finish_related(block: dict[str, Any]) -> dict[str, Any]:
    bad = [code for code in block["codes"] if not CODE.match(code)]
    if bad:
        fail(_l("%(code)s is not a document code.", code=bad[0]))
    return {**block, "codes": list(dict.fromkeys(block["codes"]))}


def check_form_field(field: dict[str, Any], n: int, before: list[dict[str, Any]]) -> None:
    label = field["label"]
    if any(other["label"].casefold() == label.casefold() for other in before):
        fail(_l("Field %(n)d: another field is already called “%(label)s”.", n=n, label=label))
    if field["type"] == "choice" and len(field["options"]) < 2:
        fail(_l("Field %(n)d: a choice offers at least two options.", n=n))
    if field["type"] != "choice":
        field["options"] = []
