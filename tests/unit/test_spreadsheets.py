import csv
import io

import pytest

from qms.core.spreadsheets import BOM, csv_lines, safe_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (42, "42"),
        ("'already", "'already"),
        ("Año ñandú", "Año ñandú"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_csv_lines_bom_header_and_escaped_rows():
    lines = list(csv_lines(["a", "b"], [["=1+1", 'say "hi", ok'], [None, "x\ny"]]))
    text = "".join(lines)
    assert text.startswith(BOM + "a,b\r\n")
    assert len(lines) == 3
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert rows == [["a", "b"], ["'=1+1", 'say "hi", ok'], ["", "x\ny"]]


def test_header_cells_are_escaped_too():
    assert next(csv_lines(["=evil"], [])) == BOM + "'=evil\r\n"
