"""What the guide says, as data: each role's job and each step of a first document.

Steps name the role that takes them and the page where it is done; the page shows a link only
where the endpoint exists and the reader may open it, so nobody is sent to a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from qms.core.permissions import Permission as P
from qms.core.permissions import Role


@dataclass(frozen=True)
class RoleDuty:
    role: Role
    does: Any  # lazy text: what this role does in the system
    starts_at: str  # the endpoint where this role's work usually begins
    permission: P


@dataclass(frozen=True)
class Step:
    title: Any
    who: tuple[Role, ...]
    text: Any
    endpoint: str | None = None
    link: Any = None
    permission: P | None = None


ROLES = (
    RoleDuty(
        Role.ADMIN,
        _l(
            "Creates the accounts and gives each person their roles; sets the organisation's "
            "name, logo, paper size and time zone, and the processes of the map."
        ),
        "users.index",
        P.USER_READ,
    ),
    RoleDuty(
        Role.QUALITY_LEAD,
        _l(
            "Keeps the system running: document types and the master list, reviews documents "
            "before approval, issues and recalls controlled copies, treats nonconformities and "
            "PQRS, and writes the audit programme."
        ),
        "master_list.index",
        P.DOCUMENT_READ,
    ),
    RoleDuty(
        Role.APPROVER,
        _l(
            "Top management: approves documents with their signature and sets the day each "
            "version takes effect."
        ),
        "home.dashboard",
        P.DOCUMENT_READ,
    ),
    RoleDuty(
        Role.PROCESS_OWNER,
        _l(
            "Leads a process: writes and updates its documents, answers the PQRS routed to it "
            "and carries out the corrective actions of its nonconformities."
        ),
        "documents.index",
        P.DOCUMENT_READ,
    ),
    RoleDuty(
        Role.AUDITOR,
        _l(
            "Conducts the internal audits assigned to them: the plan, the checklist, the "
            "findings and the report; never audits their own work."
        ),
        "audits.index",
        P.AUDIT_READ_OWN,
    ),
    RoleDuty(
        Role.STAFF,
        _l(
            "Reads the documents in force of their processes, reports nonconformities, "
            "registers the PQRS customers bring and acknowledges recalled copies."
        ),
        "documents.index",
        P.DOCUMENT_READ,
    ),
)

STEPS = (
    Step(
        _l("Create the document"),
        (Role.PROCESS_OWNER, Role.QUALITY_LEAD),
        _l(
            "In Documents, choose “New document”: pick its type (characterisation, procedure, "
            "form…) and its process; the code is assigned by the type's pattern. A Word file "
            "already in use can be imported instead."
        ),
        "documents.create",
        _l("New document"),
        P.DOCUMENT_CREATE_OWN,
    ),
    Step(
        _l("Write its content"),
        (Role.PROCESS_OWNER, Role.QUALITY_LEAD),
        _l(
            "The draft is made of blocks: text, tables, SIPOC, procedure steps, indicators, "
            "control plan. Save as often as needed: a draft is never in force and readers do not "
            "see it."
        ),
        "documents.index",
        _l("Documents"),
        P.DOCUMENT_READ,
    ),
    Step(
        _l("Submit it for review"),
        (Role.PROCESS_OWNER, Role.QUALITY_LEAD),
        _l(
            "On the version's page, “Submit for review” signs the draft with your password: "
            "its content is frozen and it waits in the work of the reviewers named by the "
            "type's approval route."
        ),
    ),
    Step(
        _l("Review"),
        (Role.QUALITY_LEAD, Role.PROCESS_OWNER),
        _l(
            "The reviewer reads the version and signs it as reviewed, or rejects it with a "
            "reason so that it becomes a draft again. The author never reviews their own "
            "version."
        ),
        "home.dashboard",
        _l("My work"),
        P.DOCUMENT_READ,
    ),
    Step(
        _l("Approve"),
        (Role.APPROVER,),
        _l(
            "The approver signs it as approved and chooses the day it takes effect. On that "
            "day it is in force and the previous version is superseded, by itself."
        ),
        "home.dashboard",
        _l("My work"),
        P.DOCUMENT_READ,
    ),
    Step(
        _l("Issue a controlled copy"),
        (Role.QUALITY_LEAD,),
        _l(
            "Where a paper copy is needed, “Print” on the version in force, then “Controlled "
            "copies”: each copy is numbered and assigned to a holder and carries a QR code to "
            "check it is still in force. When a new version takes effect, its copies are "
            "recalled and each holder acknowledges it."
        ),
        "copies.recalls",
        _l("Recalls"),
        P.COPY_READ,
    ),
    Step(
        _l("Check the master list"),
        (Role.QUALITY_LEAD, Role.AUDITOR),
        _l(
            "The master list shows every document with its version in force, dates and owner; "
            "it exports to Excel for an audit file."
        ),
        "master_list.index",
        _l("Master list"),
        P.DOCUMENT_READ,
    ),
)

# Further reading: what comes after the first document.
AFTERWARDS = (
    ("capa.index", _l("Nonconformities"), P.NONCONFORMITY_REPORT),
    ("pqrs.index", _l("PQRS"), P.PQRS_REGISTER),
    ("audits.index", _l("Audits"), P.AUDIT_READ_OWN),
    ("processes.index", _l("Processes"), P.PROCESS_READ),
    ("trail.index", _l("Trail"), P.TRAIL_READ),
)
