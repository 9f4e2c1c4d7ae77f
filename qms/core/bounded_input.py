"""Request bodies sent without a Content-Length (chunked) are held to the upload limit too.

Werkzeug stops reading such a body at MAX_CONTENT_LENGTH without an error, so a 40 MB upload
would be stored cut at 25 MiB. This middleware reads a chunked body first (spooled to disk
past 1 MiB), answers 413 when it is over the limit, and otherwise hands the app an ordinary
request with its Content-Length, so every reader downstream sees the whole body or nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
CHUNK = 64 * 1024


class BoundedChunkedInput:
    def __init__(self, app: WSGIApp, limit: Callable[[], int | None]) -> None:
        self.app = app
        self.limit = limit  # read per request: tests and settings may change it

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not chunked or environ.get("CONTENT_LENGTH") or "wsgi.input_terminated" not in environ:
            # Gunicorn marks every request input_terminated; only a chunked body needs this.
            return self.app(environ, start_response)
        limit = self.limit()
        body = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 - closed below
        size = 0
        stream = environ["wsgi.input"]
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if limit is not None and size > limit:
                body.close()
                return RequestEntityTooLarge()(environ, start_response)
            body.write(chunk)
        body.seek(0)
        environ["wsgi.input"] = body
        environ["CONTENT_LENGTH"] = str(size)
        del environ["wsgi.input_terminated"]
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        try:
            return self.app(environ, start_response)
        finally:
            # The response is built by now for this app (no streamed request reads later).
            body.close()
