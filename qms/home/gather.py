"""Mi trabajo: every domain's work for one person, on cards, most urgent first.

The home page and the bell both read `work_of`, so the count on the bell is the list on the
home. A card that can never apply to a person (by permission) is left out; one that applies
and is empty stays, to say so and what to do next.

Gathering costs tens of queries (90 ms for a quality lead on the demo), too much for the badge
of every page: the badge reads `pending_count`, the last count gathered for that person in this
process, at most COUNT_SECONDS old and dropped as soon as the person writes anything (so their
own signature or draft shows at once; work others hand them shows within the minute).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import Session

from qms.audits import my_work as audits
from qms.capa import my_work as capa
from qms.core.links import optional_url
from qms.core.localtime import local_today
from qms.core.permissions import Permission, can, can_own_variant
from qms.documents import my_work as documents
from qms.home.work import WorkItem, urgency
from qms.printing import my_work as printing

P = Permission
COUNT_SECONDS = 60.0
COUNTS = "qms_work_counts"  # app.extensions: user id → (monotonic expiry, count)
Items = Callable[[Session, Any, date], list[WorkItem]]


@dataclass(frozen=True)
class CardSpec:
    id: str  # the section's HTML id, also the anchor the bell's list links to
    title: Any
    empty: Any
    applies: Callable[[Any], bool]
    items: Items
    next_label: Any = None
    next_endpoint: str = ""
    # Some work reaches people the card is not meant for (a copy's holder): look anyway.
    always_look: bool = False


CARDS: tuple[CardSpec, ...] = (
    CardSpec(
        "to-sign",
        _l("Waiting for my signature"),
        _l(
            "Nothing waits for your signature: versions sent for your review or approval "
            "appear here."
        ),
        lambda actor: can(actor, P.DOCUMENT_SIGN),
        documents.signature_items,
    ),
    CardSpec(
        "capa",
        _l("Nonconformities and actions"),
        _l("No action or nonconformity waits for you."),
        capa.takes_part,
        capa.capa_items,
        _l("Report a nonconformity"),
        "capa.new",
    ),
    CardSpec(
        "pqrs",
        _l("PQRS"),
        _l(
            "No PQRS waits for you: those routed to your processes appear here with their "
            "legal term."
        ),
        capa.answers_pqrs,
        capa.pqrs_items,
        _l("See the PQRS"),
        "pqrs.index",
    ),
    CardSpec(
        "audits",
        _l("Internal audits"),
        _l("No audit of yours is coming up."),
        audits.takes_part,
        audits.audit_items,
        _l("See the audits"),
        "audits.index",
    ),
    CardSpec(
        "reviews-due",
        _l("Periodic reviews due"),
        _l("No review of your documents is due in the next 30 days."),
        lambda actor: can_own_variant(actor, P.DOCUMENT_PERIODIC_REVIEW),
        documents.review_items,
        _l("See every review due"),
        "master_list.reviews_due",
    ),
    CardSpec(
        "my-drafts",
        _l("My drafts"),
        _l("You have no draft open."),
        lambda actor: can_own_variant(actor, P.DOCUMENT_EDIT),
        documents.draft_items,
        _l("Write a new document"),
        "documents.create",
    ),
    CardSpec(
        "change-requests",
        _l("Change requests to decide"),
        _l("No change request waits for your decision."),
        lambda actor: can(actor, P.CHANGE_REQUEST_DECIDE),
        documents.change_request_items,
        _l("See the change requests"),
        "change_requests.index",
    ),
    CardSpec(
        "copies",
        _l("Controlled copies to recall"),
        _l("No controlled copy is waiting to be handed back."),
        printing.acknowledges_recalls,
        printing.copy_items,
        _l("See the recall list"),
        "copies.recalls",
        always_look=True,
    ),
)


@dataclass(frozen=True)
class Card:
    spec: CardSpec
    items: list[WorkItem]

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def title(self) -> Any:
        return self.spec.title

    @property
    def empty(self) -> Any:
        return self.spec.empty

    @property
    def next_label(self) -> Any:
        return self.spec.next_label

    @property
    def next_url(self) -> str | None:
        return optional_url(self.spec.next_endpoint) if self.spec.next_endpoint else None

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue)


@dataclass(frozen=True)
class Work:
    cards: list[Card] = field(default_factory=list)

    @property
    def items(self) -> list[WorkItem]:
        return sorted((item for card in self.cards for item in card.items), key=urgency)

    @property
    def count(self) -> int:
        return sum(len(card.items) for card in self.cards)

    @property
    def overdue(self) -> int:
        return sum(card.overdue for card in self.cards)


def _card_urgency(card: Card) -> tuple[int, tuple[bool, bool, date]]:
    return (0, urgency(card.items[0])) if card.items else (1, (True, True, date.max))


def gather(session: Session, actor: Any, on: date | None = None) -> Work:
    """The person's cards: each card's items by urgency, the cards by their most urgent item."""
    if actor is None or not getattr(actor, "is_authenticated", True):
        return Work()
    day = on or local_today()
    cards = []
    for spec in CARDS:
        applies = spec.applies(actor)
        if not (applies or spec.always_look):
            continue
        items = sorted(spec.items(session, actor, day), key=urgency)
        if items or applies:
            cards.append(Card(spec, items))
    return Work(sorted(cards, key=_card_urgency))


def work_of(session: Session, actor: Any) -> Work:
    """`gather` once per request: the home page and the bell in its header share it."""
    if not has_request_context():
        return gather(session, actor)
    cached = g.get("qms_my_work")
    if cached is None or cached[0] != getattr(actor, "id", None):
        # Read only: an error page may render while a refused write is still pending.
        with session.no_autoflush:
            cached = (getattr(actor, "id", None), gather(session, actor))
        g.qms_my_work = cached
        if cached[0] is not None:
            _counts()[cached[0]] = (time.monotonic() + COUNT_SECONDS, cached[1].count)
    return cached[1]


def pending_count(session: Session, actor: Any) -> int:
    """The badge's number: this request's gathering if it made one, else the person's recent
    count, else a new gathering."""
    if not has_request_context():
        return gather(session, actor).count
    cached = g.get("qms_my_work")
    if cached is not None and cached[0] == getattr(actor, "id", None):
        return int(cached[1].count)
    recent = _counts().get(actor.id)
    if recent is not None and recent[0] > time.monotonic():
        return recent[1]
    return int(work_of(session, actor).count)


def _counts() -> dict[int, tuple[float, int]]:
    counts: dict[int, tuple[float, int]] = current_app.extensions.setdefault(COUNTS, {})
    return counts


def forget_count_after_writes(app: Flask) -> None:
    """A person's write (any request but a read) may change their work: count it afresh."""

    @app.after_request
    def _forget(response: Response) -> Response:
        writes = request.method not in ("GET", "HEAD", "OPTIONS")
        if writes and current_user.is_authenticated:
            app.extensions.get(COUNTS, {}).pop(current_user.id, None)
        return response
