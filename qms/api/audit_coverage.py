"""The programme's coverage as the API answers it: processes × clauses, gaps, adherence."""

from __future__ import annotations

from qms.api.models.audits import (
    Adherence,
    AuditCoverage,
    AuditProcess,
    CoveredClause,
    CoveredProcess,
    FollowUp,
)
from qms.audits.programme import Adherence as AdherenceValue
from qms.audits.programme import Coverage


def coverage_model(found: Coverage, adherence: AdherenceValue) -> AuditCoverage:
    processes = [
        CoveredProcess(
            **AuditProcess.of(p).model_dump(),
            audits=[a.code for a in found.audits_by_process.get(p.id, [])],
            covered=[
                CoveredClause(clause=clause, audits=found.cells[(p.id, clause)])
                for clause in found.clauses
                if (p.id, clause) in found.cells
            ],
        )
        for p in found.processes
    ]
    return AuditCoverage(
        year=found.year,
        clauses=list(found.clauses),
        processes=processes,
        unaudited_processes=[p.code for p in found.unaudited_processes],
        unaudited_clauses=list(found.unaudited_clauses),
        needs_follow_up=[FollowUp(process=p.code, audit=a.code) for p, a in found.needs_follow_up],
        adherence=Adherence(due=adherence.due, on_plan=adherence.on_plan, rate=adherence.rate),
    )
