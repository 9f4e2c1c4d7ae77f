"""The `qms` console command: Flask's own commands plus ours, each calling the services."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from qms import create_app


def _create_app() -> Flask:
    return create_app()


@click.group(
    cls=FlaskGroup,
    create_app=_create_app,
    add_default_commands=True,
    set_debug_flag=False,
    load_dotenv=False,
)
def main() -> None:
    """Quality-management document system."""


def _register() -> None:
    from qms.blobs.cli import fsck_command
    from qms.core.cli import db_group
    from qms.demo import demo_command
    from qms.documents.cli import signatures_group
    from qms.documents.master_list_cli import documents_group
    from qms.printing.cli import print_command
    from qms.search.cli import search_group
    from qms.tick import tick_command
    from qms.trail.cli import trail_group
    from qms.users.cli import create_user_command, users_group
    from qms.users.token_cli import token_group
    from qms.word.export_cli import export_command
    from qms.word.import_cli import import_command

    main.add_command(db_group)
    main.add_command(fsck_command)
    main.add_command(create_user_command)
    main.add_command(users_group)
    main.add_command(trail_group)
    main.add_command(token_group)
    main.add_command(demo_command)
    main.add_command(tick_command)
    main.add_command(signatures_group)
    main.add_command(search_group)
    main.add_command(documents_group)
    main.add_command(print_command)
    main.add_command(export_command)
    main.add_command(import_command)


_register()
