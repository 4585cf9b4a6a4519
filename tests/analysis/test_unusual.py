"""Is this right? The rule that questions a value far outside the usual ones (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from improve.analysis.unusual import Unusual, unusual_value, usual_values

NEAR_TEN = [8, 10, 11, 9, 14, 10, 12, 9]


@pytest.mark.parametrize(
    ("value", "usual", "whole_numbers", "expected"),
    [
        # the typo of issue 16, and its mirror below
        (756843, NEAR_TEN, False, Unusual(756843, 8, 14)),
        (-756843, NEAR_TEN, False, Unusual(-756843, 8, 14)),
        # median 10, MAD 1 (at least a twentieth of 10): up to 20 is usual, above is asked
        (20, NEAR_TEN, False, None),
        (20.5, NEAR_TEN, False, Unusual(20.5, 8, 14)),
        (0, NEAR_TEN, False, None),
        (-0.5, NEAR_TEN, False, Unusual(-0.5, 8, 14)),
        # a value inside the usual range, and one on the median
        (12, NEAR_TEN, False, None),
        (10, NEAR_TEN, False, None),
        # too few usual values: 5 is not enough, 6 is
        (756843, NEAR_TEN[:5], False, None),
        (756843, NEAR_TEN[:6], False, Unusual(756843, 8, 14)),
        # a series that never varied still allows half its level either way
        (150, [100] * 8, False, None),
        (151, [100] * 8, False, Unusual(151, 100, 100)),
        (50, [100] * 8, False, None),
        # a dropped digit: 12 for about 110 (median 107.5, MAD 6)
        (12, [100, 110, 105, 120, 98, 112], False, Unusual(12, 98, 120)),
        (48, [100, 110, 105, 120, 98, 112], False, None),
        # a count that is usually 0: up to 10 is not questioned, 11 is
        (10, [0, 0, 1, 0, 0, 0], True, None),
        (11, [0, 0, 1, 0, 0, 0], True, Unusual(11, 0, 1)),
        # a measurement that was always exactly 0 gives nothing to measure distance by
        (5, [0.0] * 6, False, None),
        # wide usual values allow wide new ones: minutes waited, 5 to 200 (median 40, MAD 25)
        (290, [5, 40, 200, 30, 60, 120, 15], False, None),
        (291, [5, 40, 200, 30, 60, 120, 15], False, Unusual(291, 5, 200)),
        # small measurements keep their own scale
        (0.5, [0.02, 0.03, 0.025, 0.03, 0.02, 0.028], False, Unusual(0.5, 0.02, 0.03)),
        (0.04, [0.02, 0.03, 0.025, 0.03, 0.02, 0.028], False, None),
        # gaps (missing values) are not usual values
        (756843, [*NEAR_TEN[:5], float("nan")], False, None),
        (float("nan"), NEAR_TEN, False, None),
    ],
)
def test_unusual_value(value, usual, whole_numbers, expected):
    assert unusual_value(value, usual, whole_numbers) == expected


def test_one_earlier_typo_does_not_hide_the_next():
    # A mean and standard deviation would be dragged up by the first 756843; the median is not.
    assert unusual_value(756843, [*NEAR_TEN, 756843]) == Unusual(756843, 8, 756843)


def test_unusual_says_which_way():
    assert unusual_value(756843, NEAR_TEN).higher
    assert not unusual_value(-5, NEAR_TEN).higher


def months(count: int, first: int = 1) -> list[date]:
    return [date(2026 + (m - 1) // 12, (m - 1) % 12 + 1, 1) for m in range(first, first + count)]


def test_usual_values_are_the_nearest_twelve_in_time_other_than_the_period_itself():
    periods = months(20)
    values = [float(m) for m in range(1, 21)]
    usual = usual_values(periods, values, [False] * 20, [False] * 20, date(2026, 10, 1))
    # month 10's own value is left out; months 4 to 16 are nearest, ties broken earlier first
    assert sorted(usual) == [4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16]


def test_usual_values_skip_points_left_out():
    periods = months(8)
    excluded = [False, True, False, False, False, False, False, False]
    usual = usual_values(
        periods, [1, 99, 3, 4, 5, 6, 7, 8], excluded, [False] * 8, date(2026, 9, 1)
    )
    assert 99 not in usual and len(usual) == 7


@pytest.mark.parametrize(
    ("period", "starts_phase", "expected"),
    [
        # after the phase starting in month 5: months 5 to 8 only
        (date(2026, 9, 1), False, [5, 6, 7, 8]),
        # before it: months 1 to 4
        (date(2026, 3, 1), False, [1, 2, 4]),
        # the new value starts a phase of its own: only later values in it (none here)
        (date(2026, 9, 1), True, []),
        # starting a phase at month 3 splits months 1-2 from 3-4
        (date(2026, 3, 1), True, [4]),
        # the period that starts the saved phase, saved again without the mark, joins the one before
        (date(2026, 5, 1), False, [1, 2, 3, 4, 6, 7, 8]),
    ],
)
def test_usual_values_stay_in_the_phase(period, starts_phase, expected):
    periods = months(8)
    new_phase = [False, False, False, False, True, False, False, False]
    values = [float(m) for m in range(1, 9)]
    usual = usual_values(periods, values, [False] * 8, new_phase, period, starts_phase)
    assert sorted(usual) == expected


def test_usual_values_of_nothing_saved():
    assert usual_values([], [], [], [], date(2026, 1, 1)) == []


def test_a_mostly_zero_count_allows_values_like_those_it_has_seen():
    # More than half the usual values are 0, so their MAD is 0: a value like those the team has
    # already saved (12 among 20, 15, 18, 12, 9) must not be asked about.
    usual = [0] * 7 + [20, 15, 18, 12, 9]
    assert unusual_value(12, usual, whole_numbers=True) is None
    assert unusual_value(25, usual, whole_numbers=True) is None
    assert unusual_value(756843, usual, whole_numbers=True) is not None


def test_a_mostly_zero_series_still_asks_about_a_slip():
    # The MAD is 0 here too; the mean absolute deviation measures the values that do vary.
    usual = [0] * 7 + [12, 8, 10, 9, 11]
    found = unusual_value(756843, usual)
    assert found is not None and found.highest == 12
    assert unusual_value(30, usual) is None


def test_one_large_saved_value_widens_what_a_mostly_constant_series_allows():
    # The MAD of these is 0; the mean absolute deviation counts the 500 the team saved.
    usual = [10, 11, 10, 9, 10, 10, 500]
    assert unusual_value(480, usual) is None
