"""`qms import PATH... --as USERNAME [--master-list FILE] [--json]`: Word files (or folders,
or .zip archives of them) imported as documents with their history, each in its own
transaction: a failed file leaves nothing behind and the others go on. A master list fills
what each file lacks."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.users.models import User
from qms.word.batch import import_one
from qms.word.files import entries_named
from qms.word.master_list import MAX_BYTES, Listing, read_master_list


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--as", "username", required=True, help="Import as this user (a quality lead).")
@click.option(
    "--master-list",
    "master_list",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The organisation's master list (.xlsx or .csv): fills what a file lacks.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON report instead of lines.")
@with_appcontext
def import_command(
    paths: tuple[Path, ...], username: str, master_list: Path | None, as_json: bool
) -> None:
    """Import .docx files, folders of them or .zip archives of them."""
    actor = db.session.scalar(sa.select(User).where(User.username == username))
    if actor is None or not actor.active:
        raise click.ClickException(f"no active user {username!r}")
    listing = _listing(master_list) if master_list is not None else None
    store = current_app.extensions["qms_store"]
    entries = entries_named(list(paths))
    report: list[dict[str, Any]] = []
    with click.progressbar(
        entries, label="Importing", file=sys.stderr, hidden=not sys.stderr.isatty()
    ) as bar:
        for name, load in bar:
            report.append(import_one(db.session, store, actor, name, load(), listing))
    failed = sum(1 for row in report if "error" in row)
    if as_json:
        click.echo(
            json.dumps(
                {"files": report, "imported": len(report) - failed, "failed": failed},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for row in report:
            if "error" in row:
                click.echo(f"{row['file']}: {row['error']}")
            else:
                kinds = ", ".join(f"{k} {n}" for k, n in sorted(row["blocks"].items()))
                unlisted = "" if row["listed"] or listing is None else "; not on the master list"
                click.echo(
                    f"{row['file']}: {row['code']} v{row['version']} ({row['state']}); "
                    f"{kinds}; {row['history']} earlier versions{unlisted}"
                )
        click.echo(f"{len(report) - failed} imported, {failed} failed")
    if failed:
        sys.exit(1)


def _listing(path: Path) -> Listing:
    if path.stat().st_size > MAX_BYTES:
        raise click.BadParameter("larger than 5 MB", param_hint="--master-list")
    try:
        return read_master_list(path.read_bytes(), path.name)
    except ValidationFailed as error:
        raise click.BadParameter(error.message, param_hint="--master-list") from None
