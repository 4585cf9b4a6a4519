"""Bulk import: reading CSV, XLSX and pasted tables, and checking every row (pure, no app)."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from improve.imports import (
    ImportPreview,
    RawTable,
    TableError,
    parse_pasted,
    parse_table,
    validate_rows,
)
from improve.imports.parsing import (
    MAX_BYTES,
    MAX_ROWS,
    MAX_XLSX_PART,
    MAX_XLSX_UNPACKED,
    parse_number,
    parse_period,
)

TODAY = date(2026, 11, 18)  # a Wednesday


def check(
    table: RawTable,
    kind: str = "count",
    frequency: str = "monthly",
    existing: set[date] | None = None,
    max_rows: int = 5000,
) -> ImportPreview:
    return validate_rows(
        table,
        value_kind=kind,
        frequency=frequency,
        existing_periods=existing or set(),
        today=TODAY,
        max_rows=max_rows,
    )


def csv_preview(text: str, kind: str = "count", frequency: str = "monthly") -> ImportPreview:
    return check(parse_table(text.encode(), "data.csv"), kind, frequency)


def only_error(preview: ImportPreview) -> tuple[int, str]:
    assert len(preview.errors) == 1, preview.errors
    return preview.errors[0]


# ---------------------------------------------------------------- reading files


def test_comma_csv_reads_every_row_as_text() -> None:
    table = parse_table(b"date,value,note\n2026-01-01,007,first\n2026-02-01,1e3,\n", "x.csv")
    assert table.header == ("date", "value", "note")
    assert table.rows == ((2, ("2026-01-01", "007", "first")), (3, ("2026-02-01", "1e3", "")))
    assert table.errors == ()


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_separators(sep: str) -> None:
    text = f"Date{sep}Value\n01/03/2026{sep}12\n"
    preview = csv_preview(text)
    assert preview.ok
    assert preview.rows[0].period_start == date(2026, 3, 1)
    assert preview.rows[0].value == 12.0


def test_semicolon_file_keeps_thousands_comma_in_a_number() -> None:
    preview = csv_preview("date;value\n2026-03-01;1,234\n")
    assert preview.rows[0].value == 1234.0


def test_bom_and_windows_1252() -> None:
    bom = "\ufeffDate,Value,Note\n2026-03-01,3,café\n".encode()
    preview = check(parse_table(bom, "x.csv"))
    assert preview.ok and preview.rows[0].note == "café"
    latin = "date,value,note\n2026-03-01,3,£5 spent – café\n".encode("cp1252")
    preview = check(parse_table(latin, "x.csv"))
    assert preview.ok and preview.rows[0].note == "£5 spent – café"


def test_extra_field_is_reported_not_shifted() -> None:
    text = "date,value,note\n2026-01-01,3,ok\n2026-02-01,1,234,oops\n2026-03-01,4,\n"
    table = parse_table(text.encode(), "x.csv")
    assert [n for n, _ in table.rows] == [2, 4]
    preview = check(table)
    number, message = only_error(preview)
    assert number == 3 and "4 cells but the header has 3" in message
    assert not preview.ok


def test_short_row_is_reported() -> None:
    preview = csv_preview("date,value,note\n2026-01-01,3,ok\n2026-02-01\n")
    number, message = only_error(preview)
    assert number == 3 and "only 1 cells" in message


def test_trailing_empty_cells_are_fine() -> None:
    assert csv_preview("date,value\n2026-01-01,3,,\n").ok


def test_blank_lines_keep_spreadsheet_row_numbers() -> None:
    preview = csv_preview("date,value\n\n2026-01-01,x\n")
    assert preview.errors[0][0] == 3


def test_quoted_cell_with_newline_counts_as_one_row() -> None:
    preview = csv_preview('date,value,note\n2026-01-01,3,"two\nlines"\n2026-02-01,x,\n')
    assert preview.rows[0].note == "two\nlines"
    assert preview.errors[0][0] == 3


@pytest.mark.parametrize(
    ("data", "filename", "words"),
    [
        (b"date,value\n", "old.xls", ".xls"),
        (b"date,value\n", "data.json", "CSV or an Excel"),
        (b"date,value\n", "noextension", "CSV or an Excel"),
        (b"   \n", "x.csv", "empty"),
        (b"PK\x03\x04rest", "x.csv", "Excel file"),
        (b"not a zip", "x.xlsx", "could not be opened"),
        (b"2026-01-01,3\n", "x.csv", "name the columns"),
        (b"\x81\x8d\x8f\x90\x9d", "x.csv", "encoding"),
        (b"x" * 101, "x.csv", "larger than"),
    ],
)
def test_unreadable_files(data: bytes, filename: str, words: str) -> None:
    with pytest.raises(TableError, match=words):
        parse_table(data, filename, max_bytes=100)


def test_size_limit_default_is_generous() -> None:
    with pytest.raises(TableError, match="larger than 5 MB"):
        parse_table(b"date,value\n" + b"2026-01-01,1\n" * 500_000, "x.csv")


def xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_date_cells_and_a_formula() -> None:
    data = xlsx(
        [
            ["Month", "Value", "Denominator", "Note"],
            [datetime(2026, 1, 1), 4, 10, "first"],
            [datetime(2026, 2, 1), "=SUM(B2:B2)", 10, None],
            [date(2026, 3, 1), 2.5, 10.0, "half"],
            [None, None, None, None],
            ["01/04/2026", 7, 20, None],
        ]
    )
    table = parse_table(data, "Book1.XLSX")
    assert table.header == ("Month", "Value", "Denominator", "Note")
    preview = check(table, kind="rate")
    number, message = only_error(preview)
    assert number == 3 and "looks like a spreadsheet formula" in message
    assert [(r.row_number, r.period_start, r.value, r.denominator) for r in preview.rows] == [
        (2, date(2026, 1, 1), 4.0, 10.0),
        (4, date(2026, 3, 1), 2.5, 10.0),
        (6, date(2026, 4, 1), 7.0, 20.0),
    ]


def test_xlsx_cells_beyond_the_header_are_reported() -> None:
    data = xlsx([["date", "value"], ["2026-01-01", 1], ["2026-02-01", 2, "stray"]])
    preview = check(parse_table(data, "x.xlsx"))
    assert only_error(preview)[0] == 3


def test_xlsx_without_header_and_empty() -> None:
    with pytest.raises(TableError, match="name the columns"):
        parse_table(xlsx([[datetime(2026, 1, 1), 3]]), "x.xlsx")
    with pytest.raises(TableError, match="no rows"):
        parse_table(xlsx([]), "x.xlsx")


def test_xlsx_nan_and_infinity_cells() -> None:
    data = xlsx([["date", "value"], ["2026-01-01", float("inf")], ["2026-02-01", True]])
    preview = check(parse_table(data, "x.xlsx"))
    assert [n for n, _ in preview.errors] == [2, 3]


# ---------------------------------------------------------------- pasting


def test_pasted_with_header() -> None:
    preview = check(parse_pasted("Week\tCount\n02/03/2026\t5\n09/03/2026\t6\n"), frequency="weekly")
    assert preview.ok
    assert [r.row_number for r in preview.rows] == [2, 3]


def test_pasted_without_header_uses_column_order() -> None:
    table = parse_pasted("2026-03-01\t5\t10\tgood month\r\n2026-04-01\t6\t12\t\r\n")
    assert table.header is None
    preview = check(table, kind="proportion")
    assert preview.ok
    assert preview.rows[0].row_number == 1
    assert (preview.rows[0].denominator, preview.rows[0].note) == (10.0, "good month")


def test_pasted_nothing() -> None:
    with pytest.raises(TableError, match="Nothing"):
        parse_pasted(" \n\t\n")


# ---------------------------------------------------------------- columns


def test_header_synonyms_case_and_spaces() -> None:
    preview = csv_preview(
        " PERIOD ,Numerator,  Out   Of ,Comment,Extra\n2026-03-01,3,4,hi,z\n", kind="proportion"
    )
    assert preview.ok
    row = preview.rows[0]
    assert (row.value, row.denominator, row.note) == (3.0, 4.0, "hi")
    assert any("Extra" in notice for notice in preview.notices)


@pytest.mark.parametrize(
    ("text", "kind", "words"),
    [
        ("date,note\n2026-03-01,x\n", "count", "No value column"),
        ("value,note\n3,x\n", "count", "No date column"),
        ("date,value\n2026-03-01,3\n", "proportion", "needs a denominator"),
        ("date,month,value\n2026-03-01,2026-03-01,3\n", "count", "both look like"),
    ],
)
def test_column_problems_are_row_1(text: str, kind: str, words: str) -> None:
    number, message = only_error(csv_preview(text, kind))
    assert number == 1 and words in message


def test_denominator_ignored_for_counts() -> None:
    preview = csv_preview("date,value,total\n2026-03-01,3,0\n")
    assert preview.ok and preview.rows[0].denominator is None
    assert any("ignored" in notice for notice in preview.notices)


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected", "ambiguous"),
    [
        ("2026-03-01", date(2026, 3, 1), False),
        ("2026-03-01 00:00:00", date(2026, 3, 1), False),
        ("01/03/2026", date(2026, 3, 1), True),
        ("1/3/26", date(2026, 3, 1), True),
        ("25/12/2025", date(2025, 12, 25), False),
        ("3/3/2026", date(2026, 3, 3), False),
        ("01.03.2026", date(2026, 3, 1), True),
        ("Mar 2026", date(2026, 3, 1), False),
        ("March 2026", date(2026, 3, 1), False),
        ("sept 2025", date(2025, 9, 1), False),
        ("Mar-26", date(2026, 3, 1), False),
        ("15 March 2026", date(2026, 3, 15), False),
    ],
)
def test_dates(text: str, expected: date, ambiguous: bool) -> None:
    assert parse_period(text) == (expected, ambiguous)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("03/15/2026", "month/day/year"),
        ("31/02/2026", "not a real date"),
        ("2026-13-01", "not a real date"),
        ("Smarch 2026", "not a month name"),
        ("yesterday", "could not be read"),
        ("2026/03/01", "could not be read"),
        ("46082", "could not be read"),
        ("", "could not be read"),
    ],
)
def test_bad_dates(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_period(text)


def test_ambiguous_dates_are_stated() -> None:
    preview = csv_preview("date,value\n01/03/2026,1\n13/04/2026,2\n")
    assert preview.ok
    assert any("day/month/year" in n and "1 March 2026" in n for n in preview.notices)


def test_weekly_periods_go_to_monday_and_monthly_to_the_first() -> None:
    weekly = csv_preview(
        "week,value\n2026-03-04,1\n2026-03-08,2\n2026-03-09,3\n", "count", "weekly"
    )
    assert [r.period_start for r in weekly.rows] == [date(2026, 3, 2)] + [date(2026, 3, 9)]
    assert [n for n, _ in weekly.errors] == [3]  # 4 and 8 March are in the same week
    monthly = csv_preview("month,value\n2026-03-31,1\n")
    assert monthly.rows[0].period_start == date(2026, 3, 1)


def test_future_periods_refused_current_allowed() -> None:
    preview = csv_preview("date,value\n2026-11-30,1\n2026-12-01,2\n")
    assert [r.period_start for r in preview.rows] == [date(2026, 11, 1)]
    assert only_error(preview)[0] == 3 and "future" in preview.errors[0][1]
    weekly = csv_preview("date,value\n2026-11-22,1\n2026-11-23,2\n", frequency="weekly")
    assert [n for n, _ in weekly.errors] == [3]


def test_duplicate_periods_name_both_rows() -> None:
    preview = csv_preview("date,value\nMar 2026,1\n2026-04-01,2\n2026-03-15,3\n")
    number, message = only_error(preview)
    assert number == 4 and "rows 2 and 4" in message.lower() and "March 2026" in message


def test_replacing_existing_periods() -> None:
    table = parse_table(b"date,value\n2026-03-01,1\n2026-04-01,2\n", "x.csv")
    preview = check(table, existing={date(2026, 4, 1), date(2020, 1, 1)})
    assert preview.ok and preview.replacing == [date(2026, 4, 1)]


def test_very_old_date() -> None:
    assert "too long ago" in only_error(csv_preview("date,value\n1066-10-14,1\n"))[1]


# ---------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12.0),
        (" 12.5 ", 12.5),
        ("1,234", 1234.0),
        ("1,234,567.5", 1234567.5),
        ("-3", -3.0),
        ("+4", 4.0),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("1\u00a0234", 1234.0),
        ("1 234 567", 1234567.0),
    ],
)
def test_numbers(text: str, expected: float) -> None:
    assert parse_number(text, allow_percent=False) == expected


@pytest.mark.parametrize(
    "text",
    ["", "nan", "NaN", "inf", "-Infinity", "1e999", "1,2", "12,34", "1.2.3", "abc", "١٢", "0x10",
     "1_000", "9" * 41, "--3", "½"],
)  # fmt: skip
def test_not_numbers(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text, allow_percent=False)


def test_percent_only_for_continuous() -> None:
    assert parse_number("85%", allow_percent=True) == 85.0
    assert csv_preview("date,value\n2026-03-01,85%\n", "continuous").rows[0].value == 85.0
    message = only_error(csv_preview("date,value,total\n2026-03-01,85%,100\n", "proportion"))[1]
    assert "percentage" in message


@pytest.mark.parametrize(
    ("row", "kind", "words"),
    [
        ("2026-03-01,,10", "proportion", "no value"),
        (",3,10", "proportion", "no date"),
        ("2026-03-01,3,", "proportion", "no denominator"),
        ("2026-03-01,3,0", "proportion", "more than 0"),
        ("2026-03-01,3,-1", "rate", "more than 0"),
        ("2026-03-01,11,10", "proportion", "more than the denominator"),
        ("2026-03-01,-1,10", "proportion", "negative"),
        ("2026-03-01,-1,10", "rate", "negative"),
        ("2026-03-01,nan,10", "rate", "not a number"),
        ("2026-03-01,3,inf", "rate", "not a number"),
    ],
)
def test_bad_values(row: str, kind: str, words: str) -> None:
    preview = csv_preview("date,value,denominator\n" + row + "\n", kind)
    number, message = only_error(preview)
    assert number == 2 and words in message, message


def test_rate_may_exceed_its_denominator() -> None:
    assert csv_preview("date,value,exposure,total\n2026-03-01,15,,10\n", "rate").ok


def test_counts_are_whole_and_not_negative() -> None:
    assert "whole number" in only_error(csv_preview("date,value\n2026-03-01,2.5\n"))[1]
    assert "negative" in only_error(csv_preview("date,value\n2026-03-01,-2\n"))[1]
    assert csv_preview("date,value\n2026-03-01,-2.5\n", "continuous").rows[0].value == -2.5


def test_every_bad_row_is_listed_and_nothing_is_half_saved() -> None:
    preview = csv_preview("date,value\n2026-01-01,1\nbad,2\n2026-03-01,x\n2026-04-01,4\n")
    assert [n for n, _ in preview.errors] == [3, 4]
    assert not preview.ok


def test_one_row_can_have_several_problems() -> None:
    message = only_error(csv_preview("date,value\nbad,x\n"))[1]
    assert "date" in message and "value" in message and message[0].isupper()


def test_too_many_rows_is_one_error() -> None:
    lines = "".join(f"2026-{m:02d}-01,1\n" for m in range(1, 8))
    preview = check(parse_table(("date,value\n" + lines).encode(), "x.csv"), max_rows=5)
    number, message = only_error(preview)
    assert number == 7 and "at most 5" in message and preview.rows == []


def test_header_without_data() -> None:
    number, message = only_error(check(parse_table(b"date,value\n,,\n", "x.csv")))
    assert number == 1 and "no rows of data" in message


# ---------------------------------------------------------------- nasty strings


@pytest.mark.parametrize(
    ("note", "words"),
    [
        ("=cmd|' /C calc'!A0", "formula"),
        ('=HYPERLINK("http://x")', "formula"),
        ("+thing", "formula"),
        ("-2+3+cmd|' /C calc'!A0", "formula"),
        ("@SUM(1)", "formula"),
        ("a\x00b", "NUL"),
        ("bell\x07", "control"),
        ("esc\x1b[31m", "control"),
        ("right\u202eto left", "control"),
        ("x" * 5001, "longer than 5,000"),
    ],
)
def test_nasty_notes_refused(note: str, words: str) -> None:
    table = RawTable(("date", "value", "note"), ((2, ("2026-03-01", "1", note)),))
    number, message = only_error(check(table))
    assert number == 2 and words in message
    assert "\x00" not in message and "\x1b" not in message and len(message) < 300


@pytest.mark.parametrize(
    "note",
    [
        "x" * 5000,
        "Zoë, Łódź, 東京, مرحبا, 🙂",
        "line one\nline two\ttabbed",
        "-3",
        "50% better",
        "'; DROP TABLE data_point; --",
        "<script>alert(1)</script>",
        "{{ 7*7 }}",
        "NaN",
        "",
    ],
)
def test_harmless_notes_kept(note: str) -> None:
    table = RawTable(("date", "value", "note"), ((2, ("2026-03-01", "1", note)),))
    preview = check(table)
    assert preview.ok, preview.errors
    assert preview.rows[0].note == note.strip()


@pytest.mark.parametrize(
    "cell",
    ["=1+2", "=cmd|' /C calc'!A0", "@A1", "\x00", "1\x00", "9" * 100_000, "🙂", "1 2", "١"],
)
def test_nasty_values_refused(cell: str) -> None:
    table = RawTable(("date", "value"), ((2, ("2026-03-01", cell)),))
    assert only_error(check(table))[0] == 2


@pytest.mark.parametrize("cell", ["=TODAY()", "\x002026-03-01", "2026-03-01\x1b", "x" * 6000])
def test_nasty_dates_refused(cell: str) -> None:
    table = RawTable(("date", "value"), ((2, (cell, "1")),))
    assert only_error(check(table))[0] == 2


def test_nasty_header_is_quoted_safely() -> None:
    preview = csv_preview("date,value,\x1b[2J" + "y" * 100 + "\n2026-03-01,1,\n")
    notice = " ".join(preview.notices)
    assert "\x1b" not in notice and "y" * 41 not in notice


def test_nul_bytes_and_huge_fields_in_a_file() -> None:
    preview = check(parse_table(b"date,value\n2026-03-01,1\x00\n", "x.csv"))
    assert only_error(preview)[0] == 2
    big = b"date,value,note\n2026-03-01,1," + b"z" * 20_000 + b"\n"
    assert "longer than" in only_error(check(parse_table(big, "x.csv")))[1]
    huge = b"date,value,note\n2026-03-01,1," + b"z" * 200_000 + b"\n"
    with pytest.raises(TableError, match="far too long"):
        parse_table(huge, "x.csv")


def test_random_bytes_never_crash() -> None:
    import random

    rng = random.Random(4)
    for _ in range(300):
        data = b"date,value,note\n" + bytes(rng.randrange(256) for _ in range(rng.randrange(300)))
        try:
            table = parse_table(data, "x.csv")
        except TableError:
            continue
        preview = check(table)
        assert all(isinstance(n, int) and n >= 1 for n, _ in preview.errors)


def test_xlsx_that_unpacks_to_far_more_than_it_weighs_is_refused_before_reading() -> None:
    """A zip bomb: a small upload whose parts claim hundreds of megabytes once unpacked."""
    buffer = io.BytesIO(xlsx([["date", "value"], ["2026-01-01", 1]]))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.bin", b"\0" * (MAX_XLSX_UNPACKED + 1))
    data = buffer.getvalue()
    assert len(data) < MAX_BYTES  # small enough to pass the upload limit
    with pytest.raises(TableError, match="unpacks to more data"):
        parse_table(data, "x.xlsx")


# ---------------------------------------------------------------- limits while reading (issue 16)


def wide_xlsx(rows_xml: str) -> bytes:
    """A workbook whose first sheet's rows are written as raw XML: far quicker to build than with
    openpyxl for the hostile shapes below."""
    skeleton = zipfile.ZipFile(io.BytesIO(xlsx([["date"]])))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org'
        '/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>date</t>'
        '</is></c><c r="B1" t="inlineStr"><is><t>value</t></is></c></row>'
        + rows_xml
        + "</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in skeleton.infolist():
            is_sheet = item.filename == "xl/worksheets/sheet1.xml"
            archive.writestr(item, sheet if is_sheet else skeleton.read(item.filename))
    return out.getvalue()


def number_rows(first: int, last: int, columns: int = 2) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{letters[c]}{r}"><v>1</v></c>' for c in range(columns))
        + "</row>"
        for r in range(first, last + 1)
    )


def test_five_thousand_rows_are_read() -> None:
    lines = "".join(f"2026-01-01,{n}\n" for n in range(MAX_ROWS))
    assert len(parse_table(("date,value\n" + lines).encode(), "x.csv").rows) == MAX_ROWS


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_more_rows_than_the_limit_are_refused_while_reading(suffix: str) -> None:
    if suffix == "csv":
        data = ("date,value\n" + "2026-01-01,1\n" * 50_000).encode()
    else:
        data = wide_xlsx(number_rows(2, 50_000))
    started = time.monotonic()
    with pytest.raises(TableError, match="The file has more than 5,000 rows"):
        parse_table(data, f"x.{suffix}")
    # Reading stopped just past the limit instead of reading all 50,000 rows.
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_rows_wider_than_the_limit_are_refused(suffix: str) -> None:
    if suffix == "csv":
        data = ("date,value\n" + ",".join(["1"] * 100) + "\n").encode()
    else:
        data = wide_xlsx(number_rows(2, 2, columns=21))
    with pytest.raises(TableError, match="Row 2 has more than 20 columns"):
        parse_table(data, f"x.{suffix}")


def test_more_filled_cells_than_the_limit_are_refused() -> None:
    header = ",".join(["date", "value"] + [f"extra {n}" for n in range(18)])
    data = (header + "\n" + ("2026-01-01," + ",".join(["1"] * 19) + "\n") * 2600).encode()
    with pytest.raises(TableError, match="more than 50,000 filled cells"):
        parse_table(data, "x.csv")


def test_a_cell_far_to_the_right_in_every_row_is_refused_quickly() -> None:
    """Each row is padded to its last cell: one empty cell in column XFD made 18,000 rows of
    16,384 cells each, and the 93 KB file took over a minute to read."""
    data = wide_xlsx("".join(f'<row r="{r}"><c r="XFD{r}"/></row>' for r in range(2, 18_000)))
    started = time.monotonic()
    with pytest.raises(TableError, match="cells far to the right of or below your data"):
        parse_table(data, "x.xlsx")
    assert time.monotonic() - started < 5


def test_a_sheet_going_on_past_the_row_limit_is_refused() -> None:
    data = wide_xlsx(number_rows(2, 3) + '<row r="1048576"><c r="A1048576"><v>1</v></c></row>')
    with pytest.raises(TableError, match="goes on past row 20,000"):
        parse_table(data, "x.xlsx")


def test_one_part_unpacking_past_its_limit_is_refused_before_reading() -> None:
    """A zip bomb within the total: the shared strings, which openpyxl reads whole on opening."""
    buffer = io.BytesIO(xlsx([["date", "value"], ["2026-01-01", 1]]))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings2.xml", b" " * (MAX_XLSX_PART + 1))
    started = time.monotonic()
    with pytest.raises(TableError, match="unpacks to more data"):
        parse_table(buffer.getvalue(), "x.xlsx")
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("value", ["1e308", "-1e308", "1E+308", "9" * 39])
def test_huge_values_are_refused_by_row(value: str) -> None:
    preview = check(
        parse_table(f"date,value\n2026-03-01,{value}\n".encode(), "x.csv"), "continuous"
    )
    number, message = only_error(preview)
    assert number == 2 and "too large" in message


def test_a_part_packed_in_a_way_zipfile_does_not_know_is_refused_clearly() -> None:
    """zipfile raises NotImplementedError for a compression method it lacks (here 99, set in
    both headers of the sheet): the person is told to save the file again, not shown a 500."""
    data = bytearray(xlsx([["date", "value"], [date(2026, 1, 1), 3]]))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        sheet = next(i for i in archive.infolist() if i.filename.endswith("sheet1.xml"))
    data[sheet.header_offset + 8 : sheet.header_offset + 10] = (99).to_bytes(2, "little")
    position = bytes(data).find(b"PK\x01\x02")
    while position != -1:
        name_length = int.from_bytes(data[position + 28 : position + 30], "little")
        name = bytes(data[position + 46 : position + 46 + name_length]).decode()
        if name == sheet.filename:
            data[position + 10 : position + 12] = (99).to_bytes(2, "little")
        position = bytes(data).find(b"PK\x01\x02", position + 4)
    with pytest.raises(TableError, match="could not be opened|save it again"):
        parse_table(bytes(data), "x.xlsx")
