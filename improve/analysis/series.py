"""The one analysis of a measure for a team (issue 15): every page, file and command that shows
or uses a chart, a signal, an icon or a latest value reads `analyse`'s result, never its own.

Inputs: the team's points in period order (value, denominator, left out, new phase), the
measure's definition (value kind, chart type, direction, multiplier, unit, target, baseline) and
the collaborative's settings (run-chart rules, sigma, moving-range screening, run lengths).
Output: the plotted values on the target's scale, centre and limits, each point's rules and type,
the runs analysis of each phase, the signals as episodes with their periods, and the variation
and assurance icons. Pure: numpy, pandas and the standard library (STYLE.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from improve.analysis.events import gaps_between_events
from improve.analysis.rules import (
    MDC_SHIFT_LENGTH,
    MDC_TREND_LENGTH,
    RULES,
    Assurance,
    Direction,
    PointType,
    RuleSet,
    Signals,
    assurance,
    signals,
)
from improve.analysis.runs import IHI_SHIFT_LENGTH, IHI_TREND_LENGTH, RunsAnalysis
from improve.analysis.spc import AnalysisError, Chart, ChartType, SigmaMethod, control_chart

ValueKind = Literal["continuous", "count", "proportion", "rate", "events"]

#: Which charts suit each kind of value (DOMAIN.md section 3); the first is the usual one.
CHARTS_FOR_KIND: dict[str, tuple[ChartType, ...]] = {
    "continuous": ("i", "mr", "run"),
    "count": ("c", "i", "run"),
    "proportion": ("p", "run"),
    "rate": ("u", "run"),
    # The dates of rare events: the gaps between them (analysis.events), on a g chart (days
    # between), a t chart (time between) or a run chart.
    "events": ("g", "t", "run"),
}
#: Fewer points than this cannot make a chart worth reading.
MINIMUM_POINTS = 2
#: The point types that are signals, and the kind of a signal with no side (too few crossings).
PATTERN = "special_cause_pattern"


def chart_fits(value_kind: str, chart: str) -> bool:
    """Whether the chart type suits the kind of value (a p chart of counts cannot be drawn)."""
    return chart in CHARTS_FOR_KIND.get(value_kind, ())


def is_percentage(unit: str) -> bool:
    """A unit that says the value is a percentage: "%", "per cent", "percent"."""
    words = unit.lower()
    return "%" in words or "per cent" in words or "percent" in words


@dataclass(frozen=True)
class Definition:
    """What the analysis needs of a measure's definition."""

    chart: ChartType
    value_kind: ValueKind
    direction: Direction = "neutral"
    multiplier: float = 1.0
    unit: str = ""
    target: float | None = None
    baseline_value: float | None = None
    baseline_start: date | None = None
    baseline_end: date | None = None
    freeze_points: int | None = None
    # A target reached step by step: a straight line from the baseline to `target` on
    # `target_date`, flat after it (issue 17, point 6); else the target is one level.
    target_date: date | None = None
    trajectory: bool = False

    @property
    def uses_denominator(self) -> bool:
        return self.value_kind in ("proportion", "rate")

    @property
    def scale(self) -> float:
        """What numerator ÷ denominator is multiplied by to be on the target's scale: the
        multiplier of a rate, 100 for a proportion whose unit is a percentage, else 1."""
        if self.value_kind == "rate":
            return float(self.multiplier)
        if self.value_kind == "proportion" and is_percentage(self.unit):
            return 100.0
        return 1.0

    @property
    def fraction(self) -> bool:
        """A share of 0 to 1 (a proportion not given as a percentage), shown as a percentage."""
        return self.value_kind == "proportion" and not is_percentage(self.unit)

    @property
    def chart_drawn(self) -> ChartType:
        """The chart type, or a run chart where the saved type does not suit the values (old
        records from before the check): a chart that can be drawn beats none."""
        return self.chart if chart_fits(self.value_kind, self.chart) else "run"

    @property
    def has_target_scale(self) -> bool:
        """Whether the plotted values are on the target's scale (an MR chart plots the change
        from one point to the next, so the target, baseline and assurance do not apply)."""
        return self.chart_drawn != "mr"


@dataclass(frozen=True)
class Settings:
    """The collaborative's choices where the published tools differ (DOMAIN.md sections 4-5).
    The shift and trend lengths are Making Data Count's; the IHI run-chart rules keep their
    published 6 and 5 (Perla, Provost & Murray 2011)."""

    run_rules: Literal["anhoej", "ihi"] = "anhoej"
    sigma_method: SigmaMethod = "classic"
    screen_outliers: bool = False
    shift_length: int = MDC_SHIFT_LENGTH
    trend_length: int = MDC_TREND_LENGTH

    def rules_for(self, chart: ChartType) -> RuleSet:
        return self.run_rules if chart == "run" else "mdc"

    def lengths_for(self, rules: RuleSet) -> dict[str, int]:
        if rules == "ihi":
            return {"shift": IHI_SHIFT_LENGTH, "trend": IHI_TREND_LENGTH}
        return {"shift": self.shift_length, "trend": self.trend_length}


@dataclass(frozen=True)
class SignalEvent:
    """One signal: consecutive points marked by the same rule on the same side (a run of 11 is
    one signal, not eleven), or a phase whose line crosses the middle too few times."""

    rule: str
    kind: str  # a point type, or PATTERN for too few crossings
    side: int  # +1 above the centre line (or rising), -1 below (or falling), 0 for no side
    first: int  # 0-based index of its first point
    last: int  # and of its last
    start: date
    end: date
    part: int
    size: int  # points marked (for a run: its length)

    @property
    def improvement(self) -> bool:
        return self.kind == "special_cause_improvement"

    @property
    def concern(self) -> bool:
        return self.kind == "special_cause_concern"

    def touches(self, first: date | None, last: date | None = None) -> bool:
        """Whether any of its periods falls from `first` to `last` (either end open)."""
        return (first is None or self.end >= first) and (last is None or self.start <= last)


@dataclass(frozen=True)
class SeriesAnalysis:
    """The analysed series of one measure for one team."""

    definition: Definition
    settings: Settings
    chart: Chart
    found: Signals
    dates: tuple[date, ...]
    runs: tuple[RunsAnalysis, ...]
    events: tuple[SignalEvent, ...]
    # Whether the centre and limits are frozen on baseline points.
    frozen: bool = False
    # Plain-language notes on what was left out of the calculations and why.
    notes: tuple[str, ...] = field(default=())

    @property
    def chart_type(self) -> ChartType:
        return self.chart.chart

    @property
    def rules(self) -> RuleSet:
        return self.settings.rules_for(self.chart.chart)

    @property
    def lengths(self) -> dict[str, int]:
        return self.settings.lengths_for(self.rules)

    @property
    def point_types(self) -> list[PointType]:
        return self.found.point_type

    @property
    def latest_index(self) -> int | None:
        """The last point with a value (None if none has)."""
        present = np.flatnonzero(~np.isnan(self.chart.value))
        return int(present[-1]) if present.size else None

    def _at_latest(self, values: np.ndarray) -> float | None:
        index = self.latest_index
        if index is None:
            return None
        value = float(values[index])
        return value if math.isfinite(value) else None

    @property
    def latest(self) -> float | None:
        return self._at_latest(self.chart.value)

    @property
    def latest_period(self) -> date | None:
        index = self.latest_index
        return self.dates[index] if index is not None else None

    @property
    def last_event_day(self) -> date | None:
        """The day of the latest event, for a measure of the dates of events (its points are
        events in date order); None for other measures. Days since then:
        `events.days_since_last_event`."""
        if self.definition.value_kind != "events" or not self.dates:
            return None
        return max(self.dates)

    @property
    def centre(self) -> float | None:
        return self._at_latest(self.chart.cl)

    @property
    def lower(self) -> float | None:
        return self._at_latest(self.chart.lcl)

    @property
    def upper(self) -> float | None:
        return self._at_latest(self.chart.ucl)

    @property
    def trial(self) -> bool:
        """The latest phase's limits come from fewer than 12 points (trial limits)."""
        return self.chart.chart != "run" and int(self.chart.part[-1]) in self.chart.trial_parts

    @property
    def target(self) -> float | None:
        return self.definition.target if self.definition.has_target_scale else None

    @property
    def variation(self) -> PointType | None:
        """Making Data Count's variation icon: the type of the latest point."""
        index = self.latest_index
        return self.found.point_type[index] if index is not None else None

    @property
    def assurance(self) -> Assurance | None:
        """Making Data Count's assurance icon (control charts on the target's scale only),
        against the target where the latest point is: on a trajectory, the line's value then."""
        if self.chart.chart in ("run", "mr"):
            return None
        return assurance(self.chart, self.target_at_latest, self.definition.direction)

    @property
    def target_line(self) -> tuple[float, ...] | None:
        """The target at each point: one level, or on a trajectory the baseline's level until
        the baseline ends (else starts, else the first point), a straight line from there to
        the target on its date, then level. None without a target; a trajectory without a
        baseline level or a target date is one level."""
        target = self.target
        if target is None or not self.dates:
            return None
        definition = self.definition
        start_value = self.baseline
        if not (definition.trajectory and definition.target_date and start_value is not None):
            return tuple(target for _ in self.dates)
        start = definition.baseline_end or definition.baseline_start or self.dates[0]
        end = definition.target_date
        span = (end - start).days
        if span <= 0:
            return tuple(target for _ in self.dates)
        line = []
        for day in self.dates:
            share = min(max((day - start).days / span, 0.0), 1.0)
            line.append(start_value + (target - start_value) * share)
        return tuple(line)

    @property
    def target_at_latest(self) -> float | None:
        """The target the latest point is measured against (the trajectory's value there)."""
        line = self.target_line
        index = self.latest_index
        if line is None or index is None:
            return self.target
        return line[index]

    @property
    def baseline(self) -> float | None:
        """Where the team started: the centre line of its baseline (the baseline period's
        median or average, frozen), else the measure's stated baseline value."""
        if not self.definition.has_target_scale:
            return None
        if self.frozen:
            value = float(self.chart.cl[0])
            if math.isfinite(value):
                return value
        return self.definition.baseline_value

    @property
    def improvements(self) -> tuple[SignalEvent, ...]:
        return tuple(event for event in self.events if event.improvement)

    @property
    def concerns(self) -> tuple[SignalEvent, ...]:
        return tuple(event for event in self.events if event.concern)

    def events_touching(self, first: date | None, last: date | None = None) -> list[SignalEvent]:
        return [event for event in self.events if event.touches(first, last)]

    def holding(self) -> int:
        """How many of the latest points in a row are marked improvement."""
        count = 0
        for kind in reversed(self.found.point_type):
            if kind != "special_cause_improvement":
                break
            count += 1
        return count


@dataclass(frozen=True)
class Points:
    """One team's points of a measure, in period order, as plain arrays."""

    dates: tuple[date, ...]
    value: np.ndarray  # float
    denominator: np.ndarray  # float, NaN where none
    excluded: np.ndarray  # bool
    new_phase: np.ndarray  # bool: a new phase starts at this point

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Points:
        """From a frame with period_start, value, denominator, excluded, starts_new_phase."""
        return cls(
            dates=tuple(frame["period_start"].tolist()),
            value=frame["value"].to_numpy(dtype=np.float64, na_value=np.nan),
            denominator=pd.to_numeric(frame["denominator"], errors="coerce").to_numpy(
                dtype=np.float64, na_value=np.nan
            ),
            excluded=frame["excluded"].to_numpy(dtype=np.bool_),
            new_phase=frame["starts_new_phase"].to_numpy(dtype=np.bool_),
        )


def analyse(
    points: Points | pd.DataFrame, definition: Definition, settings: Settings
) -> SeriesAnalysis | None:
    """See `_analyse`. Values far past any measure's range (older imports of 1e308) overflow to
    infinity in the arithmetic; the chart leaves such lines out rather than failing."""
    with np.errstate(over="ignore", invalid="ignore"):
        return _analyse(points, definition, settings)


def _analyse(
    points: Points | pd.DataFrame, definition: Definition, settings: Settings
) -> SeriesAnalysis | None:
    """The analysis of one team's points of a measure (`Points`, or a frame with period_start,
    value, denominator, excluded, starts_new_phase, in period order), or None with fewer than 2
    points.

    - The dates of events (one point per day with events, its value how many) become one point
      per event whose value is the days since the event before (`gaps_between_events`; the
      first event has none), before anything else: the 2 points needed are 2 gaps.
    - A t chart cannot use a time of 0 (two events on one day, qicharts2 refuses it): such
      points stay in the table but are not drawn, with a note.

    - Proportions and rates are numerator ÷ denominator × `Definition.scale`, on every chart type
      (a run chart of a proportion plots the share, as qicharts2 does); a point without a usable
      denominator stays in the table but is not plotted.
    - A new phase starts where the team marked one, unless it would leave a phase of one point.
    - The baseline (the measure's `freeze_points`, else its baseline period) sets the centre and
      limits of the phase it is in, on every chart type, run charts included.
    - Rules: the collaborative's run-chart rules (Anhøj or IHI) on a run chart, Making Data Count
      on control charts; signals are grouped into `SignalEvent`s.
    """
    if isinstance(points, pd.DataFrame):
        points = Points.of(points)
    if definition.value_kind == "events":
        points = gaps_between_events(points)
    if len(points.dates) < MINIMUM_POINTS:
        return None
    chart_type = definition.chart_drawn
    dates = points.dates
    values = points.value
    excluded = points.excluded
    notes: list[str] = []
    denominators = None
    if definition.uses_denominator:
        den = points.denominator
        unusable = np.isnan(den) | (den <= 0) | np.isnan(values)
        if definition.value_kind == "proportion":
            unusable |= values > np.where(np.isnan(den), np.inf, den)
        if unusable.any():
            count = int(np.count_nonzero(unusable))
            notes.append(
                f"{count} point{'s have' if count != 1 else ' has'} no usable denominator, so "
                f"{'they are' if count != 1 else 'it is'} not drawn."
            )
        values = np.where(unusable, np.nan, values)
        den = np.where(unusable, np.nan, den)
        if chart_type == "run":
            values = values / den * definition.scale
        else:
            denominators = den
    if chart_type == "t":
        values, note = _without_zero_times(values)
        notes.extend(note)
    if np.count_nonzero(~np.isnan(values)) < MINIMUM_POINTS:
        return None
    baseline = _baseline(points, definition)
    options: dict[str, Any] = {
        "chart": chart_type,
        "breaks": phase_breaks(points.new_phase),
        "exclude": [int(i) + 1 for i in np.flatnonzero(excluded)],
        "freeze": definition.freeze_points,
        "baseline": baseline,
        "multiplier": definition.scale if chart_type in ("p", "u") else 1.0,
        "sigma_method": settings.sigma_method,
        "screen_outliers": settings.screen_outliers,
    }
    try:
        chart = control_chart(values, denominators, **options)
    except AnalysisError:
        # A baseline of more points than a phase holds: analyse without it rather than not at all.
        options.update(freeze=None, baseline=None)
        try:
            chart = control_chart(values, denominators, **options)
        except AnalysisError:
            return None
    rules = settings.rules_for(chart_type)
    lengths = settings.lengths_for(rules)
    found = signals(
        chart,
        rules=rules,
        direction=definition.direction,
        shift_length=lengths["shift"],
        trend_length=lengths["trend"],
    )
    runs = tuple(chart.runs())
    return SeriesAnalysis(
        definition=definition,
        settings=settings,
        chart=chart,
        found=found,
        dates=dates,
        runs=runs,
        events=tuple(signal_events(chart, found, dates, definition.direction)),
        frozen=options["freeze"] is not None or options["baseline"] is not None,
        notes=tuple(notes),
    )


def _without_zero_times(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """A t chart's values with times of 0 or less left undrawn, and a note saying so."""
    with np.errstate(invalid="ignore"):
        zero = values <= 0
    count = int(np.count_nonzero(zero))
    if not count:
        return values, []
    note = (
        f"{count} event{'s' if count != 1 else ''} on the same day as the one before "
        f"{'have' if count != 1 else 'has'} no time between them, which a t chart cannot show, "
        f"so {'they are' if count != 1 else 'it is'} not drawn: a g chart (days between "
        "events) shows them."
    )
    return np.where(zero, np.nan, values), [note]


def _baseline(points: Points, definition: Definition) -> np.ndarray | None:
    """Which points fall in the measure's baseline period (None without a period, with an
    explicit freeze, or with fewer than 2 points in it)."""
    if definition.freeze_points is not None or definition.baseline_end is None:
        return None
    first, last = definition.baseline_start, definition.baseline_end
    inside = np.array(
        [day <= last and (first is None or day >= first) for day in points.dates], dtype=np.bool_
    )
    return inside if np.count_nonzero(inside) >= MINIMUM_POINTS else None


def phase_breaks(starts_new_phase: np.ndarray) -> list[int]:
    """Where new parts begin, as the engine counts (a part breaks after point N, 1-based), leaving
    out any break that would make a part of fewer than 2 points: such a phase cannot have limits
    of its own yet, so it stays with the one before until it has a second point."""
    breaks: list[int] = []
    size = len(starts_new_phase)
    for index in np.flatnonzero(starts_new_phase):
        after = int(index)  # a phase starting at 0-based point i breaks after 1-based point i
        previous = breaks[-1] if breaks else 0
        if after - previous >= MINIMUM_POINTS and size - after >= MINIMUM_POINTS:
            breaks.append(after)
    return breaks


def signal_events(
    chart: Chart, found: Signals, dates: Sequence[date], direction: Direction = "neutral"
) -> list[SignalEvent]:
    """The signals as episodes, in order of their first point. Each rule's own runs come first:
    points it marks on one side of one part, joined when nothing but left-out points, gaps or
    points on the centre line lie between them (they neither make nor break a run). Runs of the
    same kind (improvement, concern, high, low) in one part that overlap or touch are one signal:
    a shift with a point outside the limits in it is one change, not two. Its rule is the one
    that marks most of its points. Each phase whose line crosses the centre too few times is one
    more signal, spanning the phase."""
    with np.errstate(invalid="ignore"):
        breaking = chart.pattern_points & (chart.value != chart.cl)
    runs = [
        run
        for rule in RULES
        if rule in found.side
        for run in _rule_runs(rule, found.side[rule], chart.part, breaking)
    ]
    runs.sort(key=lambda run: (run.first, run.last))
    episodes: list[_Episode] = []
    for run in runs:
        kind = _kind(run.side, direction)
        part = int(chart.part[run.first])
        joined = next(
            (e for e in episodes if e.kind == kind and e.part == part and e.touches(run, breaking)),
            None,
        )
        if joined is None:
            episodes.append(
                _Episode(run.first, run.last, kind, part, run.side, {run.rule: run.size})
            )
        else:
            joined.first, joined.last = min(joined.first, run.first), max(joined.last, run.last)
            joined.rules[run.rule] = joined.rules.get(run.rule, 0) + run.size
    events = [episode.event(found, dates) for episode in episodes]
    for number, where in chart.part_slices():
        if number in found.few_crossings_parts:
            events.append(
                SignalEvent(
                    rule="few_crossings",
                    kind=PATTERN,
                    side=0,
                    first=where.start,
                    last=where.stop - 1,
                    start=dates[where.start],
                    end=dates[where.stop - 1],
                    part=number,
                    size=where.stop - where.start,
                )
            )
    return sorted(events, key=lambda event: (event.first, event.last))


@dataclass(frozen=True)
class _Run:
    first: int
    last: int
    rule: str
    side: int
    size: int  # points marked


def _rule_runs(rule: str, side: np.ndarray, part: np.ndarray, breaking: np.ndarray) -> list[_Run]:
    """Each run of one rule's marks on one side of one part."""
    result: list[_Run] = []
    for index in (int(i) for i in np.flatnonzero(side)):
        if result:
            run = result[-1]
            if (
                side[index] == run.side
                and part[index] == part[run.last]
                and not breaking[run.last + 1 : index].any()
            ):
                result[-1] = _Run(run.first, index, rule, run.side, run.size + 1)
                continue
        result.append(_Run(index, index, rule, int(side[index]), 1))
    return result


def _kind(side: int, direction: Direction) -> str:
    """The point type of a mark on this side, by the improvement direction."""
    if direction == "neutral":
        return "special_cause_neutral_high" if side > 0 else "special_cause_neutral_low"
    good = (side > 0) == (direction == "increase")
    return "special_cause_improvement" if good else "special_cause_concern"


@dataclass
class _Episode:
    first: int
    last: int
    kind: str
    part: int
    side: int
    rules: dict[str, int]  # points each rule marks

    def touches(self, run: _Run, breaking: np.ndarray) -> bool:
        """Whether the run overlaps this episode or follows it with nothing that breaks a run
        between them."""
        if run.first <= self.last + 1:
            return run.last >= self.first - 1
        return not breaking[self.last + 1 : run.first].any()

    def event(self, found: Signals, dates: Sequence[date]) -> SignalEvent:
        rule = max(self.rules, key=lambda name: (self.rules[name], -RULES.index(name)))
        span = range(self.first, self.last + 1)
        marked = sum(1 for i in span if any(found.side[name][i] != 0 for name in self.rules))
        return SignalEvent(
            rule=rule,
            kind=self.kind,
            side=self.side,
            first=self.first,
            last=self.last,
            start=dates[self.first],
            end=dates[self.last],
            part=self.part,
            size=marked,
        )
