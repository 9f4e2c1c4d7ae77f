"""The three real examples read into structured blocks (SIPOC by phase, steps, requirements...).

Small on purpose: a line with tabs is a table row, anything odd is skipped. The exports carry
no PHVA phase for the call centre and no targets for the procedure's decisions; both are
inferred as a quality lead would read them (see `_guess_phase` and `procedure`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from qms.documents import iso9001
from qms.documents.block_kinds import KINDS

PHASES = {"PLANEAR": "P", "HACER": "H", "VERIFICAR": "V", "ACTUAR": "A"}
# The SIPOC's columns as the exports lay them out: the declared fields after the phase.
_SIPOC = KINDS["sipoc"]
PHASE_KEY = next(f.key for f in _SIPOC.fields if f.input == "choice")
SIPOC_KEYS = tuple(f.key for f in _SIPOC.fields if f.key != PHASE_KEY)
ISO_CLAUSE = re.compile(r"^(\d+(?:\.\d+)+)\s+\S")
RESOURCE = re.compile(r"^(Físicos|Humanos|Tecnológicos|Ambiente de trabajo):\s*(.+)$")
RESOURCE_KEYS = {
    "Físicos": "physical",
    "Humanos": "human",
    "Tecnológicos": "technological",
    "Ambiente de trabajo": "environment",
}
PAGE_HEADER = re.compile(r"^(## |CÓDIGO:|VERSIÓN:|VIGENTE DESDE:)")
STEP_ROW = re.compile(r"^(\d+)\.\s*(.*)$")

Block = dict[str, Any]


def _cells(line: str) -> list[str]:
    return [clean(cell) for cell in line.split("\t")]


def clean(text: str) -> str:
    text = re.sub(r"\s*</p>\s*<p>\s*", "\n\n", text)  # the procedure keeps some HTML paragraphs
    text = re.sub(r"</?p>", "", text).replace("\\*", "*")
    return re.sub(r"[ \t]+", " ", text).strip()


def _after(lines: list[str], heading: str) -> str:
    """The first non-empty line after the line that reads `heading`."""
    wanted = heading.casefold()
    for i, line in enumerate(lines):
        if line.strip(" *:#\t").casefold() == wanted:
            return next((clean(rest) for rest in lines[i + 1 :] if rest.strip()), "")
    return ""


def text(sections: Iterable[tuple[str, str]]) -> Block:
    body = "\n\n".join(f"### {title}\n\n{value}".strip() for title, value in sections)
    return {"kind": "text", "text": body}


def _bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def _sipoc_row(phase: str, cells: list[str]) -> dict[str, str]:
    return {PHASE_KEY: phase, **dict(zip(SIPOC_KEYS, cells, strict=True))}


def _row(kind: str, **values: str) -> dict[str, str]:
    """A row of a declared kind; a key the kind does not declare is a mistake here."""
    declared = {f.key for f in KINDS[kind].fields}
    unknown = set(values) - declared
    assert not unknown, f"{kind} has no field {sorted(unknown)}"
    return values


def sipoc_by_phase(lines: list[str]) -> list[dict[str, str]]:
    """Five-cell rows under the last phase heading seen (page breaks repeat no heading).

    A row that the export broke into five loose lines (one cell each, a cell's bullets ending
    in two spaces) is put back together.
    """
    phase = "P"
    rows: list[dict[str, str]] = []
    loose: list[str] = []
    for line in lines:
        label = line.strip().lstrip("#").strip().upper()
        if label in PHASES:
            phase, loose = PHASES[label], []
            continue
        if label in ("RECURSOS", "MECANISMOS DE SEGUIMIENTO Y CONTROL"):
            break
        cells = _cells(line)
        if len(cells) == len(SIPOC_KEYS) and any(cells) and cells[0].upper() != "PROVEEDORES":
            rows.append(_sipoc_row(phase, cells))
        elif "\t" not in line and line.strip() and not PAGE_HEADER.match(line.strip()):
            if loose and loose[-1].endswith("  "):
                loose[-1] = loose[-1].rstrip() + "\n" + line
            else:
                loose.append(line)
            if len(loose) == len(SIPOC_KEYS) and not loose[-1].endswith("  "):
                rows.append(_sipoc_row(phase, [clean(c) for c in loose]))
                loose = []
    return rows


def _section(lines: list[str], heading: str) -> list[str]:
    """Bulleted lines (`*item`) of the block that follows the headings, in order of heading."""
    start = next((i for i, line in enumerate(lines) if heading in line.upper()), None)
    if start is None:
        return []
    return [clean(line).lstrip("*").strip() for line in lines[start:] if line.startswith("\\*")]


def customer_service(lines: list[str]) -> tuple[list[Block], list[Block]]:
    """(v1, v2): v2 adds the resources, controls, requirements and related documents."""
    objective = next(
        (clean(line.split("**OBJETIVO:**", 1)[1]) for line in lines if "**OBJETIVO:**" in line),
        "",
    )
    leader = next(
        (_cells(lines[i + 1])[2] for i, line in enumerate(lines) if "RESPONSABLE DEL" in line),
        "",
    )
    intro = text(
        [
            ("Objetivo", objective),
            ("Alcance", _after(lines, "ALCANCE")),
            ("Líder del proceso", leader.capitalize()),
        ]
    )
    sipoc = {"kind": "sipoc", "title": "SIPOC", "rows": sipoc_by_phase(lines)}
    v1 = [intro, sipoc]
    resources = {RESOURCE_KEYS[k]: v for k, v in (m.groups() for m in _matches(RESOURCE, lines))}
    bullets = _section(lines, "MECANISMOS DE SEGUIMIENTO")
    mechanisms, documents, meci = bullets[:9], bullets[9:17], bullets[17:]
    clauses = [m.group(1) for m in _matches(ISO_CLAUSE, lines)]
    v2 = [
        *v1,
        {"kind": "resources", "title": "Recursos", **resources},
        {
            "kind": "controls",
            "title": "Mecanismos de seguimiento y control",
            "rows": [_row("controls", activity=m, evidence="Informe o acta") for m in mechanisms],
        },
        text([("Indicadores de gestión", _bullets(_indicator_lines(lines)))]),
        {
            "kind": "requirements",
            "title": "Requisitos",
            "iso": [c for c in clauses if iso9001.is_clause(c)],
            "legal": [f"MECI 1000:2014 – {item}" for item in meci],
            "internal": [],
        },
        text([("Documentos relacionados", _bullets(documents))]),
        {"kind": "related", "title": "Documentos del sistema", "codes": ["PD-GCR-MR-002"]},
    ]
    return v1, v2


def _matches(pattern: re.Pattern[str], lines: list[str]) -> list[re.Match[str]]:
    return [m for m in (pattern.match(clean(line)) for line in lines) if m]


def _indicator_lines(lines: list[str]) -> list[str]:
    return [clean(line) for line in lines if clean(line).startswith("Ver Matriz")]


def _guess_phase(activity: str) -> str:
    """The call centre's export has no PHVA columns: place each row by what it does."""
    words = activity.casefold()
    if any(w in words for w in ("acciones correctivas", "acciones de mejora", "análisis de causa")):
        return "A"
    if any(w in words for w in ("seguimiento", "indicadores", "evaluación", "auditoría")):
        return "V"
    if any(w in words for w in ("políticas", "lineamientos", "metas", "identificar", "plan")):
        return "P"
    return "H"


def _numbered(value: str) -> list[str]:
    """'1. Talento Humano 2. Recursos financieros' → ['Talento Humano', 'Recursos financieros']."""
    return [part.strip() for part in re.split(r"\s*\d+\.\s*", value) if part.strip()]


def call_centre(lines: list[str]) -> list[Block]:
    """Label/value lines (two or four cells) become blocks; five-cell lines the SIPOC."""
    pairs: dict[str, str] = {}
    rows = []
    for line in lines:
        cells = _cells(line)
        if len(cells) in (2, 4):
            pairs |= {cells[i].rstrip(":"): cells[i + 1] for i in range(0, len(cells), 2)}
        elif len(cells) == len(SIPOC_KEYS) and cells[0].casefold() != "proveedores":
            rows.append(_sipoc_row(_guess_phase(cells[2]), cells))
    requirements = _numbered(pairs.get("Requisitos", ""))
    resources = _numbered(pairs.get("Recursos", ""))
    return [
        text(
            [
                ("Objetivo y alcance", pairs.get("Objetivo y alcance del proceso", "")),
                ("Líder del proceso", pairs.get("Líder de proceso", "")),
            ]
        ),
        {"kind": "sipoc", "title": "SIPOC", "rows": rows},
        {
            "kind": "requirements",
            "title": "Requisitos",
            "iso": [],
            "legal": [],
            "internal": requirements,
        },
        {
            "kind": "indicators",
            "title": "Indicadores",
            "rows": [
                _row("indicators", name=n, responsible="Coordinador centro de llamadas")
                for n in _numbered(pairs.get("Indicadores", ""))
            ],
        },
        {
            "kind": "controls",
            "title": "Controles",
            "rows": [_row("controls", activity=c) for c in _numbered(pairs.get("Controles", ""))],
        },
        {
            "kind": "resources",
            "title": "Recursos",
            "human": resources[0] if resources else "",
            "physical": resources[1] if len(resources) > 1 else "",
            "technological": resources[2] if len(resources) > 2 else "",
            "environment": "",
        },
        text(
            [
                ("Documentos de referencia", pairs.get("Documentos Referencia", "")),
                ("Registros", pairs.get("Registros", "")),
            ]
        ),
    ]


def procedure(lines: list[str], form_code: str = "") -> list[Block]:
    """Objective, responsible, scope, and the steps with their decisions and flowchart.

    Decision targets are not in the export: "yes" goes to the next step, "no" to the next
    question (the last question's "no" to the last step), which is how the procedure reads.
    `form_code` links the steps that handle the paper PQRSL form to that form.
    """
    table = [c for c in map(_cells, lines) if len(c) == 4 and STEP_ROW.match(c[0])]
    steps = []
    for task, who, how, records in table:
        match = STEP_ROW.match(task)
        assert match is not None
        number, title = match.groups()
        step = {"id": number, "task": title, "who": who, "how": how, "records": records}
        step["form_code"] = form_code if form_code and "formatos de pqrsl" in how.lower() else ""
        steps.append(step)
    questions = [i for i, step in enumerate(steps) if step["task"].startswith("¿")]
    for position, i in enumerate(questions):
        step = steps[i]
        later = questions[position + 1] if position + 1 < len(questions) else len(steps) - 1
        step["decision"] = {
            "question": step["task"],
            "yes": steps[i + 1]["id"],
            "no": steps[later]["id"],
        }
        step["task"] = ""
    for step in steps:
        step.setdefault("decision", None)
    return [
        text(
            [
                ("Objetivo", _after(lines, "Objetivo")),
                ("Alcance", _after(lines, "Alcance")),
                ("Responsable", _after(lines, "Responsable")),
            ]
        ),
        {"kind": "steps", "title": "Actividades del procedimiento", "steps": steps},
    ]
