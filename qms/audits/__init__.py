"""Internal audits (ISO 9001 clause 9.2): programme, schedule, checklists, findings, reports."""
