"""PDF copies: first render of a base PDF (sandboxed WeasyPrint) vs a further stamped copy.

Usage: .venv/bin/python bench/pdf_bench.py [--pages 2 20 100] [--copies N]
For each size it renders a document (the print stylesheet, a running header with
"Página X de Y", a long table) once in the sandbox, then issues N further copies, each a new
stamp (distinct copy number and holder, QR code) over the cached base, as `print_copy` does.
Peak memory is the renderer child's ru_maxrss; the stamp's Python peak is from tracemalloc.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from io import BytesIO

from pypdf import PdfReader

from qms.printing.sandbox import render_isolated
from qms.printing.stamp import stamp

ROWS_PER_PAGE = 33
HEAD = """<html><head><meta charset="utf-8">
<link rel="stylesheet" href="qms-static:///css/print.css"><style>@page {{ size: A4; }}</style>
</head><body><header class="running"><table class="head"><tr>
<td class="logo" rowspan="2"><img src="qms-static:///img/logo.svg" alt=""></td>
<td class="title" colspan="3">Caracterización Atención al Cliente</td></tr>
<tr><td>Atención al Cliente</td><td>AC-CR-01</td><td>Versión 3 · 01/02/2026</td></tr>
</table></header><main><section class="doc-block"><table>
<tr><th>Proveedor</th><th>Entrada</th><th>Actividad</th><th>Salida</th><th>Cliente</th></tr>
{rows}</table></section></main></body></html>"""


def document_html(pages: int) -> str:
    rows = "".join(
        f"<tr><td>Proveedor {i}</td><td>Solicitud nº {i}</td><td>Atender la petición {i} "
        f"con acción oportuna</td><td>Respuesta {i}</td><td>Afiliado {i}</td></tr>"
        for i in range(pages * ROWS_PER_PAGE)
    )
    return HEAD.format(rows=rows)


def _copy(base: bytes, n: int) -> bytes:
    url = f"https://qms.example/verify/{n:08d}"
    line = f"COPIA CONTROLADA N° {n} — asignada a Recepción sede Tunja {n}; verifique en {url}"
    return stamp(base, line, qr_url=url)


def run(pages: int, copies: int) -> dict[str, float]:
    first = render_isolated(document_html(pages), timeout=600)
    real_pages = len(PdfReader(BytesIO(first.pdf)).pages)
    times = []
    for n in range(1, copies + 1):
        started = time.perf_counter()
        _copy(first.pdf, n)
        times.append((time.perf_counter() - started) * 1000)
    # Peak Python memory of one more copy, measured apart: tracemalloc slows everything down.
    tracemalloc.start()
    _copy(first.pdf, copies + 1)
    _current, stamp_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    times.sort()
    return {
        "pages": real_pages,
        "first_render_ms": first.elapsed_ms,
        "render_peak_rss_mib": first.peak_rss_kib / 1024,
        "copy_median_ms": statistics.median(times),
        "copy_p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))],
        "copy_peak_py_mib": stamp_peak / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[2, 20, 100])
    parser.add_argument("--copies", type=int, default=40)
    args = parser.parse_args()
    print("pages  first render  render peak RSS  copy median  copy p95  copy peak (py)")
    for pages in args.pages:
        r = run(pages, args.copies)
        print(
            f"{r['pages']:>5}  {r['first_render_ms']:>9.0f} ms"
            f"  {r['render_peak_rss_mib']:>11.0f} MiB"
            f"  {r['copy_median_ms']:>8.1f} ms  {r['copy_p95_ms']:>5.1f} ms"
            f"  {r['copy_peak_py_mib']:>8.1f} MiB"
        )


if __name__ == "__main__":
    main()
