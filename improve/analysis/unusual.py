"""Is this right? A new value far outside a series' usual values, to ask about before saving.

A typo such as 756843 among values near 10 would otherwise be saved without a question and
dominate the chart (issue 16). The rule is robust, so one earlier odd value does not hide the
next typo: compare the new value with the median of the usual values, in units of their median
absolute deviation (MAD). Leys et al. 2013 (J Exp Soc Psychol 49:764) call a value more than 2.5
scaled MADs (1.4826 MAD) from the median an outlier; we ask only about values much further out,
10 MADs (about 6.7 scaled), which an ordinary week or month does not reach.

The usual values are the saved values nearest the period in the same phase of the chart (a new
phase starts when the way of working changed, so earlier values say little), leaving out points
already left out of the analysis: at most 12, and at least 6 or nothing is asked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

#: How many usual values to compare with, at most and at least.
MOST_USUAL = 12
FEWEST_USUAL = 6
#: How many MADs from the median a value may be before we ask.
HOW_FAR = 10


@dataclass(frozen=True)
class Unusual:
    """A value far from the usual ones, and the range the usual ones span."""

    value: float
    lowest: float
    highest: float

    @property
    def higher(self) -> bool:
        return self.value > self.highest


def usual_values(
    periods: Sequence[date],
    values: Sequence[float],
    excluded: Sequence[bool],
    new_phase: Sequence[bool],
    period: date,
    starts_phase: bool = False,
) -> list[float]:
    """The saved values to compare a new value for `period` with: in the same phase as `period`
    (which starts one itself if `starts_phase`), not left out, not `period`'s own, the
    `MOST_USUAL` nearest to it in time. The saved points may come in any order."""
    starts = [p for p, new in zip(periods, new_phase, strict=True) if new and p != period]
    if starts_phase:
        starts.append(period)
    first = max((p for p in starts if p <= period), default=date.min)
    after = min((p for p in starts if p > period), default=date.max)
    nearby = sorted(
        (abs((p - period).days), p, v)
        for p, v, out in zip(periods, values, excluded, strict=True)
        if first <= p < after and p != period and not out
    )
    return [value for _, _, value in nearby[:MOST_USUAL]]


def unusual_value(
    value: float, usual: Sequence[float], whole_numbers: bool = False
) -> Unusual | None:
    """`value` if it is more than `HOW_FAR` MADs from the median of `usual`, else None.

    The MAD counts as at least a twentieth of the median, so a value within half the median of
    it is never asked about (a series that never varied, like 100 every week, still allows 50 to
    150, and a dropped digit, 12 for 120, is asked about); for counts (`whole_numbers`) at least
    1, so a count that is usually 0 allows up to 10. When more than half the usual values are the
    same (a count that is mostly 0), their MAD is 0 however much the rest vary, so the mean
    absolute deviation stands in for it. With fewer than `FEWEST_USUAL` usual values, or nothing
    to measure distance by (every usual value the same 0, not a count), nothing is asked."""
    known = np.asarray(usual, dtype=float)
    known = known[np.isfinite(known)]
    if known.size < FEWEST_USUAL or not math.isfinite(value):
        return None
    median = float(np.median(known))
    distances = np.abs(known - median)
    mad = float(np.median(distances)) or float(np.mean(distances))
    spread = max(mad, abs(median) / (2 * HOW_FAR), 1.0 if whole_numbers else 0.0)
    if spread == 0 or abs(value - median) <= HOW_FAR * spread:
        return None
    return Unusual(value=value, lowest=float(known.min()), highest=float(known.max()))
