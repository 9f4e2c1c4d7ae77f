"""Rendering is hostile-input work: content can never make WeasyPrint read a file or call out."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import BytesIO

import pytest
from pypdf import PdfReader

from qms.printing.safe_fetch import FetchRefused, SafeFetcher, static_path
from qms.printing.sandbox import render_isolated


@pytest.fixture
def trap():
    """A real HTTP server on 127.0.0.1 that records every request it gets."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def test_remote_and_local_resources_are_never_fetched(trap, tmp_path):
    base, hits = trap
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    html = f"""<html><head>
      <link rel="stylesheet" href="{base}/linked.css">
      <style>@import url("{base}/imported.css");
             @font-face {{ font-family: X; src: url("{base}/font.ttf"); }}
             @import url("file://{secret}");</style></head>
      <body style="font-family: X"><p>Contenido ñ</p>
      <img src="{base}/image.png"><img src="file://{secret}">
      <a href="file://{secret}">enlace</a>
      <object data="file://{secret}"></object><iframe src="file://{secret}"></iframe>
      </body></html>"""
    pdf = render_isolated(html).pdf
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    assert "Contenido" in text and "TOP-SECRET" not in text
    assert hits == []


def test_the_fetcher_refuses_everything_but_static_files_and_data_urls(tmp_path):
    fetcher = SafeFetcher()
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1/x",
        "https://example.com/a.css",
        "ftp://host/x",
        "qms-static:///../../pyproject.toml",
        "qms-static:///css/../../config.py",
        "qms-static://host/css/app.css",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("qms-static:///css/print.css").status == 200
    assert fetcher.fetch("data:text/plain,hola").read() == b"hola"


def test_static_path_stays_inside_the_static_folder():
    with pytest.raises(FetchRefused):
        static_path("qms-static:///%2e%2e/%2e%2e/pyproject.toml")
    assert static_path("qms-static:///fonts/DejaVuSans.ttf").name == "DejaVuSans.ttf"
