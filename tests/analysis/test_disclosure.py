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
from improve.analysis.disclosure import Hidden, any_hidden, point_hidden, rule_words
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
    assert "‘2 of 3’ is hidden: it tells that 1 did not" in rule_words(2)
    assert rule_words(0).startswith("No numbers are hidden")
    assert rule_words(1).startswith("No numbers are hidden")
