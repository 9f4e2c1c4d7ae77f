"""A procedure's activity table as steps: the number in its own column or leading the task
("1. Manifestar pqrsl"), and the decisions, read from a Decision column where the file has one
(as the export writes it) or inferred from a task that asks ("¿…?")."""

from __future__ import annotations

import re
from typing import Any

from qms.documents.block_kinds import KINDS
from qms.documents.structured_blocks import CODE, STEP_ID
from qms.word import notes
from qms.word.parsed import Block

STEP_TEXTS = tuple(f.key for f in KINDS["steps"].fields if f.input != "decision")
_NUMBER = re.compile(r"^\s*(\d{1,4}(?:\.\d{1,3})*)[.)-]?\s+(\S.*)$", re.S)
# "¿Es una queja? Yes → step 3 · No → step 4", in either language the page writes it.
_DECISION = re.compile(
    r"^(?P<question>.*?)\s*(?:yes|s[ií])\s*→\s*(?:step|actividad|paso)?\s*(?P<yes>\S+)"
    r"\s*·\s*no\s*→\s*(?:step|actividad|paso)?\s*(?P<no>\S+)\s*$",
    re.S | re.I,
)

Step = dict[str, Any]


def read_steps(records: list[dict[str, str]]) -> tuple[Block, tuple[Any, ...]]:
    """The steps block, and a note for each thing inferred rather than read."""
    inferred: tuple[Any, ...] = ()
    steps = [_step(record, n) for n, record in enumerate(records, start=1)]
    ids = [str(step["id"]) for step in steps]
    unnumbered = any(
        record.get("id", "") == "" and not _NUMBER.match(record.get("task", ""))
        for record in records
    )
    if len(set(ids)) != len(ids) or not all(STEP_ID.match(i) for i in ids):
        for n, step in enumerate(steps, start=1):
            step["id"] = str(n)
        unnumbered = True
    if unnumbered:
        inferred += (notes.STEP_NUMBERS,)
    has_column = any("decision" in record for record in records)
    if has_column:
        for step, record in zip(steps, records, strict=True):
            step["decision"] = _read_decision(record.get("decision", ""), step)
    elif _infer_decisions(steps):
        inferred += (notes.DECISIONS,)
    return {"kind": "steps", "title": "", "steps": steps}, inferred


def _step(record: dict[str, str], n: int) -> Step:
    step: Step = {key: record.get(key, "") for key in STEP_TEXTS}
    match = _NUMBER.match(step["task"])
    if match and not step["id"]:
        step["id"], step["task"] = match.group(1), match.group(2).strip()
    step["id"] = step["id"].strip().rstrip(".") or str(n)
    code = step["form_code"].strip().upper()
    if code and not CODE.match(code):
        # Not a document code: kept with the records rather than refused.
        step["records"] = "\n".join(filter(None, [step["records"], code]))
        code = ""
    step["form_code"] = code
    step["decision"] = None
    return step


def _read_decision(text: str, step: Step) -> dict[str, str] | None:
    match = _DECISION.match(text.strip())
    if match is None:
        return None
    question = match.group("question").strip() or step["task"]
    if question == step["task"]:
        step["task"] = ""
    return {"question": question, "yes": match.group("yes"), "no": match.group("no")}


def _infer_decisions(steps: list[Step]) -> bool:
    """A task that asks ("¿…?") is a decision. Word says no targets: yes goes to the next step,
    no to the next question (the last question's no to the last step), as the procedures
    read. Returns whether any was inferred."""
    questions = [
        i
        for i, step in enumerate(steps[:-1])
        if step["task"].startswith("¿") or step["task"].rstrip().endswith("?")
    ]
    for position, i in enumerate(questions):
        later = questions[position + 1] if position + 1 < len(questions) else len(steps) - 1
        steps[i]["decision"] = {
            "question": steps[i]["task"],
            "yes": steps[i + 1]["id"],
            "no": steps[later]["id"],
        }
        steps[i]["task"] = ""
    return bool(questions)
