"""Whether the `data` of a root-cause analysis has the shape its method reads."""

from __future__ import annotations

from typing import Any

from qms.capa.models import AnalysisMethod
from qms.capa.treatment import CATEGORIES


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def analysis_data_fits(method: str, data: dict[str, Any]) -> bool:
    """Whether `data` has the shape `method` reads (see qms.api.models.capa.ANALYSIS_DATA).
    The service reads a string of whys letter by letter and fails on an index that is not a
    number."""
    roots = data.get("root_causes", [])
    if not isinstance(roots, list):
        return False
    if method == AnalysisMethod.FIVE_WHYS:
        return (
            set(data) <= {"whys", "root_causes"}
            and _texts(data.get("whys", []))
            and all(_index(r) for r in roots)
        )
    causes = data.get("causes", {})
    return (
        set(data) <= {"causes", "root_causes"}
        and isinstance(causes, dict)
        and set(causes) <= set(CATEGORIES)
        and all(_texts(v) for v in causes.values())
        and all(
            isinstance(r, list) and len(r) == 2 and isinstance(r[0], str) and _index(r[1])
            for r in roots
        )
    )
