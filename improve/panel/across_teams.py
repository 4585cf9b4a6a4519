"""A shared measure across the teams (issue 19, point 3): each team's chart on one shared scale
(small multiples) and a funnel plot of the teams' figures by team size, each with a text summary
and a table; the same sections in the panel's printed pack.

Reads: the collaborative's teams, phases and shared measures, then every point of the measures
shown in one query (`read_series`), analysed once through the one analysis (`analyse_series`);
the stored numbers of the same read decide which figures are hidden as small numbers
(improve.analysis.disclosure). No query per team: the page is the same few queries at 800 teams.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from flask import abort, request
from markupsafe import Markup

from improve.analysis import disclosure, summary
from improve.analysis import funnel as funnels
from improve.analysis.series import Definition, Points, SeriesAnalysis, is_percentage
from improve.charts.funnel_plot import funnel_svg
from improve.charts.multiples import SharedScale, shared_scale, small_multiple_svg
from improve.charts.svg import labels_days
from improve.htmx import render
from improve.measures.analysis import analyse_series, definition_of, read_series
from improve.models import Collaborative, Measure, Team
from improve.models.measure import period_words
from improve.panel import bp, queries
from improve.panel.forms import PanelFilterForm
from improve.permissions import Permission, collaborative_or_404

#: What a point's type says, in the few words of a table cell.
SHOWS = {
    "common_cause": "",
    "special_cause_improvement": "Real improvement",
    "special_cause_concern": "Change for the worse",
    "special_cause_neutral_high": "Unusually high",
    "special_cause_neutral_low": "Unusually low",
}
#: The panel filters that choose the funnel's period; the page keeps only these in its links.
PERIOD_FIELDS = ("phase", "from_month", "to_month")


@bp.get("/collaboratives/<id:collaborative_id>/panel/measures/<id:measure_id>")
def across_teams(collaborative_id: int, measure_id: int):
    """One shared measure across every team: small multiples on one scale and a funnel plot;
    htmx gets the results block alone. A team's own measure, or another collaborative's, is
    404; bad period filters answer 400 with their message."""
    collaborative = collaborative_or_404(collaborative_id, Permission.VIEW_PANEL)
    teams = queries.list_teams(collaborative.id)
    measures = queries.list_shared_measures(collaborative.id)
    measure = next((m for m in measures if m.id == measure_id), None)
    if measure is None:
        abort(404)
    form = period_form(collaborative, measures, teams)
    view = None
    if form.validate():
        view = measure_views(collaborative, [measure], form.choice(), teams, _page_wanted())[0]
    args = {name: value for name, value in form.query_args().items() if name in PERIOD_FIELDS}
    return render(
        "panel/across_teams.html",
        "across_results",
        200 if view else 400,
        collaborative=collaborative,
        measure=measure,
        form=form,
        view=view,
        args=args,
        printing=False,
        level=2,
    )


def period_form(
    collaborative: Collaborative, measures: list[Measure], teams: list[Team]
) -> PanelFilterForm:
    """The panel's filters from the query string: only the period is used here."""
    form = PanelFilterForm(request.args)
    form.set_choices(collaborative, queries.list_phases(collaborative.id), measures, teams)
    return form


def _page_wanted() -> int:
    wanted = request.args.get("teams_page", "1")
    if not wanted.isdecimal() or not 1 <= int(wanted) <= 100_000:
        abort(400, "The page of team charts must be a whole number, 1 or more.")
    return int(wanted)


# The view of one measure -------------------------------------------------------------------------


@dataclass
class TeamChart:
    """One team's small chart: its drawing (None without an analysis), a sentence, a table."""

    team: Team
    svg: Markup | None
    summary: str
    rows: list[dict[str, Any]]
    hidden: int


@dataclass
class FunnelRow:
    """One team in the funnel's table."""

    team: Team
    status: str  # "shown", "hidden" or "none"
    size: str = ""
    figure: str = ""
    where: str = ""
    band: str = ""


@dataclass
class FunnelView:
    """The funnel plot of one period, or why there is none."""

    period_words: str
    pooled: bool
    svg: Markup | None = None
    sentences: list[str] = field(default_factory=list)
    rows: list[FunnelRow] = field(default_factory=list)
    average: str = ""
    drawn: int = 0
    hidden: int = 0
    missing: int = 0
    size_words: str = ""
    size_heading: str = "Team size"
    longer: dict[str, str] = field(default_factory=dict)  # filters of a longer period to try
    longer_words: str = ""  # its quarters, in months: "January 2025 to June 2025"
    no_quarter: str = ""  # the months chosen, when they hold no whole quarter to add up


@dataclass
class MeasureView:
    """Everything the across-teams sections show for one shared measure."""

    measure: Measure
    definition: Definition
    teams: list[Team]
    charts: list[TeamChart]
    page: queries.SparkPage | None
    scale: SharedScale | None
    hidden_points: int
    hidden_teams: int
    funnel: FunnelView | None  # None for a measure without a denominator
    threshold: int
    start: date | None

    @property
    def scale_words(self) -> str:
        if self.scale is None:
            return ""
        low, high = self.scale.label(self.scale.low), self.scale.label(self.scale.high)
        with_day = self.scale.with_day
        first = period_words(self.scale.first, "weekly" if with_day else "monthly")
        last = period_words(self.scale.last, "weekly" if with_day else "monthly")
        return (
            f"Every team's chart uses the same scale, from {low} to {high}, and the same "
            f"periods, from {first} to {last}, so the charts can be compared at a glance."
        )

    @property
    def rule_words(self) -> str:
        return disclosure.rule_words(self.threshold)

    @property
    def hidden_words(self) -> str:
        return disclosure.HIDDEN_WORDS


@dataclass
class _Series:
    """One team's analysed series with what may be shown of it."""

    analysis: SeriesAnalysis
    in_period: np.ndarray  # bool per point: on or after the period's start
    hidden: np.ndarray  # bool per point: a small number
    lines_hidden: np.ndarray  # bool per point: its phase holds a hidden point

    @property
    def shown(self) -> np.ndarray:
        return self.in_period & ~self.hidden & np.isfinite(self.analysis.chart.value)


def measure_views(
    collaborative: Collaborative,
    measures: Sequence[Measure],
    choice: queries.Choice,
    teams: list[Team],
    page_wanted: int | None,
    *,
    tables: bool = True,
) -> list[MeasureView]:
    """The across-teams view of each measure: one read of every point, one analysis of each
    series. `page_wanted` None draws every team's chart (print); `tables` False leaves out the
    table of numbers under each (paper has no room for 800 of them, nor a way to open them)."""
    team_ids = [team.id for team in teams]
    signals = _Signals.of(collaborative, choice)
    # The funnel adds up whole quarters, so it reads to the end of the chosen end's quarter;
    # the teams' charts and their analyses stop at the chosen end.
    until = disclosure.quarter_of(choice.end).last_day if choice.end else None
    stored = read_series([m.id for m in measures], team_ids, until=until)
    charted = [(key, _until(own, choice.end)) for key, own in stored]
    analyses = analyse_series(measures, collaborative, team_ids, until=choice.end, series=charted)
    points = _Read(dict(charted), dict(stored))
    threshold = collaborative.suppression_threshold
    return [
        _measure_view(
            measure, choice, teams, analyses, points, threshold, page_wanted, tables, signals
        )
        for measure in measures
    ]


@dataclass(frozen=True)
class _Read:
    """The stored points of each (measure id, team id): to the chosen end for the teams' charts,
    and to the end of that month's quarter for the funnel's whole quarters."""

    charted: dict[tuple[int, int], Points]
    whole: dict[tuple[int, int], Points]


def _until(own: Points, end: date | None) -> Points:
    """A team's points up to `end` (all of them without one); dates are in order."""
    if end is None or not own.dates or own.dates[-1] <= end:
        return own
    keep = bisect_right(own.dates, end)
    return Points(
        dates=own.dates[:keep],
        value=own.value[:keep],
        denominator=own.denominator[:keep],
        excluded=own.excluded[:keep],
        new_phase=own.new_phase[:keep],
    )


def _measure_view(
    measure: Measure,
    choice: queries.Choice,
    teams: list[Team],
    analyses: dict[tuple[int, int], SeriesAnalysis],
    read: _Read,
    threshold: int,
    page_wanted: int | None,
    tables: bool,
    signals: _Signals,
) -> MeasureView:
    definition = definition_of(measure)
    kind = measure.value_kind.value
    series: dict[int, _Series] = {}
    for team in teams:
        analysis = analyses.get((measure.id, team.id))
        if analysis is not None:
            own = read.charted[(measure.id, team.id)]
            series[team.id] = _series(analysis, own, kind, threshold, choice.start)
    scale = _scale(series.values(), definition)
    page = None if page_wanted is None else queries.spark_page(len(teams), page_wanted)
    drawn = teams if page is None else teams[page.first - 1 : page.last]
    charts = [
        _team_chart(measure, definition, team, series.get(team.id), scale, signals, tables)
        for team in drawn
    ]
    hidden = [int(np.count_nonzero(s.hidden & s.in_period)) for s in series.values()]
    funnel = None
    if definition.uses_denominator:
        funnel = _funnel_view(measure, definition, choice, teams, read.whole, threshold)
    return MeasureView(
        measure=measure,
        definition=definition,
        teams=teams,
        charts=charts,
        page=page,
        scale=scale,
        hidden_points=sum(hidden),
        hidden_teams=sum(1 for count in hidden if count),
        funnel=funnel,
        threshold=threshold,
        start=choice.start,
    )


def _series(
    analysis: SeriesAnalysis, own: Points, kind: str, threshold: int, start: date | None
) -> _Series:
    """What may be shown of one team's series: its points in the period, less the small
    numbers; and the centre and limits of no phase that holds a hidden point, since they are
    worked out from it (a phase's average, with the other points shown, gives a count back)."""
    hidden = disclosure.series_hidden(kind, own, threshold)
    lines_hidden = disclosure.lines_hidden(analysis.chart.part, hidden)
    dates = analysis.dates
    in_period = np.array([start is None or day >= start for day in dates], dtype=np.bool_)
    return _Series(analysis, in_period, hidden, lines_hidden)


def _scale(series: Any, definition: Definition) -> SharedScale | None:
    """One scale for every team: every value and line shown, on any team's chart, fits."""
    values: list[float] = []
    days: list[date] = []
    for one in series:
        chart = one.analysis.chart
        lines = one.in_period & ~one.lines_hidden
        values += chart.value[one.shown].tolist()
        for line in (chart.cl, chart.lcl, chart.ucl):
            values += line[lines].tolist()
        days += [day for day, keep in zip(one.analysis.dates, one.in_period, strict=True) if keep]
    with_day = labels_days(days)
    return shared_scale(values, days, percent=definition.fraction, with_day=with_day)


def figure(value: float | None, definition: Definition) -> str:
    """A value as the panel writes it: a share as a whole percentage, else up to 1 decimal."""
    if value is None or not math.isfinite(value):
        return ""
    if definition.fraction:
        return f"{value * 100:.0f}%"
    text = f"{value:,.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return f"{text}%" if is_percentage(definition.unit) else text


def _team_chart(
    measure: Measure,
    definition: Definition,
    team: Team,
    one: _Series | None,
    scale: SharedScale | None,
    signals: _Signals,
    tables: bool = True,
) -> TeamChart:
    """One team's small chart on the shared scale: the points shown, the centre and limits of
    phases with nothing hidden, its sentence and (on screen) its table."""
    if one is None or scale is None or not one.in_period.any():
        words = "No data in this period."
        if one is None:
            words = "No chart yet: fewer than 2 points with data."
        return TeamChart(team, None, words, [], 0)
    analysis = one.analysis
    chart = analysis.chart
    lines = one.in_period & ~one.lines_hidden
    nan = np.nan

    def masked(values: np.ndarray, keep: np.ndarray) -> list[float]:
        return np.where(keep, values, nan)[one.in_period].tolist()

    frequency = measure.frequency.value
    events = measure.value_kind.value == "events"
    rows = _table_rows(one, definition, frequency, events) if tables else []
    summary = _chart_summary(one, definition, frequency, events, signals)
    svg = small_multiple_svg(
        scale,
        dates=[day for day, wanted in zip(analysis.dates, one.in_period, strict=True) if wanted],
        values=masked(chart.value, one.shown),
        centre=masked(chart.cl, lines),
        lower=masked(chart.lcl, lines),
        upper=masked(chart.ucl, lines),
        parts=chart.part[one.in_period].tolist(),
        point_types=[t for t, w in zip(analysis.point_types, one.in_period, strict=True) if w],
        excluded=chart.excluded[one.in_period].tolist(),
        title=f"{measure.name}, {team.name}",
        description=summary,
        id_prefix=f"multiple-{measure.id}-{team.id}",
    )
    hidden = int(np.count_nonzero(one.hidden & one.in_period))
    # The chart module escapes every text it writes: the SVG is safe markup.
    return TeamChart(team, Markup(svg), summary, rows, hidden)  # nosec B704


def _table_rows(
    one: _Series, definition: Definition, frequency: str, events: bool
) -> list[dict[str, Any]]:
    """The table under a team's chart: each period in view, its value, centre and limits as
    the one analysis has them, and what it shows; a hidden point's period says so, no more."""
    analysis, chart = one.analysis, one.analysis.chart
    lines = one.in_period & ~one.lines_hidden
    rows: list[dict[str, Any]] = []
    for index in np.flatnonzero(one.in_period):
        period = period_words(analysis.dates[index], frequency, events)
        if one.hidden[index]:
            rows.append({"period": period, "hidden": True})
            continue
        row = {"period": period, "hidden": False, "centre": "", "lower": "", "upper": ""}
        row["value"] = figure(float(chart.value[index]), definition)
        row["shows"] = SHOWS.get(analysis.point_types[index], "")
        if lines[index]:
            row["centre"] = figure(float(chart.cl[index]), definition)
            row["lower"] = figure(float(chart.lcl[index]), definition)
            row["upper"] = figure(float(chart.ucl[index]), definition)
        rows.append(row)
    return rows


def _chart_summary(
    one: _Series, definition: Definition, frequency: str, events: bool, signals: _Signals
) -> str:
    """One line: the latest point shown, the average and limits there, the signals as the
    panel's summary counts them, and how many points were hidden."""
    analysis, shown = one.analysis, one.shown
    chart = analysis.chart
    sentences = []
    shown_at = np.flatnonzero(shown)
    if shown_at.size:
        last = int(shown_at[-1])
        when = period_words(analysis.dates[last], frequency, events)
        sentences.append(f"Latest shown {figure(float(chart.value[last]), definition)} in {when}.")
        if not one.lines_hidden[last] and math.isfinite(float(chart.cl[last])):
            average = f"Average {figure(float(chart.cl[last]), definition)}"
            lower, upper = float(chart.lcl[last]), float(chart.ucl[last])
            if math.isfinite(lower) and math.isfinite(upper):
                low, high = figure(lower, definition), figure(upper, definition)
                average += f", limits {low} to {high}"
            sentences.append(average + ".")
    else:
        sentences.append("No point can be shown.")
    # As the panel's summary says them: the analysis, and so its signals, uses every number.
    sentences.append(signals.words(analysis))
    hidden = int(np.count_nonzero(one.hidden & one.in_period))
    if hidden:
        noun = "point is" if hidden == 1 else "points are"
        sentences.append(f"{hidden} {noun} hidden (small numbers).")
    return " ".join(sentences)


@dataclass(frozen=True)
class _Signals:
    """The signals a team's chart is said to have, counted as the panel's summary counts them
    (improve.analysis.summary.series_table): the improvement and concern episodes of the one
    analysis that touch the period, from the chosen start or else the panel's latest review."""

    since: date | None
    since_words: str

    @classmethod
    def of(cls, collaborative: Collaborative, choice: queries.Choice) -> _Signals:
        review = queries.get_latest_review(collaborative.id)
        since = choice.start or (review.reviewed_on if review else None)
        return cls(since, summary.since_phrase(since, review is not None and choice.start is None))

    def counts(self, analysis: SeriesAnalysis) -> tuple[int, int]:
        """(improvement signals, concern signals), as the summary's row has them."""
        recent = analysis.events_touching(self.since)
        return sum(e.improvement for e in recent), sum(e.concern for e in recent)

    def words(self, analysis: SeriesAnalysis) -> str:
        """ "1 signal of a real improvement since the panel's review on 15 March 2026." """
        better, worse = self.counts(analysis)
        said = [
            f"{count} {'signal' if count == 1 else 'signals'} of {what}"
            for count, what in ((better, "a real improvement"), (worse, "a change for the worse"))
            if count
        ]
        return f"{'; '.join(said) if said else 'No signal'} {self.since_words}."


# The funnel --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Period:
    """The funnel's period: its first and last day (None: none to draw), its words, whether
    figures are added up over it, and (added up) the whole quarters it is made of."""

    first: date | None
    last: date | None
    words: str
    pooled: bool
    quarters: tuple[disclosure.Quarter, ...] = ()


def _funnel_period(
    choice: queries.Choice, measure: Measure, stored: list[Points], kind: str, today: date
) -> _Period:
    """The funnel's period: the whole quarters of the period the filters chose, added up; else
    the latest period in which at least half the teams that report this measure have a figure
    (a late team or two must not leave the plot nearly empty)."""
    if choice.start or choice.end:
        return _quarters_period(choice, stored, kind, today)
    counts: dict[date, int] = {}
    reporting = 0
    for points in stored:
        usable = np.flatnonzero(_usable_at(points, kind))
        reporting += bool(usable.size)
        for day in {points.dates[i] for i in usable}:
            counts[day] = counts.get(day, 0) + 1
    enough = [day for day, count in counts.items() if count * 2 >= reporting]
    if not enough:
        return _Period(None, None, "", False)
    latest = max(enough)
    return _Period(latest, latest, period_words(latest, measure.frequency.value), False)


def _quarters_period(
    choice: queries.Choice, stored: list[Points], kind: str, today: date
) -> _Period:
    """The chosen period widened outwards to whole calendar quarters, less any quarter not yet
    ended, and trimmed to the quarters that hold a figure: "added up over April 2025 to
    September 2026 (whole quarters)". No quarter: no days, and no words."""
    days = [
        day
        for points in stored
        for day, usable in zip(points.dates, _usable_at(points, kind), strict=True)
        if usable
    ]
    first, last = choice.start or min(days, default=None), choice.end or max(days, default=None)
    quarters = disclosure.whole_quarters(first, last, today) if first and last else []
    with_data = {disclosure.quarter_of(day) for day in days}
    while quarters and quarters[0] not in with_data:
        quarters.pop(0)
    while quarters and quarters[-1] not in with_data:
        quarters.pop()
    if not quarters:
        return _Period(None, None, "", True)
    start, end = quarters[0].first_day, quarters[-1].last_day
    which = "a whole quarter" if len(quarters) == 1 else "whole quarters"
    words = f"added up over {start:%B %Y} to {end:%B %Y} ({which})"
    return _Period(start, end, words, True, tuple(quarters))


def _chosen_words(choice: queries.Choice) -> str:
    """The months the filters chose: "May 2025 to June 2025"."""
    start = f"{choice.start:%B %Y}" if choice.start else "the start"
    end = f"{choice.end:%B %Y}" if choice.end else "now"
    return f"{start} to {end}" if start != end else start


def _longer_period(latest: date | None, today: date) -> tuple[dict[str, str], str]:
    """The filters of the last 2 whole quarters to `latest` (none without one), and their
    months in words, for the suggestion of a longer period when a month has nothing to draw."""
    if latest is None:
        return {}, ""
    quarters = disclosure.last_whole_quarters(2, latest, today)
    first, last = quarters[0].first_day, quarters[-1].last_month
    filters = {"from_month": f"{first:%Y-%m}", "to_month": f"{last:%Y-%m}"}
    return filters, f"{first:%B %Y} to {last:%B %Y}"


def _usable_at(points: Points, kind: str) -> np.ndarray:
    """Whether each point can go on a funnel: usable numbers and not left out by the team."""
    usable = [
        funnels.usable(kind, float(n), float(d))  # type: ignore[arg-type]
        for n, d in zip(points.value, points.denominator, strict=True)
    ]
    return np.array(usable, dtype=np.bool_) & ~points.excluded


def _funnel_view(
    measure: Measure,
    definition: Definition,
    choice: queries.Choice,
    teams: list[Team],
    points: dict[tuple[int, int], Points],
    threshold: int,
) -> FunnelView:
    """Each team's figure for the period (its numbers added up over whole quarters when
    pooled), hidden by the rule for small numbers (`_figure_hidden`). The average, and
    so the funnel's lines, is the shown teams' numbers added up: with every other team's size
    and figure shown, an average that held a hidden team would give its numbers back."""
    kind = measure.value_kind.value
    stored = [points[(measure.id, t.id)] for t in teams if (measure.id, t.id) in points]
    today = date.today()
    period = _funnel_period(choice, measure, stored, kind, today)
    pooled, words = period.pooled, period.words
    view = FunnelView(period_words=words, pooled=pooled)
    if pooled and not period.quarters:
        view.no_quarter = _chosen_words(choice)
        return view
    size_words = measure.denominator_definition or "The total each figure is out of"
    view.size_words = f"{size_words}, each month's added up" if pooled else size_words
    view.size_heading = "Team size, added up over the period" if pooled else "Team size"
    if not pooled:
        view.longer, view.longer_words = _longer_period(period.last, today)
    totals: list[tuple[Team, float, float, bool]] = []
    for team in teams:
        own = points.get((measure.id, team.id))
        chosen = None
        if own is not None and words:
            chosen = _chosen(own, kind, period.first, period.last)
        if own is None or chosen is None:
            view.rows.append(FunnelRow(team, "none"))
            continue
        numerators, denominators = own.value[chosen], own.denominator[chosen]
        hidden = _figure_hidden(kind, own, chosen, threshold)
        totals.append((team, float(numerators.sum()), float(denominators.sum()), hidden))
    shown = [(team.id, n, d) for team, n, d, hidden in totals if not hidden]
    average = funnels.pooled_average([n for _, n, _ in shown], [d for _, _, d in shown])
    found = None
    if average is not None and shown:
        found = funnels.funnel(
            kind,  # type: ignore[arg-type]
            shown,
            direction=definition.direction,
            scale=definition.scale,
            average=average,
        )
    by_team = {point.key: point for point in found.points} if found else {}
    for team, _n, _d, hidden in totals:
        if hidden:
            view.rows.append(FunnelRow(team, "hidden"))
            continue
        point = by_team[team.id]
        view.rows.append(
            FunnelRow(
                team,
                "shown",
                size=f"{point.denominator:,.0f}",
                figure=figure(point.value, definition),
                where=point.words,
                band=point.band,
            )
        )
    order = {team.id: place for place, team in enumerate(teams)}
    view.rows.sort(key=lambda row: order[row.team.id])
    view.hidden = sum(1 for row in view.rows if row.status == "hidden")
    view.missing = sum(1 for row in view.rows if row.status == "none")
    if found is not None:
        names = {team.id: team.name for team in teams}
        view.drawn = len(found.points)
        view.average = figure(found.average, definition)
        view.sentences = funnels.funnel_sentences(found, names)
        view.svg = Markup(  # nosec B704: the chart module escapes every text it writes
            funnel_svg(
                found,
                names,
                title=f"Funnel plot: {measure.name}, {words}",
                description=" ".join(view.sentences),
                size_words=view.size_heading if pooled else f"Team size: {view.size_words}"[:70],
                value_words=measure.name[:48],
                percent=definition.fraction,
                id_prefix=f"funnel-{measure.id}",
            )
        )
    return view


def _figure_hidden(kind: str, own: Points, chosen: np.ndarray, threshold: int) -> bool:
    """Whether a team's figure over its `chosen` points is hidden: one month by the rule for
    one month; added up, when any whole quarter in it is (`disclosure.quarters_hidden`)."""
    months = [
        (own.dates[index], float(own.value[index]), float(own.denominator[index]))
        for index in chosen.tolist()
    ]
    return disclosure.quarters_hidden(kind, months, threshold)


def _chosen(own: Points, kind: str, first: date | None, last: date | None) -> np.ndarray | None:
    """The indexes of a team's points in the period that can go on the funnel; None if none."""
    dates = own.dates
    inside = np.array(
        [(first is None or day >= first) and (last is None or day <= last) for day in dates],
        dtype=np.bool_,
    )
    chosen = np.flatnonzero(inside & _usable_at(own, kind))
    return chosen if chosen.size else None
