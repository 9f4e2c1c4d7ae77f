"""`qms token …`: personal API tokens for scripts, issued by the server's operator."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from qms.core.db import db
from qms.core.errors import DomainError
from qms.users import tokens
from qms.users.models import User
from qms.users.services import find_user


@click.group("token")
def token_group() -> None:
    """Personal API tokens."""


def _owner(username: str) -> User:
    user = find_user(db.session, username)
    if user is None:
        raise click.ClickException(f"No user named {username!r}.")
    return user


@token_group.command("create")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="Where the token will be used.")
@with_appcontext
def create_command(username: str, name: str) -> None:
    """Print a new token for USERNAME; only the token goes to stdout.

    Usage in a script: TOKEN=$(qms token create ana --name "nightly report")
    """
    try:
        token, plain = tokens.create_token(
            db.session, None, name, owner=_owner(username), bypass_permission=True
        )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"Created token {token.prefix}… for {username}; it is shown only once.", err=True)
    click.echo(plain)


@token_group.command("revoke")
@click.argument("username")
@click.argument("prefix")
@with_appcontext
def revoke_command(username: str, prefix: str) -> None:
    """Revoke USERNAME's live token that starts with PREFIX (as listed on the tokens page)."""
    try:
        token = tokens.revoke_token_by_prefix(db.session, _owner(username), prefix)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"Revoked token {token.prefix}… ({token.name}) of {username}.")
