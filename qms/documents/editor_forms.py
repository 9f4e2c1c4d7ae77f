"""The browser block editor's server side: its configuration, empty blocks, reading its JSON.

The configuration carries every kind's declared fields (qms.documents.block_kinds), so the
script names no field of its own.

The draft page carries the blocks as JSON in a hidden `content_json` field; block-editor.js
edits them and writes them back. Without JavaScript the field stays disabled and the form's
per-block fields are posted instead (see qms.documents.forms).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp

from qms.core.errors import ValidationFailed
from qms.documents import blocks as block_model
from qms.documents import iso9001
from qms.documents.block_kinds import KINDS

MAX_JSON = 2_000_000

KIND_LABELS: dict[str, Any] = {name: kind.label for name, kind in KINDS.items()}

EMPTY_BLOCKS: dict[str, dict[str, Any]] = {name: kind.empty() for name, kind in KINDS.items()}

# Words the script shows around the fields; translated here so the page speaks the reader's
# language. The fields' own labels come with each kind (editor_config).
UI_TEXT: dict[str, Any] = {
    "block": _l("Block %(n)s"),
    "pastedRows": _l("Rows pasted: %(n)s"),
    "title": _l("Title"),
    "up": _l("Up"),
    "down": _l("Down"),
    "remove": _l("Remove"),
    "moveBlockUp": _l("Move block %(n)s up"),
    "moveBlockDown": _l("Move block %(n)s down"),
    "removeBlock": _l("Remove block %(n)s"),
    "addBlock": _l("Add a block"),
    "addBlockOfKind": _l("Kind of block to add"),
    "add": _l("Add"),
    "addRow": _l("Add a row"),
    "row": _l("Row %(n)s"),
    "moveRowUp": _l("Move row %(n)s up"),
    "moveRowDown": _l("Move row %(n)s down"),
    "removeRow": _l("Remove row %(n)s"),
    "actions": _l("Actions"),
    "addColumn": _l("Add a column"),
    "removeColumn": _l("Remove the last column"),
    "column": _l("Column %(n)s"),
    "addItem": _l("Add an item"),
    "item": _l("Item %(n)s"),
    "removeItem": _l("Remove item %(n)s"),
    "noBlocks": _l("No blocks yet: add one below."),
    "noRows": _l("No rows yet."),
    "step": _l("Step %(n)s"),
    "addStep": _l("Add a step"),
    "moveStepUp": _l("Move step %(n)s up"),
    "moveStepDown": _l("Move step %(n)s down"),
    "removeStep": _l("Remove step %(n)s"),
    "question": _l("Question"),
    "yes": _l("If yes, go to step"),
    "no": _l("If no, go to step"),
    "chooseStep": _l("— choose a step —"),
    "isoNumbers": _l("ISO 9001:2015 clauses (numbers separated by commas)"),
    "json": _l("Block content (JSON)"),
    "badJson": _l("Block %(n)s: the JSON could not be read."),
    "stepIdMissing": _l("Block %(n)s, step %(row)s: the step needs a number."),
    "stepIdTwice": _l("Block %(n)s: step number %(id)s is used twice."),
    "decisionTarget": _l("Block %(n)s, step %(row)s: choose the yes and no steps of the decision."),
    "fixFirst": _l("Please correct these before saving:"),
    # The formatting toolbar of text blocks (format-toolbar.js).
    "fmtToolbar": _l("Text format"),
    "fmtHeading": _l("Heading"),
    "fmtSubheading": _l("Subheading"),
    "fmtBold": _l("Bold (Ctrl+B)"),
    "fmtBoldShort": _lp("bold button", "B"),
    "fmtBoldText": _l("bold text"),
    "fmtItalic": _l("Italics (Ctrl+I)"),
    "fmtItalicShort": _lp("italics button", "I"),
    "fmtItalicText": _l("text in italics"),
    "fmtBullets": _l("Bulleted list"),
    "fmtNumbers": _l("Numbered list"),
    "fmtLink": _l("Link (Ctrl+K)"),
    "fmtLinkShort": _l("Link"),
    "fmtLinkAddress": _l("Address of the link (https://… or an e-mail):"),
    "fmtLinkRefused": _l("Only web addresses (https://…) and e-mail addresses can be linked."),
}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value)


def iso_catalogue() -> list[dict[str, str]]:
    """ISO 9001:2015 clauses as [{number, title}] in the reader's language."""
    return iso9001.clauses(_language())


def _language() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale is not None else "en"


def editor_kinds() -> list[str]:
    """The kinds the editor offers: those the block model validates, in a fixed order."""
    known = [kind for kind in KIND_LABELS if kind in block_model.BLOCK_KINDS]
    return known + sorted(k for k in block_model.BLOCK_KINDS if k not in KIND_LABELS)


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def empty_block(kind: str) -> dict[str, Any]:
    return copy.deepcopy(EMPTY_BLOCKS.get(kind, {"kind": kind}))


def _kind_config(kind: str) -> dict[str, Any]:
    declared = KINDS.get(kind)
    if declared is None:
        return {"kind": kind, "label": kind_label(kind)}
    return declared.editor_config()


def editor_config() -> dict[str, Any]:
    """What block-editor.js needs besides the content: the kinds as declared (each with its
    fields, their labels, inputs and choices), empty blocks, words, clauses."""
    kinds = editor_kinds()
    return {
        "kinds": [_kind_config(k) for k in kinds],
        "empty": {k: empty_block(k) for k in kinds},
        "text": _plain(UI_TEXT),
        "iso": iso_catalogue(),
    }


def content_to_json(content: list[dict[str, Any]]) -> str:
    return json.dumps(content, ensure_ascii=False)


def block_to_json(block: dict[str, Any]) -> str:
    """A block as indented JSON, for the no-JavaScript editor of structured kinds."""
    return json.dumps(block, ensure_ascii=False, indent=2)


def parse_content_json(raw: str) -> list[Any]:
    """The posted editor content; bad JSON or a non-list is a ValidationFailed."""
    if len(raw) > MAX_JSON:
        raise ValidationFailed(_("The content is too large."), field="content")
    try:
        content = json.loads(raw)
    except ValueError as error:
        raise ValidationFailed(
            _(
                "The editor's content is not valid JSON (%(detail)s); nothing was saved.",
                detail=str(error),
            ),
            field="content",
        ) from error
    if not isinstance(content, list):
        raise ValidationFailed(_("The content is a list of blocks."), field="content")
    return content


def parse_block_json(raw: str, kind: str, position: int) -> dict[str, Any]:
    """One block's JSON from the no-JavaScript editor; it must stay of its kind."""
    try:
        block = json.loads(raw)
    except ValueError as error:
        raise ValidationFailed(
            _(
                "Block %(n)d: the JSON could not be read (%(detail)s).",
                n=position,
                detail=str(error),
            ),
            field="json",
        ) from error
    if not isinstance(block, dict):
        raise ValidationFailed(_("Block %(n)d: the JSON is not an object.", n=position))
    block.setdefault("kind", kind)
    if block["kind"] != kind:
        raise ValidationFailed(
            _("Block %(n)d: the kind cannot be changed here.", n=position), field="json"
        )
    return block


def check_blocks(content: list[Any]) -> None:
    """Validate block by block so that a fault names its block (and kind)."""
    for position, block in enumerate(content, start=1):
        try:
            block_model.clean_blocks([block])
        except ValidationFailed as error:
            kind = block.get("kind") if isinstance(block, dict) else None
            raise ValidationFailed(
                _(
                    "Block %(n)d (%(kind)s): %(message)s",
                    n=position,
                    kind=kind_label(str(kind)),
                    message=error.message,
                ),
                field="content",
            ) from error
    block_model.clean_blocks(content)  # the limits over the whole content
