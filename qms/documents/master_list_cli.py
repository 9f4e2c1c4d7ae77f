"""`qms documents list`: the master list on the command line, as the operator sees it (all)."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from qms.core.db import db
from qms.documents import master_list as ml

# (heading, width cap) of the table's columns, in the order of MasterListRow.as_json().
TABLE = (
    ("CODE", 16),
    ("TITLE", 48),
    ("TYPE", 16),
    ("PROCESS", 10),
    ("VER", 3),
    ("EFFECTIVE", 10),
    ("OWNER", 28),
    ("NEXT REVIEW", 11),
    ("STATE", 11),
)


@click.group("documents")
def documents_group() -> None:
    """Controlled documents."""


@documents_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per row, ISO dates.")
@click.option("--process", default="", metavar="CODE", help="Only this process (its code).")
@click.option("--type", "type_key", default="", metavar="KEY", help="Only this document type.")
@click.option(
    "--state",
    default=None,
    type=click.Choice([s.value for s in ml.STATES]),
    help="Only this state.",
)
@click.option("--sort", default="code", type=click.Choice(ml.SORT_KEYS), help="Column to sort by.")
@click.option("--desc", is_flag=True, help="Sort descending.")
@with_appcontext
def list_command(
    as_json: bool, process: str, type_key: str, state: str | None, sort: str, desc: bool
) -> None:
    """Print the master document list (every document, whatever its state)."""
    filters = ml.MasterListFilter(
        process=process.strip(),
        type=type_key.strip(),
        state=state or "",
        sort=sort,
        descending=desc,
    )
    rows = ml.build_master_list(db.session, None, filters, unrestricted=True)
    db.session.commit()  # keep the due transitions the listing applied
    if as_json:
        click.echo(json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No documents.")
        return
    table = [[_cell(v) for v in row.as_json().values()] for row in rows]
    widths = [
        min(cap, max([len(head), *(len(line[i]) for line in table)]))
        for i, (head, cap) in enumerate(TABLE)
    ]
    click.echo(_line([head for head, _cap in TABLE], widths))
    click.echo(_line(["-" * w for w in widths], widths))
    for line in table:
        click.echo(_line(line, widths))
    click.echo(f"{len(rows)} documents.")


def _cell(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())


def _line(values: list[str], widths: list[int]) -> str:
    cells = [v if len(v) <= w else v[: w - 1] + "…" for v, w in zip(values, widths, strict=True)]
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
