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
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from flask import abort, request
from markupsafe import Markup

from improve.analysis import disclosure
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
    stored = read_series([m.id for m in measures], team_ids, until=choice.end)
    analyses = analyse_series(measures, collaborative, team_ids, until=choice.end, series=stored)
    points = dict(stored)
    threshold = collaborative.suppression_threshold
    return [
        _measure_view(measure, choice, teams, analyses, points, threshold, page_wanted, tables)
        for measure in measures
    ]


def _measure_view(
    measure: Measure,
    choice: queries.Choice,
    teams: list[Team],
    analyses: dict[tuple[int, int], SeriesAnalysis],
    points: dict[tuple[int, int], Points],
    threshold: int,
    page_wanted: int | None,
    tables: bool,
) -> MeasureView:
    definition = definition_of(measure)
    kind = measure.value_kind.value
    series: dict[int, _Series] = {}
    for team in teams:
        analysis = analyses.get((measure.id, team.id))
        if analysis is not None:
            own = points[(measure.id, team.id)]
            series[team.id] = _series(analysis, own, kind, threshold, choice.start)
    scale = _scale(series.values(), definition)
    page = None if page_wanted is None else queries.spark_page(len(teams), page_wanted)
    drawn = teams if page is None else teams[page.first - 1 : page.last]
    charts = [
        _team_chart(measure, definition, team, series.get(team.id), scale, tables) for team in drawn
    ]
    hidden = [int(np.count_nonzero(s.hidden & s.in_period)) for s in series.values()]
    funnel = None
    if definition.uses_denominator:
        funnel = _funnel_view(measure, definition, choice, teams, points, threshold)
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
    parts = analysis.chart.part
    lines_hidden = np.isin(parts, np.unique(parts[hidden]))
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
    summary = _chart_summary(one, definition, frequency, events)
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


def _chart_summary(one: _Series, definition: Definition, frequency: str, events: bool) -> str:
    """One line: the latest point shown, the average and limits there, the signals among the
    points shown, and how many were hidden."""
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
        kinds = [analysis.point_types[i] for i in shown_at]
        better = sum(kind == "special_cause_improvement" for kind in kinds)
        worse = sum(kind == "special_cause_concern" for kind in kinds)
        other = sum(kind.startswith("special_cause_neutral") for kind in kinds)
        signals = [
            f"{count} {'point shows' if count == 1 else 'points show'} {words}"
            for count, words in (
                (better, "a real improvement"),
                (worse, "a change for the worse"),
                (other, "an unusual value"),
            )
            if count
        ]
        sentences.append(("; ".join(signals) + ".") if signals else "No unusual points.")
    else:
        sentences.append("No point can be shown.")
    hidden = int(np.count_nonzero(one.hidden & one.in_period))
    if hidden:
        noun = "point is" if hidden == 1 else "points are"
        sentences.append(f"{hidden} {noun} hidden (small numbers).")
    return " ".join(sentences)


# The funnel --------------------------------------------------------------------------------------


def _funnel_period(
    choice: queries.Choice, measure: Measure, stored: list[Points], kind: str
) -> tuple[date | None, date | None, str, bool]:
    """(first day, last day, words, pooled) of the funnel's period: the period the filters
    chose, pooled; else the latest period in which at least half the teams that report this
    measure have a figure (a late team or two must not leave the plot nearly empty)."""
    if choice.start or choice.end:
        start = _day_words(choice.start, first=True) if choice.start else "the start"
        end = _day_words(choice.end, first=False) if choice.end else "now"
        return choice.start, choice.end, f"pooled from {start} to {end}", True
    counts: dict[date, int] = {}
    reporting = 0
    for points in stored:
        usable = np.flatnonzero(_usable_at(points, kind))
        reporting += bool(usable.size)
        for day in {points.dates[i] for i in usable}:
            counts[day] = counts.get(day, 0) + 1
    enough = [day for day, count in counts.items() if count * 2 >= reporting]
    if not enough:
        return None, None, "", False
    latest = max(enough)
    return latest, latest, period_words(latest, measure.frequency.value), False


def _day_words(day: date, first: bool) -> str:
    """A period's first or last day as the filters chose it: the month when the period starts
    (or ends) with it, else the day (a phase may start mid-month)."""
    whole = day.day == 1 if first else (day + timedelta(days=1)).day == 1
    return f"{day:%B %Y}" if whole else f"{day:%-d %B %Y}"


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
    """Each team's figure for the period (its numbers summed when pooled), hidden when any
    figure it is made from is a small number. The average pools every team's numbers, the
    hidden ones too: a total across teams does not give one team's numbers back."""
    kind = measure.value_kind.value
    stored = [points[(measure.id, t.id)] for t in teams if (measure.id, t.id) in points]
    first, last, words, pooled = _funnel_period(choice, measure, stored, kind)
    view = FunnelView(period_words=words, pooled=pooled)
    view.size_words = measure.denominator_definition or "The total each figure is out of"
    totals: list[tuple[Team, float, float, bool]] = []
    for team in teams:
        own = points.get((measure.id, team.id))
        chosen = _chosen(own, kind, first, last) if own is not None and words else None
        if chosen is None:
            view.rows.append(FunnelRow(team, "none"))
            continue
        numerators, denominators = own.value[chosen], own.denominator[chosen]  # type: ignore[union-attr]
        hidden = bool(disclosure.hidden_flags(kind, numerators, denominators, threshold).any())
        totals.append((team, float(numerators.sum()), float(denominators.sum()), hidden))
    average = funnels.pooled_average([t[1] for t in totals], [t[2] for t in totals])
    shown = [(team.id, n, d) for team, n, d, hidden in totals if not hidden]
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
                size_words=f"Team size: {view.size_words}"[:70],
                value_words=measure.name[:48],
                percent=definition.fraction,
                id_prefix=f"funnel-{measure.id}",
            )
        )
    return view


def _chosen(own: Points, kind: str, first: date | None, last: date | None) -> np.ndarray | None:
    """The indexes of a team's points in the period that can go on the funnel; None if none."""
    dates = own.dates
    inside = np.array(
        [(first is None or day >= first) and (last is None or day <= last) for day in dates],
        dtype=np.bool_,
    )
    chosen = np.flatnonzero(inside & _usable_at(own, kind))
    return chosen if chosen.size else None
