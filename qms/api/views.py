"""The JSON API, version 1: thin endpoints over the same services and queries as the pages.

Every endpoint module declares its routes on `qms.api.blueprint.api`; importing them here, in
one place, is what registers them (none imports this module, so there is no cycle). They are
imported in this order so that the OpenAPI document lists its operations and tags by domain,
whatever the modules import from one another. The app takes `bp` from here.
"""

from __future__ import annotations

from importlib import import_module

from qms.api.blueprint import PREFIX, api, bp

ENDPOINT_MODULES = (
    "accounts",  # the document itself, the token's owner, users, processes, the trail
    "documents",
    "document_signing",
    "document_extras",
    "word",
    "capa",
    "pqrs",
    "audits",
    "audit_programme",
    "audit_work",
    "audit_agenda",
    "search",
)
for _name in ENDPOINT_MODULES:
    import_module(f"{__package__}.{_name}")

__all__ = ["ENDPOINT_MODULES", "PREFIX", "api", "bp"]
