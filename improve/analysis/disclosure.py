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
        f"change since the baseline. Counts of teams and of tests of change are not about "
        f"people and are always shown."
    )
