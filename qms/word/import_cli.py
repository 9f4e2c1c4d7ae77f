"""`qms import PATH... --as USERNAME [--json]`: Word files (or folders, or .zip archives of
them) imported as documents with their history, each in its own transaction: a failed file
leaves nothing behind and the others go on."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from qms.core.db import db
from qms.core.errors import DomainError
from qms.users.models import User
from qms.word.files import files_named, import_file


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--as", "username", required=True, help="Import as this user (a quality lead).")
@click.option("--json", "as_json", is_flag=True, help="One JSON report instead of lines.")
@with_appcontext
def import_command(paths: tuple[Path, ...], username: str, as_json: bool) -> None:
    """Import .docx files, folders of them or .zip archives of them."""
    actor = db.session.scalar(sa.select(User).where(User.username == username))
    if actor is None or not actor.active:
        raise click.ClickException(f"no active user {username!r}")
    store = current_app.extensions["qms_store"]
    named = list(files_named(list(paths)))
    report: list[dict[str, Any]] = []
    with click.progressbar(
        named, label="Importing", file=sys.stderr, hidden=not sys.stderr.isatty()
    ) as bar:
        for name, data in bar:
            report.append(_one(store, actor, name, data))
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
                click.echo(
                    f"{row['file']}: {row['code']} v{row['version']} ({row['state']}); "
                    f"{kinds}; {row['history']} earlier versions"
                )
        click.echo(f"{len(report) - failed} imported, {failed} failed")
    if failed:
        sys.exit(1)


def _one(store: Any, actor: User, name: str, data: bytes | Exception) -> dict[str, Any]:
    if isinstance(data, Exception):
        return {"file": name, "error": str(data)}
    try:
        imported, parsed = import_file(db.session, store, actor, data, Path(name).name)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return {"file": name, "error": str(error)}
    except IntegrityError:  # a document with this code arrived meanwhile: a conflict
        db.session.rollback()
        return {"file": name, "error": "conflict: another import or edit wrote this first"}
    except Exception as error:  # one bad file never stops the others
        db.session.rollback()
        current_app.logger.exception("import of %s failed", name)
        return {"file": name, "error": f"could not be imported ({type(error).__name__})"}
    return {
        "file": name,
        "code": imported.code,
        "version": imported.number,
        "state": imported.state,
        "blocks": imported.blocks,
        "history": imported.history,
        "created": imported.created,
        "guessed": sorted(parsed.guessed),
        "notes": [str(note) for note in parsed.notes],
    }
