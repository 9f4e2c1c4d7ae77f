"""Builders for document tests: an organisation with a process, an owner, reviewers, a draft.

Olga leads AC and writes; Raúl, a process owner and a member of AC, reviews (a process owner
signs for the processes he belongs to); Ana, quality lead, approves; Sara is staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import Flask

from qms.core.db import db
from qms.documents import approval
from qms.documents.authoring import create_document, update_draft
from qms.documents.models import Document, DocumentType
from qms.processes.services import create_process
from qms.users.models import User
from tests.helpers import PASSWORD, make_user


@dataclass
class Org:
    owner_id: int
    reviewer_id: int
    approver_id: int
    staff_id: int
    process_id: int


def build_org(app: Flask) -> Org:
    owner = make_user(app, "olga", ["process_owner"], job_title="Jefe de Atención")
    reviewer = make_user(app, "raul", ["process_owner"], job_title="Coordinador")
    approver = make_user(app, "ana", ["quality_lead"], job_title="Líder de Calidad")
    staff = make_user(app, "sara", ["staff"])
    with app.app_context():
        process = create_process(
            db.session,
            None,
            code="AC",
            name="Atención al Cliente",
            type="core",
            leader_id=owner.id,
            member_ids=[reviewer.id],
            bypass_permission=True,
        )
        db.session.commit()
        return Org(owner.id, reviewer.id, approver.id, staff.id, process.id)


def user(user_id: int) -> User:
    found = db.session.get(User, user_id)
    assert found is not None
    return found


def type_id(key: str) -> int:
    found = db.session.scalar(sa.select(DocumentType.id).where(DocumentType.key == key))
    assert found is not None
    return found


def new_document(
    app: Flask,
    org: Org,
    title: str = "Atención de PQRS",
    key: str = "procedure",
    text: str = "Objetivo: responder a tiempo.",
) -> tuple[int, int]:
    """A document with a first draft holding one text block; returns (document id, version id)."""
    with app.app_context():
        document = create_document(
            db.session,
            user(org.owner_id),
            type_id=type_id(key),
            process_id=org.process_id,
            title=title,
        )
        version_id = document.versions[0].id
        update_draft(
            db.session, user(org.owner_id), version_id, content=[{"kind": "text", "text": text}]
        )
        db.session.commit()
        return document.id, version_id


def document(document_id: int) -> Document:
    found = db.session.get(Document, document_id)
    assert found is not None
    return found


def through_approval(
    app: Flask, org: Org, version_id: int, effective_from: date | None = None
) -> None:
    """Submitted by the owner, reviewed and approved: effective on `effective_from` (today)."""
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        approval.approve_version(
            db.session, user(org.approver_id), version_id, PASSWORD, effective_from=effective_from
        )
        db.session.commit()
