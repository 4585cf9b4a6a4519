"""The pure rule tying signals to the PDSA cycles before them, and signals since a cycle began."""

from __future__ import annotations

from datetime import date

import pytest

from improve.measures.linking import cycles_before, signals_since

D = date


def cycle(number: int, starts: date, ends: date) -> tuple:
    return (100 + number, number, f"Test {number}", starts, ends)


@pytest.mark.parametrize(
    ("signal", "starts", "ends", "linked"),
    [
        # Monthly: the window is the 6 months before the signal's month, and the month itself.
        (D(2026, 9, 1), D(2026, 5, 4), D(2026, 5, 8), True),  # 4 months before
        (D(2026, 9, 1), D(2026, 3, 1), D(2026, 3, 31), True),  # first month of the window
        (D(2026, 9, 1), D(2026, 2, 1), D(2026, 2, 28), False),  # 7 months before: too long ago
        (D(2026, 9, 1), D(2025, 6, 1), D(2026, 4, 1), True),  # older, still running in window
        (D(2026, 9, 1), D(2026, 9, 20), D(2026, 9, 25), True),  # in the signal's own month
        (D(2026, 9, 1), D(2026, 10, 1), D(2026, 10, 5), False),  # after the signal
        (D(2026, 9, 15), D(2026, 9, 2), D(2026, 9, 3), True),  # any day of the month counts
        (D(2027, 2, 1), D(2026, 8, 1), D(2026, 8, 2), True),  # across the year's end
        (D(2027, 2, 1), D(2026, 7, 1), D(2026, 7, 31), False),
    ],
)
def test_monthly_cycles_before_a_signal(signal, starts, ends, linked):
    one = cycle(1, starts, ends)
    assert cycles_before([signal], [one], "monthly") == [[one] if linked else []]


@pytest.mark.parametrize(
    ("signal", "starts", "ends", "linked"),
    [
        (D(2026, 6, 1), D(2026, 4, 20), D(2026, 4, 24), True),  # 6 weeks before (a Monday)
        (D(2026, 6, 1), D(2026, 4, 19), D(2026, 4, 19), False),  # the Sunday before the window
        (D(2026, 6, 3), D(2026, 6, 5), D(2026, 6, 6), True),  # later in the signal's week
        (D(2026, 6, 1), D(2026, 6, 8), D(2026, 6, 9), False),  # the week after
    ],
)
def test_weekly_cycles_before_a_signal(signal, starts, ends, linked):
    one = cycle(1, starts, ends)
    assert cycles_before([signal], [one], "weekly") == [[one] if linked else []]


def test_each_signal_gets_its_own_cycles_oldest_first():
    late = cycle(2, D(2026, 8, 3), D(2026, 8, 7))
    early = cycle(1, D(2026, 1, 5), D(2026, 2, 20))  # still running in the window
    result = cycles_before([D(2026, 3, 1), D(2026, 8, 1), D(2025, 1, 1)], [late, early], "monthly")
    assert result == [[early], [early, late], []]


def test_no_signals_or_no_cycles():
    assert cycles_before([], [cycle(1, D(2026, 1, 1), D(2026, 1, 2))], "monthly") == []
    assert cycles_before([D(2026, 1, 1)], [], "monthly") == [[]]


def test_a_shorter_lookback_is_honoured():
    one = cycle(1, D(2026, 5, 4), D(2026, 5, 8))
    assert cycles_before([D(2026, 9, 1)], [one], "monthly", lookback=3) == [[]]


def row(period: date, signal: str = "A shift") -> dict:
    return {"period_start": period, "signal": signal}


@pytest.mark.parametrize(
    ("frequency", "starts_on", "periods", "expected"),
    [
        ("monthly", D(2026, 5, 4), [D(2026, 4, 1), D(2026, 5, 1), D(2026, 6, 1)], 2),
        ("monthly", D(2026, 7, 1), [D(2026, 4, 1), D(2026, 6, 1)], 0),
        ("weekly", D(2026, 5, 6), [D(2026, 4, 27), D(2026, 5, 4), D(2026, 5, 11)], 2),
    ],
)
def test_signals_since_a_cycle_began(frequency, starts_on, periods, expected):
    rows = [row(p) for p in periods]
    found = signals_since(rows, starts_on, frequency)
    assert [r["period_start"] for r in found] == periods[len(periods) - expected :]


def test_rows_without_a_signal_are_left_out():
    rows = [row(D(2026, 6, 1), ""), row(D(2026, 7, 1))]
    assert signals_since(rows, D(2026, 1, 1), "monthly") == [rows[1]]
