"""Small-number protection of people in views across teams (issue 19, point 4).

One rule, read by the panel page, its print layout, its downloads, the collaborative's data
downloads for people who see them through the panel, and the API:

  A team's figure for a period is hidden when it rests on a count of people or events from
  1 to N - 1, where N is the collaborative's threshold: the numerator, the denominator, or the
  denominator less the numerator (for a percentage, "5 of 7 families" tells that 2 did not).
  Zero is shown: it says nothing about anyone. Hidden with it is everything that would give
  it back: the percentage or rate (with the denominator it gives the numerator), and any
  difference from that point (a change from the baseline, the distance to the target).

Counts of teams and of tests of change (PDSA cycles) are about the work, not about people,
and are never hidden. Measures of a time or an amount (continuous values: days waited, hours
of training) are not counts of people and are shown as they are.

Pure: no Flask, no database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from improve.analysis.events import event_rows

if TYPE_CHECKING:
    from improve.analysis.series import Points

#: Value kinds whose numbers count people or events (improve.models.ValueKind values).
COUNTED_KINDS = frozenset({"count", "proportion", "rate", "events"})

#: What a page or file shows in place of a hidden figure.
HIDDEN_WORDS = "hidden (small number)"

BoolArray = npt.NDArray[np.bool_]


def is_small(count: float | None, threshold: int) -> bool:
    """Whether a count of people or events is small enough to point to someone: 1 to N - 1."""
    if count is None or (isinstance(count, float) and math.isnan(count)):
        return False
    return 0 < count < threshold


def point_hidden(
    value_kind: str, numerator: float | None, denominator: float | None, threshold: int
) -> bool:
    """Whether one period's figure of one team is hidden in views across teams.

    `numerator` is the stored value (the count itself for a count or events measure);
    `denominator` is None for measures that have none. The rule itself is `hidden_flags`, for
    one pair here, so a single figure and a whole series are decided the same way."""
    return bool(hidden_flags(value_kind, [numerator], [denominator], threshold)[0])


def hidden_flags(
    value_kind: str,
    numerators: Sequence[float | None] | npt.ArrayLike,
    denominators: Sequence[float | None] | npt.ArrayLike,
    threshold: int,
) -> BoolArray:
    """`point_hidden` for each (numerator, denominator) pair, as one array: the rule, written
    once. A panel of 800 teams holds some 300,000 figures; one pass of array arithmetic decides
    them all in milliseconds. None and NaN count as no number (never small)."""
    numerator = _floats(numerators)
    size = numerator.size
    if threshold <= 1 or value_kind not in COUNTED_KINDS:
        return np.zeros(size, dtype=np.bool_)
    denominator = _floats(denominators) if value_kind in ("proportion", "rate") else None
    hidden = _small(numerator, threshold)
    if denominator is not None and value_kind == "rate":
        # Events per bed-day or per visit: the exposure is not a count of people, but a small one
        # with the rate shown would still give the number of events back.
        hidden |= _small(denominator, threshold)
    elif denominator is not None:
        # A percentage tells its total and, with it, how many did not ("5 of 7": 2 did not).
        # A small total is hidden even without a numerator: the total is a count of people.
        hidden |= _small(denominator, threshold) | _small(denominator - numerator, threshold)
    return hidden


def _floats(values: Sequence[float | None] | npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Numbers as floats, None as NaN."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        return values.astype(np.float64, copy=False).reshape(-1)
    array = np.asarray(values, dtype=object).reshape(-1)
    return np.array([np.nan if value is None else value for value in array], dtype=np.float64)


def _small(counts: npt.NDArray[np.float64], threshold: int) -> BoolArray:
    """`is_small` of each count (NaN compares false either way: never small)."""
    with np.errstate(invalid="ignore"):
        return np.asarray((counts > 0) & (counts < threshold), dtype=np.bool_)


def series_hidden(value_kind: str, points: Points, threshold: int) -> BoolArray:
    """For one team's series as stored (`Points`, one per period or, for the dates of events,
    one per day with events), whether each point of its one analysis is hidden: one flag per
    point the analysis plots, so in the analysis's order.

    For the dates of events the analysis has a point per event, whose value is the days since
    the event before: it is hidden when its day's count is small, or the day before it is
    hidden (the gap would give that day back)."""
    by_point = hidden_flags(value_kind, points.value, points.denominator, threshold)
    if value_kind != "events":
        return by_point
    by_event = by_point[event_rows(points)]
    after_hidden = np.zeros(by_event.size, dtype=np.bool_)
    after_hidden[1:] = by_event[:-1]
    return np.asarray(by_event | after_hidden, dtype=np.bool_)


def any_hidden(
    value_kind: str,
    points: Iterable[tuple[float | None, float | None]],
    threshold: int,
) -> bool:
    """Whether any of these (numerator, denominator) pairs is hidden: a figure made from several
    points (a baseline's median, a pooled rate) is hidden if any of them is."""
    return any(point_hidden(value_kind, n, d, threshold) for n, d in points)


def pooled_hidden(
    value_kind: str,
    months: Sequence[tuple[float | None, float | None]],
    threshold: int,
) -> bool:
    """Whether a figure added up over several months (a team's numbers pooled over a period) is
    hidden. It is when its total is small (by the rule for one month: the numerator, the
    denominator, or a percentage's "did not"), or when the total of the months hidden within it
    is small: taking the months shown away from the total would give that total back. Months
    hidden one by one may be shown added up, when together they are not a small number. For one
    month it is `point_hidden`."""
    if not months:
        return False
    numerators = _floats([n for n, _ in months])
    denominators = _floats([d for _, d in months])
    if _total_hidden(value_kind, numerators, denominators, threshold):
        return True
    by_month = hidden_flags(value_kind, numerators, denominators, threshold)
    if not by_month.any():
        return False
    return _total_hidden(value_kind, numerators[by_month], denominators[by_month], threshold)


def _total_hidden(
    value_kind: str,
    numerators: npt.NDArray[np.float64],
    denominators: npt.NDArray[np.float64],
    threshold: int,
) -> bool:
    """Whether the months' numbers added up are a small number (no number at all: not small)."""
    totals = [_sum(numerators)], [_sum(denominators)]
    return bool(hidden_flags(value_kind, *totals, threshold)[0])


def _sum(values: npt.NDArray[np.float64]) -> float:
    """The total of the numbers given; NaN when there are none."""
    given = values[~np.isnan(values)]
    return float(given.sum()) if given.size else math.nan


# Whole quarters ---------------------------------------------------------------------------------
#
# Figures added up over a period the reader picks are built of whole calendar quarters. With free
# months, two overlapping periods could be taken one from the other (January to June less January
# to May gives June, which may be hidden). With whole quarters, the difference of any two figures
# is itself whole quarters, and a figure is shown only when each of its quarters is safe alone.


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter: January to March is number 1, October to December number 4."""

    year: int
    number: int

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_month(self) -> date:
        """The first day of the quarter's last month (March, June, September or December)."""
        return date(self.year, 3 * self.number, 1)

    @property
    def last_day(self) -> date:
        return self.following().first_day - timedelta(days=1)

    def following(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def before(self) -> Quarter:
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)


def quarter_of(day: date) -> Quarter:
    """The calendar quarter a day (a period's first day) falls in."""
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def whole_quarters(first: date, last: date, today: date) -> list[Quarter]:
    """The quarters that overlap the days `first` to `last` and have ended before `today`, in
    order: a period widened outwards to whole quarters, less any quarter still under way (its
    figures are not all in, and one more month later would be a difference of one month)."""
    quarters: list[Quarter] = []
    quarter = quarter_of(first)
    while quarter.first_day <= last and quarter.last_day < today:
        quarters.append(quarter)
        quarter = quarter.following()
    return quarters


def last_whole_quarters(count: int, latest: date, today: date) -> list[Quarter]:
    """The last `count` quarters that have ended before `today`, up to the quarter of `latest`
    (the latest month with data), in order."""
    quarter = quarter_of(latest)
    while quarter.last_day >= today:
        quarter = quarter.before()
    found = [quarter]
    while len(found) < count:
        found.insert(0, found[0].before())
    return found


def quarters_hidden(
    value_kind: str,
    months: Sequence[tuple[date, float | None, float | None]],
    threshold: int,
) -> bool:
    """Whether a figure added up over whole quarters is hidden: `months` are its periods, each
    (first day, numerator, denominator). It is hidden when any quarter in it is
    (`pooled_hidden` of that quarter's months). Each quarter shown is then 0 or at least N in
    every count the rule looks at, so any sum of them is too, and so is the difference of two
    figures: it is whole quarters, each safe alone."""
    by_quarter: dict[Quarter, list[tuple[float | None, float | None]]] = {}
    for day, numerator, denominator in months:
        by_quarter.setdefault(quarter_of(day), []).append((numerator, denominator))
    return any(pooled_hidden(value_kind, own, threshold) for own in by_quarter.values())


def lines_hidden(parts: npt.ArrayLike, hidden: BoolArray) -> BoolArray:
    """For one series' points (`parts`: each point's phase, as the analysis numbers them;
    `hidden`: each point's flag), whether the point's centre line and limits are hidden: they
    are for every point of a phase that holds a hidden point, since they are worked out from it
    (a phase's average, with its other points shown, gives the hidden number back). When the
    flags do not match the points, every line is hidden: when in doubt, hide."""
    phases = np.asarray(parts).reshape(-1)
    flags = np.asarray(hidden, dtype=np.bool_).reshape(-1)
    if flags.size != phases.size:
        return np.ones(phases.size, dtype=np.bool_)
    return np.asarray(np.isin(phases, np.unique(phases[flags])), dtype=np.bool_)


@dataclass(frozen=True)
class Hidden:
    """What a page or file hid, for its note on small numbers."""

    figures: int = 0  # team-period figures hidden
    teams: int = 0  # teams with at least one figure hidden

    def __bool__(self) -> bool:
        return self.figures > 0

    def words(self, threshold: int, where: str = "on this page") -> str:
        """How much was hidden, in a sentence: "3 figures from 2 teams are hidden on this
        page." Nothing when the threshold is off (`rule_words` says so)."""
        if threshold <= 1:
            return ""
        if not self:
            return f"No figure is hidden {where}: none rests on a small number."
        figures = "1 figure" if self.figures == 1 else f"{self.figures} figures"
        teams = "1 team" if self.teams == 1 else f"{self.teams} teams"
        verb = "is" if self.figures == 1 else "are"
        return f"{figures} from {teams} {verb} hidden {where}."


def rule_words(threshold: int) -> str:
    """The rule in plain words, as pages and files state it."""
    if threshold <= 1:
        return (
            "No numbers are hidden: the collaborative's threshold for small numbers is off, so "
            "every team's figures are shown in full."
        )
    low = "1" if threshold == 2 else f"1 to {threshold - 1}"
    people = "1 person or event" if threshold == 2 else f"{low} people or events"
    # An example that the rule hides at this threshold: "5 of 7" at 5 (2 did not).
    did_not = min(2, threshold - 1)
    example = f"‘{threshold} of {threshold + did_not}’"
    return (
        f"To protect people's privacy, a team's figure for a month or week is hidden when it "
        f"counts {people}; when it is a percentage whose total, or whose ‘did not’, is {low} "
        f"(so {example} is hidden: it tells that {did_not} did not); or when it is a rate out "
        f"of a total of {low} (such as leavers from a team of {threshold - 1}). A hidden figure "
        f"shows as ‘{HIDDEN_WORDS}’, and so does anything worked out from it, such as the "
        f"change since the baseline. A figure added up over several months is shown when its "
        f"total, and the total of any months hidden within it, are not small. Such figures are "
        f"added up over whole calendar quarters (January to March, April to June, July to "
        f"September, October to December), each of which must pass that test on its own, so "
        f"that one period taken from another cannot give back a hidden month. Counts of teams "
        f"and of tests of change are not about people and are always shown."
    )
