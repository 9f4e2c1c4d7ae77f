"""A state machine as data: (state, action) → Rule, and the conditional update that applies it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.core.db import rowcount
from qms.core.errors import Conflict, ValidationFailed
from qms.core.permissions import Permission, require
from qms.core.trail_actions import TrailAction

Guard = Callable[[Any, Any], None]


class Recorder(Protocol):
    """Appends one trail event in the caller's transaction: `qms.trail.services.record`.

    Passed in, because the trail sits on top of core and core imports no domain package.
    """

    def __call__(
        self,
        session: Session,
        action: TrailAction,
        object_type: str,
        object_id: object = "",
        *,
        actor: Any = None,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        reason: str = "",
    ) -> object: ...


@dataclass(frozen=True)
class Rule:
    """Where an action leads, who may take it, and what must hold first."""

    to: str
    permission: Permission | None  # None: only the system takes it (dates reached, supersede)
    trail_action: TrailAction
    guard: Guard | None = None
    needs_reason: bool = False


def rule_for(table: Mapping[tuple[str, str], Rule], state: str, action: str) -> Rule:
    rule = table.get((state, action))
    if rule is None:
        # Usually someone else moved the object first: say so as a conflict.
        raise Conflict(str(_l("This action is not possible in the current state; reload.")))
    return rule


def check(rule: Rule, obj: Any, actor: Any, reason: str | None) -> None:
    """Permission, then guard, then the reason a rule may need; raises, never returns False."""
    if rule.permission is not None:
        require(actor, rule.permission, obj)
    if rule.guard is not None:
        rule.guard(obj, actor)
    if rule.needs_reason and not (reason or "").strip():
        raise ValidationFailed(str(_l("Give a reason.")), field="reason")


def conditional_update(
    session: Session, model: Any, obj_id: int, expected: str, values: Mapping[str, Any]
) -> None:
    """UPDATE … WHERE id = :id AND state = :expected; 0 rows means someone else won: Conflict.

    With no values it only locks the row (SQLite: the write lock; PostgreSQL: the row lock), so
    the caller's later reads see the committed state and racing callers queue behind it.
    """
    values = dict(values) or {"state": model.state}
    result = session.execute(
        sa.update(model)
        .where(model.id == obj_id, model.state == expected)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        raise Conflict(str(_l("Someone else changed this meanwhile; reload and try again.")))


@dataclass(frozen=True)
class Checked:
    """A transition that passed its checks: the only thing `Workflow.apply` moves without
    checking again (signing checks, then re-authenticates and locks, then applies)."""

    rule: Rule
    obj: Any
    action: str
    actor: Any
    reason: str | None
    state: str  # the state the rule was checked in: the conditional update expects it


@dataclass(frozen=True)
class Workflow:
    """One object type's lifecycle: its table, its model, how the trail names it, and the
    trail's recorder (passed in: core imports no domain package)."""

    transitions: Mapping[tuple[str, str], Rule]
    model: type[Any]
    object_type: str
    describe: Callable[[Any], Mapping[str, Any]]  # names the object in the trail event
    record: Recorder

    def check(self, obj: Any, action: str, actor: Any, reason: str | None = None) -> Checked:
        """The rule for `action` from the object's state, after permission, guard and reason."""
        rule = rule_for(self.transitions, obj.state, action)
        check(rule, obj, actor, reason)
        return Checked(rule, obj, action, actor, reason, obj.state)

    def apply(
        self,
        session: Session,
        obj: Any | Checked,
        action: str | None = None,
        actor: Any = None,
        *,
        reason: str | None = None,
        values: Mapping[str, Any] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> Rule:
        """Check (unless given what `check` returned), move the state with a conditional
        UPDATE (a lost race is Conflict), record it; the rule applied."""
        if isinstance(obj, Checked):
            checked = obj
        else:
            if action is None:
                raise TypeError("apply needs the action, or what check returned")
            checked = self.check(obj, action, actor, reason)
        obj, rule, before = checked.obj, checked.rule, checked.state
        conditional_update(
            session, self.model, obj.id, before, {"state": rule.to, **(values or {})}
        )
        session.refresh(obj)
        self.record(
            session,
            rule.trail_action,
            self.object_type,
            obj.id,
            actor=checked.actor,
            before={"state": before},
            after={"state": rule.to, **self.describe(obj), **(details or {})},
            reason=(checked.reason or "").strip(),
        )
        return rule
