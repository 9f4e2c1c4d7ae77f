"""Records in the index (issue 15, item 1): nonconformities, PQRS, audits with their checklist
answers, findings and change requests are found by their text once their service commits, cite
their clauses, follow their changes, and are seen only by whom their model's predicate lets
see them; the text of a version's .docx and PDF attachments is found, and a broken or missing
file never stops its version from being indexed."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import docx
import pytest
import weasyprint
from flask import Flask, current_app
from whoosh import query as q

from qms.audits import checklist, findings
from qms.audits import services as audits
from qms.audits.lifecycle import WORKFLOW, AuditAction
from qms.audits.models import Audit, FindingGrade
from qms.capa import pqrs, services, treatment
from qms.core.db import db
from qms.core.localtime import local_today
from qms.documents import change_requests as cr
from qms.documents.authoring import add_attachment
from qms.search import attachment_text, results
from qms.search.analysis import ANALYZER
from qms.search.backend_of import search_backend
from qms.search.sources import BY_KIND, key_of
from qms.search.visibility import index_filter
from tests.audit_flow_helpers import add_agenda
from tests.audits_fixtures import build_audit_org, planned_audit, programme_for
from tests.documents_fixtures import Org, build_org, new_document, through_approval, user
from tests.helpers import make_user

# What a source puts in an entry does not depend on the engine (test_search_backends holds
# the two engines to the same answers), so these run on Whoosh over each database only.

TODAY = local_today()


def _terms(field: str, text: str) -> q.Query:
    """Every word of `text` as the index analyses it, all required."""
    if field not in ("content", "title"):
        return q.Term(field, text)
    return q.And([q.Term(field, token.text) for token in ANALYZER(text)])


def found(app: Flask, text: str, field: str = "content", actor: Any = None) -> set[str]:
    """Keys of the entries holding `text`; as `actor` when given (their index filter)."""
    with app.test_request_context():
        allowed = None if actor is None else index_filter(db.session, actor)
        if allowed is q.NullQuery:
            return set()
        hits = search_backend(app).search(_terms(field, text), allowed, limit=10_000)
        return {hit["key"] for hit in hits}


def shown(app: Flask, kind: str, actor_id: int, ids: Iterable[int]) -> dict[int, Any]:
    with app.test_request_context():
        return dict(BY_KIND[kind].shown(db.session, user(actor_id), list(ids)))


@pytest.fixture
def org(app: Flask) -> Org:
    return build_org(app)


@pytest.fixture
def outsider_id(app: Flask, org: Org) -> int:
    """Staff with nothing to do with anything here."""
    return make_user(app, "pedro", ["staff"]).id


# --- nonconformities ------------------------------------------------------------------------


def _nonconformity(app: Flask, org: Org) -> tuple[int, int]:
    """An NC citing 8.5.1, contained, analysed, with one action; returns (nc id, action id)."""
    with app.app_context():
        nc = services.report_nonconformity(
            db.session,
            user(org.staff_id),
            source="process",
            process_id=org.process_id,
            title="Etiquetas cambiadas en despacho",
            description="Se despacharon cajas con etiquetas de otro lote: guayaba.",
            detected_on=TODAY,
            iso_clause="8.5.1",
        )
        lead, owner = user(org.approver_id), user(org.owner_id)
        services.accept_nonconformity(db.session, lead, nc.id)
        services.contain_nonconformity(db.session, lead, nc.id, "Se retuvo el lote maracuya.")
        treatment.analyse_nonconformity(
            db.session,
            owner,
            nc.id,
            action_needed=True,
            method="five_whys",
            data={"whys": ["La impresora mezcla lotes", "Falta la verificación papaya"]},
        )
        action = treatment.add_action(
            db.session,
            owner,
            nc.id,
            kind="corrective",
            description="Verificar la etiqueta contra el lote granadilla",
            owner_id=owner.id,
            due_on=TODAY + timedelta(days=20),
        )
        treatment.approve_plan(
            db.session,
            lead,
            nc.id,
            check_due_on=TODAY + timedelta(days=60),
            check_criterion="Ningún despacho mal etiquetado en dos meses",
        )
        db.session.commit()
        return nc.id, action.id


@pytest.mark.sql
def test_a_nonconformity_is_found_by_its_treatment_and_clause_and_only_by_whom_may_see_it(
    app: Flask, org: Org, outsider_id: int
) -> None:
    nc_id, _ = _nonconformity(app, org)
    key = key_of("nonconformity", nc_id)
    for word in ("guayaba", "maracuya", "papaya", "granadilla"):
        assert found(app, word) == {key}, word
    assert found(app, "etiquetas cambiadas", field="title") == {key}
    assert key in found(app, "8.5.1", field="clauses")
    assert key in found(app, f"nc-{TODAY.year}", field="code")
    assert key in found(app, "olga", field="people")  # the process owner, who owns the action
    # The reporter and the process owner see it; quality leads see every NC; others nothing.
    for allowed in (org.staff_id, org.owner_id, org.approver_id):
        with app.app_context():
            assert found(app, "guayaba", actor=user(allowed)) == {key}
        [hit] = shown(app, "nonconformity", allowed, [nc_id]).values()
        assert hit.code.startswith("NC-") and hit.endpoint == "capa.show"
        assert hit.url_args == {"nc_id": nc_id} and hit.process_code == "AC"
        assert hit.state == "in_progress" and hit.state_label == "En curso"
    with app.app_context():
        assert found(app, "guayaba", actor=user(outsider_id)) == set()
    assert shown(app, "nonconformity", outsider_id, [nc_id]) == {}
    with app.test_request_context():
        assert BY_KIND["nonconformity"].index_filter(db.session, user(org.approver_id)) is None
        assert BY_KIND["nonconformity"].index_filter(db.session, user(outsider_id)) is q.NullQuery


def test_an_action_update_reindexes_its_nonconformity(app: Flask, org: Org) -> None:
    nc_id, action_id = _nonconformity(app, org)
    key = key_of("nonconformity", nc_id)
    with app.app_context():
        treatment.update_action(
            db.session, user(org.owner_id), action_id, progress=40, evidence="Acta mandarina"
        )
        db.session.commit()
    assert found(app, "mandarina") == {key}
    with app.app_context():
        treatment.update_action(
            db.session, user(org.owner_id), action_id, progress=80, evidence="Acta toronja"
        )
        db.session.commit()
    assert found(app, "toronja") == {key}
    assert found(app, "mandarina") == set()


@pytest.mark.sql
def test_the_search_shows_a_nonconformity_as_its_own_hit_only_to_whom_may_see_it(
    app: Flask, org: Org
) -> None:
    nc_id, _ = _nonconformity(app, org)
    with app.test_request_context():
        backend = search_backend(app)
        seen = results.search(db.session, user(org.approver_id), backend, "guayaba")
        [hit] = seen.hits
        assert isinstance(hit, results.RecordHit) and hit.shown.object_id == nc_id
        assert "<mark>guayaba</mark>" in str(hit.snippet)
        # Raúl is a member of the process, not its leader: the NC is not his to see.
        hidden = results.search(db.session, user(org.reviewer_id), backend, "guayaba")
        assert (hidden.hits, hidden.total) == ([], 0)
        assert all(not facet for facet in hidden.facets.values())


# --- PQRS -----------------------------------------------------------------------------------


@pytest.mark.sql
def test_a_pqrs_is_found_by_its_text_and_answer_and_only_by_whom_may_see_it(
    app: Flask, org: Org, outsider_id: int
) -> None:
    with app.app_context():
        request = pqrs.register_pqrs(
            db.session,
            user(org.staff_id),
            kind="complaint",
            channel="email",
            customer_name="María Pérez",
            text="El subsidio de vivienda zapote no llegó.",
            received_on=TODAY,
        )
        pqrs.route_pqrs(db.session, user(org.approver_id), request.id, process_id=org.process_id)
        pqrs.answer_pqrs(
            db.session,
            user(org.owner_id),
            request.id,
            answer="Se giró el subsidio con la referencia chontaduro.",
            answered_on=TODAY,
        )
        db.session.commit()
        request_id = request.id
    key = key_of("pqrs", request_id)
    for word in ("zapote", "chontaduro", "queja"):
        assert key in found(app, word), word
    assert key in found(app, "maria", field="people")
    for allowed in (org.staff_id, org.owner_id, org.approver_id):
        with app.app_context():
            assert found(app, "zapote", actor=user(allowed)) == {key}
        [hit] = shown(app, "pqrs", allowed, [request_id]).values()
        assert hit.endpoint == "pqrs.show" and hit.url_args == {"request_id": request_id}
        assert "zapote" in hit.title and hit.state_label == "Respondida"
    with app.app_context():
        assert found(app, "zapote", actor=user(outsider_id)) == set()
    assert shown(app, "pqrs", outsider_id, [request_id]) == {}


# --- audits and findings --------------------------------------------------------------------


@pytest.mark.sql
def test_an_audit_its_answers_and_its_findings_are_found_and_follow_their_audit(
    app: Flask,
) -> None:
    org = build_audit_org(app)
    programme_id = programme_for(app, org)
    audit_id = planned_audit(
        app, org, programme_id, scope="Atención de PQRS en la sede lulo.", title="Auditoría AC"
    )
    with app.app_context():
        auditor = user(org.auditor_id)
        add_agenda(audit_id, org)
        checklist.generate_checklist(db.session, auditor, audit_id)
        audit = db.session.get(Audit, audit_id)
        assert audit is not None
        WORKFLOW.apply(db.session, audit, AuditAction.NOTIFY_PLAN, auditor)
        audits.start_audit(db.session, auditor, audit_id)
        question = audit.questions[0]
        checklist.answer_question(
            db.session, auditor, question.id, answer="conforming", notes="Visto el tablero borojo."
        )
        finding = findings.record_finding(
            db.session,
            auditor,
            audit_id,
            grade=FindingGrade.MINOR_NC,
            process_id=org.ac_id,
            iso_clause="8.5.1",
            criterion="Procedimiento de despacho",
            evidence="Remisión pitaya sin firma.",
            statement="Los despachos se liberan sin verificación.",
        )
        db.session.commit()
        finding_id, question_id = finding.id, question.id
    audit_key, finding_key = key_of("audit", audit_id), key_of("finding", finding_id)
    assert found(app, "lulo") == {audit_key}
    assert found(app, "entrevista atencion pqrs") == {audit_key}  # the agenda
    assert found(app, "borojo") == {audit_key}  # a checklist answer, found as its audit
    assert found(app, "pitaya") == {finding_key}
    assert found(app, "8.5.1", field="clauses") == {finding_key}
    assert audit_key in found(app, "8.2.1", field="clauses")  # the plan's clauses
    assert found(app, "jorge", field="people") >= {audit_key, finding_key}
    # A changed answer replaces the old text in its audit's entry.
    with app.app_context():
        checklist.answer_question(
            db.session,
            user(org.auditor_id),
            question_id,
            answer="conforming",
            notes="Visto pomelo.",
        )
        db.session.commit()
    assert found(app, "pomelo") == {audit_key}
    assert found(app, "borojo") == set()
    # The team and the auditees see the audit and its findings; others nothing.
    for allowed in (org.auditor_id, org.staff_id, org.lead_id):
        with app.app_context():
            assert found(app, "pitaya", actor=user(allowed)) == {finding_key}
            assert found(app, "lulo", actor=user(allowed)) == {audit_key}
        [audit_hit] = shown(app, "audit", allowed, [audit_id]).values()
        assert audit_hit.endpoint == "audit_work.show" and audit_hit.process_code == "AC"
        [hit] = shown(app, "finding", allowed, [finding_id]).values()
        assert hit.url_args == {"audit_id": audit_id, "_anchor": "finding-1"}
        assert hit.code == f"{audit_hit.code}-H1" and hit.state_label == "No conformidad menor"
    for denied in (org.outsider_id,):
        with app.app_context():
            assert found(app, "pitaya", actor=user(denied)) == set()
            assert found(app, "lulo", actor=user(denied)) == set()
        assert shown(app, "finding", denied, [finding_id]) == {}
        assert shown(app, "audit", denied, [audit_id]) == {}


# --- change requests ------------------------------------------------------------------------


@pytest.mark.sql
def test_a_change_request_is_found_by_its_reason_and_its_document(
    app: Flask, org: Org, outsider_id: int
) -> None:
    document_id, version_id = new_document(app, org)
    through_approval(app, org, version_id)
    with app.app_context():
        request = cr.file_change_request(
            db.session, user(org.staff_id), "modify", "Agregar el canal curuba.", document_id
        )
        db.session.commit()
        request_id = request.id
    key = key_of("change_request", request_id)
    assert found(app, "curuba") == {key}
    assert key in found(app, "ac-pr-01", field="code")
    for allowed in (org.staff_id, org.owner_id, org.approver_id):
        with app.app_context():
            assert found(app, "curuba", actor=user(allowed)) == {key}
        [hit] = shown(app, "change_request", allowed, [request_id]).values()
        assert (hit.code, hit.endpoint) == ("AC-PR-01", "change_requests.show")
        assert hit.state_label == "Abierta"
    with app.app_context():
        assert found(app, "curuba", actor=user(outsider_id)) == set()
        cr.reject_change_request(
            db.session, user(org.approver_id), request_id, "No aplica: feijoa."
        )
        db.session.commit()
    assert found(app, "feijoa") == {key}
    assert shown(app, "change_request", outsider_id, [request_id]) == {}


# --- attachments ----------------------------------------------------------------------------


def _docx(*paragraphs: str, cell: str = "") -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if cell:
        document.add_table(rows=1, cols=2).cell(0, 1).text = cell
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _attach(app: Flask, org: Org, version_id: int, files: dict[str, bytes]) -> None:
    with app.app_context():
        store = current_app.extensions["qms_store"]
        for name, data in files.items():
            add_attachment(
                db.session,
                store,
                user(org.owner_id),
                version_id,
                data=data,
                filename=name,
                media_type="application/octet-stream",
            )
        db.session.commit()


def test_the_text_of_docx_and_pdf_attachments_is_found_with_their_version(
    app: Flask, org: Org
) -> None:
    _, version_id = new_document(app, org, text="Objetivo del procedimiento.")
    pdf = weasyprint.HTML(string="<p>Registro de temperatura del cuarto arracacha.</p>").write_pdf()
    assert pdf is not None
    _attach(
        app,
        org,
        version_id,
        {
            "instructivo.docx": _docx("Limpieza de la banda yuca.", cell="Turno ñame"),
            "registro.pdf": pdf,
        },
    )
    key = key_of("version", version_id)
    for word in ("yuca", "ñame", "arracacha", "instructivo.docx"):
        assert found(app, word) == {key}, word


def test_broken_or_missing_attachments_never_stop_their_version_from_being_indexed(
    app: Flask, org: Org
) -> None:
    _, version_id = new_document(app, org, text="Objetivo: despachar la ahuyama.")
    broken_zip = io.BytesIO()
    with zipfile.ZipFile(broken_zip, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("word/document.xml", "<w:document><w:body>sin cerrar")
    _attach(
        app,
        org,
        version_id,
        {
            "roto.pdf": b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\nbasura",
            "roto.docx": broken_zip.getvalue(),
        },
    )
    key = key_of("version", version_id)
    assert found(app, "ahuyama") == {key}
    assert found(app, "roto.pdf") == {key}
    # A blob the store lost: the entry is still built, without that file's text.
    with app.app_context():
        store = current_app.extensions["qms_store"]
        attachment = add_attachment(
            db.session,
            store,
            user(org.owner_id),
            version_id,
            data=_docx("Texto del anexo perdido: borojo."),
            filename="perdido.docx",
            media_type="application/octet-stream",
        )
        store._path(attachment.blob_sha256).unlink()
        db.session.commit()
    assert found(app, "ahuyama") == {key}
    assert found(app, "perdido.docx") == {key}
    assert found(app, "borojo") == set()


def test_a_hostile_file_is_bounded_and_never_raises() -> None:
    pages = "".join(f"<p style='page-break-after: always'>pagina{n}</p>" for n in range(5))
    pdf = weasyprint.HTML(string=pages).write_pdf()
    assert pdf is not None
    assert "pagina4" in attachment_text.file_text(pdf, "application/pdf", "a.pdf")
    # A zip that would inflate beyond the limit is refused before any parser opens it.
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (attachment_text.MAX_UNZIPPED_BYTES + 1))
    assert attachment_text.file_text(bomb.getvalue(), attachment_text.DOCX, "b.docx") == ""
    assert attachment_text.file_text(b"%PDF-1.4 nada", "application/pdf", "c.pdf") == ""
    assert attachment_text.file_text(b"\x00\x01", "image/png", "d.png") == ""
    long_text = ("palabra " * 100_000).encode()
    assert len(attachment_text.file_text(long_text, "text/plain", "e.txt")) == (
        attachment_text.MAX_CHARS
    )
