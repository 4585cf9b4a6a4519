"""Run-chart analysis: Anhøj rules (longest run, crossings) and the IHI shift and trend rules.

Sources: Anhøj & Olesen 2014, PLoS ONE 9(11):e113825 (as implemented by qicharts2,
`R/helper.functions.R`); Perla, Provost & Murray 2011, BMJ Qual Saf 20:46 (IHI rules).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

#: Fewer useful points than this: "not enough data yet", no runs signal.
MIN_USEFUL = 10
IHI_SHIFT_LENGTH = 6
IHI_TREND_LENGTH = 5


@dataclass(frozen=True)
class RunsAnalysis:
    """The Anhøj runs analysis of one part of a chart."""

    n_obs: int
    n_useful: int
    longest_run: int
    longest_run_max: int | None
    n_crossings: int
    n_crossings_min: int | None
    runs_signal: bool

    @property
    def enough_data(self) -> bool:
        """At least 10 useful points (DOMAIN.md section 3); else "not enough data yet"."""
        return self.n_useful >= MIN_USEFUL

    @property
    def long_run_signal(self) -> bool:
        """The longest run is longer than the Anhøj limit."""
        return (
            self.enough_data
            and self.longest_run_max is not None
            and self.longest_run > self.longest_run_max
        )

    @property
    def few_crossings_signal(self) -> bool:
        """There are fewer crossings than the Anhøj limit."""
        return (
            self.enough_data
            and self.n_crossings_min is not None
            and self.n_crossings < self.n_crossings_min
        )


@functools.cache
def longest_run_max(n_useful: int) -> int:
    """The longest run that random data shows: round(log2(n) + 3) (Anhøj & Olesen 2014).

    A longer run signals non-random variation. log2(n) + 3 is never exactly half an integer for
    whole n, so Python's and R's rounding agree.
    """
    if n_useful < 1:
        raise ValueError("the Anhøj run limit needs at least one useful point")
    return round(math.log2(n_useful) + 3)


@functools.cache
def n_crossings_min(n_useful: int) -> int:
    """The fewest crossings that random data shows: qbinom(0.05, n - 1, 0.5) (Anhøj & Olesen 2014).

    The smallest c with P(C <= c) >= 0.05 for C ~ Binomial(n - 1, 1/2), computed exactly in whole
    numbers: sum(comb(n - 1, k) for k <= c) * 20 >= 2 ** (n - 1). Fewer crossings signal.
    """
    if n_useful < 1:
        raise ValueError("the Anhøj crossings limit needs at least one useful point")
    trials = n_useful - 1
    total = 2**trials
    cumulative = 0
    for c in range(trials + 1):
        cumulative += math.comb(trials, c)
        if cumulative * 20 >= total:
            return c
    return trials  # pragma: no cover - the loop always returns


def run_lengths(labels: npt.NDArray[np.int64]) -> IntArray:
    """For each element, the length of the run of equal consecutive labels it belongs to."""
    n = labels.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    change = np.concatenate(([True], labels[1:] != labels[:-1]))
    starts = np.flatnonzero(change)
    lengths = np.diff(np.concatenate((starts, [n])))
    return np.repeat(lengths, lengths).astype(np.int64)


def sides(values: FloatArray, centre: FloatArray | float) -> IntArray:
    """+1 above the centre line, -1 below, 0 on it (or where the value or centre is missing)."""
    with np.errstate(invalid="ignore"):
        side = np.sign(values - centre)
    return np.where(np.isnan(side), 0, side).astype(np.int64)


def runs_analysis(values: FloatArray, centre: FloatArray | float) -> RunsAnalysis:
    """Anhøj runs analysis of the values (one part, excluded points and gaps already removed).

    Points on the centre line are ignored: they neither extend nor break a run. A run is a
    sequence of useful points on one side; crossings are the times consecutive useful points
    change side. Signal if the longest run > round(log2(n) + 3) or the crossings <
    qbinom(0.05, n - 1, 0.5), n useful points; no signal below 10 useful points
    (Anhøj & Olesen 2014; qicharts2 `runs.analysis`).
    """
    side = sides(np.asarray(values, dtype=np.float64), centre)
    n_obs = int(np.count_nonzero(~np.isnan(values)))
    useful = side[side != 0]
    n_useful = int(useful.size)
    longest = int(run_lengths(useful).max()) if n_useful else 0
    crossings = int(np.count_nonzero(useful[1:] != useful[:-1]))
    run_max = longest_run_max(n_useful) if n_useful else None
    crossings_min = n_crossings_min(n_useful) if n_useful else None
    signal = (
        n_useful >= MIN_USEFUL
        and run_max is not None
        and crossings_min is not None
        and (longest > run_max or crossings < crossings_min)
    )
    return RunsAnalysis(
        n_obs=n_obs,
        n_useful=n_useful,
        longest_run=longest,
        longest_run_max=run_max,
        n_crossings=crossings,
        n_crossings_min=crossings_min,
        runs_signal=bool(signal),
    )


def shift_sides(
    values: FloatArray, centre: FloatArray | float, length: int, *, centre_breaks: bool
) -> IntArray:
    """+1/-1 for points in a run of `length` or more on one side of the centre line, else 0.

    IHI (Perla et al. 2011): points on the median are skipped (`centre_breaks=False`); Making
    Data Count (NHSRplotthedots): a point on the mean breaks the run (`centre_breaks=True`).
    Missing values are skipped. Only the points of the run are flagged.
    """
    side = sides(np.asarray(values, dtype=np.float64), centre)
    present = ~np.isnan(values)
    keep = present if centre_breaks else present & (side != 0)
    positions = np.flatnonzero(keep)
    kept = side[positions]
    lengths = run_lengths(kept)
    flagged = (lengths >= length) & (kept != 0)
    result = np.zeros(side.size, dtype=np.int64)
    result[positions[flagged]] = kept[flagged]
    return result


def trend_sides(values: FloatArray, length: int, *, ties_break: bool) -> IntArray:
    """+1 for points in a rising trend of `length` or more points, -1 falling, else 0.

    IHI (Perla et al. 2011; `ties_break=False`): equal consecutive values count once, neither
    making nor breaking a trend. Making Data Count (`ties_break=True`): each point strictly higher
    (or lower) than the one before; an equal value breaks the trend. Missing values are skipped.
    """
    values = np.asarray(values, dtype=np.float64)
    positions = np.flatnonzero(~np.isnan(values))
    present = values[positions]
    result = np.zeros(values.size, dtype=np.int64)
    if present.size < 2:
        return result
    if ties_break:
        group = np.arange(present.size)
    else:
        # Consecutive equal values form one group that acts as a single point.
        group = np.concatenate(([0], np.cumsum(present[1:] != present[:-1])))
    firsts = np.concatenate(([True], group[1:] != group[:-1]))
    distinct = present[firsts]
    steps = np.sign(np.diff(distinct)).astype(np.int64)
    if steps.size == 0:
        return result
    # A run of k equal steps covers k + 1 distinct points.
    step_lengths = run_lengths(steps)
    in_trend = (step_lengths + 1 >= length) & (steps != 0)
    trend_of_distinct = np.zeros(distinct.size, dtype=np.int64)
    for offset in (0, 1):
        index = np.flatnonzero(in_trend) + offset
        trend_of_distinct[index] = steps[in_trend]
    result[positions] = trend_of_distinct[group]
    return result
