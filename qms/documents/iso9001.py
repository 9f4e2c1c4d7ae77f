"""Built-in catalogue of ISO 9001:2015 clause numbers (4 to 10) with Spanish and English titles.

Spanish titles follow the official translation (ISO STTF, NTC-ISO / UNE-EN ISO 9001:2015).
"""

from __future__ import annotations

from typing import NamedTuple


class Clause(NamedTuple):
    number: str
    es: str
    en: str


# Unnamed numbered sub-clauses (e.g. 9.2.1, 9.2.2) carry their parent's title.
CLAUSES: tuple[Clause, ...] = (
    Clause("4", "Contexto de la organización", "Context of the organization"),
    Clause(
        "4.1",
        "Comprensión de la organización y de su contexto",
        "Understanding the organization and its context",
    ),
    Clause(
        "4.2",
        "Comprensión de las necesidades y expectativas de las partes interesadas",
        "Understanding the needs and expectations of interested parties",
    ),
    Clause(
        "4.3",
        "Determinación del alcance del sistema de gestión de la calidad",
        "Determining the scope of the quality management system",
    ),
    Clause(
        "4.4",
        "Sistema de gestión de la calidad y sus procesos",
        "Quality management system and its processes",
    ),
    Clause(
        "4.4.1",
        "Sistema de gestión de la calidad y sus procesos",
        "Quality management system and its processes",
    ),
    Clause(
        "4.4.2",
        "Sistema de gestión de la calidad y sus procesos",
        "Quality management system and its processes",
    ),
    Clause("5", "Liderazgo", "Leadership"),
    Clause("5.1", "Liderazgo y compromiso", "Leadership and commitment"),
    Clause("5.1.1", "Generalidades", "General"),
    Clause("5.1.2", "Enfoque al cliente", "Customer focus"),
    Clause("5.2", "Política", "Policy"),
    Clause(
        "5.2.1",
        "Establecimiento de la política de la calidad",
        "Establishing the quality policy",
    ),
    Clause(
        "5.2.2",
        "Comunicación de la política de la calidad",
        "Communicating the quality policy",
    ),
    Clause(
        "5.3",
        "Roles, responsabilidades y autoridades en la organización",
        "Organizational roles, responsibilities and authorities",
    ),
    Clause("6", "Planificación", "Planning"),
    Clause(
        "6.1",
        "Acciones para abordar riesgos y oportunidades",
        "Actions to address risks and opportunities",
    ),
    Clause(
        "6.1.1",
        "Acciones para abordar riesgos y oportunidades",
        "Actions to address risks and opportunities",
    ),
    Clause(
        "6.1.2",
        "Acciones para abordar riesgos y oportunidades",
        "Actions to address risks and opportunities",
    ),
    Clause(
        "6.2",
        "Objetivos de la calidad y planificación para lograrlos",
        "Quality objectives and planning to achieve them",
    ),
    Clause(
        "6.2.1",
        "Objetivos de la calidad y planificación para lograrlos",
        "Quality objectives and planning to achieve them",
    ),
    Clause(
        "6.2.2",
        "Objetivos de la calidad y planificación para lograrlos",
        "Quality objectives and planning to achieve them",
    ),
    Clause("6.3", "Planificación de los cambios", "Planning of changes"),
    Clause("7", "Apoyo", "Support"),
    Clause("7.1", "Recursos", "Resources"),
    Clause("7.1.1", "Generalidades", "General"),
    Clause("7.1.2", "Personas", "People"),
    Clause("7.1.3", "Infraestructura", "Infrastructure"),
    Clause(
        "7.1.4",
        "Ambiente para la operación de los procesos",
        "Environment for the operation of processes",
    ),
    Clause(
        "7.1.5",
        "Recursos de seguimiento y medición",
        "Monitoring and measuring resources",
    ),
    Clause("7.1.5.1", "Generalidades", "General"),
    Clause("7.1.5.2", "Trazabilidad de las mediciones", "Measurement traceability"),
    Clause("7.1.6", "Conocimientos de la organización", "Organizational knowledge"),
    Clause("7.2", "Competencia", "Competence"),
    Clause("7.3", "Toma de conciencia", "Awareness"),
    Clause("7.4", "Comunicación", "Communication"),
    Clause("7.5", "Información documentada", "Documented information"),
    Clause("7.5.1", "Generalidades", "General"),
    Clause("7.5.2", "Creación y actualización", "Creating and updating"),
    Clause(
        "7.5.3",
        "Control de la información documentada",
        "Control of documented information",
    ),
    Clause(
        "7.5.3.1",
        "Control de la información documentada",
        "Control of documented information",
    ),
    Clause(
        "7.5.3.2",
        "Control de la información documentada",
        "Control of documented information",
    ),
    Clause("8", "Operación", "Operation"),
    Clause("8.1", "Planificación y control operacional", "Operational planning and control"),
    Clause(
        "8.2",
        "Requisitos para los productos y servicios",
        "Requirements for products and services",
    ),
    Clause("8.2.1", "Comunicación con el cliente", "Customer communication"),
    Clause(
        "8.2.2",
        "Determinación de los requisitos para los productos y servicios",
        "Determining the requirements for products and services",
    ),
    Clause(
        "8.2.3",
        "Revisión de los requisitos para los productos y servicios",
        "Review of the requirements for products and services",
    ),
    Clause(
        "8.2.3.1",
        "Revisión de los requisitos para los productos y servicios",
        "Review of the requirements for products and services",
    ),
    Clause(
        "8.2.3.2",
        "Revisión de los requisitos para los productos y servicios",
        "Review of the requirements for products and services",
    ),
    Clause(
        "8.2.4",
        "Cambios en los requisitos para los productos y servicios",
        "Changes to requirements for products and services",
    ),
    Clause(
        "8.3",
        "Diseño y desarrollo de los productos y servicios",
        "Design and development of products and services",
    ),
    Clause("8.3.1", "Generalidades", "General"),
    Clause("8.3.2", "Planificación del diseño y desarrollo", "Design and development planning"),
    Clause("8.3.3", "Entradas para el diseño y desarrollo", "Design and development inputs"),
    Clause("8.3.4", "Controles del diseño y desarrollo", "Design and development controls"),
    Clause("8.3.5", "Salidas del diseño y desarrollo", "Design and development outputs"),
    Clause("8.3.6", "Cambios del diseño y desarrollo", "Design and development changes"),
    Clause(
        "8.4",
        "Control de los procesos, productos y servicios suministrados externamente",
        "Control of externally provided processes, products and services",
    ),
    Clause("8.4.1", "Generalidades", "General"),
    Clause("8.4.2", "Tipo y alcance del control", "Type and extent of control"),
    Clause(
        "8.4.3",
        "Información para los proveedores externos",
        "Information for external providers",
    ),
    Clause("8.5", "Producción y provisión del servicio", "Production and service provision"),
    Clause(
        "8.5.1",
        "Control de la producción y de la provisión del servicio",
        "Control of production and service provision",
    ),
    Clause("8.5.2", "Identificación y trazabilidad", "Identification and traceability"),
    Clause(
        "8.5.3",
        "Propiedad perteneciente a los clientes o proveedores externos",
        "Property belonging to customers or external providers",
    ),
    Clause("8.5.4", "Preservación", "Preservation"),
    Clause("8.5.5", "Actividades posteriores a la entrega", "Post-delivery activities"),
    Clause("8.5.6", "Control de los cambios", "Control of changes"),
    Clause(
        "8.6",
        "Liberación de los productos y servicios",
        "Release of products and services",
    ),
    Clause("8.7", "Control de las salidas no conformes", "Control of nonconforming outputs"),
    Clause("8.7.1", "Control de las salidas no conformes", "Control of nonconforming outputs"),
    Clause("8.7.2", "Control de las salidas no conformes", "Control of nonconforming outputs"),
    Clause("9", "Evaluación del desempeño", "Performance evaluation"),
    Clause(
        "9.1",
        "Seguimiento, medición, análisis y evaluación",
        "Monitoring, measurement, analysis and evaluation",
    ),
    Clause("9.1.1", "Generalidades", "General"),
    Clause("9.1.2", "Satisfacción del cliente", "Customer satisfaction"),
    Clause("9.1.3", "Análisis y evaluación", "Analysis and evaluation"),
    Clause("9.2", "Auditoría interna", "Internal audit"),
    Clause("9.2.1", "Auditoría interna", "Internal audit"),
    Clause("9.2.2", "Auditoría interna", "Internal audit"),
    Clause("9.3", "Revisión por la dirección", "Management review"),
    Clause("9.3.1", "Generalidades", "General"),
    Clause(
        "9.3.2",
        "Entradas de la revisión por la dirección",
        "Management review inputs",
    ),
    Clause(
        "9.3.3",
        "Salidas de la revisión por la dirección",
        "Management review outputs",
    ),
    Clause("10", "Mejora", "Improvement"),
    Clause("10.1", "Generalidades", "General"),
    Clause(
        "10.2",
        "No conformidad y acción correctiva",
        "Nonconformity and corrective action",
    ),
    Clause(
        "10.2.1",
        "No conformidad y acción correctiva",
        "Nonconformity and corrective action",
    ),
    Clause(
        "10.2.2",
        "No conformidad y acción correctiva",
        "Nonconformity and corrective action",
    ),
    Clause("10.3", "Mejora continua", "Continual improvement"),
)

_BY_NUMBER: dict[str, Clause] = {clause.number: clause for clause in CLAUSES}

# Sorts after any real clause part.
_LAST = 1 << 62


def _is_spanish(language: str) -> bool:
    return (language or "").strip().lower().startswith("es")


def _title(clause: Clause, language: str) -> str:
    return clause.es if _is_spanish(language) else clause.en


def clauses(language: str) -> list[dict[str, str]]:
    """All clauses in document order, titled in ``language`` (Spanish for ``es*``)."""
    return [{"number": c.number, "title": _title(c, language)} for c in CLAUSES]


def title_of(number: str, language: str) -> str | None:
    """The clause title in ``language``, or None if ``number`` is not in the catalogue."""
    clause = _BY_NUMBER.get((number or "").strip())
    return None if clause is None else _title(clause, language)


def is_clause(number: str) -> bool:
    """Whether ``number`` is an ISO 9001:2015 clause number in the catalogue."""
    return isinstance(number, str) and number.strip() in _BY_NUMBER


def sort_key(number: str) -> tuple[int, ...]:
    """Numeric sort key for a clause number; non-numeric parts sort last, never raises."""
    text = number.strip() if isinstance(number, str) else ""
    if not text:
        return (_LAST,)
    return tuple(
        int(part) if part.isascii() and part.isdigit() else _LAST for part in text.split(".")
    )
