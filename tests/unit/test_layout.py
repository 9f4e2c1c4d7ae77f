"""The package layout the architecture promises, read from the source with `ast`.

Import cycles and `noqa: E402` hide an order the code silently depends on; `qms.core` sits
below every domain package, so it imports none of them, not even inside a function.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

QMS = Path(__file__).resolve().parents[2] / "qms"

# What `qms.core` may import from `qms`: itself and the settings.
CORE_MAY_IMPORT = ("qms.core", "qms.config")


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool


def _modules() -> dict[str, Module]:
    modules = {}
    for path in sorted(QMS.rglob("*.py")):
        parts = list(path.relative_to(QMS.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        name = ".".join(parts)
        modules[name] = Module(name, path, is_package)
    return modules


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    return ast.unparse(test) in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements run on import: the body, into `if`/`try` blocks, not `if TYPE_CHECKING:`."""
    for statement in body:
        yield statement
        if isinstance(statement, ast.If):
            if not _is_type_checking(statement.test):
                yield from _module_level(statement.body)
            yield from _module_level(statement.orelse)
        elif isinstance(statement, ast.Try):
            for block in (statement.body, statement.orelse, statement.finalbody):
                yield from _module_level(block)
            for handler in statement.handlers:
                yield from _module_level(handler.body)


def _owner(name: str) -> str | None:
    """The `qms` module that defines `name` (a module, or a name inside one)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imported(module: Module, statement: ast.stmt) -> set[str]:
    """The `qms` modules an import statement runs, with the packages above them."""
    targets: set[str] = set()
    if isinstance(statement, ast.Import):
        targets = {alias.name for alias in statement.names}
    elif isinstance(statement, ast.ImportFrom):
        if statement.level:
            base = module.name if module.is_package else module.name.rpartition(".")[0]
            for _ in range(statement.level - 1):
                base = base.rpartition(".")[0]
            source = f"{base}.{statement.module}" if statement.module else base
        else:
            source = statement.module or ""
        targets = {f"{source}.{alias.name}" for alias in statement.names} | {source}
    found = set()
    for target in targets:
        if target.split(".")[0] != "qms":
            continue
        owner = _owner(target)
        while owner:
            found.add(owner)
            owner = owner.rpartition(".")[0]
    return found


def _graph() -> dict[str, set[str]]:
    graph = {}
    for module in MODULES.values():
        tree = ast.parse(module.path.read_text(encoding="utf-8"))
        edges: set[str] = set()
        for statement in _module_level(tree.body):
            edges |= _imported(module, statement)
        # A module's own packages run before it; they are not an edge of a cycle.
        graph[module.name] = {
            target
            for target in edges
            if target != module.name and not module.name.startswith(f"{target}.")
        }
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def test_the_graph_sees_the_imports() -> None:
    graph = _graph()
    assert "qms.core.db" in graph["qms.trail.models"]
    assert "qms.core" in graph["qms.trail.models"]  # the packages above count too


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycle_in_qms() -> None:
    # qms.api included: its routes no longer attach through late imports either.
    cycles = _cycles(_graph())
    assert cycles == [], f"module-level import cycles: {cycles}"


def test_no_late_imports_in_qms() -> None:
    late = sorted(
        f"{path.relative_to(QMS.parent)}:{number}"
        for path in QMS.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"noqa:.*\bE402\b", line)
    )
    assert late == [], f"`noqa: E402` (an import after code) at {late}"


def test_core_imports_no_domain_package() -> None:
    offending = []
    for module in MODULES.values():
        if not module.name.startswith("qms.core"):
            continue
        tree = ast.parse(module.path.read_text(encoding="utf-8"))
        # Every import, in functions and `if TYPE_CHECKING:` blocks too.
        for statement in ast.walk(tree):
            if not isinstance(statement, ast.Import | ast.ImportFrom):
                continue
            for target in _imported(module, statement):
                allowed = any(
                    target == name or target.startswith(f"{name}.") for name in CORE_MAY_IMPORT
                )
                if target != "qms" and not allowed:
                    offending.append(f"{module.name}:{statement.lineno} imports {target}")
    assert offending == [], "\n".join(sorted(offending))


def test_blueprints_are_made_only_in_each_package_url_map() -> None:
    # qms.api keeps its own (being reworked); every other package has one URL map.
    made = sorted(
        module.name
        for module in MODULES.values()
        if "Blueprint(" in module.path.read_text(encoding="utf-8")
        and not module.name.startswith("qms.api")
    )
    assert made and all(name.endswith(".urls") for name in made), made


def test_no_two_routes_claim_one_url(app: Flask) -> None:
    """So the packages may register their URL maps in any order."""
    claimed: dict[tuple[str, str], str] = {}
    clashes = []
    for rule in app.url_map.iter_rules():
        # `/a/<int:x>` and `/a/<int:y>` are one URL.
        pattern = re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", r"<\1>", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            other = claimed.setdefault((pattern, method), rule.endpoint)
            if other != rule.endpoint:
                clashes.append(f"{method} {rule.rule}: {other} and {rule.endpoint}")
    assert clashes == []
