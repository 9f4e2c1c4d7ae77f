"""An organisation's master list, read from XLSX or CSV whatever its headers' spelling, and a
file's metadata completed from its row: what the file lacks is filled and marked, where they
disagree the file wins and says so. A hostile or garbage list is refused on its field."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from qms.core.errors import ValidationFailed
from qms.word import notes
from qms.word.completing import apply_listing
from qms.word.master_list import (
    MAX_BYTES,
    ListedDocument,
    Listing,
    read_master_list,
)
from qms.word.parsed import Parsed


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_list_is_read_below_its_title_rows_whatever_the_headers_spelling() -> None:
    data = _xlsx(
        [
            ["LISTADO MAESTRO DE DOCUMENTOS"],
            [],
            [
                "Código",
                "Nombre del documento",
                "Tipo de documento",
                "PROCESO",
                "Ver.",
                "Fecha de aprobación",
                "Fecha de vigencia",
            ],
            [
                "csc-ac-cr-01",
                "Caracterización Atención al Cliente",
                "Caracterización",
                "Atención al Cliente",
                4,
                datetime(2020, 9, 1),
                datetime(2020, 10, 15),
            ],
            [None, None, None, None, None, None, None],
            [
                "PD-GCR-MR-002",
                "Mantener Relaciones",
                "Procedimiento",
                "GCR",
                "02",
                None,
                "17/06/2020",
            ],
        ]
    )
    listing = read_master_list(data, "listado.xlsx")
    assert listing.rows == [
        ListedDocument(
            "CSC-AC-CR-01",
            "Caracterización Atención al Cliente",
            "Caracterización",
            "Atención al Cliente",
            4,
            date(2020, 10, 15),  # the date in force, not the approval date
        ),
        ListedDocument(
            "PD-GCR-MR-002", "Mantener Relaciones", "Procedimiento", "GCR", 2, date(2020, 6, 17)
        ),
    ]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (
            "CODIGO;TÍTULO;Tipo;Proceso;Versión;Vigente desde\nMC-01;Manual de Calidad;Manual;"
            "Gestión de Calidad;3;31/08/2025\n",
            "utf-8-sig",
        ),
        (
            "Code,Title,Type,Process,Version,Date\nMC-01,Manual de Calidad,Manual,"
            "Gestión de Calidad,3,2025-08-31\n",
            "utf-8",
        ),
        # Excel in Spanish: semicolons, Windows-1252.
        (
            "Código;Nombre;Tipo documento;Proceso;Version;Fecha\nMC-01;Manual de Calidad;Manual;"
            "Gestión de Calidad;v3;31 de agosto de 2025\n",
            "cp1252",
        ),
    ],
)
def test_a_csv_list_is_read_with_semicolons_or_commas(text: str, encoding: str) -> None:
    listing = read_master_list(text.encode(encoding), "listado.csv")
    assert listing.rows == [
        ListedDocument(
            "MC-01", "Manual de Calidad", "Manual", "Gestión de Calidad", 3, date(2025, 8, 31)
        )
    ]


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _with_doctype() -> bytes:
    with zipfile.ZipFile(io.BytesIO(_xlsx([["Código", "Título"], ["A-1", "A"]]))) as good:
        parts = {name: good.read(name) for name in good.namelist()}
    parts["xl/sharedStrings.xml"] = b'<!DOCTYPE x [<!ENTITY a "b">]><sst/>'
    return _zip(parts)


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"\x00\x01garbage\xff" * 50, "listado.xlsx"),
        (b"PK\x03\x04 not really a zip", "listado.xlsx"),
        (_zip({"word/document.xml": b"<w/>"}), "listado.xlsx"),  # a zip, not a workbook
        (_zip({"xl/workbook.xml": b"<workbook/>"}), "listado.xlsx"),  # a workbook of nothing
        (_zip({"xl/workbook.xml": b"\x00" * 3_000_000}), "bomb.xlsx"),  # packed far too well
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "listado.xls"),
        (b"just, some, words\nand more, words, here\n", "notes.csv"),  # no header found
        (b"x" * (MAX_BYTES + 1), "big.csv"),
    ],
)
def test_a_hostile_or_garbage_list_is_refused_on_its_field(data: bytes, filename: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        read_master_list(data, filename)
    assert refused.value.field == "master_list"


def test_a_workbook_with_a_dtd_is_refused_before_openpyxl_reads_it() -> None:
    with pytest.raises(ValidationFailed) as refused:
        read_master_list(_with_doctype(), "listado.xlsx")
    assert refused.value.field == "master_list"
    assert "damaged" in refused.value.message


LISTING = Listing(
    "listado.xlsx",
    [
        ListedDocument(
            "CSC-AC-CR-01",
            "Caracterización Atención al Cliente",
            "Caracterización",
            "Atención al Cliente",
            4,
            date(2020, 10, 15),
        ),
        ListedDocument("PD-GCR", "Gestión del Capital Relacional", "Manual", "GCR", 1, None),
        ListedDocument("PD-GCR-MR-002", "Mantener Relaciones", "Procedimiento", "GCR", 2, None),
    ],
)


def test_what_the_file_lacks_is_taken_from_its_row_by_title_and_marked() -> None:
    parsed = Parsed(
        title="CARACTERIZACIÓN ATENCIÓN AL CLIENTE",  # folded, it is the listed title
        notes=[str(notes.NO_CODE), str(notes.NO_NUMBER)],
    )
    filled = apply_listing(parsed, LISTING, "caracterizacion.docx")
    assert (filled.code, filled.number, filled.effective_from, filled.process) == (
        "CSC-AC-CR-01",
        4,
        date(2020, 10, 15),
        "Atención al Cliente",
    )
    assert filled.title == "CARACTERIZACIÓN ATENCIÓN AL CLIENTE"  # the file's, as written
    assert {"code", "number", "effective_from", "process", "type_name"} <= filled.guessed
    assert "title" not in filled.guessed
    assert str(notes.NO_CODE) not in filled.notes  # no longer true
    assert any(note.startswith("Taken from the master list: code") for note in filled.notes)
    assert parsed.code == "" and parsed.notes == [str(notes.NO_CODE), str(notes.NO_NUMBER)]


def test_where_file_and_list_disagree_the_file_wins_and_a_note_says_so() -> None:
    parsed = Parsed(code="csc-ac-cr-01", title="Caracterización Atención al Cliente", number=3)
    kept = apply_listing(parsed, LISTING, "x.docx")
    assert kept.number == 3
    assert any("“3”" in note and "“4”" in note for note in kept.notes)
    assert "number" not in kept.guessed


def test_a_guess_gives_way_to_the_list() -> None:
    parsed = Parsed(code="PD-GCR-MR-002", title="Objetivo", guessed={"title"})
    taken = apply_listing(parsed, LISTING, "x.docx")
    assert taken.title == "Mantener Relaciones" and "title" in taken.guessed


def test_a_file_name_starting_with_a_code_finds_the_longest_such_code() -> None:
    found = apply_listing(Parsed(), LISTING, "sgc.zip:docs/PD-GCR-MR-002 Mantener.docx")
    assert found.code == "PD-GCR-MR-002"


def test_a_file_with_no_row_is_noted() -> None:
    alone = apply_listing(Parsed(code="XX-99", title="Otro"), LISTING, "otro.docx")
    assert alone.notes == ["Not on the master list."]
    assert alone.guessed == set()
