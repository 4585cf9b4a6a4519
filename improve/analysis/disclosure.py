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
from collections.abc import Iterable
from dataclasses import dataclass

#: Value kinds whose numbers count people or events (improve.models.ValueKind values).
COUNTED_KINDS = frozenset({"count", "proportion", "rate", "events"})


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
    `denominator` is None for measures that have none."""
    if threshold <= 1 or value_kind not in COUNTED_KINDS:
        return False
    if is_small(numerator, threshold):
        return True
    if value_kind == "rate":
        # Events per bed-day or per visit: the exposure is not a count of people, but a small one
        # with the rate shown would still give the number of events back.
        return is_small(denominator, threshold)
    if value_kind == "proportion" and denominator is not None and numerator is not None:
        return is_small(denominator, threshold) or is_small(denominator - numerator, threshold)
    return False


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


def rule_words(threshold: int) -> str:
    """The rule in plain words, as pages and files state it."""
    if threshold <= 1:
        return (
            "No numbers are hidden: the collaborative's threshold for small numbers is off, so "
            "every team's figures are shown in full."
        )
    low = "1" if threshold == 2 else f"1 to {threshold - 1}"
    return (
        f"To protect people's privacy, a team's figure for a month is hidden when it counts "
        f"{low} people or events, or when it is a percentage whose total, or whose ‘did not’, "
        f"is {low} (so ‘5 of 7’ is hidden: it tells that 2 did not). A hidden figure shows as "
        f"‘hidden (small number)’, and so does anything worked out from it, such as the change "
        f"since the baseline. Counts of teams and of tests of change are not about people and "
        f"are always shown."
    )
