"""Work that must wait until a transaction has committed: mails, index updates, renders.

`after_commit(session, key, job)` parks `job` in `session.info`; right after the session's
transaction commits, each parked job runs once, in the order parked. A rollback, or a close
without a commit, drops them: what was not committed is never announced.

One job per key and transaction: parking a key again returns the job already parked, so a
caller that parks on every flush can gather into one job (the versions to reindex, the mails).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

OUTBOX = "qms_outbox"
log = logging.getLogger(__name__)

Job = TypeVar("Job", bound=Callable[[], object])


def after_commit(session: Session, key: str, job: Job) -> Job:
    """Run `job` once right after this transaction commits; the job parked under `key`."""
    parked: dict[str, Callable[[], object]] = session.info.setdefault(OUTBOX, {})
    return parked.setdefault(key, job)  # type: ignore[return-value]


def _run(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the outer transaction may still roll back
    for key, job in session.info.pop(OUTBOX, {}).items():
        try:
            job()
        except Exception:
            # The commit has happened: a failed job must neither undo it nor stop the others.
            log.exception("after-commit job %s failed", key)


def _drop(session: Session, transaction: SessionTransaction) -> None:
    # After a commit `_run` has emptied the outbox; any other end of the outermost transaction
    # (rollback, close) drops what it parked. Savepoints end inside it and drop nothing.
    if transaction.parent is None:
        session.info.pop(OUTBOX, None)


# On the Session class, so every session has an outbox as soon as anything can park in one.
event.listen(Session, "after_commit", _run)
event.listen(Session, "after_transaction_end", _drop)
