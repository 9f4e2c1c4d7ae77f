"""Accounts in the API: never a password or token hash (the models have no field for them)."""

from __future__ import annotations

from typing import Self

from qms.api.models.common import Moment, Response, from_row, one_of
from qms.core.permissions import permissions_of
from qms.users.models import User as UserRow


class User(Response):
    """An account; never its password."""

    id: int
    username: str
    full_name: str
    job_title: str
    email: str
    locale: str = one_of(("es", "en"))
    active: bool
    roles: list[str]
    created_at: Moment
    deactivated_at: Moment | None

    @classmethod
    def of(cls, user: UserRow) -> Self:
        return from_row(cls, user, roles=sorted(user.role_names))


class Me(User):
    """The token's owner and the permissions the token carries."""

    permissions: list[str]

    @classmethod
    def of(cls, user: UserRow) -> Self:
        granted = sorted(p.value for p in permissions_of(user.role_names))
        return from_row(cls, user, roles=sorted(user.role_names), permissions=granted)


class UserList(Response):
    items: list[User]
