"""What each trail action reads as, in the reader's language: declared once, for the trail page,
the timelines and their exports.

A phrase is what the actor did ("aprobó la versión %(number)s"); its placeholders are filled from
the event's before/after values (the after value wins). An action without a phrase, or an event
lacking a value its phrase needs, reads as the generic phrase, never as the raw key.
tests/unit/test_trail_words.py lists the actions still lacking one.

The actions are named through the alias `A`, not as `TrailAction.X`: the check that every
declared action is recorded somewhere (tests/unit/test_trail_actions.py) looks for that spelling,
and a mention here records nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from qms.core.trail_actions import TrailAction

A = TrailAction

PHRASES: dict[str, Any] = {
    A.AUDIT_ACCEPT_REPORT: _l("accepted the audit report"),
    A.AUDIT_ADD_AGENDA_ITEM: _l("added an item to the audit agenda"),
    A.AUDIT_ADD_QUESTION: _l("added a question to the checklist"),
    A.AUDIT_ANSWER: _l("answered a checklist question"),
    A.AUDIT_ATTACH: _l("attached the evidence %(file)s to the checklist"),
    A.AUDIT_CANCEL: _l("cancelled the audit"),
    A.AUDIT_CLOSE: _l("closed the audit"),
    A.AUDIT_EDIT: _l("edited the audit"),
    A.AUDIT_EDIT_QUESTION: _l("edited a checklist question"),
    A.AUDIT_GENERATE_CHECKLIST: _l("generated the checklist (%(questions_added)s questions)"),
    A.AUDIT_INDEPENDENCE_WAIVE: _l(
        "accepted auditor %(auditor)s without independence from the audited process"
    ),
    A.AUDIT_ISSUE_REPORT: _l("issued the audit report"),
    A.AUDIT_NOTIFY_PLAN: _l("sent the audit plan"),
    A.AUDIT_OPEN_NONCONFORMITY: _l(
        "opened nonconformity %(nonconformity)s from finding %(finding)s"
    ),
    A.AUDIT_PLAN: _l("planned the audit"),
    A.AUDIT_PRINT_PLAN: _l("printed the audit plan"),
    A.AUDIT_PRINT_REPORT: _l("printed the audit report"),
    A.AUDIT_RECORD_FINDING: _l("recorded finding %(finding)s"),
    A.AUDIT_REMOVE_AGENDA_ITEM: _l("removed an item from the audit agenda"),
    A.AUDIT_RESCHEDULE: _l("rescheduled the audit"),
    A.AUDIT_START: _l("started the audit"),
    A.AUDIT_WITHDRAW_QUESTION: _l("withdrew a checklist question"),
    A.AUDIT_WRITE_REPORT: _l("wrote the audit report"),
    A.AUDIT_PROGRAMME_CREATE: _l("created the audit programme %(year)s"),
    A.AUDIT_PROGRAMME_EDIT: _l("edited the audit programme %(year)s"),
    A.AUDITOR_QUALIFY: _l("recorded an auditor's qualification"),
    A.BLOB_STORE: _l("stored a file"),
    A.CALENDAR_FEED_CREATE: _l("created a calendar link"),
    A.CALENDAR_FEED_REVOKE: _l("revoked a calendar link"),
    A.CAPA_ACTION_COMPLETE: _l("completed an action of %(nonconformity)s"),
    A.CAPA_ACTION_CREATE: _l("planned an action for %(nonconformity)s"),
    A.CAPA_ACTION_UPDATE: _l("updated an action of %(nonconformity)s to %(progress)s %%"),
    A.CHANGE_REQUEST_ACCEPT: _l("accepted the change request"),
    A.CHANGE_REQUEST_CREATE: _l("requested a change"),
    A.CHANGE_REQUEST_REJECT: _l("rejected the change request"),
    A.COPY_ISSUE: _l("issued controlled copy No. %(copy_number)s to %(holder)s"),
    A.COPY_RECALL_ACKNOWLEDGE: _l("confirmed the recall of controlled copy No. %(copy_number)s"),
    A.DOCUMENT_APPROVE: _l("approved version %(number)s"),
    A.DOCUMENT_APPROVE_SIGN: _l(
        "signed the approval of version %(number)s (%(signed)s of %(required)s)"
    ),
    A.DOCUMENT_ATTACH: _l("attached %(filename)s"),
    A.DOCUMENT_CORRECT_CODE: _l("corrected the code to %(code)s"),
    A.DOCUMENT_CREATE: _l("created the document"),
    A.DOCUMENT_DETACH: _l("removed the attachment %(filename)s"),
    A.DOCUMENT_DISCARD: _l("discarded the draft of version %(number)s"),
    A.DOCUMENT_EDIT_DRAFT: _l("edited the draft of version %(number)s"),
    A.DOCUMENT_EXPORT: _l("downloaded version %(number)s as Word"),
    A.DOCUMENT_IMPORT: _l("imported from Word"),
    A.DOCUMENT_IMPORT_BATCH: _l("imported a batch of documents from Word"),
    A.DOCUMENT_INTEGRITY_REFUSED: _l(
        "was stopped: the content of version %(number)s no longer matches its signatures"
    ),
    A.DOCUMENT_PERIODIC_REVIEW: _l("reviewed version %(version)s periodically, with no change"),
    A.DOCUMENT_PRINT: _l("printed version %(number)s"),
    A.DOCUMENT_REJECT: _l("returned version %(number)s to draft"),
    A.DOCUMENT_REVIEW: _l("reviewed version %(number)s"),
    A.DOCUMENT_REVIEW_SIGN: _l(
        "signed the review of version %(number)s (%(signed)s of %(required)s)"
    ),
    A.DOCUMENT_SEGREGATION_REFUSED: _l(
        "could not approve version %(number)s: they reviewed it (segregation of duties)"
    ),
    A.DOCUMENT_START_DRAFT: _l("started version %(number)s from version %(based_on)s"),
    A.DOCUMENT_SUBMIT: _l("submitted version %(number)s for review"),
    A.DOCUMENT_SUPERSEDE: _l("version %(number)s was superseded by version %(by_number)s"),
    A.DOCUMENT_TAKE_EFFECT: _l("version %(number)s came into force"),
    A.DOCUMENT_WITHDRAW: _l("withdrew the document: version %(number)s is obsolete"),
    A.DOCUMENT_TYPE_ACTIVATE: _l("activated the document type"),
    A.DOCUMENT_TYPE_CREATE: _l("created the document type"),
    A.DOCUMENT_TYPE_DEACTIVATE: _l("deactivated the document type"),
    A.DOCUMENT_TYPE_UPDATE: _l("edited the document type"),
    A.EFFECTIVENESS_SIGN: _l("signed the effectiveness check"),
    A.MASTER_LIST_EXPORT: _l("exported the master document list"),
    A.NONCONFORMITY_ACCEPT: _l("accepted the nonconformity"),
    A.NONCONFORMITY_ACTIONS_DONE: _l("all actions of the plan were completed"),
    A.NONCONFORMITY_ANALYSE: _l("recorded the root-cause analysis"),
    A.NONCONFORMITY_APPROVE_PLAN: _l("approved the action plan"),
    A.NONCONFORMITY_ATTACH: _l("attached the evidence %(file)s"),
    A.NONCONFORMITY_CLOSE: _l("closed the nonconformity"),
    A.NONCONFORMITY_CONTAIN: _l("recorded the containment or correction"),
    A.NONCONFORMITY_DISCARD: _l("discarded the nonconformity"),
    A.NONCONFORMITY_EXPORT: _l("exported the nonconformity register"),
    A.NONCONFORMITY_NOTE: _l("added a note"),
    A.NONCONFORMITY_PRINT: _l("printed the nonconformity report"),
    A.NONCONFORMITY_REOPEN: _l("reopened the nonconformity"),
    A.NONCONFORMITY_REPORT: _l("reported the nonconformity"),
    A.NOTIFICATION_CREATE: _l("sent %(count)s notifications"),
    A.NOTIFICATION_READ: _l("read a notification"),
    A.NOTIFICATION_SETTINGS: _l("changed their notification settings"),
    A.ORGANISATION_UPDATE: _l("changed the organisation's settings"),
    A.PQRS_ANSWER: _l("answered the PQRS"),
    A.PQRS_CLOSE: _l("closed the PQRS"),
    A.PQRS_EXPORT: _l("exported the PQRS register"),
    A.PQRS_EXTEND: _l("extended the term of the PQRS"),
    A.PQRS_RAISE_NONCONFORMITY: _l("raised nonconformity %(nonconformity)s"),
    A.PQRS_REGISTER: _l("registered the PQRS"),
    A.PQRS_ROUTE: _l("routed the PQRS to process %(process)s"),
    A.PRINTING_RENDER: _l("prepared the PDF of a version"),
    A.PROCESS_ACTIVATE: _l("activated the process"),
    A.PROCESS_CREATE: _l("created the process"),
    A.PROCESS_DEACTIVATE: _l("deactivated the process"),
    A.PROCESS_MEMBERS: _l("changed the members of the process"),
    A.PROCESS_UPDATE: _l("edited the process"),
    A.PROFILE_EDIT: _l("edited their profile"),
    A.SAVED_SEARCH_CREATE: _l("saved the search %(name)s"),
    A.SAVED_SEARCH_REMOVE: _l("removed the saved search %(name)s"),
    A.SEARCH_REINDEX: _l("rebuilt the search index"),
    A.SESSION_LOGIN: _l("signed in"),
    A.SESSION_LOGIN_FAILED: _l("a sign-in failed (wrong username or password)"),
    A.SESSION_LOGIN_REFUSED: _l("a sign-in was refused: too many failed attempts"),
    A.SESSION_LOGOUT: _l("signed out"),
    A.SIGNATURE_REFUSED: _l("could not sign: the password was not accepted"),
    A.TOKEN_CREATE: _l("created the API token %(name)s"),
    A.TOKEN_REVOKE: _l("revoked the API token %(name)s"),
    A.TRAIL_ANCHOR: _l("anchored the trail outside the database"),
    A.TRAIL_EXPORT: _l("exported the trail"),
    A.TRAIL_EXPORT_HISTORY: _l("exported this history (%(format)s)"),
    A.USER_ACTIVATE: _l("activated the user"),
    A.USER_CREATE: _l("created the user %(username)s"),
    A.USER_DEACTIVATE: _l("deactivated the user"),
    A.USER_PASSWORD_CHANGE: _l("changed their password"),
    A.USER_PASSWORD_CHANGE_REFUSED: _l("could not change their password"),
    A.USER_PASSWORD_RESET: _l("reset the user's password"),
    A.USER_UPDATE: _l("edited the user"),
}

# What the trail calls each kind of object, as a reader names it.
OBJECT_LABELS: dict[str, Any] = {
    "api_token": _l("API token"),
    "audit": _l("Audit"),
    "audit_programme": _l("Audit programme"),
    "blob": _l("File"),
    "calendar_feed": _l("Calendar link"),
    "capa_action": _l("Action"),
    "change_request": _l("Change request"),
    "controlled_copy": _l("Controlled copy"),
    "document": _l("Document"),
    "document_type": _l("Document type"),
    "document_version": _l("Version"),
    "import_batch": _l("Word import"),
    "nonconformity": _l("Nonconformity"),
    "notification": _l("Notification"),
    "organisation": _l("Organisation"),
    "pqrs": _l("PQRS"),
    "process": _l("Process"),
    "saved_search": _l("Saved search"),
    "trail": _l("Trail"),
    "user": _l("User"),
}

GENERIC = _l("recorded an event (%(object)s)")
_PLACEHOLDER = re.compile(r"%\((\w+)\)")


def missing_phrases() -> list[TrailAction]:
    """The declared actions that still read as the generic phrase."""
    return [action for action in TrailAction if action not in PHRASES]


def object_label(object_type: str) -> str:
    label = OBJECT_LABELS.get(object_type)
    return str(label) if label is not None else str(_l("Record"))


class _Strict(dict[str, Any]):
    """Refuses a missing or empty value, so a phrase never reads "version None"."""

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if value is None or value == "" or isinstance(value, dict | list):
            raise KeyError(key)
        return value


def phrase(action: str, object_type: str, values: Mapping[str, Any]) -> str:
    """The action in words, its placeholders filled from `values`."""
    template = PHRASES.get(action)
    if template is not None:
        try:
            return str(template) % _Strict(values)
        except (KeyError, TypeError, ValueError):
            pass  # this event lacks a value the phrase needs: the generic phrase is still true
    return str(GENERIC) % {"object": object_label(object_type)}


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "…"


def action_label(action: str) -> str:
    """An action as a filter lists it: its phrase with the values left out ("approved
    version …"); an action without a phrase shows its key, the only name it has."""
    template = PHRASES.get(action)
    if template is None:
        return action
    return str(template) % _Blank()


def placeholders(action: str) -> frozenset[str]:
    """The value names the action's phrase reads (shown in the sentence, not again below)."""
    template = PHRASES.get(action)
    return frozenset(_PLACEHOLDER.findall(str(template))) if template is not None else frozenset()
