"""CSV and XLSX writers: formulas neutralised, files that open, names that are safe."""

from __future__ import annotations

import io
import math
from datetime import UTC, date, datetime

import openpyxl
import pandas as pd
import pytest
from flask import Flask

from improve.exports.writers import (
    csv_response,
    download_name,
    neutralise,
    safe_frame,
    xlsx_response,
)

TODAY = f"{date.today():%Y-%m-%d}"


@pytest.fixture
def request_context():
    with Flask(__name__).test_request_context():
        yield


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("=1+1", "'=1+1"),
        ("+44 1234", "'+44 1234"),
        ("-2 on last month", "'-2 on last month"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Fewer falls = good", "Fewer falls = good"),
        ("", ""),
        (-3, -3),
        (-2.5, -2.5),
        (0, 0),
        (None, None),
        (True, True),
        (date(2026, 1, 1), date(2026, 1, 1)),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_nan_becomes_an_empty_cell():
    assert neutralise(float("nan")) is None
    assert neutralise(math.nan) is None


def test_safe_frame_neutralises_cells_and_column_names_and_leaves_the_original():
    frame = pd.DataFrame({"=bad": ["=1+1", "fine"], "n": [-1.0, 2.0]})
    safe = safe_frame(frame)
    assert list(safe.columns) == ["'=bad", "n"]
    assert list(safe["'=bad"]) == ["'=1+1", "fine"]
    assert list(safe["n"]) == [-1.0, 2.0]
    assert frame.loc[0, "=bad"] == "=1+1"


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("Collaborative X-measures", f"Collaborative-X-measures-{TODAY}.csv"),
        ('a"b/c\\d\r\ne', f"a-b-c-d-e-{TODAY}.csv"),
        ("Café ☕", f"Caf-{TODAY}.csv"),
        ("!!!", f"export-{TODAY}.csv"),
        ("x" * 200, f"{'x' * 80}-{TODAY}.csv"),
    ],
)
def test_download_names_are_safe_in_a_header(stem, expected):
    assert download_name(stem, "csv") == expected


def test_csv_is_utf8_with_a_byte_order_mark_iso_dates_and_crlf_lines(request_context):
    frame = pd.DataFrame(
        {"Team": ["Café", "=2+3"], "Day": [date(2026, 3, 1), None], "n": [1.5, None]}
    )
    response = csv_response(frame, "Team list")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="Team-list-{TODAY}.csv"'
    )
    assert response.get_data().decode("utf-8") == (
        "\ufeffTeam,Day,n\r\nCafé,2026-03-01,1.5\r\n'=2+3,,\r\n"
    )


def test_xlsx_keeps_sheet_order_types_and_neutralises_formulas(request_context):
    frames = {
        "About: this/file?": pd.DataFrame({"Column": ["=A1"], "What it means": ["x"]}),
        "Data": pd.DataFrame(
            {
                "Day": [date(2026, 3, 1)],
                "When": [datetime(2026, 3, 1, 9, 30, tzinfo=UTC)],
                "n": [-3],
                "Missing": [math.nan],
            }
        ),
    }
    response = xlsx_response(frames, "Report")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["About  this file ", "Data"]
    about, data = book.worksheets
    assert about["A2"].value == "'=A1" and about["A2"].data_type == "s"
    assert data["A2"].value == datetime(2026, 3, 1)
    assert data["B2"].value == datetime(2026, 3, 1, 9, 30)
    assert data["C2"].value == -3
    assert data["D2"].value is None


def test_xlsx_drops_control_characters_that_excel_cannot_hold(request_context):
    frame = pd.DataFrame({"Note": ["tab\there", "bad\x0bcharacter", "\x01=cmd|' /C calc'!A0"]})
    book = openpyxl.load_workbook(io.BytesIO(xlsx_response({"s": frame}, "x").get_data()))
    values = [row[0] for row in book.active.iter_rows(min_row=2, values_only=True)]
    # Removing a character must not uncover a formula.
    assert values == ["tab\there", "badcharacter", "'=cmd|' /C calc'!A0"]
