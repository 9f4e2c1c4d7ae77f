"""The rules of qms.core.permissions, with plain objects: no database, no app."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from qms.core.errors import NotAuthenticated, PermissionDenied
from qms.core.permissions import (
    OWN_VARIANTS,
    ROLE_PERMISSIONS,
    Permission,
    Role,
    can,
    can_own_variant,
    filter_allowed,
    holds_role_for,
    permission_required,
    permissions_of,
    require,
    roles_with,
)

P = Permission


@dataclass
class FakeActor:
    roles: tuple[str, ...] = ()
    id: int = 7
    is_active: bool = True

    @property
    def role_names(self) -> frozenset[str]:
        return frozenset(self.roles)


@dataclass
class FakeObject:
    owner_id: int

    def is_owned_by(self, user_id: int) -> bool:
        return self.owner_id == user_id


@dataclass
class FakeProcessObject:
    """An object of a process whose leader and members are `people`."""

    people: tuple[int, ...] = ()

    def is_in_process(self, user_id: int) -> bool:
        return user_id in self.people


_metadata = sa.MetaData()
things = sa.Table(
    "things",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("owner_id", sa.Integer),
)


class Thing:
    @classmethod
    def owned_by_clause(cls, user_id: int) -> sa.ColumnElement[bool]:
        return things.c.owner_id == user_id


def _sql(stmt: sa.Select) -> str:
    return str(stmt.compile(compile_kwargs={"literal_binds": True}))


def test_permissions_are_resource_verb() -> None:
    for permission in Permission:
        resource, _, verb = permission.value.partition(":")
        assert resource and verb and ":" not in verb, permission


def test_every_role_has_a_permission_set() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_own_variants_are_not_the_permission_they_stand_for() -> None:
    for permission, own in OWN_VARIANTS.items():
        assert permission != own


@pytest.mark.parametrize("role", list(Role))
def test_can_matches_the_role_map(role: Role) -> None:
    actor = FakeActor((role.value,))
    for permission in Permission:
        assert can(actor, permission) == (permission in ROLE_PERMISSIONS[role]), permission


def test_permissions_add_up_over_roles_and_ignore_unknown_ones() -> None:
    both = permissions_of(["staff", "auditor", "no-such-role"])
    assert both == ROLE_PERMISSIONS[Role.STAFF] | ROLE_PERMISSIONS[Role.AUDITOR]
    assert permissions_of([]) == frozenset()


def test_nobody_and_the_inactive_may_do_nothing() -> None:
    admin = FakeActor(("admin",), is_active=False)
    for permission in Permission:
        assert not can(None, permission)
        assert not can(admin, permission)
        assert not can_own_variant(admin, permission)


def test_require_raises_the_right_error() -> None:
    with pytest.raises(NotAuthenticated):
        require(None, P.PROFILE_EDIT)
    with pytest.raises(PermissionDenied):
        require(FakeActor(("staff",)), P.USER_MANAGE)
    require(FakeActor(("admin",)), P.USER_MANAGE)


@pytest.mark.parametrize(("permission", "own"), list(OWN_VARIANTS.items()))
def test_own_variant_covers_own_objects_only(permission: Permission, own: Permission) -> None:
    # A role that holds the own variant alone (others may hold the global one as well).
    holder_role = next(
        r for r, perms in ROLE_PERMISSIONS.items() if own in perms and permission not in perms
    )
    actor = FakeActor((holder_role.value,), id=7)
    mine, theirs = FakeObject(owner_id=7), FakeObject(owner_id=8)
    assert not can(actor, permission)
    assert can(actor, permission, mine)
    assert not can(actor, permission, theirs)
    assert can_own_variant(actor, permission)
    require(actor, permission, mine)
    with pytest.raises(PermissionDenied):
        require(actor, permission, theirs)
    with pytest.raises(PermissionDenied):
        require(actor, permission)


def test_own_variant_needs_an_object_that_can_tell_its_owner() -> None:
    permission, own = next(iter(OWN_VARIANTS.items()))
    holder_role = next(r for r, perms in ROLE_PERMISSIONS.items() if own in perms)
    actor = FakeActor((holder_role.value,))
    assert not can(actor, permission, object())


def test_filter_allowed_leaves_the_query_alone_for_global_holders() -> None:
    stmt = sa.select(things)
    admin = FakeActor(("admin",))
    assert _sql(filter_allowed(stmt, admin, P.PROFILE_EDIT, Thing)) == _sql(stmt)


def test_filter_allowed_narrows_to_own_rows() -> None:
    permission, own = next(iter(OWN_VARIANTS.items()))
    holder_role = next(
        r for r, perms in ROLE_PERMISSIONS.items() if own in perms and permission not in perms
    )
    sql = _sql(
        filter_allowed(sa.select(things), FakeActor((holder_role.value,), id=42), permission, Thing)
    )
    assert "things.owner_id = 42" in sql


def test_filter_allowed_returns_nothing_without_permission() -> None:
    for actor in (None, FakeActor(("staff",)), FakeActor(("admin",), is_active=False)):
        sql = _sql(filter_allowed(sa.select(things), actor, P.USER_MANAGE, Thing))
        assert "WHERE false" in sql or "WHERE 0 = 1" in sql or "WHERE 1 != 1" in sql, sql


def test_permission_required_tells_the_route_matrix_what_it_needs() -> None:
    @permission_required(P.USER_MANAGE)
    def view() -> str:
        return "ok"

    assert view.required_permission == P.USER_MANAGE  # type: ignore[attr-defined]
    assert view.__name__ == "view"


def test_process_scoped_roles_hold_only_for_ones_own_processes() -> None:
    mine, theirs = FakeProcessObject((7,)), FakeProcessObject((8,))
    owner = FakeActor(("process_owner",))
    assert holds_role_for(owner, ["process_owner"], mine)
    assert not holds_role_for(owner, ["process_owner"], theirs)
    assert holds_role_for(FakeActor(("staff",)), ["staff"], mine)
    assert not holds_role_for(FakeActor(("staff",)), ["staff"], theirs)
    for role in ("quality_lead", "approver", "auditor"):  # global roles: every process
        assert holds_role_for(FakeActor((role,)), [role, "process_owner"], theirs)
    assert not holds_role_for(owner, ["quality_lead"], mine)
    assert not holds_role_for(FakeActor(("quality_lead",), is_active=False), ["quality_lead"], mine)
    assert not holds_role_for(None, ["quality_lead"], mine)
    assert not holds_role_for(FakeActor(("no-such-role",)), ["no-such-role"], mine)


def test_the_approver_signs_approvals_and_nothing_more() -> None:
    extra = ROLE_PERMISSIONS[Role.APPROVER] - ROLE_PERMISSIONS[Role.STAFF]
    assert extra == {P.DOCUMENT_APPROVE}
    assert roles_with(P.DOCUMENT_APPROVE) == ["quality_lead", "approver"]
    assert roles_with(P.DOCUMENT_REVIEW) == ["quality_lead", "process_owner"]
    assert all(P.DOCUMENT_SIGN in ROLE_PERMISSIONS[role] for role in Role)
