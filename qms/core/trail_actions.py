"""Every action the trail records, declared once: `resource:verb`, as the events store it.

Like the permissions, the vocabulary lives in core: the workflow engine's rules name these
members, the trail records them (`trail.record` takes a TrailAction), and whatever looks events
up matches on them. tests/unit/test_trail_actions.py keeps bare strings from coming back.
"""

from __future__ import annotations

from enum import StrEnum


class TrailAction(StrEnum):
    AUDIT_ACCEPT_REPORT = "audit:accept_report"
    AUDIT_ADD_AGENDA_ITEM = "audit:add_agenda_item"
    AUDIT_ADD_QUESTION = "audit:add_question"
    AUDIT_ANSWER = "audit:answer"
    AUDIT_ATTACH = "audit:attach"
    AUDIT_CANCEL = "audit:cancel"
    AUDIT_CLOSE = "audit:close"
    AUDIT_EDIT = "audit:edit"
    AUDIT_EDIT_QUESTION = "audit:edit_question"
    AUDIT_GENERATE_CHECKLIST = "audit:generate_checklist"
    AUDIT_INDEPENDENCE_WAIVE = "audit:independence_waive"
    AUDIT_ISSUE_REPORT = "audit:issue_report"
    AUDIT_NOTIFY_PLAN = "audit:notify_plan"
    AUDIT_OPEN_NONCONFORMITY = "audit:open_nonconformity"
    AUDIT_PLAN = "audit:plan"
    AUDIT_PRINT_PLAN = "audit:print_plan"
    AUDIT_PRINT_REPORT = "audit:print_report"
    AUDIT_RECORD_FINDING = "audit:record_finding"
    AUDIT_REMOVE_AGENDA_ITEM = "audit:remove_agenda_item"
    AUDIT_RESCHEDULE = "audit:reschedule"
    AUDIT_START = "audit:start"
    AUDIT_WITHDRAW_QUESTION = "audit:withdraw_question"
    AUDIT_WRITE_REPORT = "audit:write_report"

    AUDIT_PROGRAMME_CREATE = "audit_programme:create"
    AUDIT_PROGRAMME_EDIT = "audit_programme:edit"

    AUDITOR_QUALIFY = "auditor:qualify"

    BLOB_STORE = "blob:store"

    CALENDAR_FEED_CREATE = "calendar_feed:create"
    CALENDAR_FEED_REVOKE = "calendar_feed:revoke"

    CAPA_ACTION_COMPLETE = "capa_action:complete"
    CAPA_ACTION_CREATE = "capa_action:create"
    CAPA_ACTION_UPDATE = "capa_action:update"

    CHANGE_REQUEST_ACCEPT = "change_request:accept"
    CHANGE_REQUEST_CREATE = "change_request:create"
    CHANGE_REQUEST_REJECT = "change_request:reject"

    COPY_ISSUE = "copy:issue"
    COPY_RECALL_ACKNOWLEDGE = "copy:recall_acknowledge"

    DOCUMENT_APPROVE = "document:approve"
    DOCUMENT_APPROVE_SIGN = "document:approve_sign"
    DOCUMENT_ATTACH = "document:attach"
    DOCUMENT_CORRECT_CODE = "document:correct_code"
    DOCUMENT_CREATE = "document:create"
    DOCUMENT_DETACH = "document:detach"
    DOCUMENT_DISCARD = "document:discard"
    DOCUMENT_EDIT_DRAFT = "document:edit_draft"
    DOCUMENT_EXPORT = "document:export"
    DOCUMENT_IMPORT = "document:import"
    DOCUMENT_IMPORT_BATCH = "document:import_batch"
    DOCUMENT_INTEGRITY_REFUSED = "document:integrity_refused"
    DOCUMENT_PERIODIC_REVIEW = "document:periodic_review"
    DOCUMENT_PRINT = "document:print"
    DOCUMENT_REJECT = "document:reject"
    DOCUMENT_REVIEW = "document:review"
    DOCUMENT_REVIEW_SIGN = "document:review_sign"
    DOCUMENT_SEGREGATION_REFUSED = "document:segregation_refused"
    DOCUMENT_START_DRAFT = "document:start_draft"
    DOCUMENT_SUBMIT = "document:submit"
    DOCUMENT_SUPERSEDE = "document:supersede"
    DOCUMENT_TAKE_EFFECT = "document:take_effect"
    DOCUMENT_WITHDRAW = "document:withdraw"

    DOCUMENT_TYPE_ACTIVATE = "document_type:activate"
    DOCUMENT_TYPE_CREATE = "document_type:create"
    DOCUMENT_TYPE_DEACTIVATE = "document_type:deactivate"
    DOCUMENT_TYPE_UPDATE = "document_type:update"

    EFFECTIVENESS_SIGN = "effectiveness:sign"

    MASTER_LIST_EXPORT = "master_list:export"

    NONCONFORMITY_ACCEPT = "nonconformity:accept"
    NONCONFORMITY_ACTIONS_DONE = "nonconformity:actions_done"
    NONCONFORMITY_ANALYSE = "nonconformity:analyse"
    NONCONFORMITY_APPROVE_PLAN = "nonconformity:approve_plan"
    NONCONFORMITY_ATTACH = "nonconformity:attach"
    NONCONFORMITY_CLOSE = "nonconformity:close"
    NONCONFORMITY_CONTAIN = "nonconformity:contain"
    NONCONFORMITY_DISCARD = "nonconformity:discard"
    NONCONFORMITY_EXPORT = "nonconformity:export"
    NONCONFORMITY_NOTE = "nonconformity:note"
    NONCONFORMITY_PRINT = "nonconformity:print"
    NONCONFORMITY_REOPEN = "nonconformity:reopen"
    NONCONFORMITY_REPORT = "nonconformity:report"

    NOTIFICATION_CREATE = "notification:create"
    NOTIFICATION_READ = "notification:read"
    NOTIFICATION_SETTINGS = "notification:settings"

    ORGANISATION_UPDATE = "organisation:update"

    PQRS_ANSWER = "pqrs:answer"
    PQRS_CLOSE = "pqrs:close"
    PQRS_EXTEND = "pqrs:extend"
    PQRS_EXPORT = "pqrs:export"
    PQRS_RAISE_NONCONFORMITY = "pqrs:raise_nonconformity"
    PQRS_REGISTER = "pqrs:register"
    PQRS_ROUTE = "pqrs:route"

    PRINTING_RENDER = "printing:render"

    PROCESS_ACTIVATE = "process:activate"
    PROCESS_CREATE = "process:create"
    PROCESS_DEACTIVATE = "process:deactivate"
    PROCESS_MEMBERS = "process:members"
    PROCESS_UPDATE = "process:update"

    PROFILE_EDIT = "profile:edit"

    SAVED_SEARCH_CREATE = "saved_search:create"
    SAVED_SEARCH_REMOVE = "saved_search:remove"

    SEARCH_REINDEX = "search:reindex"

    SESSION_LOGIN = "session:login"
    SESSION_LOGIN_FAILED = "session:login_failed"
    SESSION_LOGIN_REFUSED = "session:login_refused"
    SESSION_LOGOUT = "session:logout"

    SIGNATURE_REFUSED = "signature:refused"

    TOKEN_CREATE = "token:create"
    TOKEN_REVOKE = "token:revoke"

    TRAIL_ANCHOR = "trail:anchor"
    TRAIL_EXPORT = "trail:export"
    TRAIL_EXPORT_HISTORY = "trail:export_history"

    USER_ACTIVATE = "user:activate"
    USER_CREATE = "user:create"
    USER_DEACTIVATE = "user:deactivate"
    USER_PASSWORD_CHANGE = "user:password_change"
    USER_PASSWORD_CHANGE_REFUSED = "user:password_change_refused"
    USER_PASSWORD_RESET = "user:password_reset"
    USER_UPDATE = "user:update"
