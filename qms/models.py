"""Imports every model so that `Base.metadata` is complete (Alembic, drift test)."""

from qms.audits.models import (
    AgendaItem,
    Audit,
    AuditorProfile,
    AuditProgramme,
    AuditReschedule,
    AuditSignature,
    AuditTeamMember,
    CalendarFeed,
    ChecklistEvidence,
    ChecklistQuestion,
    Finding,
    audit_auditees,
    audit_processes,
)
from qms.blobs.models import Blob
from qms.capa.models import (
    CapaAction,
    EffectivenessCheck,
    Nonconformity,
    NonconformityEvidence,
    NonconformityNote,
    RootCauseAnalysis,
)
from qms.capa.pqrs_models import PqrsRequest
from qms.core.db import Base
from qms.documents.models import (
    Attachment,
    ChangeRequest,
    Document,
    DocumentType,
    DocumentVersion,
    Signature,
)
from qms.notifications.models import Notification, NotificationSetting
from qms.organisation.models import Organisation
from qms.printing.models import ControlledCopy, PdfRendition
from qms.processes.models import Process, process_members
from qms.search.backends.postgres_models import SearchEntry
from qms.search.models import SearchJob
from qms.search.saved_models import SavedSearch
from qms.trail.models import TrailEvent, TrailHead
from qms.users.models import ApiToken, LoginAttempt, User, UserRole, UserSession
from qms.word.models import ImportBatch

__all__ = [
    "AgendaItem",
    "ApiToken",
    "Attachment",
    "Audit",
    "AuditProgramme",
    "AuditReschedule",
    "AuditSignature",
    "AuditTeamMember",
    "AuditorProfile",
    "Base",
    "Blob",
    "CalendarFeed",
    "CapaAction",
    "ChangeRequest",
    "ChecklistEvidence",
    "ChecklistQuestion",
    "ControlledCopy",
    "Document",
    "DocumentType",
    "DocumentVersion",
    "EffectivenessCheck",
    "Finding",
    "ImportBatch",
    "LoginAttempt",
    "Nonconformity",
    "NonconformityEvidence",
    "NonconformityNote",
    "Notification",
    "NotificationSetting",
    "Organisation",
    "PdfRendition",
    "PqrsRequest",
    "Process",
    "RootCauseAnalysis",
    "SavedSearch",
    "SearchEntry",
    "SearchJob",
    "Signature",
    "TrailEvent",
    "TrailHead",
    "User",
    "UserRole",
    "UserSession",
    "audit_auditees",
    "audit_processes",
    "process_members",
]
