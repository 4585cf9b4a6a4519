"""Importing the dates of events (issue 17, point 4): one row per event from a paste, a CSV or an
XLSX file; rows of one day add up (or a "count" column says how many); a day already saved is
replaced, so the same file twice changes nothing; all or nothing (pure: no app)."""

from __future__ import annotations

from datetime import date

from improve.imports import parse_pasted, parse_table, validate_event_rows
from tests.imports.test_parsing import xlsx

TODAY = date(2026, 12, 7)


def check(table, existing=frozenset()):
    return validate_event_rows(table, existing_days=set(existing), today=TODAY)


def test_dates_alone_one_per_event_with_same_day_rows_added_up() -> None:
    preview = check(parse_pasted("03/11/2026\n17/11/2026\n17/11/2026\n2026-12-01"))
    assert preview.ok, preview.errors
    assert [(r.period_start, r.value) for r in preview.rows] == [
        (date(2026, 11, 3), 1.0),
        (date(2026, 11, 17), 2.0),
        (date(2026, 12, 1), 1.0),
    ]
    # The event's own day is kept: not the start of its week or month.
    assert all(r.denominator is None for r in preview.rows)


def test_a_count_column_and_notes_are_read_from_a_csv_with_a_header() -> None:
    text = "Date,Count,Note\n5/10/2026,2,two at tea time\n5/10/2026,,in the garden\n9/10/2026,1,\n"
    preview = check(parse_table(text.encode(), "falls.csv"))
    assert preview.ok, preview.errors
    first = preview.rows[0]
    assert (first.period_start, first.value, first.note) == (
        date(2026, 10, 5),
        3.0,
        "two at tea time; in the garden",
    )
    assert first.row_number == 2  # the day is named by its first row


def test_an_xlsx_of_event_dates_reads_real_dates() -> None:
    data = xlsx([["date", "note"], [date(2026, 9, 1), "stairs"], [date(2026, 9, 30), ""]])
    preview = check(parse_table(data, "falls.xlsx"))
    assert preview.ok, preview.errors
    assert [r.period_start for r in preview.rows] == [date(2026, 9, 1), date(2026, 9, 30)]


def test_days_already_saved_are_replaced_so_a_second_import_changes_nothing() -> None:
    preview = check(parse_pasted("03/11/2026\n04/11/2026"), existing={date(2026, 11, 3)})
    assert preview.replacing == [date(2026, 11, 3)]


def test_every_bad_row_is_named_and_nothing_is_saved() -> None:
    text = "date,count\n01/01/2027,1\nnot a date,1\n03/11/2026,0\n04/11/2026,1.5\n05/11/2026,1\n"
    preview = check(parse_table(text.encode(), "falls.csv"))
    assert not preview.ok
    messages = dict(preview.errors)
    assert messages[2] == "1 January 2027 is in the future."
    assert "could not be read as a date" in messages[3]
    assert messages[4] == messages[5] == "The count must be a whole number from 1 to 1,000."
    assert 6 not in messages


def test_a_file_without_a_date_column_says_so() -> None:
    preview = check(parse_table(b"when,count\n01/11/2026,1\n", "falls.csv"))
    assert preview.errors == [(1, "No date column: name one “date”.")]
