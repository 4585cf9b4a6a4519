"""The one rule for small numbers of people in views across teams (issue 19, point 4): pure,
table-tested, and the same for one figure (`point_hidden`) as for a whole series
(`hidden_flags`, `series_hidden`)."""

from __future__ import annotations

import itertools
import math
from datetime import date

import numpy as np
import pytest

from improve.analysis import disclosure
from improve.analysis.disclosure import (
    Hidden,
    Quarter,
    any_hidden,
    last_whole_quarters,
    lines_hidden,
    point_hidden,
    pooled_hidden,
    quarter_of,
    quarters_hidden,
    rule_words,
    whole_quarters,
)
from improve.analysis.series import Points

NAN = float("nan")


@pytest.mark.parametrize(
    ("kind", "numerator", "denominator", "threshold", "hidden"),
    [
        # Counts of people or events: 0 says nothing about anyone; 1 to N - 1 is hidden.
        ("count", 0, None, 5, False),
        ("count", 1, None, 5, True),
        ("count", 4, None, 5, True),
        ("count", 5, None, 5, False),
        ("count", 12, None, 5, False),
        ("events", 1, None, 5, True),
        ("events", 7, None, 5, False),
        # Proportions: the numerator, the total and the "did not" are each counts of people.
        ("proportion", 1, 13, 5, True),  # 1 of 13 staff
        ("proportion", 5, 7, 5, True),  # 5 of 7 families: tells that 2 did not
        ("proportion", 0, 3, 5, True),  # none of 3: the total is small
        ("proportion", 0, 13, 5, False),  # none of 13
        ("proportion", 13, 13, 5, False),  # all 13: nobody did not
        ("proportion", 8, 13, 5, False),  # 8 of 13, 5 did not
        ("proportion", 9, 13, 5, True),  # 9 of 13: 4 did not
        ("proportion", 36, 40, 5, True),  # 36 of 40: 4 did not
        ("proportion", 35, 40, 5, False),
        ("proportion", 5, None, 5, False),  # no denominator: the count alone decides
        ("proportion", None, 3, 5, True),  # no numerator, but a total of 3 people
        # Rates: a small number of events, or a small exposure, with the rate gives them back.
        ("rate", 1, 44, 5, True),  # 1 leaver of 44 staff
        ("rate", 6, 3, 5, True),  # 6 falls over 3 bed-days
        ("rate", 6, 60, 5, False),
        ("rate", 0, 60, 5, False),
        ("rate", 0, 2, 5, True),  # none in a team of 2: the exposure is small
        # Times and amounts are not counts of people: never hidden.
        ("continuous", 1, None, 5, False),
        ("continuous", 0.5, 3, 5, False),
        # A threshold of 0 or 1 turns the rule off.
        ("count", 1, None, 0, False),
        ("count", 1, None, 1, False),
        ("proportion", 5, 7, 1, False),
        ("count", 1, None, 2, True),  # the smallest threshold that hides anything
        ("count", 2, None, 2, False),
        # Missing values (None, NaN) are no number: never small.
        ("count", None, None, 5, False),
        ("count", NAN, None, 5, False),
        ("proportion", NAN, NAN, 5, False),
        ("proportion", 12, NAN, 5, False),
        ("rate", NAN, 3, 5, True),  # the exposure alone is small
    ],
)
def test_point_hidden(kind, numerator, denominator, threshold, hidden) -> None:
    assert point_hidden(kind, numerator, denominator, threshold) is hidden


def test_the_series_form_decides_every_figure_as_the_single_one() -> None:
    values = [None, NAN, -1.0, 0.0, 1.0, 2.0, 4.0, 4.5, 5.0, 7.0, 13.0, 40.0]
    for kind in ("count", "events", "proportion", "rate", "continuous", "other"):
        for threshold in (0, 1, 2, 5, 11):
            pairs = list(itertools.product(values, values))
            flags = disclosure.hidden_flags(
                kind, [n for n, _ in pairs], [d for _, d in pairs], threshold
            )
            expected = [_by_hand(kind, n, d, threshold) for n, d in pairs]
            assert flags.tolist() == expected, (kind, threshold)


def _by_hand(kind: str, numerator, denominator, threshold: int) -> bool:
    """The rule as the module's docstring states it, written out separately."""

    def small(count) -> bool:
        return count is not None and not math.isnan(count) and 0 < count < threshold

    if threshold <= 1 or kind not in ("count", "events", "proportion", "rate"):
        return False
    if small(numerator):
        return True
    if kind == "rate":
        return small(denominator)
    if kind == "proportion" and small(denominator):
        return True
    if kind == "proportion" and numerator is not None and denominator is not None:
        return small(denominator - numerator)
    return False


def test_a_figure_made_from_several_points_is_hidden_if_any_is() -> None:
    assert any_hidden("proportion", [(20, 40), (30, 40), (36, 40)], 5)
    assert not any_hidden("proportion", [(20, 40), (30, 40)], 5)
    assert not any_hidden("count", [], 5)


def points(values, denominators=None, days=None) -> Points:
    size = len(values)
    return Points(
        dates=tuple(days or [date(2025, month, 1) for month in range(1, size + 1)]),
        value=np.array(values, dtype=float),
        denominator=np.array(denominators or [NAN] * size, dtype=float),
        excluded=np.zeros(size, dtype=bool),
        new_phase=np.zeros(size, dtype=bool),
    )


def test_a_series_has_one_flag_per_point() -> None:
    leavers = points([6, 1, 0, 7], [60, 13, 13, 3])
    assert disclosure.series_hidden("rate", leavers, 5).tolist() == [False, True, False, True]
    falls = points([10, 4, 0, 5])
    assert disclosure.series_hidden("count", falls, 5).tolist() == [False, True, False, False]
    assert disclosure.series_hidden("continuous", falls, 5).tolist() == [False] * 4


def test_the_dates_of_events_have_a_flag_per_event_and_hide_the_gap_after_a_hidden_day() -> None:
    days = [date(2025, 1, 3), date(2025, 1, 9), date(2025, 1, 20)]
    # 1 event, then 6 on one day, then 5: the analysis has 12 points, one per event.
    found = disclosure.series_hidden("events", points([1, 6, 5], days=days), 5)
    assert found.size == 12
    # The lone event is hidden; so is the gap from it to the next day's first event, which
    # would tell when it was; the day of 6 events and the day of 5 are shown.
    assert found.tolist() == [True, True] + [False] * 10


def test_the_words_say_how_much_was_hidden() -> None:
    assert Hidden().words(5) == "No figure is hidden on this page: none rests on a small number."
    assert Hidden(1, 1).words(5, "in this file") == "1 figure from 1 team is hidden in this file."
    assert Hidden(9, 2).words(5) == "9 figures from 2 teams are hidden on this page."
    assert Hidden(9, 2).words(0) == ""  # the threshold is off: the rule's words say so
    assert not Hidden() and Hidden(1, 1)


def test_the_rule_in_words() -> None:
    words = rule_words(5)
    assert "1 to 4 people or events" in words
    assert "‘5 of 7’ is hidden: it tells that 2 did not" in words
    assert "‘hidden (small number)’" in words
    assert "Counts of teams and of tests of change" in words
    assert (
        "A figure added up over several months is shown when its total, and the total of any "
        "months hidden within it, are not small." in words
    )
    assert (
        "Such figures are added up over whole calendar quarters (January to March, April to "
        "June, July to September, October to December), each of which must pass that test on "
        "its own, so that one period taken from another cannot give back a hidden month." in words
    )
    assert "‘2 of 3’ is hidden: it tells that 1 did not" in rule_words(2)
    assert rule_words(0).startswith("No numbers are hidden")
    assert rule_words(1).startswith("No numbers are hidden")


@pytest.mark.parametrize(
    ("kind", "months", "hidden"),
    [
        # One month: the rule for one month.
        ("rate", [(2, 60)], True),
        ("rate", [(6, 60)], False),
        ("proportion", [(5, 7)], True),
        # Every month hidden (1 to 4 leavers), but 12 leavers of 360 is not small: shown.
        ("rate", [(2, 60), (1, 60), (3, 60), (2, 60), (4, 60), (0, 60)], False),
        # One month hidden among shown ones: the total less the shown ones gives it back.
        ("rate", [(6, 60), (2, 60), (7, 60)], True),
        # Two hidden months whose total (2 + 3) is not small: shown.
        ("rate", [(6, 60), (2, 60), (3, 60)], False),
        # Two hidden months whose total (1 + 2) is small: hidden.
        ("rate", [(6, 60), (1, 60), (2, 60)], True),
        # The total itself is small.
        ("rate", [(1, 60), (0, 60), (2, 60)], True),
        ("count", [(1, None), (2, None)], True),
        ("count", [(2, None), (3, None)], False),
        # A percentage: 29 of 30 and 29 of 30: the "did not" of the total is 2, small.
        ("proportion", [(29, 30), (29, 30)], True),
        # 2 of 3 twice: each month small, the hidden months' total 4 of 6 (2 did not): hidden.
        ("proportion", [(2, 3), (2, 3)], True),
        # 5 of 8 (3 did not) and 5 of 9 (4 did not): together 10 of 17, 7 did not: shown.
        ("proportion", [(5, 8), (5, 9), (20, 30)], False),
        # Zero counts and no numbers: never small.
        ("rate", [(0, 60), (0, 60)], False),
        ("rate", [], False),
        ("continuous", [(3, None)], False),
    ],
)
def test_a_figure_added_up_over_months(kind, months, hidden) -> None:
    assert pooled_hidden(kind, months, 5) is hidden
    assert pooled_hidden(kind, months, 1) is False  # a threshold of 1 is off


def test_a_phase_with_a_hidden_point_has_its_lines_hidden() -> None:
    parts = np.array([0, 0, 0, 1, 1, 2])
    hidden = np.array([False, True, False, False, False, False])
    assert lines_hidden(parts, hidden).tolist() == [True, True, True, False, False, False]
    assert not lines_hidden(parts, np.zeros(6, dtype=bool)).any()
    assert lines_hidden(parts, np.zeros(3, dtype=bool)).all()  # flags that do not match: hide


# Whole quarters: the building blocks of every figure added up -------------------------------------


@pytest.mark.parametrize(
    ("day", "quarter", "first", "last"),
    [
        (date(2025, 1, 1), Quarter(2025, 1), date(2025, 1, 1), date(2025, 3, 31)),
        (date(2025, 3, 31), Quarter(2025, 1), date(2025, 1, 1), date(2025, 3, 31)),
        (date(2025, 4, 1), Quarter(2025, 2), date(2025, 4, 1), date(2025, 6, 30)),
        (date(2024, 8, 15), Quarter(2024, 3), date(2024, 7, 1), date(2024, 9, 30)),
        (date(2025, 12, 29), Quarter(2025, 4), date(2025, 10, 1), date(2025, 12, 31)),
    ],
)
def test_the_quarter_of_a_day(day, quarter, first, last) -> None:
    assert quarter_of(day) == quarter
    assert (quarter.first_day, quarter.last_day) == (first, last)
    assert quarter.last_month == last.replace(day=1)
    assert quarter.following().before() == quarter


def test_quarters_follow_each_other_across_years() -> None:
    assert Quarter(2025, 4).following() == Quarter(2026, 1)
    assert Quarter(2026, 1).before() == Quarter(2025, 4)
    assert Quarter(2025, 1) < Quarter(2025, 2) < Quarter(2026, 1)


TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("first", "last", "quarters"),
    [
        # Widened outwards: February to May is January to June.
        (date(2025, 2, 10), date(2025, 5, 20), [Quarter(2025, 1), Quarter(2025, 2)]),
        # Whole quarters already.
        (date(2025, 4, 1), date(2025, 6, 30), [Quarter(2025, 2)]),
        # One month is its quarter.
        (date(2025, 5, 1), date(2025, 5, 31), [Quarter(2025, 2)]),
        # A quarter not yet ended (October to December 2026, today 7 December) is left out.
        (date(2026, 7, 1), date(2026, 12, 1), [Quarter(2026, 3)]),
        (date(2026, 11, 1), date(2026, 12, 1), []),
        # Across a year.
        (date(2025, 11, 1), date(2026, 2, 1), [Quarter(2025, 4), Quarter(2026, 1)]),
    ],
)
def test_a_period_is_widened_to_whole_quarters_that_have_ended(first, last, quarters) -> None:
    assert whole_quarters(first, last, TODAY) == quarters


def test_the_last_whole_quarters() -> None:
    assert last_whole_quarters(2, date(2025, 6, 1), TODAY) == [Quarter(2025, 1), Quarter(2025, 2)]
    assert last_whole_quarters(2, date(2025, 5, 1), TODAY) == [Quarter(2025, 1), Quarter(2025, 2)]
    # The latest month's quarter has not ended: the two before it.
    assert last_whole_quarters(2, date(2026, 11, 1), TODAY) == [Quarter(2026, 2), Quarter(2026, 3)]
    assert last_whole_quarters(2, date(2026, 2, 1), TODAY) == [Quarter(2025, 4), Quarter(2026, 1)]


def month_rows(*values, denominator=60.0, first=date(2025, 1, 1)):
    """(first day, numerator, denominator) of consecutive months from `first`."""
    return [
        (date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1), v, d)
        for i, (v, d) in enumerate(
            (v if isinstance(v, tuple) else (v, denominator)) for v in values
        )
    ]


@pytest.mark.parametrize(
    ("kind", "months", "hidden"),
    [
        # Leavers, every month hidden alone; each quarter's 6 and 6 not small: shown.
        ("rate", month_rows(2, 2, 2, 3, 2, 1), False),
        # January to March 3 (small), April to June 6: the half year's 9 is not small, and
        # `pooled_hidden` of the whole would show it; but the half year less the second quarter
        # gives the first back: hidden.
        ("rate", month_rows(1, 1, 1, 2, 2, 2), True),
        # A hidden month whose quarter's hidden months total 2: hidden, whatever the rest.
        ("rate", month_rows(6, 6, 6, 6, 2, 7), True),
        # One month: the rule for one month.
        ("rate", month_rows(2), True),
        ("rate", month_rows(6), False),
        # A percentage: 29 of 30 three times in a quarter, 3 did not: hidden.
        ("proportion", month_rows((29, 30), (29, 30), (29, 30)), True),
        ("proportion", month_rows((20, 30), (20, 30), (20, 30), (25, 30)), False),
        # A quarter with no months at all is no quarter: nothing small in it.
        ("rate", [], False),
        ("continuous", month_rows(1, 1, 1), False),
    ],
)
def test_a_figure_added_up_over_whole_quarters(kind, months, hidden) -> None:
    assert quarters_hidden(kind, months, 5) is hidden
    assert quarters_hidden(kind, months, 1) is False


def _figure(kind, months, first, last, threshold):
    """A figure as the panel adds it up over the months `first` to `last`: its whole quarters
    and (numerator, denominator) totals, or None when hidden."""
    quarters = whole_quarters(first, last, TODAY)
    inside = [m for m in months if quarter_of(m[0]) in quarters]
    if not inside or quarters_hidden(kind, inside, threshold):
        return None
    return set(quarters), sum(m[1] for m in inside), sum(m[2] for m in inside)


def test_taking_one_period_from_another_gives_back_no_hidden_month() -> None:
    """The review's attack, on every pair of periods a reader can pick over two years of one
    team's leavers: January to June less January to May used to give June. Now either figure is
    hidden, or their difference is whole quarters, each shown alone and not small."""
    # By quarter: safe (7, its hidden months 7); safe; safe (hidden 7); safe (hidden 2 + 3);
    # hidden (3 in all); hidden (a hidden month of 2 alone); safe; safe (6).
    leavers = [1, 4, 2, 6, 0, 7, 3, 3, 1, 2, 9, 3, 1, 0, 2, 8, 2, 6, 5, 5, 5, 2, 2, 2]
    months = month_rows(*leavers)
    days = [m[0] for m in months]
    assert _figure("rate", months, date(2025, 1, 1), date(2025, 6, 1), 5) == _figure(
        "rate", months, date(2025, 1, 1), date(2025, 5, 1), 5
    )
    picks = [(first, last) for first in days for last in days if first <= last]
    figures = [f for f in (_figure("rate", months, *pick, 5) for pick in picks) if f is not None]
    assert len(figures) < len(picks)  # some picks are hidden
    differences = 0
    for one, other in itertools.product(figures, repeat=2):
        if not other[0] < one[0]:
            continue
        differences += 1
        taken = [m for m in months if quarter_of(m[0]) in one[0] - other[0]]
        # The difference is whole quarters, each safe alone: nothing small to give back.
        assert not quarters_hidden("rate", taken, 5)
        assert not pooled_hidden("rate", [(n, d) for _, n, d in taken], 5)
        gap = one[1] - other[1]
        assert gap == 0 or gap >= 5
    assert differences  # some shown figures do hold others
