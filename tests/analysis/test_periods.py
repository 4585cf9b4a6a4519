"""Reporting periods and due dates (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from improve.analysis.periods import (
    due_date,
    last_due_period,
    period_end,
    period_start,
    report_periods,
    report_state,
    submission_timing,
    uk_date,
)

START = date(2026, 1, 14)  # a collaborative that starts mid-month, on a Wednesday


@pytest.mark.parametrize(
    ("day", "cadence", "expected"),
    [
        (date(2026, 3, 31), "monthly", date(2026, 3, 1)),
        (date(2026, 3, 1), "monthly", date(2026, 3, 1)),
        (date(2026, 5, 17), "quarterly", date(2026, 4, 1)),
        (date(2026, 12, 31), "quarterly", date(2026, 10, 1)),
        (date(2026, 1, 14), "fortnightly", date(2026, 1, 14)),
        (date(2026, 1, 27), "fortnightly", date(2026, 1, 14)),
        (date(2026, 1, 28), "fortnightly", date(2026, 1, 28)),
    ],
)
def test_period_start(day, cadence, expected):
    assert period_start(day, cadence, START) == expected


@pytest.mark.parametrize(
    ("start", "cadence", "expected"),
    [
        (date(2026, 2, 1), "monthly", date(2026, 2, 28)),
        (date(2028, 2, 1), "monthly", date(2028, 2, 29)),
        (date(2026, 12, 1), "monthly", date(2026, 12, 31)),
        (date(2026, 10, 1), "quarterly", date(2026, 12, 31)),
        (date(2026, 1, 14), "fortnightly", date(2026, 1, 27)),
    ],
)
def test_period_end(start, cadence, expected):
    assert period_end(start, cadence) == expected


def test_report_periods_cover_the_collaborative():
    periods = report_periods(START, date(2026, 4, 2), "monthly")
    assert periods == [date(2026, m, 1) for m in (1, 2, 3, 4)]
    assert report_periods(START, date(2026, 2, 10), "fortnightly") == [
        date(2026, 1, 14),
        date(2026, 1, 28),
    ]
    assert report_periods(START, date(2026, 12, 31), "quarterly")[-1] == date(2026, 10, 1)


@pytest.mark.parametrize(
    ("start", "cadence", "due_day", "expected"),
    [
        (date(2026, 1, 1), "monthly", 10, date(2026, 2, 10)),
        (date(2026, 12, 1), "monthly", 10, date(2027, 1, 10)),
        (date(2026, 10, 1), "quarterly", 5, date(2027, 1, 5)),
        (date(2026, 1, 14), "fortnightly", 10, date(2026, 2, 3)),  # capped at a week
        (date(2026, 1, 14), "fortnightly", 3, date(2026, 1, 30)),
    ],
)
def test_due_date(start, cadence, due_day, expected):
    assert due_date(start, cadence, due_day) == expected


@pytest.mark.parametrize(
    ("today", "submitted", "has_draft", "expected"),
    [
        (date(2026, 2, 20), True, False, "submitted"),
        (date(2026, 2, 11), False, True, "late"),
        (date(2026, 2, 10), False, True, "draft"),  # the due day itself is not late
        (date(2026, 1, 20), False, False, "due"),
        (date(2025, 12, 31), False, False, "not_started"),
    ],
)
def test_report_state(today, submitted, has_draft, expected):
    state = report_state(date(2026, 1, 1), "monthly", 10, today, submitted, has_draft)
    assert state == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 2, 10), None),  # January's report is due on 10 February: not before today
        (date(2026, 2, 11), date(2026, 1, 1)),
        (date(2026, 4, 5), date(2026, 2, 1)),  # March's is not due until 10 April
        (date(2027, 6, 1), date(2026, 12, 1)),  # after the end, the last period
    ],
)
def test_last_due_period(today, expected):
    assert last_due_period(START, date(2026, 12, 31), "monthly", 10, today) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 23:30 UTC in summer is 00:30 the next day in the UK (BST)...
        (datetime(2026, 6, 10, 23, 30, tzinfo=UTC), date(2026, 6, 11)),
        # ...and the same day in winter (GMT).
        (datetime(2026, 1, 10, 23, 30, tzinfo=UTC), date(2026, 1, 10)),
        (datetime(2026, 6, 10, 22, 59), date(2026, 6, 10)),  # a naive time is UTC
    ],
)
def test_uk_date(moment, expected):
    assert uk_date(moment) == expected


@pytest.mark.parametrize(
    ("submitted_at", "days", "words"),
    [
        (None, None, "Submitted"),
        (datetime(2026, 2, 3, 9, 0, tzinfo=UTC), 0, "Submitted on time"),
        (datetime(2026, 2, 10, 23, 59, tzinfo=UTC), 0, "Submitted on time"),  # the due day
        (datetime(2026, 2, 11, 0, 1, tzinfo=UTC), 1, "Submitted 1 day late"),
        (datetime(2026, 3, 8, 12, 0, tzinfo=UTC), 26, "Submitted 26 days late"),
    ],
)
def test_submission_timing_against_the_due_date(submitted_at, days, words):
    """January's monthly report is due on 10 February."""
    timing = submission_timing(date(2026, 1, 1), "monthly", 10, submitted_at)
    assert (timing.days_late, timing.words, timing.late) == (days, words, bool(days))


def test_submission_timing_counts_uk_days():
    """May's report is due on 10 June: sent at 23:30 UTC on 10 June, it reached the team's
    coordinator at 00:30 on 11 June, UK time, so it was a day late."""
    timing = submission_timing(
        date(2026, 5, 1), "monthly", 10, datetime(2026, 6, 10, 23, 30, tzinfo=UTC)
    )
    assert timing.words == "Submitted 1 day late"


def test_a_period_that_ended_before_the_team_joined_is_not_asked_of_it():
    """One rule for every page and email: a team added on 20 May is not late with April."""
    april = date(2026, 4, 1)
    joined = date(2026, 5, 20)
    today = date(2026, 6, 30)
    assert report_state(april, "monthly", 10, today, False, False) == "late"
    assert report_state(april, "monthly", 10, today, False, False, joined) == "before_joining"
    # The period it joined in is asked of it, and a report it submitted anyway still counts.
    assert report_state(date(2026, 5, 1), "monthly", 10, today, False, False, joined) == "late"
    assert report_state(april, "monthly", 10, today, True, False, joined) == "submitted"
