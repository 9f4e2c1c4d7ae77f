"""Every block kind, declared once: its fields, labels, inputs, the required field and rules.

The validators, empty blocks, tables (page, print, redline, search), the editors (with and
without JavaScript), the labels and the JSON Schema all read these. A new field is one line
here; a new kind is one declaration here (and, if it prints unlike a table, its renderer).
"""

from __future__ import annotations

from functools import partial

from flask_babel import lazy_gettext as _l

from qms.documents import structured_blocks as rules
from qms.documents.block_kinds.basic import clean_table, clean_text
from qms.documents.block_kinds.model import BlockKind, Field
from qms.documents.block_kinds.tables import free_table

TEXT = BlockKind(
    kind="text",
    label=_l("Text"),
    fields=(Field("text", _l("Text"), input="markdown"),),
    place=0,
    titled=False,
    editor="text",
    cleaner=clean_text,
    prose=True,
)

TABLE = BlockKind(
    kind="table",
    label=_l("Table"),
    fields=(
        Field("columns", _l("Column names"), input="list", item_label=_l("Column %(n)s")),
        Field("rows", _l("Rows, one cell per column"), input="grid"),
    ),
    place=1,
    editor="table",
    cleaner=clean_table,
    tabler=free_table,
    empty_override={"kind": "table", "title": "", "columns": [""], "rows": []},
)

PHASE = Field(
    "phase",
    _l("Phase"),
    input="choice",
    choices=(("P", _l("Plan")), ("H", _l("Do")), ("V", _l("Check")), ("A", _l("Act"))),
    aliases={
        **{letter.casefold(): letter for letter in "PHVA"},
        "planear": "P",
        "plan": "P",
        "hacer": "H",
        "do": "H",
        "verificar": "V",
        "check": "V",
        "actuar": "A",
        "act": "A",
    },
    show_value=True,
    invalid=lambda n, value: _l("The PHVA phase is one of P, H, V or A."),
    headers=("phva", "ciclo phva", "fase", "etapa", "ciclo"),
)

SIPOC = BlockKind(
    kind="sipoc",
    label=_l("SIPOC"),
    fields=(
        PHASE,
        Field("suppliers", _l("Suppliers"), headers=("proveedores", "proveedor")),
        Field("inputs", _l("Inputs"), headers=("entradas", "entrada", "insumos")),
        Field(
            "activity",
            _l("Activity"),
            required=lambda n: _l("Row %(n)d: the activity is required.", n=n),
            headers=("actividades", "actividad"),
        ),
        Field("outputs", _l("Outputs"), headers=("salidas", "salida", "productos")),
        Field("clients", _l("Clients"), headers=("clientes", "cliente", "usuarios")),
    ),
    place=2,
    rows="rows",
    starter_title=_l("SIPOC by PHVA phase"),
    editor="grid",
)

STEP_TEXTS = (
    Field(
        "id",
        _l("Step number"),
        input="line",
        heading=_l("No."),
        fills_row=False,
        headers=("no", "n°", "nº", "#", "paso", "item", "numero"),
    ),
    Field("task", _l("Task"), headers=("tarea", "actividad", "actividades", "que")),
    Field("who", _l("Who"), headers=("quien", "responsable", "responsables")),
    Field("how", _l("How"), headers=("como", "descripcion", "descripcion de la actividad")),
    Field(
        "records",
        _l("Records"),
        headers=(
            "documentos y/o registros asociados",
            "documentos y/o registros",
            "documentos y registros",
            "registros",
            "registro",
            "documentos asociados",
        ),
    ),
    Field(
        "form_code",
        _l("Form code (record produced)"),
        input="line",
        heading=_l("Form"),
        upper=True,
        headers=("formato", "codigo del formato", "codigo formato"),
    ),
)
STEPS = BlockKind(
    kind="steps",
    label=_l("Procedure steps"),
    fields=(
        *STEP_TEXTS,
        Field("decision", _l("Decision step"), input="decision", heading=_l("Decision")),
    ),
    place=3,
    rows="steps",
    starter_title=_l("Procedure activities"),
    editor="steps",
    cleaner=partial(rules.clean_steps, keys=tuple(f.key for f in STEP_TEXTS)),
)

INDICATORS = BlockKind(
    kind="indicators",
    label=_l("Indicators"),
    fields=(
        Field(
            "name",
            _l("Name"),
            heading=_l("Indicator"),
            required=lambda n: _l("Row {n}: the indicator needs a name.").format(n=n),
            headers=("indicador", "indicadores", "nombre del indicador"),
        ),
        Field(
            "formula", _l("Formula"), headers=("formula", "forma de calculo", "formula de calculo")
        ),
        Field("target", _l("Target"), headers=("meta", "umbral")),
        Field(
            "frequency",
            _l("Frequency"),
            headers=("frecuencia", "periodicidad", "frecuencia de medicion"),
        ),
        Field(
            "responsible", _l("Responsible"), headers=("responsable", "responsable de la medicion")
        ),
    ),
    place=7,
    rows="rows",
    starter_title=_l("Indicators"),
    editor="grid",
)

REQUIREMENTS = BlockKind(
    kind="requirements",
    label=_l("Requirements"),
    fields=(
        Field(
            "iso",
            _l("ISO 9001:2015 clauses"),
            input="clauses",
            heading=_l("ISO 9001:2015"),
            headers=("iso 9001:2015", "requisitos iso 9001:2015", "norma iso 9001:2015", "iso"),
        ),
        Field(
            "legal",
            _l("Legal requirements"),
            input="list",
            heading=_l("Legal"),
            headers=("legales", "requisitos legales", "legal", "normatividad"),
        ),
        Field(
            "internal",
            _l("Internal requirements"),
            input="list",
            heading=_l("Internal"),
            headers=("internos", "interno", "requisitos internos", "otros requisitos"),
        ),
    ),
    place=8,
    starter_title=_l("Requirements"),
    finish=rules.finish_requirements,
    pair_headings=(_l("Kind"), _l("Requirement")),
)

CONTROLS = BlockKind(
    kind="controls",
    label=_l("Control plan"),
    fields=(
        Field(
            "activity",
            _l("Activity"),
            required=lambda n: _l("Row {n}: the controlled activity is required.").format(n=n),
            headers=("actividad", "que se controla", "punto de control", "control"),
        ),
        Field(
            "variable",
            _l("Variable"),
            headers=("variable", "variable de control", "caracteristica"),
        ),
        Field(
            "criterion",
            _l("Criterion"),
            headers=("criterio", "criterio de aceptacion", "especificacion"),
        ),
        Field("responsible", _l("Responsible"), headers=("responsable",)),
        Field("frequency", _l("Frequency"), headers=("frecuencia",)),
        Field("evidence", _l("Evidence"), headers=("evidencia", "registro")),
        Field(
            "action",
            _l("Action"),
            headers=("accion", "accion en caso de incumplimiento", "tratamiento"),
        ),
    ),
    place=6,
    rows="rows",
    starter_title=_l("Control plan"),
    editor="grid",
)

RESOURCES = BlockKind(
    kind="resources",
    label=_l("Resources"),
    fields=(
        Field(
            "human", _l("Human"), headers=("humanos", "humano", "recurso humano", "talento humano")
        ),
        Field(
            "physical",
            _l("Physical"),
            headers=("fisicos", "fisico", "recursos fisicos", "infraestructura"),
        ),
        Field(
            "technological",
            _l("Technological"),
            headers=("tecnologicos", "tecnologico", "recursos tecnologicos"),
        ),
        Field(
            "environment",
            _l("Work environment"),
            headers=("ambiente de trabajo", "ambiente", "entorno de trabajo"),
        ),
    ),
    place=5,
    starter_title=_l("Resources"),
    pair_headings=(_l("Resource"), _l("Description")),
)

RELATED = BlockKind(
    kind="related",
    label=_l("Related documents"),
    fields=(
        Field(
            "codes",
            _l("Document codes"),
            input="list",
            heading=_l("Code"),
            item_label=_l("Code %(n)s"),
            upper=True,
            headers=("codigo", "codigos", "codigo del documento"),
        ),
    ),
    place=9,
    starter_title=_l("Related documents"),
    finish=rules.finish_related,
)

FORM_FIELDS = BlockKind(
    kind="form_fields",
    label=_l("Form fields"),
    fields=(
        Field(
            "label",
            _l("Label"),
            heading=_l("Field"),
            required=lambda n: _l("Field %(n)d: the label is required.", n=n),
            headers=("campo", "nombre del campo", "etiqueta"),
        ),
        Field(
            "type",
            _l("Type"),
            input="choice",
            choices=(
                ("text", _l("Text")),
                ("number", _l("Number")),
                ("date", _l("Date")),
                ("choice", _l("Choice")),
                ("checkbox", _l("Checkbox")),
                ("signature", _l("Signature")),
            ),
            invalid=lambda n, value: _l(
                "Field %(n)d: unknown field type %(type)s.", n=n, type=value
            ),
            raw_in_table=True,
            headers=("tipo", "tipo de dato", "tipo de campo"),
        ),
        Field("required", _l("Required"), input="flag", headers=("obligatorio", "requerido")),
        Field(
            "options",
            _l("Options (one per line)"),
            input="list",
            heading=_l("Options"),
            headers=("opciones", "valores"),
        ),
    ),
    place=4,
    rows="fields",
    starter_title=_l("Form fields"),
    editor="grid",
    check_row=rules.check_form_field,
)

# The editor's order (and the type form's): the free kinds, then the structured ones.
DECLARED: tuple[BlockKind, ...] = (
    TEXT,
    TABLE,
    SIPOC,
    STEPS,
    INDICATORS,
    REQUIREMENTS,
    CONTROLS,
    RESOURCES,
    RELATED,
    FORM_FIELDS,
)
