"""The sandboxed renderer: hostile content fetches nothing; limits become RenderFailed."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import BytesIO

import pytest
from pypdf import PdfReader

from qms.documents.rendering import render_markdown
from qms.printing.sandbox import RenderFailed, render_isolated


@pytest.fixture
def trap():
    """An HTTP server on 127.0.0.1 that records every request it gets."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def test_hostile_markdown_and_css_fetch_nothing_and_the_render_succeeds(trap, tmp_path):
    base, hits = trap
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    block = render_markdown(
        f"Texto con acción.\n\n[adjunto](file://{secret}) ![img]({base}/image.png)"
    )
    html = f"""<html><head><link rel="stylesheet" href="qms-static:///css/print.css">
      <style>@import url("{base}/imported.css");
      @font-face {{ font-family: X; src: url("{base}/font.ttf"); }}
      @font-face {{ font-family: Y; src: url("file://{secret}"); }}</style></head>
      <body style="font-family: X, Y"><img src="{base}/raw.png">{block}</body></html>"""
    result = render_isolated(html, timeout=60)
    text = PdfReader(BytesIO(result.pdf)).pages[0].extract_text()
    assert "Texto con acción." in text and "TOP-SECRET" not in text
    assert hits == []
    assert any(url.startswith(base) for url in result.refused)
    assert result.peak_rss_kib > 0


def test_a_render_over_the_time_limit_fails_cleanly():
    rows = "".join(f"<tr><td>{i}</td><td>fila {i}</td></tr>" for i in range(20000))
    with pytest.raises(RenderFailed) as raised:
        render_isolated(f"<table>{rows}</table>", timeout=1.5)
    assert raised.value.status_code == 503


def test_a_render_over_the_memory_limit_fails_cleanly():
    with pytest.raises(RenderFailed):
        render_isolated("<p>hola</p>", memory_mb=64)
