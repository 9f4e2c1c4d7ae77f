"""One visibility rule per model, and every reader of it agrees (issue 14, item 3).

The demo organisation (`qms demo`), with a few rows added for the edges it lacks, is read by
every demo user (one of each role, two auditors). For each model with a visibility rule, over
every row of its table, the ids the SQL predicate selects are the ids the single-object load
returns (the others answer NotFound), the ids the model's list shows, and, where a Python twin
remains for objects already loaded, the ids it accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from qms.audits import services as audits
from qms.audits.models import Audit
from qms.capa import pqrs
from qms.capa import services as capa
from qms.capa.models import ActionKind, CapaAction, NcSource, Nonconformity
from qms.capa.pqrs_models import PqrsRequest
from qms.core.db import db, utcnow
from qms.core.errors import NotFound
from qms.core.localtime import local_today
from qms.demo import USERS, demo_command
from qms.documents import change_requests, queries
from qms.documents.authoring import create_document
from qms.documents.models import (
    ChangeRequest,
    Document,
    DocumentType,
    DocumentVersion,
    VersionState,
)
from qms.processes.models import Process
from qms.users.models import User

pytestmark = pytest.mark.sql

S = VersionState


def _stage(roles: list[str], users: list[int]) -> dict[str, Any]:
    return {"roles": roles, "users": users, "count": 1, "sequential": False}


@dataclass
class Edges:
    """The ids of the rows added for the edges the demo lacks."""

    by_name: int  # a version in review whose route names "colaborador" (staff) by id
    no_one_named: int  # in approval, its route names no one: the approvers sign it
    scoped_in: int  # in review for the role staff, in a process "colaborador" belongs to
    scoped_out: int  # in review for staff and process owners, of a process of neither
    draft_elsewhere: int  # a draft of a process "lider" does not lead nor belong to


def _user(session: Session, username: str) -> User:
    found = session.scalar(sa.select(User).where(User.username == username))
    assert found is not None
    return found


def _process(session: Session, code: str) -> Process:
    found = session.scalar(sa.select(Process).where(Process.code == code))
    assert found is not None
    return found


def _version(
    session: Session, process: str, title: str, state: S, route: dict[str, Any] | None
) -> int:
    """A new document whose first version is in `state` with that route.

    The draft is moved in one update while still a draft (a submitted version is immutable in
    the database); the signing rules themselves are not this test's subject.
    """
    admin = _user(session, "admin")
    procedure = session.scalar(sa.select(DocumentType.id).where(DocumentType.key == "procedure"))
    assert procedure is not None
    document = create_document(
        session,
        None,
        type_id=procedure,
        process_id=_process(session, process).id,
        title=title,
        owner_id=admin.id,
        bypass_permission=True,
    )
    version = document.versions[0]
    if state != S.DRAFT:
        version.state = state
        version.route = route or {}
        version.submitted_at = utcnow()
    session.flush()
    return version.id


def _add_edges(session: Session) -> Edges:
    colaborador, gerente = _user(session, "colaborador"), _user(session, "gerente")
    lider, calidad = _user(session, "lider"), _user(session, "calidad")
    auditor = _user(session, "auditor")
    # Documents: TI and TH are led by "admin" and have no members; "colaborador" belongs to
    # CL; GC is led by "calidad" with "auditor" as a member.
    edges = Edges(
        by_name=_version(
            session,
            "TI",
            "Respaldo de servidores",
            S.IN_REVIEW,
            {"review": _stage([], [colaborador.id]), "approval": _stage(["quality_lead"], [])},
        ),
        no_one_named=_version(
            session,
            "TI",
            "Gestión de contraseñas",
            S.IN_APPROVAL,
            {"review": _stage(["quality_lead"], []), "approval": _stage([], [])},
        ),
        scoped_in=_version(
            session,
            "CL",
            "Guion de llamadas",
            S.IN_REVIEW,
            {"review": _stage(["staff"], []), "approval": _stage(["approver"], [])},
        ),
        scoped_out=_version(
            session,
            "GC",
            "Evaluación de proveedores",
            S.IN_REVIEW,
            {"review": _stage(["staff", "process_owner"], []), "approval": _stage([], [])},
        ),
        draft_elsewhere=_version(session, "TH", "Inducción de personal", S.DRAFT, None),
    )
    # Change requests: filed by staff about a document of CL (its leader "lider" sees it), by
    # the manager about a document of TH, and a creation request (no document yet).
    call_centre = session.scalar(sa.select(Document.id).where(Document.code == "CL-CR-01"))
    elsewhere = session.get(DocumentVersion, edges.draft_elsewhere)
    assert call_centre is not None and elsewhere is not None
    procedure = session.scalar(sa.select(DocumentType.id).where(DocumentType.key == "procedure"))
    session.add_all(
        [
            ChangeRequest(
                kind="modify",
                reason="Actualizar el guion",
                requested_by_id=colaborador.id,
                document_id=call_centre,
            ),
            ChangeRequest(
                kind="withdraw",
                reason="Ya no aplica",
                requested_by_id=gerente.id,
                document_id=elsewhere.document_id,
            ),
            ChangeRequest(
                kind="create",
                reason="Falta el procedimiento",
                requested_by_id=lider.id,
                proposed_title="Copias de seguridad",
                proposed_type_id=procedure,
                proposed_process_id=_process(session, "TI").id,
            ),
        ]
    )
    # Nonconformities: one of TI reported by the manager, with an action owned by staff (who
    # sees it through the action only); one of GC reported by an auditor.
    today = local_today()
    of_ti = capa.report_nonconformity(
        session,
        gerente,
        source=NcSource.OTHER,
        process_id=_process(session, "TI").id,
        title="Copia de seguridad fallida",
        description="La copia del viernes no terminó.",
        detected_on=today,
    )
    capa.report_nonconformity(
        session,
        auditor,
        source=NcSource.PROCESS,
        process_id=_process(session, "GC").id,
        title="Proveedor sin evaluar",
        description="Un proveedor crítico no tiene evaluación vigente.",
        detected_on=today,
    )
    session.add(
        CapaAction(
            nonconformity_id=of_ti.id,
            round=of_ti.round,
            kind=ActionKind.CORRECTIVE,
            description="Repetir la copia y vigilarla",
            owner_id=colaborador.id,
            due_on=today + timedelta(days=7),
            created_by_id=calidad.id,
        )
    )
    # PQRS: one registered by staff, never routed; one registered by the manager and routed
    # to CL, which "lider" leads.
    pqrs.register_pqrs(
        session,
        colaborador,
        kind="petition",
        channel="phone",
        customer_name="Pedro Pérez",
        text="Pide el horario de atención.",
        received_on=today,
    )
    routed = pqrs.register_pqrs(
        session,
        gerente,
        kind="complaint",
        channel="email",
        customer_name="Lucía Gómez",
        text="Nadie contestó en el centro de llamadas.",
        received_on=today,
    )
    pqrs.route_pqrs(session, calidad, routed.id, process_id=_process(session, "CL").id)
    session.flush()
    return edges


@pytest.fixture
def demo(app: Flask) -> Edges:
    result = app.test_cli_runner().invoke(demo_command)
    assert result.exit_code == 0, result.output
    with app.app_context():
        edges = _add_edges(db.session)
        db.session.commit()
    return edges


def _loaded(ids: Iterable[int], load: Callable[[int], object]) -> set[int]:
    """The ids whose single-object load succeeds; a hidden object is NotFound, nothing else."""
    found = set()
    for object_id in ids:
        try:
            load(object_id)
        except NotFound:
            continue
        found.add(object_id)
    return found


def _ids(session: Session, column: Any, where: sa.ColumnElement[bool] | None = None) -> set[int]:
    stmt = sa.select(column)
    if where is not None:
        stmt = stmt.where(where)
    return set(session.scalars(stmt))


def _each_model(session: Session, actor: User) -> dict[str, dict[str, set[int]]]:
    """Per model: the ids each reader of its rule gives for `actor`."""
    every_version = session.scalars(sa.select(DocumentVersion)).all()
    every_document = session.scalars(sa.select(Document)).all()
    documents = _ids(session, Document.id)
    listed_documents = queries.list_documents(
        session, actor, process_id=None, type_id=None, text=""
    )
    return {
        "document version": {
            "sql": _ids(session, DocumentVersion.id, queries.version_visibility(actor, session)),
            "load": _loaded(
                _ids(session, DocumentVersion.id),
                lambda i: queries.get_version(session, actor, i),
            ),
            "python": {v.id for v in every_version if queries.can_see_version(actor, v)},
            "list": {
                v.id for d in every_document for v in queries.visible_versions(session, actor, d)
            },
        },
        "document": {
            "sql": _ids(session, Document.id, queries.document_visibility(actor, session)),
            "load": _loaded(documents, lambda i: queries.get_document(session, actor, i)),
            "python": {
                d.id
                for d in every_document
                if any(queries.can_see_version(actor, v) for v in d.versions)
            },
            "list": {document.id for document, _current, _open in listed_documents},
        },
        "change request": {
            "sql": _ids(session, ChangeRequest.id, change_requests.visibility(actor)),
            "load": _loaded(
                _ids(session, ChangeRequest.id),
                lambda i: change_requests.get_change_request(session, actor, i),
            ),
            "list": {r.id for r in change_requests.list_change_requests(session, actor)},
        },
        "nonconformity": {
            "sql": _ids(session, Nonconformity.id, capa.nonconformity_visibility(actor)),
            "load": _loaded(
                _ids(session, Nonconformity.id),
                lambda i: capa.get_nonconformity(session, actor, i),
            ),
            "list": {nc.id for nc in capa.list_nonconformities(session, actor)},
        },
        "pqrs": {
            "sql": _ids(session, PqrsRequest.id, pqrs.pqrs_visibility(actor)),
            "load": _loaded(
                _ids(session, PqrsRequest.id), lambda i: pqrs.get_pqrs(session, actor, i)
            ),
            "list": {r.id for r in pqrs.list_pqrs(session, actor)},
        },
        "audit": {
            "sql": _ids(session, Audit.id, audits.audit_visibility(actor)),
            "load": _loaded(_ids(session, Audit.id), lambda i: audits.get_audit(session, actor, i)),
            "python": {a.id for a in session.scalars(sa.select(Audit)) if audits.can_see(actor, a)},
            "list": {a.id for a in audits.list_audits(session, actor)},
        },
    }


def test_every_reader_of_a_visibility_rule_agrees_for_every_role(app: Flask, demo: Edges) -> None:
    disagreements = []
    hidden_from_someone: dict[str, bool] = {}
    with app.app_context():
        session = db.session
        for spec in USERS:
            actor = _user(session, spec.username)
            for model, readers in _each_model(session, actor).items():
                sql = readers["sql"]
                for reader, ids in readers.items():
                    if ids != sql:
                        disagreements.append(
                            f"{spec.username} ({spec.role}), {model}: {reader} differs from "
                            f"sql by {sorted(ids - sql)} extra and {sorted(sql - ids)} missing"
                        )
                table = {
                    "document version": DocumentVersion.id,
                    "document": Document.id,
                    "change request": ChangeRequest.id,
                    "nonconformity": Nonconformity.id,
                    "pqrs": PqrsRequest.id,
                    "audit": Audit.id,
                }[model]
                everything = _ids(session, table)
                assert sql <= everything
                hidden_from_someone[model] = hidden_from_someone.get(model, False) or (
                    sql != everything
                )
    assert not disagreements, "\n".join(disagreements)
    # Not a vacuous agreement: every rule hides some row from someone, and shows some.
    assert all(hidden_from_someone.values()), hidden_from_someone


def test_the_named_signer_sees_the_version_in_lists_as_by_its_id(app: Flask, demo: Edges) -> None:
    """Whoever the route names for the current stage sees the version everywhere: by name
    (staff of another process), by a process-scoped role (staff of the document's process),
    and, when the stage names no one, by the role that signs it (the manager approves)."""
    with app.app_context():
        session = db.session
        named = {
            "colaborador": {demo.by_name, demo.scoped_in},
            "gerente": {demo.no_one_named},
            "lider": set(),
        }
        edges = {
            demo.by_name,
            demo.no_one_named,
            demo.scoped_in,
            demo.scoped_out,
            demo.draft_elsewhere,
        }
        for username, expected in named.items():
            actor = _user(session, username)
            waiting = set(queries.named_signer_version_ids(session, actor))
            assert waiting & edges == expected, username
            for version_id in expected:
                version = queries.get_version(session, actor, version_id)
                rows = queries.list_documents(
                    session, actor, process_id=None, type_id=None, text=""
                )
                listed = {d.id: pending for d, _current, pending in rows}
                assert listed.get(version.document_id) is version
            for version_id in edges - expected:
                if username == "lider" and version_id == demo.scoped_in:
                    continue  # lider leads CL: sees its drafts and versions under way anyway
                with pytest.raises(NotFound):
                    queries.get_version(session, actor, version_id)
