"""A command's domain errors as the command line reports them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from qms.core.errors import DomainError


@contextmanager
def reported(session: Session) -> Iterator[None]:
    """A domain error ends the command with its message; a refusal that was recorded (an
    integrity check's trail event) is committed first, so it stays on record."""
    try:
        yield
    except DomainError as error:
        if error.recorded:
            session.commit()
        else:
            session.rollback()
        raise click.ClickException(error.message) from None
