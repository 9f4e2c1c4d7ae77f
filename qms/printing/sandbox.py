"""WeasyPrint in a child process, with a wall-clock timeout and an address-space limit.

Rendering is hostile-input work: a pathological document (a huge table, deeply nested
markup) must not hang or exhaust the web worker. The child is a fresh interpreter
(`python -m qms.printing.sandbox`: no copy of the parent's database connections, threads or
main module), sets RLIMIT_AS on itself, renders with the safe fetcher and writes the PDF back
on its stdout. A timeout, a crash or a
memory breach becomes RenderFailed (503), and the worker goes on serving.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

from qms.core.errors import DomainError

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_MB = 2048


class RenderFailed(DomainError):
    """The PDF could not be rendered within its limits; nothing was cached."""

    status_code = 503
    code = "render_failed"


@dataclass
class RenderResult:
    pdf: bytes
    elapsed_ms: int
    # Peak resident set of the child, in KiB (ru_maxrss on Linux).
    peak_rss_kib: int
    refused: list[str] = field(default_factory=list)


def render_here(html: str) -> tuple[bytes, list[str]]:
    """HTML → (PDF, refused URLs) in this process, with the safe fetcher and no limits.

    The child's own work; callers outside it go through `render_isolated`.
    """
    from weasyprint import HTML

    from qms.printing.safe_fetch import BASE_URL, SafeFetcher

    fetcher = SafeFetcher()
    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()
    return pdf, fetcher.refused


def _child() -> None:
    """`python -m qms.printing.sandbox`: limit itself, render stdin, answer on stdout, exit.

    The answer is one JSON line (status, peak memory, refused URLs) then the PDF bytes.
    """
    import json
    import sys

    memory_mb = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_MEMORY_MB
    out = sys.stdout.buffer
    try:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        html = sys.stdin.buffer.read().decode("utf-8")
        pdf, refused = render_here(html)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        head = {"status": "ok", "peak": peak, "refused": refused}
    except MemoryError:
        head, pdf = {"status": "memory"}, b""
    except BaseException as error:
        head, pdf = {"status": "error", "error": f"{type(error).__name__}: {error}"[:300]}, b""
    out.write(json.dumps(head).encode() + b"\n" + pdf)
    out.flush()


def render_isolated(
    html: str,
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
    memory_mb: int = DEFAULT_MEMORY_MB,
) -> RenderResult:
    """HTML → PDF in a child process; RenderFailed on timeout, memory breach or crash."""
    started = time.perf_counter()
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and module, no shell
            [sys.executable, "-m", "qms.printing.sandbox", str(memory_mb)],
            input=html.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            env=_child_env(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RenderFailed(
            str(_l("Rendering the PDF took too long (over %(s)d s).", s=int(timeout)))
        ) from None
    elapsed_ms = int((time.perf_counter() - started) * 1000)
    line, _sep, pdf = done.stdout.partition(b"\n")
    try:
        head: dict[str, Any] = json.loads(line or b"{}")
    except ValueError:
        head = {}
    status = head.get("status")
    if status == "ok":
        return RenderResult(pdf, elapsed_ms, int(head.get("peak", 0)), head.get("refused", []))
    if status == "memory" or (status is None and done.returncode < 0):
        raise RenderFailed(str(_l("Rendering the PDF needed too much memory.")))
    if status == "error":
        raise RenderFailed(
            str(_l("The PDF could not be rendered: %(error)s", error=head.get("error", "")))
        )
    raise RenderFailed(str(_l("The PDF renderer stopped unexpectedly.")))


def _child_env() -> dict[str, str]:
    """The parent's environment, with the directory holding the qms package importable."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


if __name__ == "__main__":
    _child()
