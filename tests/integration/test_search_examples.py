"""The examples, once in the system (`qms demo`), are found as an auditor would look for them:
by a SIPOC word typed without accents, by the code in lower case and by its family, and by an
ISO clause they cite (issue 15, "done when", for documents)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from qms.core.db import db
from qms.search.backend_of import search_backend
from qms.search.services import search_entries
from qms.users.models import User
from tests.demo_app import demo_app


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path) -> Iterator[Flask]:
    """The demo organisation on its own SQLite file, built once for the module."""
    with demo_app(tmp_path_factory.mktemp("search-examples"), migrated_sqlite) as (app, _):
        yield app


def _codes(app: Flask, text: str) -> set[str]:
    with app.test_request_context():
        auditor = db.session.scalar(sa.select(User).where(User.username == "auditora"))
        return {h.code for h in search_entries(db.session, auditor, search_backend(app), text)}


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("concertacion", "CL-CR-01"),  # "actas de concertación", a SIPOC activity
        ("captar nuevos clientes", "CSC-AC-CR-01"),
        ("csc-ac-cr-01", "CSC-AC-CR-01"),
        ("csc-ac", "CSC-AC-CR-01"),
        ("csc", "CSC-AC-CR-01"),
        ("pd-gcr-mr-002-fo-01", "PD-GCR-MR-002-FO-01"),
        ("pd-gcr", "PD-GCR-MR-002"),
        ("5.1.2", "CSC-AC-CR-01"),
        ("cláusula:10.2", "CL-CR-01"),
    ],
)
def test_an_example_is_found(demo: Flask, typed: str, found: str) -> None:
    assert found in _codes(demo, typed)


def test_a_code_names_its_document_not_its_neighbours(demo: Flask) -> None:
    assert "CL-CR-01" not in _codes(demo, "csc-ac-cr-01")
    assert "PD-GCR-MR-002" not in _codes(demo, "csc")


def _kinds(app: Flask, text: str) -> dict[str, set[str]]:
    with app.test_request_context():
        auditor = db.session.scalar(sa.select(User).where(User.username == "auditora"))
        found: dict[str, set[str]] = {}
        for hit in search_entries(db.session, auditor, search_backend(app), text):
            found.setdefault(hit.kind, set()).add(hit.code)
        return found


def test_a_clause_brings_the_nonconformity_and_finding_with_the_documents(demo: Flask) -> None:
    """The demo's nonconformity and audit finding on 8.2.1 (customer communication) come up
    beside the characterisations that cite the clause."""
    found = _kinds(demo, "cláusula:8.2.1")
    assert found.get("version"), found
    assert found.get("nonconformity"), found
    assert found.get("finding"), found
    assert found.get("audit"), found  # the audits whose plan covers 8.2.1
    assert {"CL-CR-01", "CSC-AC-CR-01"} <= found["version"]
    # Typed bare, the clause finds the same records.
    bare = _kinds(demo, "8.2.1")
    assert bare["nonconformity"] == found["nonconformity"]
    assert bare["finding"] == found["finding"]
