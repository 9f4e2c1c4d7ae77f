"""PDFs for the tests: the real WeasyPrint in the test process, once per distinct HTML.

The app renders every PDF in a fresh child interpreter (`qms.printing.sandbox`), which costs
about a second of imports per render. The tests about that sandbox (time and memory limits,
the safe fetcher, tests marked `sandbox`) keep the child; everywhere else the same
`render_here` runs in-process, and an HTML rendered before returns the same bytes again.
"""

from __future__ import annotations

import hashlib
import threading
import time

from qms.printing.sandbox import RenderResult, render_here

_LOCK = threading.Lock()  # WeasyPrint (Pango) is not shared between threads
_MEMO: dict[str, tuple[bytes, list[str]]] = {}


def render_in_process(html: str, *, timeout: float = 0, memory_mb: int = 0) -> RenderResult:
    """Stands in for `sandbox.render_isolated`: same arguments, same result."""
    del timeout, memory_mb  # the limits belong to the child, which is not used here
    started = time.perf_counter()
    key = hashlib.sha256(html.encode("utf-8")).hexdigest()
    with _LOCK:
        if key not in _MEMO:
            _MEMO[key] = render_here(html)
        pdf, refused = _MEMO[key]
    elapsed_ms = int((time.perf_counter() - started) * 1000)
    return RenderResult(pdf, elapsed_ms, peak_rss_kib=0, refused=list(refused))
