"""The signing pages: what each one says, and its form — the password again, and a comment,
reason or date where due."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from qms.documents.lifecycle import Action
from qms.documents.models import SignatureMeaning
from qms.documents.state_labels import VERSION_STATE_LABELS

M = SignatureMeaning

MAX_TEXT = 2000


class _ContentForm(FlaskForm):
    # The hash shown on the page: if the content changed since, the signer has not seen it.
    content_sha256 = HiddenField(validators=[DataRequired(), Length(max=64)])


class DiscardForm(_ContentForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=MAX_TEXT)])


class SignForm(_ContentForm):
    password = PasswordField(
        _l("Password (your signature)"),
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


class CommentSignForm(SignForm):
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=MAX_TEXT)])


class ApproveForm(CommentSignForm):
    effective_from = DateField(
        _l("Effective from"),
        validators=[DataRequired()],
        description=_l("Today or a later day: the version takes effect on that day by itself."),
    )


class ReasonSignForm(SignForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=MAX_TEXT)])


MEANING_LABELS = {
    M.AUTHORED: _l("Authored"),
    M.REVIEWED: _l("Reviewed"),
    M.APPROVED: _l("Approved"),
    M.REJECTED: _l("Rejected"),
    M.WITHDRAWN: _l("Withdrawn"),
    M.PERIODIC_REVIEW: _l("Reviewed, no change"),
}
STATE_LABELS = VERSION_STATE_LABELS  # the one map: qms/documents/state_labels.py


@dataclass(frozen=True)
class Page:
    """What one signing page says: its heading, the signature's meaning, button, outcome."""

    endpoint: str
    heading: Any
    meaning: str | None
    button: Any
    done: Any


PAGES: dict[str, Page] = {
    Action.SUBMIT: Page(
        "signing.submit",
        _l("Submit for review"),
        M.AUTHORED,
        _l("Sign and submit"),
        _l("Version submitted for review."),
    ),
    Action.REVIEW: Page(
        "signing.review",
        _l("Review"),
        M.REVIEWED,
        _l("Sign as reviewed"),
        _l("Your review signature was recorded."),
    ),
    Action.APPROVE: Page(
        "signing.approve",
        _l("Approve"),
        M.APPROVED,
        _l("Sign as approved"),
        _l("Your approval signature was recorded."),
    ),
    Action.REJECT: Page(
        "signing.reject",
        _l("Reject"),
        M.REJECTED,
        _l("Sign the rejection"),
        _l("Version rejected: it is a draft again."),
    ),
    Action.DISCARD: Page(
        "signing.discard",
        _l("Discard draft"),
        None,
        _l("Discard the draft"),
        _l("Draft discarded."),
    ),
    Action.WITHDRAW: Page(
        "signing.withdraw",
        _l("Withdraw document"),
        M.WITHDRAWN,
        _l("Sign the withdrawal"),
        _l("Document withdrawn: its version in force is obsolete."),
    ),
    "periodic_review": Page(
        "signing.periodic_review",
        _l("Periodic review"),
        M.PERIODIC_REVIEW,
        _l("Sign as reviewed, no change"),
        _l("Periodic review recorded."),
    ),
}
