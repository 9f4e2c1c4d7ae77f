"""Internal audits in the API: the JSON Schemas of responses (and, from audit_bodies, of request
bodies), and their serializers.

`qms.api.audits` joins these to `qms.api.schemas.SCHEMAS`; like capa_schemas, nothing here
imports that module.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from qms.api.audit_bodies import (
    AUDIT_BODY_SCHEMAS,
    DATE,
    INTEGER,
    PROGRAMME_TEXTS,
    STRING,
    array,
    closed_object,
    enum_of,
    nullable,
    ref,
)
from qms.audits.models import (
    AgendaItem,
    AgendaKind,
    Answer,
    Audit,
    AuditorProfile,
    AuditProgramme,
    AuditState,
    CalendarFeed,
    ChecklistEvidence,
    ChecklistQuestion,
    Finding,
    FindingGrade,
    ReportSignatureMeaning,
    TeamRole,
)
from qms.audits.programme import Adherence, Coverage
from qms.users.models import User

_BOOLEAN = {"type": "boolean"}
_MOMENT = {"type": "string", "format": "date-time"}
_NULL_MOMENT = nullable("string", format="date-time")
_CODES = array(STRING)
_PERSON = closed_object({"id": INTEGER, "username": STRING, "full_name": STRING})
_PROCESS = closed_object({"id": INTEGER, "code": STRING, "name": STRING})
_SUMMARY: dict[str, Any] = {
    "id": INTEGER,
    "code": {"type": "string", "description": "AUD-YYYY-NN."},
    "year": INTEGER,
    "state": enum_of(AuditState),
    "title": STRING,
    "processes": array(_PROCESS),
    "planned_month": {**DATE, "description": "First of the month first planned for."},
    "start_on": DATE,
    "end_on": DATE,
    "lead_auditor_id": INTEGER,
    "lead_auditor": STRING,
}

AUDIT_SCHEMAS: dict[str, dict[str, Any]] = {
    "AuditSummary": closed_object(_SUMMARY),
    "AuditList": closed_object({"items": array("AuditSummary")}),
    "AuditProgramme": closed_object(
        {
            "id": INTEGER,
            "year": INTEGER,
            **PROGRAMME_TEXTS,
            "created_by_id": INTEGER,
            "created_at": _MOMENT,
            "updated_at": _MOMENT,
            "audits": {**array("AuditSummary"), "description": "The year's audits."},
        }
    ),
    "AuditCoverage": closed_object(
        {
            "year": INTEGER,
            "clauses": {**_CODES, "description": "The clauses a year is expected to cover."},
            "processes": array(
                closed_object(
                    {
                        **_PROCESS["properties"],
                        "audits": {**_CODES, "description": "Codes of the year's audits."},
                        "covered": array(closed_object({"clause": STRING, "audits": _CODES})),
                    }
                )
            ),
            "unaudited_processes": {**_CODES, "description": "Process codes."},
            "unaudited_clauses": _CODES,
            "needs_follow_up": {
                **array(closed_object({"process": STRING, "audit": STRING})),
                "description": "Processes whose last audit found a major nonconformity, "
                "with no follow-up audit.",
            },
            "adherence": closed_object(
                {
                    "due": {"type": "integer", "description": "Audits due so far."},
                    "on_plan": {"type": "integer", "description": "Done in their month."},
                    "rate": {"type": ["number", "null"], "description": "on_plan / due."},
                }
            ),
        }
    ),
    "AuditTeamMember": closed_object(
        {
            "user_id": INTEGER,
            "username": STRING,
            "full_name": STRING,
            "role": enum_of(TeamRole),
            "independence_justification": STRING,
            "justified_by_id": nullable("integer"),
        }
    ),
    "AuditAgendaItem": closed_object(
        {
            "id": INTEGER,
            "kind": enum_of(AgendaKind),
            "day": DATE,
            "starts_at": {"type": "string", "description": "HH:MM, local time."},
            "ends_at": STRING,
            "process_id": nullable("integer"),
            "topic": STRING,
            "participants": STRING,
        }
    ),
    "AuditEvidence": closed_object(
        {
            "id": INTEGER,
            "question_id": INTEGER,
            "filename": STRING,
            "media_type": STRING,
            "size": INTEGER,
            "sha256": STRING,
            "added_by_id": INTEGER,
            "created_at": _MOMENT,
        }
    ),
    "AuditQuestion": closed_object(
        {
            "id": INTEGER,
            "audit_id": INTEGER,
            "position": INTEGER,
            "text": STRING,
            "iso_clause": STRING,
            "version_id": nullable("integer"),
            "process_id": nullable("integer"),
            "withdrawn": _BOOLEAN,
            "answer": {"type": "string", "enum": ["", *[a.value for a in Answer]]},
            "notes": STRING,
            "answered_by_id": nullable("integer"),
            "answered_at": _NULL_MOMENT,
            "evidence": array("AuditEvidence"),
        }
    ),
    "AuditFinding": closed_object(
        {
            "id": INTEGER,
            "audit_id": INTEGER,
            "seq": INTEGER,
            "grade": enum_of(FindingGrade),
            "process_id": INTEGER,
            "process": {"type": "string", "description": "The process code."},
            "iso_clause": STRING,
            "criterion": STRING,
            "evidence": STRING,
            "statement": STRING,
            "question_id": nullable("integer"),
            "nonconformity_id": nullable("integer"),
            "created_by_id": INTEGER,
            "created_at": _MOMENT,
        }
    ),
    "AuditSignature": closed_object(
        {
            "id": INTEGER,
            "user_id": INTEGER,
            "meaning": enum_of(ReportSignatureMeaning),
            "printed_name": STRING,
            "job_title": STRING,
            "comment": STRING,
            "content_sha256": STRING,
            "signed_at": _MOMENT,
        }
    ),
    "AuditReschedule": closed_object(
        {
            "from_start_on": DATE,
            "from_end_on": DATE,
            "to_start_on": DATE,
            "to_end_on": DATE,
            "reason": STRING,
            "by_id": INTEGER,
            "at": _MOMENT,
        }
    ),
    "Audit": closed_object(
        {
            **_SUMMARY,
            "programme_id": INTEGER,
            "objectives": STRING,
            "scope": STRING,
            "criteria": STRING,
            "clauses": _CODES,
            "place": STRING,
            "team": array("AuditTeamMember"),
            "auditees": array(_PERSON),
            "created_by_id": INTEGER,
            "created_at": _MOMENT,
            "notified_at": _NULL_MOMENT,
            "started_at": _NULL_MOMENT,
            "report_issued_at": _NULL_MOMENT,
            "closed_at": _NULL_MOMENT,
            "cancel_reason": STRING,
            "conclusions": STRING,
            "strengths": STRING,
            "distribution": STRING,
            "report_sha256": {"type": "string", "description": "Set when the report is issued."},
            "follow_up_of_id": nullable("integer"),
            "agenda": array("AuditAgendaItem"),
            "questions": {**array("AuditQuestion"), "description": "Withdrawn ones included."},
            "findings": array("AuditFinding"),
            "reschedules": array("AuditReschedule"),
            "signatures": array("AuditSignature"),
        }
    ),
    "ChecklistGenerated": closed_object(
        {"added": {"type": "integer", "description": "New questions."}, "audit": ref("Audit")}
    ),
    "FindingNonconformity": closed_object(
        {"finding": ref("AuditFinding"), "nonconformity": ref("Nonconformity")}
    ),
    "SignedAuditReport": closed_object({"signature": ref("AuditSignature"), "audit": ref("Audit")}),
    "Auditor": closed_object(
        {
            "user_id": INTEGER,
            "username": STRING,
            "full_name": STRING,
            "job_title": STRING,
            "active": _BOOLEAN,
            "training": STRING,
            "qualified_on": nullable("string", format="date"),
            "notes": STRING,
            "audits_done": {"type": "integer", "description": "Reports issued on their team."},
        }
    ),
    "AuditorList": closed_object({"items": array("Auditor")}),
    "Pdf": {"type": "string", "contentMediaType": "application/pdf"},
    "CalendarFeed": closed_object(
        {
            "active": {
                "type": "boolean",
                "description": "Whether the owner has a feed that works.",
            },
            "created_at": {**_NULL_MOMENT, "description": "When the active feed was created."},
        },
        description="The token owner's private calendar feed; its URL is never shown again.",
    ),
    "CalendarFeedCreated": closed_object(
        {
            "url": {
                "type": "string",
                "format": "uri",
                "description": "The subscribe URL, with its secret token: shown only in this "
                "response (only a hash is stored). Whoever has it reads the calendar.",
            },
            "created_at": _MOMENT,
        }
    ),
    **AUDIT_BODY_SCHEMAS,
}


def _plain(row: Any, schema: str, **computed: Any) -> dict[str, Any]:
    """The schema's fields, read from the row's columns unless `computed`; dates in ISO 8601."""
    values: dict[str, Any] = {}
    for name in AUDIT_SCHEMAS[schema]["properties"]:
        value = computed[name] if name in computed else getattr(row, name)
        values[name] = value.isoformat() if isinstance(value, date) else value
    return values


def _process(process: Any) -> dict[str, Any]:
    return {"id": process.id, "code": process.code, "name": process.name}


def audit_summary_as_dict(audit: Audit) -> dict[str, Any]:
    return _plain(audit, "AuditSummary", **_summary_names(audit))


def _summary_names(audit: Audit) -> dict[str, Any]:
    return {
        "processes": [_process(p) for p in audit.processes],
        "lead_auditor": audit.lead_auditor.full_name,
    }


def programme_as_dict(programme: AuditProgramme, audits: list[Audit]) -> dict[str, Any]:
    return _plain(programme, "AuditProgramme", audits=[audit_summary_as_dict(a) for a in audits])


def coverage_as_dict(found: Coverage, adherence: Adherence) -> dict[str, Any]:
    processes = [
        {
            **_process(p),
            "audits": [a.code for a in found.audits_by_process.get(p.id, [])],
            "covered": [
                {"clause": clause, "audits": found.cells[(p.id, clause)]}
                for clause in found.clauses
                if (p.id, clause) in found.cells
            ],
        }
        for p in found.processes
    ]
    return {
        "year": found.year,
        "clauses": list(found.clauses),
        "processes": processes,
        "unaudited_processes": [p.code for p in found.unaudited_processes],
        "unaudited_clauses": list(found.unaudited_clauses),
        "needs_follow_up": [{"process": p.code, "audit": a.code} for p, a in found.needs_follow_up],
        "adherence": {"due": adherence.due, "on_plan": adherence.on_plan, "rate": adherence.rate},
    }


def evidence_as_dict(evidence: ChecklistEvidence) -> dict[str, Any]:
    return _plain(evidence, "AuditEvidence", sha256=evidence.blob_sha256)


def question_as_dict(question: ChecklistQuestion) -> dict[str, Any]:
    return _plain(
        question, "AuditQuestion", evidence=[evidence_as_dict(e) for e in question.evidence]
    )


def finding_as_dict(finding: Finding) -> dict[str, Any]:
    return _plain(finding, "AuditFinding", process=finding.process.code)


def audit_signature_as_dict(signature: Any) -> dict[str, Any]:
    return _plain(signature, "AuditSignature")


def _agenda_item_as_dict(item: AgendaItem) -> dict[str, Any]:
    return _plain(item, "AuditAgendaItem")


def audit_as_dict(audit: Audit) -> dict[str, Any]:
    return _plain(
        audit,
        "Audit",
        **_summary_names(audit),
        clauses=list(audit.clauses or []),
        team=[
            _plain(
                m,
                "AuditTeamMember",
                username=m.user.username,
                full_name=m.user.full_name,
            )
            for m in audit.team
        ],
        auditees=[
            {"id": u.id, "username": u.username, "full_name": u.full_name} for u in audit.auditees
        ],
        agenda=[_agenda_item_as_dict(i) for i in audit.agenda],
        questions=[question_as_dict(q) for q in audit.questions],
        findings=[finding_as_dict(f) for f in audit.findings],
        reschedules=[_plain(r, "AuditReschedule") for r in audit.reschedules],
        signatures=[audit_signature_as_dict(s) for s in audit.signatures],
    )


def auditor_as_dict(user: User, profile: AuditorProfile | None, audits_done: int) -> dict[str, Any]:
    return {
        "user_id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "job_title": user.job_title,
        "active": user.active,
        "training": profile.training if profile else "",
        "qualified_on": profile.qualified_on.isoformat()
        if profile and profile.qualified_on
        else None,
        "notes": profile.notes if profile else "",
        "audits_done": audits_done,
    }


def calendar_feed_as_dict(feed: CalendarFeed | None) -> dict[str, Any]:
    """Whether there is an active feed and since when: never its token nor its hash."""
    return {
        "active": feed is not None,
        "created_at": feed.created_at.isoformat() if feed is not None else None,
    }
