"""Markdown that would keep a worker busy for minutes (Python-Markdown scans links in
quadratic time): refused on save with a clear 400, and shown as plain text if it is stored."""

from __future__ import annotations

import time

import pytest
from flask import Flask

from qms.documents.rendering import MAX_BRACKETS, render_markdown
from tests.documents_fixtures import Org, build_org, new_document
from tests.helpers import bearer_for

# 25,000 of these took 90 s to render before the bound.
PATHOLOGICAL = "[a](" * 25_000


@pytest.fixture
def org(app: Flask) -> Org:
    return build_org(app)


def test_a_pathological_block_is_shown_as_text_at_once():
    started = time.perf_counter()
    html = render_markdown(PATHOLOGICAL + "\n\nOtro párrafo <b>")
    assert time.perf_counter() - started < 2
    assert html.startswith("<p>[a](") and "<p>Otro párrafo &lt;b&gt;</p>" in html
    assert "<a" not in html
    # An ordinary block with links still renders them.
    assert '<a href="https://example.co"' in render_markdown("[ver](https://example.co)")


def test_the_editor_refuses_it_with_a_clear_message(app, client, org):
    _, version_id = new_document(app, org)
    started = time.perf_counter()
    response = client.patch(
        f"/api/v1/versions/{version_id}",
        headers=bearer_for(app, org.owner_id),
        json={"content": [{"kind": "text", "text": PATHOLOGICAL}]},
    )
    assert time.perf_counter() - started < 5
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert str(MAX_BRACKETS) in response.json["error"]["message"]
