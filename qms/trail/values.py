"""How one stored trail value reads: the field's label, and the value through the labels the
other pages use (states, kinds, grades...), dates and times in the organisation's zone, users by
full name, lists and nested values summarised, long text cut.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from qms.core.timefmt import format_day, format_moment

FIELD_LABELS: dict[str, Any] = {
    "action": _l("Action"),
    "action_needed": _l("Action needed"),
    "active": _l("Active"),
    "answer": _l("Result"),
    "answered_on": _l("Answered on"),
    "any": _l("Any word"),
    "auditees": _l("Auditees"),
    "auditor": _l("Auditor"),
    "based_on": _l("Based on version"),
    "by_number": _l("Replaced by version"),
    "change_request": _l("Change request"),
    "change_summary": _l("Change description"),
    "changed": _l("Changed"),
    "channel": _l("Channel"),
    "check_due_on": _l("Effectiveness check due on"),
    "clause": _l("ISO 9001 clause"),
    "clauses": _l("ISO 9001 clauses"),
    "code": _l("Code"),
    "code_pattern": _l("Code pattern"),
    "conclusions": _l("Conclusions"),
    "content": _l("Content"),
    "containment": _l("Containment or correction"),
    "content_sha256": _l("Content fingerprint (SHA-256)"),
    "copy": _l("Copy"),
    "copy_number": _l("Copy No."),
    "count": _l("Count"),
    "criteria": _l("Criteria"),
    "daily_digest": _l("Daily digest"),
    "day": _l("Day"),
    "default_blocks": _l("Default blocks"),
    "description": _l("Description"),
    "distribution": _l("Distribution"),
    "document": _l("Document"),
    "due_on": _l("Due on"),
    "effective_from": _l("Effective from"),
    "email": _l("Email"),
    "events": _l("Events"),
    "end_on": _l("End"),
    "ends_at": _l("Ends at"),
    "file": _l("File"),
    "filename": _l("File"),
    "finding": _l("Finding"),
    "format": _l("Format"),
    "full_name": _l("Full name"),
    "grade": _l("Grade"),
    "holder": _l("Holder"),
    "job_title": _l("Job title"),
    "kind": _l("Kind"),
    "lead_auditor": _l("Lead auditor"),
    "leader_id": _l("Leader"),
    "locale": _l("Language"),
    "media_type": _l("File type"),
    "member_ids": _l("Members"),
    "method": _l("Method"),
    "methods": _l("Methods"),
    "name": _l("Name"),
    "nonconformity": _l("Nonconformity"),
    "notes": _l("Notes"),
    "number": _l("Version"),
    "objective": _l("Objective"),
    "objectives": _l("Objectives"),
    "on_time": _l("On time"),
    "owner": _l("Owner"),
    "page_size": _l("Paper size"),
    "process": _l("Process"),
    "processes": _l("Processes"),
    "progress": _l("Progress (%)"),
    "questions_added": _l("Questions added"),
    "reason": _l("Reason"),
    "report_sha256": _l("Report fingerprint (SHA-256)"),
    "required": _l("Required"),
    "result": _l("Result"),
    "review_interval_months": _l("Review interval (months)"),
    "roles": _l("Roles"),
    "root_cause": _l("Root cause"),
    "round": _l("Round"),
    "route": _l("Signing route"),
    "satisfaction": _l("Satisfaction"),
    "scope": _l("Scope"),
    "sessions_ended": _l("Sessions ended"),
    "severity": _l("Severity"),
    "sha256": _l("Fingerprint (SHA-256)"),
    "signed": _l("Signed"),
    "signed_as": _l("Signed as"),
    "size": _l("Size (bytes)"),
    "source": _l("Source"),
    "start_on": _l("Start"),
    "starts_at": _l("Starts at"),
    "state": _l("State"),
    "status": _l("State"),
    "strengths": _l("Strengths"),
    "team": _l("Audit team"),
    "text": _l("Text"),
    "title": _l("Title"),
    "topic": _l("Topic"),
    "type": _l("Type"),
    "user": _l("User"),
    "username": _l("Username"),
    "version": _l("Version"),
    "year": _l("Year"),
}

# Internal references a reader cannot use (row ids); the CSV export keeps them.
HIDDEN_FIELDS = frozenset(
    {"attachment", "draft_version", "item", "question", "session", "signature"}
)
HIDDEN_OF_TYPE = {"change_request": frozenset({"version", "owner", "authorised_by"})}
# Fields that name users, by id or by username: shown by full name.
USER_ID_FIELDS = frozenset({"leader_id", "member_ids"})
USERNAME_FIELDS = frozenset({"owner", "user", "auditor", "lead_auditor", "auditees", "team"})
# Fields whose value lists other fields by their keys.
FIELD_LISTS = frozenset({"changed"})
TEXT_LIMIT = 300
LIST_LIMIT = 8
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_HASH = re.compile(r"^[0-9a-f]{64}$")


@cache
def _value_labels() -> dict[tuple[str, str], Mapping[Any, Any]]:
    """(object type or "", field) → labels of its values: the labels the other pages use.
    Imported when first needed: the trail sits under these packages."""
    from qms.audits import labels as audit_labels
    from qms.capa import forms as capa_forms
    from qms.capa import pqrs_forms
    from qms.documents import change_request_forms, sign_forms
    from qms.processes.forms import TYPE_LABELS
    from qms.users.admin_forms import ROLE_LABELS

    copies = {"controlled": _l("Controlled copy"), "uncontrolled": _l("Uncontrolled copy")}
    return {
        ("document_version", "state"): sign_forms.STATE_LABELS,
        ("nonconformity", "state"): capa_forms.STATE_LABELS,
        ("audit", "state"): audit_labels.STATE_LABELS,
        ("pqrs", "state"): pqrs_forms.STATE_LABELS,
        ("change_request", "state"): change_request_forms.STATE_LABELS,
        ("capa_action", "status"): capa_forms.ACTION_STATUS_LABELS,
        ("capa_action", "kind"): capa_forms.KIND_LABELS,
        ("pqrs", "kind"): pqrs_forms.KIND_LABELS,
        ("change_request", "kind"): change_request_forms.KIND_LABELS,
        ("process", "type"): TYPE_LABELS,
        ("", "grade"): audit_labels.GRADE_LABELS,
        ("", "answer"): audit_labels.ANSWER_LABELS,
        ("", "kind"): audit_labels.AGENDA_KIND_LABELS,
        ("", "meaning"): sign_forms.MEANING_LABELS,
        ("", "signed_as"): sign_forms.MEANING_LABELS,
        ("", "source"): capa_forms.SOURCE_LABELS,
        ("", "severity"): capa_forms.SEVERITY_LABELS,
        ("", "method"): capa_forms.METHOD_LABELS,
        ("", "result"): capa_forms.RESULT_LABELS,
        ("", "channel"): pqrs_forms.CHANNEL_LABELS,
        ("", "satisfaction"): pqrs_forms.SATISFACTION_LABELS,
        ("", "roles"): ROLE_LABELS,
        ("", "copy"): copies,
    }


def field_label(key: str) -> str:
    label = FIELD_LABELS.get(key)
    if label is not None:
        return str(label)
    return key.replace("_", " ").strip().capitalize() or key


@dataclass(frozen=True)
class People:
    """Full names of the users an event's values name, by id or by username (one query), and
    the names of the document types (the events keep their keys)."""

    by_id: Mapping[int, str] = field(default_factory=dict)
    by_username: Mapping[str, str] = field(default_factory=dict)
    document_types: Mapping[str, str] = field(default_factory=dict)

    def name(self, key: str, value: Any) -> str | None:
        if key in USER_ID_FIELDS and isinstance(value, int) and not isinstance(value, bool):
            return self.by_id.get(value)
        if key in USERNAME_FIELDS and isinstance(value, str):
            return self.by_username.get(value)
        return None


NOBODY = People()


def show_value(
    value: Any,
    object_type: str = "",
    key: str = "",
    *,
    limit: int = TEXT_LIMIT,
    people: People = NOBODY,
) -> str:
    """One stored value as a reader reads it."""
    return _show(value, object_type, key, limit, 0, people)


def _show(value: Any, object_type: str, key: str, limit: int, depth: int, people: People) -> str:
    if value is None or value == "":
        return "—"
    person = people.name(key, value)
    if person:
        return person
    if object_type == "document" and key == "type" and value in people.document_types:
        return people.document_types[value]
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        if key in FIELD_LISTS:
            return field_label(value)
        return _show_text(value, object_type, key, limit)
    if isinstance(value, Sequence):
        if not value:
            return "—"
        shown = [
            _show(item, object_type, key, limit, depth + 1, people) for item in value[:LIST_LIMIT]
        ]
        more = len(value) - LIST_LIMIT
        if more > 0:
            shown.append(_("and %(n)d more", n=more))
        return ", ".join(shown)
    if isinstance(value, Mapping):
        if not value:
            return "—"
        if depth >= 2:
            return "…"
        parts = [
            f"{field_label(str(k))}: {_show(v, object_type, str(k), limit, depth + 1, people)}"
            for k, v in list(value.items())[:LIST_LIMIT]
        ]
        return "; ".join(parts) + ("; …" if len(value) > LIST_LIMIT else "")
    return _cut(str(value), limit)


def _show_text(value: str, object_type: str, key: str, limit: int) -> str:
    labels = _value_labels()
    for scope in (object_type, ""):
        known = labels.get((scope, key))
        if known is not None and value in known:
            return str(known[value])
    if _DAY.match(value):
        try:
            return format_day(date.fromisoformat(value))
        except ValueError:
            return value
    if _MOMENT.match(value):
        try:
            return format_moment(datetime.fromisoformat(value), zone_name=True)
        except ValueError:
            return value
    if _HASH.match(value):
        return value[:12] + "…"
    return _cut(value, limit)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
