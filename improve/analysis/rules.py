"""Signals on a chart: Making Data Count rules, IHI run-chart rules, point types and icons.

Sources: NHS England "Making Data Count" as implemented by NHSRplotthedots
(`R/ptd_calculate_point_type.R`, `R/ptd_calculate_assurance_type.R`); IHI rules after Perla,
Provost & Murray 2011, BMJ Qual Saf 20:46. See DOMAIN.md sections 4 and 5.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from improve.analysis.runs import (
    IHI_SHIFT_LENGTH,
    IHI_TREND_LENGTH,
    BoolArray,
    IntArray,
    run_lengths,
    runs_analysis,
    shift_sides,
    sides,
    trend_sides,
)
from improve.analysis.spc import Chart

RuleSet = Literal["anhoej", "ihi", "mdc"]
Direction = Literal["increase", "decrease", "neutral"]
PointType = Literal[
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
]
Assurance = Literal["pass", "fail", "inconsistent"]

#: Rule names, highest precedence first (outside limits > trend > two in three > shift); a long
#: run is the Anhøj rule of a run chart, which has no other point rule.
RULES: tuple[str, ...] = ("outside_limits", "trend", "two_in_three", "shift", "long_run")
MDC_SHIFT_LENGTH = 7
MDC_TREND_LENGTH = 7


@dataclass(frozen=True)
class Signals:
    """Which rules fired on each point, the side of each signal, and the point types."""

    fired: dict[str, BoolArray]
    side: dict[str, IntArray]
    point_type: list[PointType]
    #: Parts (1-based) whose line crosses the centre too few times (Anhøj): a signal of the
    #: whole part, with no side, so no point is marked.
    few_crossings_parts: tuple[int, ...] = ()

    def rules_at(self, index: int) -> list[str]:
        """The rules that fired on the point (0-based), in order of precedence."""
        return [rule for rule in RULES if rule in self.fired and bool(self.fired[rule][index])]


def outside_limit_sides(chart: Chart) -> IntArray:
    """+1 above the upper limit, -1 below the lower limit, else 0 (MDC rule 1; excluded points
    are still flagged)."""
    flagged = chart.sigma_points
    return np.where(flagged, sides(chart.value, chart.cl), 0).astype(np.int64)


def two_in_three_sides(
    values: np.ndarray, cl: np.ndarray, near_lcl: np.ndarray, near_ucl: np.ndarray
) -> IntArray:
    """MDC rule 3: two of three consecutive points beyond the same-side 2-sigma line (`near_lcl`,
    `near_ucl`), all three on the same side of the centre line (the mean; a g chart's median);
    only the points beyond 2 sigma are flagged (NHSRplotthedots `ptd_two_in_three`). Values are
    one part with excluded points and gaps removed."""
    side = sides(values, cl)
    with np.errstate(invalid="ignore"):
        beyond_high = values > near_ucl
        beyond_low = values < near_lcl
    result = np.zeros(values.size, dtype=np.int64)
    if values.size < 3:
        return result
    for direction, beyond in ((1, beyond_high), (-1, beyond_low)):
        same = side == direction
        far = beyond.astype(np.int64)
        window = same[:-2] & same[1:-1] & same[2:] & (far[:-2] + far[1:-1] + far[2:] >= 2)
        covered = np.zeros(values.size, dtype=np.bool_)
        for offset in range(3):
            covered[offset : values.size - 2 + offset] |= window
        result[covered & beyond] = direction
    return result


def long_run_sides(values: np.ndarray, cl: np.ndarray) -> tuple[IntArray, bool]:
    """Anhøj rules on one part (excluded points and gaps removed): +1/-1 on the points of every
    run longer than round(log2(n) + 3) useful points (points on the median neither extend nor
    break a run, and are not marked), and whether the crossings are too few. Nothing below 10
    useful points (Anhøj & Olesen 2014)."""
    result = np.zeros(values.size, dtype=np.int64)
    runs = runs_analysis(values, cl)
    if not runs.enough_data:
        return result, False
    if runs.long_run_signal and runs.longest_run_max is not None:
        side = sides(values, cl)
        positions = np.flatnonzero(side != 0)
        useful = side[positions]
        long = run_lengths(useful) > runs.longest_run_max
        result[positions[long]] = useful[long]
    return result, runs.few_crossings_signal


def signals(
    chart: Chart,
    *,
    rules: RuleSet = "mdc",
    direction: Direction = "neutral",
    shift_length: int | None = None,
    trend_length: int | None = None,
) -> Signals:
    """Every rule that fires on each point, and each point's type.

    Outside limits applies to every point with limits. Pattern rules apply within each part over
    the non-excluded points with a value: `mdc` = trend (default 7, strictly rising or falling,
    equal values break it), two in three beyond 2 sigma, shift (default 7, a point on the mean
    breaks it); `ihi` = shift (default 6, points on the centre line skipped) and trend (default 5,
    equal values neither make nor break it); `anhoej` on a run chart = the points of every run
    longer than the Anhøj limit are marked `long_run`, and a part whose line crosses the median
    too few times is listed in `few_crossings_parts` (Anhøj & Olesen 2014). The point type
    follows the highest-precedence rule that fired.
    """
    n = chart.value.size
    side: dict[str, IntArray] = {"outside_limits": outside_limit_sides(chart)}
    few_crossings: list[int] = []
    if rules == "anhoej" and chart.chart == "run":
        side["long_run"] = np.zeros(n, dtype=np.int64)
        for number, where in chart.part_slices():
            index = np.flatnonzero(chart.pattern_points[where]) + where.start
            marked, few = long_run_sides(chart.value[index], chart.cl[index])
            side["long_run"][index] = marked
            if few:
                few_crossings.append(number)
    elif rules != "anhoej":
        for rule in ("trend", "two_in_three", "shift"):
            if rules == "mdc" or rule != "two_in_three":
                side[rule] = np.zeros(n, dtype=np.int64)
        for _, where in chart.part_slices():
            used = np.flatnonzero(chart.pattern_points[where])
            index = used + where.start
            values, cl = chart.value[index], chart.cl[index]
            if rules == "mdc":
                side["trend"][index] = trend_sides(
                    values, trend_length or MDC_TREND_LENGTH, ties_break=True
                )
                side["two_in_three"][index] = two_in_three_sides(
                    values, cl, chart.near_lcl[index], chart.near_ucl[index]
                )
                side["shift"][index] = shift_sides(
                    values, cl, shift_length or MDC_SHIFT_LENGTH, centre_breaks=True
                )
            else:
                side["trend"][index] = trend_sides(
                    values, trend_length or IHI_TREND_LENGTH, ties_break=False
                )
                side["shift"][index] = shift_sides(
                    values, cl, shift_length or IHI_SHIFT_LENGTH, centre_breaks=False
                )
    fired = {rule: np.asarray(s != 0, dtype=np.bool_) for rule, s in side.items()}
    return Signals(
        fired=fired,
        side=side,
        point_type=_point_types(side, n, direction),
        few_crossings_parts=tuple(few_crossings),
    )


def decisive_sides(side: dict[str, IntArray], n: int) -> IntArray:
    """Per point, the side of the highest-precedence rule that fired on it (0 for none)."""
    decisive = np.zeros(n, dtype=np.int64)
    for rule in reversed(RULES):  # lowest precedence first, so higher ones overwrite
        if rule in side:
            decisive = np.where(side[rule] != 0, side[rule], decisive)
    return decisive


def _point_types(side: dict[str, IntArray], n: int, direction: Direction) -> list[PointType]:
    """Special cause improvement or concern by the improvement direction (neutral high or low
    for neutral measures), from the highest-precedence rule that fired; else common cause."""
    decisive = decisive_sides(side, n)
    if direction == "neutral":
        high, low = "special_cause_neutral_high", "special_cause_neutral_low"
    elif direction == "increase":
        high, low = "special_cause_improvement", "special_cause_concern"
    else:
        high, low = "special_cause_concern", "special_cause_improvement"
    types: list[PointType] = np.select(
        [decisive > 0, decisive < 0], [high, low], "common_cause"
    ).tolist()
    return types


def variation(point_types: list[PointType]) -> PointType | None:
    """The variation icon: the type of the latest point (Making Data Count); None without points."""
    return point_types[-1] if point_types else None


def assurance(chart: Chart, target: float | None, direction: Direction) -> Assurance | None:
    """The assurance icon from the target against the latest part's limits (Making Data Count).

    Increase: target above the upper limit = consistently fail, below the lower limit =
    consistently pass, between = hit and miss (inconsistent); mirrored for decrease; none for
    neutral, without a target, or without limits. Where limits vary, the latest point's are used.
    """
    if target is None or direction == "neutral" or chart.value.size == 0:
        return None
    lcl, ucl = float(chart.lcl[-1]), float(chart.ucl[-1])
    if np.isnan(lcl) or np.isnan(ucl):
        return None
    if target > ucl:
        return "fail" if direction == "increase" else "pass"
    if target < lcl:
        return "pass" if direction == "increase" else "fail"
    return "inconsistent"
