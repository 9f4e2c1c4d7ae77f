"""`qms create-user` and `qms users …`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from qms.core.db import db
from qms.core.errors import DomainError
from qms.core.permissions import Role
from qms.users import services

ROLE_CHOICE = click.Choice([r.value for r in Role])


@click.command("create-user")
@click.argument("username")
@click.option("--full-name", required=True)
@click.option("--role", "roles", multiple=True, type=ROLE_CHOICE, help="May be repeated.")
@click.option("--job-title", default="")
@click.option("--email", default="")
@click.option("--locale", type=click.Choice(["es", "en"]), default="es", show_default=True)
@click.password_option(envvar="QMS_NEW_USER_PASSWORD")
@with_appcontext
def create_user_command(
    username: str,
    full_name: str,
    roles: tuple[str, ...],
    job_title: str,
    email: str,
    locale: str,
    password: str,
) -> None:
    """Create a user (the server operator acts; the trail records `cli` as the source)."""
    try:
        user = services.create_user(
            db.session,
            None,
            username=username,
            full_name=full_name,
            password=password,
            job_title=job_title,
            email=email,
            locale=locale,
            roles=roles,
            bypass_permission=True,
        )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(
        f"Created user {user.username} (id {user.id}) with roles: "
        f"{', '.join(sorted(user.role_names)) or '-'}"
    )


@click.group("users")
def users_group() -> None:
    """User accounts."""


@users_group.command("list")
@click.option("--active-only", is_flag=True)
@with_appcontext
def list_command(active_only: bool) -> None:
    """List accounts: username, state, roles, full name."""
    import sqlalchemy as sa

    from qms.users.models import User

    stmt = sa.select(User).order_by(User.username)
    if active_only:
        stmt = stmt.where(User.active.is_(True))
    for user in db.session.scalars(stmt):
        state = "active" if user.active else "inactive"
        roles = ",".join(sorted(user.role_names)) or "-"
        click.echo(f"{user.username:<20} {state:<9} {roles:<40} {user.full_name}")
