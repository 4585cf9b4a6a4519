"""Shewhart control charts (I, MR, p, u, c, and g and t for rare events) and run charts: centre
lines and limits by part.

Formulas: DOMAIN.md section 5, after qicharts2 (`R/helper.functions.R`, Anhøj) and NHS England's
Making Data Count as implemented by NHSRplotthedots (`R/ptd_spc_standard.R`). The g and t charts
follow qicharts2's `qic.g` and `qic.t` (Provost & Murray, The Health Care Data Guide, 2011).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from improve.analysis.runs import BoolArray, FloatArray, IntArray, RunsAnalysis, runs_analysis

ChartType = Literal["run", "i", "mr", "p", "u", "c", "g", "t"]
SigmaMethod = Literal["classic", "nhs"]
CHART_TYPES: tuple[ChartType, ...] = ("run", "i", "mr", "p", "u", "c", "g", "t")
#: Charts of the gaps between rare events; their limits are not centre ± 3 sigma.
RARE_EVENT_CHARTS: tuple[ChartType, ...] = ("g", "t")

#: d2 for moving ranges of two: sigma = MR-bar / 1.128 (qicharts2).
D2 = 1.128
#: The NHS Making Data Count constant: limits = mean +/- 2.66 * MR-bar.
NHS_CONSTANT = 2.66
#: D4 for moving ranges of two: the MR chart's upper limit and the screening threshold.
D4 = 3.267
#: Below this many points in a part, limits are trial limits (DOMAIN.md section 3).
TRIAL_BELOW = 12
#: The t chart's power: times between events to the power 1/3.6 are about normal (qicharts2
#: `qic.t`, after Provost & Murray 2011); limits are found there and raised back to 3.6.
T_POWER = 3.6


class AnalysisError(ValueError):
    """Data that cannot be charted; the message is one plain line."""


@dataclass(frozen=True)
class Chart:
    """A chart's plotted values, centre line and limits, one entry per point (NaN where none).

    `sigma` is one sigma where the limits are centre ± 3 sigma; a g chart's limits are its mean
    ± 3 sigma but its centre line is the median, and a t chart's limits are found on another
    scale (sigma NaN), so those two carry their 2-sigma lines in `near`."""

    chart: ChartType
    value: FloatArray
    cl: FloatArray
    lcl: FloatArray
    ucl: FloatArray
    sigma: FloatArray
    part: IntArray
    excluded: BoolArray
    trial_parts: tuple[int, ...]
    near: tuple[FloatArray, FloatArray] | None = None

    @property
    def pattern_points(self) -> BoolArray:
        """Points that take part in runs analysis and pattern rules: not excluded, with a value,
        and on an MR chart not a moving range that involves an excluded point."""
        used = ~self.excluded & ~np.isnan(self.value)
        if self.chart == "mr" and used.size > 1:
            used[1:] &= ~self.excluded[:-1]
        return np.asarray(used, dtype=np.bool_)

    @property
    def sigma_points(self) -> BoolArray:
        """Points outside the control limits (excluded points too: they are still flagged)."""
        with np.errstate(invalid="ignore"):
            outside = (self.value > self.ucl) | (self.value < self.lcl)
        return np.asarray(outside & ~np.isnan(self.value), dtype=np.bool_)

    @property
    def near_lcl(self) -> FloatArray:
        """The lower 2-sigma line: centre - 2 sigma (DOMAIN.md section 5), or the g or t chart's."""
        return self.near[0] if self.near is not None else self.cl - 2 * self.sigma

    @property
    def near_ucl(self) -> FloatArray:
        """The upper 2-sigma line: centre + 2 sigma, or the g or t chart's."""
        return self.near[1] if self.near is not None else self.cl + 2 * self.sigma

    def part_slices(self) -> list[tuple[int, slice]]:
        """(part number, slice of points) for each part, in order."""
        return part_slices(self.part)

    def runs(self) -> list[RunsAnalysis]:
        """Anhøj runs analysis per part against the chart's centre line, over the non-excluded
        points with a value (issue 4: median for run charts, centre line for control charts)."""
        result = []
        for _, where in self.part_slices():
            used = self.pattern_points[where]
            result.append(runs_analysis(self.value[where][used], self.cl[where][used]))
        return result


def part_slices(part: IntArray) -> list[tuple[int, slice]]:
    """(part number, slice) for consecutive runs of equal part numbers."""
    if part.size == 0:
        return []
    starts = [0, *(np.flatnonzero(part[1:] != part[:-1]) + 1).tolist()]
    stops = [*starts[1:], int(part.size)]
    return [(int(part[a]), slice(a, b)) for a, b in zip(starts, stops, strict=True)]


def part_numbers(n: int, breaks: Iterable[int] = ()) -> IntArray:
    """1-based part numbers for n points; a break after point k (1-based) starts a new part."""
    part = np.ones(n, dtype=np.int64)
    for after in sorted(set(breaks)):
        if not 0 < after < n:
            raise AnalysisError(f"a part break after point {after} is outside the 1..{n - 1} range")
        part[after:] += 1
    return part


def _as_floats(values: Sequence[float] | npt.ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64).reshape(-1)


def _mean(values: FloatArray) -> float:
    """Mean without numpy's empty-slice warning: NaN for no values."""
    return float(values.sum() / values.size) if values.size else float("nan")


def moving_ranges(values: FloatArray, part: IntArray) -> FloatArray:
    """MRᵢ = |xᵢ − xᵢ₋₁| within a part; NaN for a part's first point or next to a gap."""
    ranges = np.full(values.size, np.nan)
    if values.size > 1:
        with np.errstate(invalid="ignore"):
            ranges[1:] = np.abs(np.diff(values))
        ranges[1:][part[1:] != part[:-1]] = np.nan
    return ranges


def average_moving_range(ranges: FloatArray, *, screen_outliers: bool) -> float:
    """MR-bar, the mean of the moving ranges given; with screening, moving ranges ≥ 3.267·MR-bar
    are dropped and MR-bar computed again once (NHSRplotthedots `screen_outliers`)."""
    ranges = ranges[~np.isnan(ranges)]
    average = _mean(ranges)
    if screen_outliers and ranges.size:
        average = _mean(ranges[ranges < D4 * average])
    return average


def control_chart(
    values: Sequence[float] | npt.ArrayLike,
    denominators: Sequence[float] | npt.ArrayLike | None = None,
    *,
    chart: ChartType = "run",
    breaks: Iterable[int] = (),
    exclude: Iterable[int] = (),
    freeze: int | None = None,
    baseline: Sequence[bool] | npt.ArrayLike | None = None,
    multiplier: float = 1.0,
    sigma_method: SigmaMethod = "classic",
    screen_outliers: bool = False,
) -> Chart:
    """Centre line and limits for each point, part by part (DOMAIN.md sections 3-5).

    - run: centre = median; no limits.
    - i: centre x̄; limits x̄ ± 3·MR-bar/1.128 (classic, qicharts2) or x̄ ± 2.66·MR-bar (nhs).
    - mr: centre MR-bar; UCL = 3.267·MR-bar, LCL = 0.
    - p: p̄ = Σnum/Σden; p̄ ± 3·√(p̄(1−p̄)/nᵢ) clamped to [0, 1]; u: ū = Σnum/Σden, ū ± 3·√(ū/nᵢ),
      LCL ≥ 0; c: c̄ ± 3·√c̄, LCL ≥ 0. The multiplier scales values, centre and limits of p and u.
    - g (days or opportunities between events): limits x̄ ± 3·√(x̄(x̄+1)), LCL ≥ 0; the centre
      line is the median (`g_lines`). t (time between events): an I chart of t^(1/3.6) whose
      centre and limits are raised back to 3.6 (`t_lines`). Both are qicharts2's.
    Each part has its own centre and limits; with `freeze`, they come from the first `freeze`
    points of each part and extend over the rest. With `baseline` (one flag per point), a part
    holding at least 2 baseline points takes its centre and limits from them (the measure's
    baseline period, for every chart type); other parts use all their points. Excluded points
    (1-based indices) and missing values stay plotted but are left out of the centre and limits;
    moving ranges next to them are not used (as qicharts2 sets them to NA).
    """
    x = _as_floats(values)
    n = x.size
    if chart not in CHART_TYPES:
        raise AnalysisError(f"unknown chart type {chart!r}")
    part = part_numbers(n, breaks)
    excluded = np.zeros(n, dtype=np.bool_)
    for index in exclude:
        if not 1 <= index <= n:
            raise AnalysisError(f"excluded point {index} is outside the 1..{n} range")
        excluded[index - 1] = True
    if freeze is not None and freeze < 2:
        raise AnalysisError("a baseline needs at least 2 points")
    in_baseline = _baseline_mask(baseline, n)
    den = _validated_denominators(x, denominators, chart)
    _check_gaps(x, chart)
    for number, where in part_slices(part):
        if where.stop - where.start < 2:
            raise AnalysisError(f"part {number} has fewer than 2 points")

    scale = multiplier if chart in ("p", "u") else 1.0
    plotted = x / den if den is not None else x.copy()
    if chart == "mr":
        plotted = moving_ranges(x, part)
    cl = np.full(n, np.nan)
    sigma = np.full(n, np.nan)
    lcl = np.full(n, np.nan)
    ucl = np.full(n, np.nan)
    near = (np.full(n, np.nan), np.full(n, np.nan))
    trial = []
    usable = ~excluded & ~np.isnan(x)
    for number, where in part_slices(part):
        base = usable[where].copy()
        if freeze is not None:
            base[freeze:] = False
        if in_baseline is not None and np.count_nonzero(base & in_baseline[where]) >= 2:
            base &= in_baseline[where]
        if np.count_nonzero(base) < TRIAL_BELOW:
            trial.append(number)
        if chart in RARE_EVENT_CHARTS:
            lines = (
                g_lines(x[where][base])
                if chart == "g"
                else t_lines(x[where], base, sigma_method, screen_outliers)
            )
            cl[where], lcl[where], ucl[where], sigma[where] = lines[:4]
            near[0][where], near[1][where] = lines[4:]
            continue
        centre, spread = _part_limits(
            chart, x[where], den, where, base, sigma_method, screen_outliers
        )
        cl[where] = centre
        sigma[where] = spread
    if chart in RARE_EVENT_CHARTS:
        pass  # limits set part by part above
    elif chart == "mr":
        lcl = np.where(np.isnan(cl), np.nan, 0.0)
        ucl = D4 * cl
        sigma = (ucl - cl) / 3
    elif chart != "run":
        lcl = cl - 3 * sigma
        ucl = cl + 3 * sigma
        if chart in ("p", "u", "c"):
            lcl = np.maximum(lcl, 0.0)
        if chart == "p":
            ucl = np.minimum(ucl, 1.0)
    return Chart(
        chart=chart,
        value=plotted * scale,
        cl=cl * scale,
        lcl=lcl * scale,
        ucl=ucl * scale,
        sigma=sigma * scale,
        part=part,
        excluded=excluded,
        trial_parts=tuple(trial),
        near=near if chart in RARE_EVENT_CHARTS else None,
    )


def _baseline_mask(baseline: Sequence[bool] | npt.ArrayLike | None, n: int) -> BoolArray | None:
    if baseline is None:
        return None
    mask = np.asarray(baseline, dtype=np.bool_).reshape(-1)
    if mask.size != n:
        raise AnalysisError("there must be one baseline flag per value")
    return mask


def _validated_denominators(
    x: FloatArray, denominators: Sequence[float] | npt.ArrayLike | None, chart: ChartType
) -> FloatArray | None:
    """The denominators of a p or u chart, checked: positive, and at least the numerator for p."""
    if chart not in ("p", "u"):
        return None
    if denominators is None:
        raise AnalysisError(f"a {chart} chart needs a denominator for every point")
    den = _as_floats(denominators)
    if den.size != x.size:
        raise AnalysisError("there must be one denominator per value")
    present = ~np.isnan(x)
    if np.isnan(den[present]).any():
        raise AnalysisError(f"a {chart} chart needs a denominator for every point")
    problems = (
        (present & (den <= 0), "the denominator must be more than 0"),
        (present & (x < 0), "the value cannot be negative"),
        (
            present & (x > den) if chart == "p" else np.zeros_like(present),
            "the numerator is more than the denominator",
        ),
    )
    first_bad = [(int(np.flatnonzero(bad)[0]), words) for bad, words in problems if bad.any()]
    if first_bad:
        index, words = min(first_bad)
        raise AnalysisError(f"point {index + 1}: {words}")
    # Gaps (missing values) need no denominator: give them 1 so the division stays quiet.
    return np.where(present, den, 1.0)


def _part_limits(
    chart: ChartType,
    x: FloatArray,
    den: FloatArray | None,
    where: slice,
    base: BoolArray,
    sigma_method: SigmaMethod,
    screen_outliers: bool,
) -> tuple[FloatArray | float, FloatArray | float]:
    """Centre and one sigma for one part's points, from the baseline points `base`."""
    nan = float("nan")
    if not base.any():
        return nan, nan
    if chart == "run":
        return float(np.median(x[base])), nan
    if chart in ("i", "mr"):
        ranges = np.abs(np.diff(x))
        # A moving range counts only when both of its points are in the baseline.
        used = ranges[base[1:] & base[:-1]]
        average = average_moving_range(used, screen_outliers=screen_outliers)
        if chart == "mr":
            return average, nan
        if sigma_method == "nhs":
            return _mean(x[base]), NHS_CONSTANT * average / 3
        return _mean(x[base]), average / D2
    if chart == "c":
        centre = _mean(x[base])
        return centre, float(np.sqrt(centre))
    assert den is not None
    d = den[where]
    centre = float(x[base].sum() / d[base].sum())
    if chart == "p":
        return centre, np.sqrt(centre * (1 - centre) / d)
    return centre, np.sqrt(centre / d)


class RareEventLines(NamedTuple):
    """One part's lines on a g or t chart, on the scale of the plotted values (NaN for none)."""

    cl: float
    lcl: float
    ucl: float
    sigma: float
    near_lcl: float
    near_ucl: float


def g_lines(base_values: FloatArray) -> RareEventLines:
    """g chart lines from a part's baseline values (qicharts2 `qic.g`; Provost & Murray 2011):
    x̄ = their mean, sigma = √(x̄(x̄+1)) (geometric distribution), limits x̄ ± 3 sigma with a
    negative lower limit set to 0 (no value can be below it); the centre line is the median of
    the same values, as the gaps are skewed and runs need a middle line (qicharts2 draws the
    actual median; 0.693·x̄, Provost & Murray's theoretical median, only for a centre it is given).
    """
    if not base_values.size:
        return RareEventLines(*(float("nan"),) * 6)
    mean = _mean(base_values)
    sd = float(np.sqrt(mean * (mean + 1)))
    return RareEventLines(
        cl=float(np.median(base_values)),
        lcl=max(mean - 3 * sd, 0.0),
        ucl=mean + 3 * sd,
        sigma=sd,
        near_lcl=max(mean - 2 * sd, 0.0),
        near_ucl=mean + 2 * sd,
    )


def t_lines(
    values: FloatArray, base: BoolArray, sigma_method: SigmaMethod, screen_outliers: bool
) -> RareEventLines:
    """t chart lines for one part (qicharts2 `qic.t`; Provost & Murray 2011): the times raised to
    1/3.6 get an I chart's centre and limits (the baseline points `base`, with this
    collaborative's sigma method and screening, as our I charts), which are raised back to 3.6;
    a lower line below 0 on the transformed scale becomes 0, as in qicharts2. Sigma has no
    meaning on the plotted scale, so it is NaN."""
    with np.errstate(invalid="ignore"):
        transformed = values ** (1 / T_POWER)
    centre, spread = _part_limits(
        "i", transformed, None, slice(0, values.size), base, sigma_method, screen_outliers
    )
    centre, spread = float(centre), float(np.asarray(spread))

    def back(line: float) -> float:
        return max(line, 0.0) ** T_POWER if math.isfinite(line) else float("nan")

    return RareEventLines(
        cl=back(centre),
        lcl=back(centre - 3 * spread),
        ucl=back(centre + 3 * spread),
        sigma=float("nan"),
        near_lcl=back(centre - 2 * spread),
        near_ucl=back(centre + 2 * spread),
    )


def _check_gaps(x: FloatArray, chart: ChartType) -> None:
    """The gaps of a g chart cannot be negative; a t chart's times must be above 0 (qicharts2
    stops on 0: two events on the same day have no time between them, so a g chart suits)."""
    if chart not in RARE_EVENT_CHARTS:
        return
    with np.errstate(invalid="ignore"):
        bad = x <= 0 if chart == "t" else x < 0
    if bad.any():
        index = int(np.flatnonzero(bad)[0]) + 1
        if chart == "t":
            raise AnalysisError(
                f"point {index}: a t chart needs a time above 0 between events "
                "(events on the same day have none): use a g chart"
            )
        raise AnalysisError(f"point {index}: the value cannot be negative")
