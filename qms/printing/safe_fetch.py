"""What WeasyPrint may load while rendering: the app's own static files and data: URLs only.

Content is hostile input: a link, image, @import or @font-face pointing at file://, http(s)://
or anywhere else must never make the renderer read a local file or call out. A refusal is an
exception, which WeasyPrint logs and skips: the page renders without that resource.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_ROOT = (Path(__file__).resolve().parent.parent / "static").resolve()
# The base URL print templates are rendered with; only paths under it map to static files.
BASE_URL = "qms-static:///"


class FetchRefused(ValueError):
    """A resource outside the allowed set was asked for."""


def static_path(url: str) -> Path:
    """The file under qms/static that a qms-static: URL names; refuses traversal."""
    parts = urlsplit(url)
    if parts.scheme != "qms-static" or parts.netloc:
        raise FetchRefused(f"not an allowed URL: {url[:80]}")
    relative = unquote(parts.path).lstrip("/")
    if relative.startswith("static/"):
        relative = relative[len("static/") :]
    path = (STATIC_ROOT / relative).resolve()
    if not path.is_relative_to(STATIC_ROOT) or not path.is_file():
        raise FetchRefused(f"no such static file: {relative[:80]}")
    return path


class SafeFetcher(URLFetcher):
    """data: URLs through urllib's own decoder, static files from the package; nothing else."""

    def __init__(self) -> None:
        super().__init__(timeout=2, allowed_protocols={"data"}, allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        try:
            path = static_path(url)
        except FetchRefused:
            self.refused.append(url)
            raise
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": media_type})
