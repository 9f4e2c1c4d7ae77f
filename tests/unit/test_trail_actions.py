"""Trail actions are declared once (qms/core/trail_actions.py) and named, never spelled."""

from __future__ import annotations

import ast
from pathlib import Path

from qms.core.trail_actions import TrailAction

QMS = Path(__file__).resolve().parents[2] / "qms"
DECLARED = {QMS / "core" / "trail_actions.py", QMS / "core" / "permissions.py"}


def _sources() -> list[Path]:
    return [p for p in sorted(QMS.rglob("*.py")) if p not in DECLARED]


def test_no_module_spells_a_trail_action() -> None:
    values = {action.value for action in TrailAction}
    spelled = [
        f"{path.relative_to(QMS.parent)}:{node.lineno} {node.value!r}"
        for path in _sources()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in values
    ]
    assert spelled == []


def test_every_declared_action_is_recorded_somewhere() -> None:
    text = "\n".join(path.read_text(encoding="utf-8") for path in _sources())
    unused = [action.name for action in TrailAction if f"TrailAction.{action.name}" not in text]
    assert unused == []


def test_actions_read_resource_colon_verb() -> None:
    for action in TrailAction:
        resource, _, verb = action.value.partition(":")
        assert resource and verb and action.name == f"{resource}_{verb}".upper()
