"""Reads for the strategic panel: one query per table, whatever the number of teams or measures,
then the pure summaries of improve.analysis.summary."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

import pandas as pd
import sqlalchemy as sa

from improve.analysis import disclosure, summary
from improve.analysis.evidence import AdoptedEvidence
from improve.analysis.series import SeriesAnalysis
from improve.extensions import db
from improve.ideas import evidence_queries
from improve.measures.analysis import analyse_series, read_series
from improve.models import (
    Collaborative,
    CollaborativePhase,
    Cycle,
    Measure,
    PanelReview,
    ProgressScore,
    Team,
)

CYCLE_COLUMNS = ["team_id", "decision", "cycles"]
SCORE_COLUMNS = ["team_id", "period_start", "assessor", "score"]


def list_teams(collaborative_id: int) -> list[Team]:
    query = sa.select(Team).where(Team.collaborative_id == collaborative_id).order_by(Team.name)
    return list(db.session.scalars(query))


def list_phases(collaborative_id: int) -> list[CollaborativePhase]:
    query = (
        sa.select(CollaborativePhase)
        .where(CollaborativePhase.collaborative_id == collaborative_id)
        .order_by(CollaborativePhase.starts_on, CollaborativePhase.id)
    )
    return list(db.session.scalars(query))


def list_shared_measures(collaborative_id: int) -> list[Measure]:
    """The measures every team reports against (not archived), outcome measures first."""
    query = sa.select(Measure).where(
        Measure.collaborative_id == collaborative_id,
        Measure.team_id.is_(None),
        Measure.is_archived.is_(False),
    )
    order = {"outcome": 0, "process": 1, "balancing": 2}
    measures = db.session.scalars(query)
    return sorted(measures, key=lambda m: (order.get(m.measure_type.value, 3), m.name, m.id))


def get_latest_review(collaborative_id: int) -> PanelReview | None:
    """The latest review of a meeting marked held: one written up as the meeting starts does not
    reset the "since the review" counts the meeting is reading (issue 19, point 2)."""
    query = (
        sa.select(PanelReview)
        .where(PanelReview.collaborative_id == collaborative_id, PanelReview.is_held.is_(True))
        .order_by(PanelReview.reviewed_on.desc(), PanelReview.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def _team_scope(query: Any, column: Any, collaborative_id: int, team_id: int | None) -> Any:
    """Only the collaborative's teams (or the one chosen), by a join rather than an id list."""
    query = query.join(Team, Team.id == column).where(Team.collaborative_id == collaborative_id)
    return query if team_id is None else query.where(Team.id == team_id)


def measures_frame(measures: list[Measure]) -> pd.DataFrame:
    """The measures' settings the summary needs (no query: they are loaded already)."""
    rows = [
        {
            "measure_id": m.id,
            "name": m.name,
            "chart_type": m.chart_type.value,
            "direction": m.direction.value,
            "multiplier": float(m.multiplier),
            "baseline_value": m.baseline_value,
            "baseline_start": m.baseline_start,
            "baseline_end": m.baseline_end,
            "target_value": m.target_value,
        }
        for m in measures
    ]
    return pd.DataFrame(rows, columns=summary.MEASURE_COLUMNS)


def cycles_frame(
    collaborative_id: int, team_id: int | None, start: date | None, end: date | None
) -> pd.DataFrame:
    """Cycles per team and Act decision (None = not decided yet) that ran in the period."""
    query = sa.select(Cycle.team_id, Cycle.decision, sa.func.count(Cycle.id))
    query = _team_scope(query, Cycle.team_id, collaborative_id, team_id)
    if start is not None:
        query = query.where(Cycle.ends_on >= start)
    if end is not None:
        query = query.where(Cycle.starts_on <= end)
    rows = db.session.execute(query.group_by(Cycle.team_id, Cycle.decision)).all()
    # Plain text, None for "not decided yet" (pandas would read the enum as text and None as NaN).
    decisions = [None if row[1] is None else str(row[1].value) for row in rows]
    frame = pd.DataFrame(rows, columns=CYCLE_COLUMNS).astype({"decision": object})
    frame["decision"] = pd.Series(decisions, index=frame.index, dtype=object)
    return frame


def scores_frame(
    collaborative_id: int, team_id: int | None, start: date | None, end: date | None
) -> pd.DataFrame:
    """Progress scores (the team's own and the coordinator's) for periods in the window."""
    query = sa.select(
        ProgressScore.team_id,
        ProgressScore.period_start,
        ProgressScore.assessor,
        ProgressScore.score,
    )
    query = _team_scope(query, ProgressScore.team_id, collaborative_id, team_id)
    if start is not None:
        query = query.where(ProgressScore.period_start >= start)
    if end is not None:
        query = query.where(ProgressScore.period_start <= end)
    rows = db.session.execute(query.order_by(ProgressScore.period_start)).all()
    return pd.DataFrame(
        [(team, period, str(assessor.value), score) for team, period, assessor, score in rows],
        columns=SCORE_COLUMNS,
    )


def phase_end(phase: CollaborativePhase, phases: list[CollaborativePhase], last: date) -> date:
    """A phase's last day: its own end, else the day before the next phase, else `last`."""
    if phase.ends_on is not None:
        return phase.ends_on
    later = [p.starts_on for p in phases if p.starts_on > phase.starts_on]
    return min(later) - timedelta(days=1) if later else last


@dataclass(frozen=True)
class Choice:
    """What the filters chose, as the summary needs it."""

    start: date | None = None
    end: date | None = None
    measure: Measure | None = None
    team: Team | None = None
    phase: CollaborativePhase | None = None


@dataclass
class PanelSummary:
    """Everything the panel page, its print layout and its exports show."""

    collaborative: Collaborative
    choice: Choice
    teams: list[Team]
    measures: list[Measure]
    since: date | None
    since_words: str
    review: PanelReview | None
    rows: list[dict[str, Any]]
    measure_totals: list[summary.MeasureTotals]
    cycles: list[dict[str, Any]]
    cycle_totals: dict[str, int]
    progress: list[dict[str, Any]]
    progressing: int
    scored: int
    narrative: list[str]
    threshold: int
    spark_measure: Measure | None
    sparks: list[dict[str, Any]] = field(default_factory=list)
    spark_page: SparkPage | None = None
    # Team figures hidden because they rest on small numbers of people (issue 19, point 4): on
    # the page (the rows and the small charts of `spark_measure`), and in a report that charts
    # every shared measure's points (print).
    hidden: disclosure.Hidden = field(default_factory=disclosure.Hidden)
    hidden_every_measure: disclosure.Hidden = field(default_factory=disclosure.Hidden)
    # What the changes adopted in the period rest on: research, practice knowledge, lived
    # experience (issue 20, point 3; improve.analysis.evidence).
    evidence: AdoptedEvidence = field(default_factory=lambda: AdoptedEvidence(()))

    def rows_for(self, measure: Measure) -> list[dict[str, Any]]:
        return [row for row in self.rows if row["measure_id"] == measure.id]

    @cached_property
    def team_names(self) -> dict[int, str]:
        # Looked up once per table row: built once, not once per row (1,000 rows at 200 teams).
        return {team.id: team.name for team in self.teams}

    def small_numbers_words(self, where: str = "on this page", every_measure: bool = False) -> str:
        """The rule for small numbers and how much it hid here, as the page says it;
        `every_measure` for a report that charts every shared measure's points."""
        counted = self.hidden_every_measure if every_measure else self.hidden
        hidden = counted.words(self.threshold, where)
        return " ".join(words for words in (disclosure.rule_words(self.threshold), hidden) if words)

    @cached_property
    def hidden_in_rows(self) -> disclosure.Hidden:
        """What the team-by-team rows hide: all a download of them hides (no small charts)."""
        return summary.hidden_in_rows(self.rows)


# Team charts shown at once on screen: a regional programme's 200 teams would make a page of
# over 2 MB, slow to build and to scroll on a phone. Print and the downloads keep every team.
SPARKS_PER_PAGE = 24


@dataclass(frozen=True)
class SparkPage:
    """Which of the teams' small charts are shown: page `number` of `pages`."""

    number: int
    pages: int
    first: int  # counted from 1
    last: int
    total: int

    @property
    def links(self) -> list[int | None]:
        """The page numbers to link, GOV.UK style: the first, the last and the pages either side
        of this one, with None where an ellipsis stands for the pages left out."""
        wanted = {1, self.pages, self.number - 1, self.number, self.number + 1}
        numbers = sorted(n for n in wanted if 1 <= n <= self.pages)
        links: list[int | None] = []
        for number in numbers:
            if links and number - (links[-1] or 0) > 1:
                links.append(None)
            links.append(number)
        return links


def spark_page(teams: int, wanted: int) -> SparkPage | None:
    """The page of team charts to show (the last one if `wanted` is past it); None when they
    all fit on one page."""
    pages = max(1, -(-teams // SPARKS_PER_PAGE))
    if pages == 1:
        return None
    number = min(wanted, pages)
    first = (number - 1) * SPARKS_PER_PAGE + 1
    return SparkPage(number, pages, first, min(first + SPARKS_PER_PAGE - 1, teams), teams)


def panel_summary(
    collaborative: Collaborative,
    choice: Choice,
    teams: list[Team],
    measures: list[Measure],
    spark_page_wanted: int | None = 1,
) -> PanelSummary:
    """The panel's figures for the chosen period, measure and team: a fixed number of queries
    (points, cycles, scores, the latest review, the adopted changes and their evidence), then
    pandas. The analyses use every number; a team's figures that rest on small numbers of
    people are blanked in the rows and the small charts (improve.analysis.disclosure), and
    `hidden` counts them."""
    if choice.team is not None:
        teams = [choice.team]
    shown_measures = [choice.measure] if choice.measure is not None else measures
    team_ids = [team.id for team in teams]
    review = get_latest_review(collaborative.id)
    since = choice.start or (review.reviewed_on if review else None)
    since_words = summary.since_phrase(since, review is not None and choice.start is None)
    team_filter = choice.team.id if choice.team else None
    measure_frame = measures_frame(shown_measures)
    threshold = collaborative.suppression_threshold
    # The stored numbers are read once: the analyses are made from them, and the rule for small
    # numbers reads them as stored (a percentage's numerator and denominator).
    series = dict(read_series([m.id for m in shown_measures], team_ids, choice.end))
    analyses = analyse_series(shown_measures, collaborative, team_ids, series=series.items())
    hidden = summary.hidden_points(analyses, series, threshold)
    analysed = summary.analysed_frame(analyses, hidden)
    table = summary.series_table(
        analyses, measure_frame, team_ids, start=choice.start, since=since, hidden=hidden
    )
    totals = summary.measure_totals(table, measure_frame)
    cycles = summary.cycle_table(
        cycles_frame(collaborative.id, team_filter, choice.start, choice.end), team_ids
    )
    cycle_totals = summary.cycle_totals(cycles)
    progress = summary.progress_table(
        scores_frame(collaborative.id, team_filter, choice.start, choice.end), team_ids
    )
    latest = progress["latest"].dropna()
    progressing = int((latest >= summary.IMPROVING_SCORE).sum())
    spark_measure = shown_measures[0] if shown_measures else None
    if choice.start is not None:
        analysed = analysed[analysed["period_start"] >= choice.start]
    result = PanelSummary(
        collaborative=collaborative,
        choice=choice,
        teams=teams,
        measures=shown_measures,
        since=since,
        since_words=since_words,
        review=review,
        rows=summary.shown_rows(summary.records(table)),
        measure_totals=totals,
        cycles=summary.records(cycles),
        cycle_totals=cycle_totals,
        progress=summary.records(progress),
        progressing=progressing,
        scored=len(latest),
        narrative=summary.narrative(
            teams=len(teams),
            measures=totals,
            cycles=cycle_totals,
            progressing=progressing,
            scored=len(latest),
            since=since_words,
        ),
        threshold=threshold,
        spark_measure=spark_measure,
        hidden=summary.hidden_count(table, analysed, [spark_measure.id] if spark_measure else []),
        hidden_every_measure=summary.hidden_count(table, analysed, [m.id for m in shown_measures]),
        evidence=evidence_queries.adopted_evidence(
            collaborative.id, team_filter, choice.start, choice.end
        ),
    )
    if spark_page_wanted is not None:
        result.spark_page = spark_page(len(teams), spark_page_wanted)
    result.sparks = _sparks(result, analyses, analysed, choice.start)
    return result


def _sparks(
    result: PanelSummary,
    analyses: dict[tuple[int, int], SeriesAnalysis],
    analysed: pd.DataFrame,
    start: date | None,
) -> list[dict[str, Any]]:
    """Per team, the chosen measure's points in the period (`analysed` is already cut to it) as
    a small chart and a table. A hidden point is not drawn, and leaves the chart's scale, the
    lowest and highest values and the latest value: its row in the table says it is hidden."""
    measure = result.spark_measure
    if measure is None:
        return []
    mine = analysed[analysed["measure_id"] == measure.id]
    by_team = {int(str(key)): group for key, group in mine.groupby("team_id", sort=False)}
    rows = {row["team_id"]: row for row in result.rows_for(measure)}
    sparks = []
    shown = result.teams
    if result.spark_page is not None:
        shown = shown[result.spark_page.first - 1 : result.spark_page.last]
    for team in shown:
        group = by_team.get(team.id, mine.iloc[0:0])
        hidden = [bool(flag) for flag in group["hidden"]]
        values = [None if off else float(v) for v, off in zip(group["value"], hidden, strict=True)]
        plain = [value for value in values if value is not None]
        kinds = [str(k) for k in group["point_type"]]
        analysis = analyses.get((measure.id, team.id))
        events = analysis.events_touching(start) if analysis else []
        points = list(zip(group["period_start"], values, kinds, hidden, strict=True))
        sparks.append(
            {
                "team": team,
                "row": rows.get(team.id, {}),
                "points": points,
                "geometry": summary.sparkline(
                    [math.nan if value is None else value for value in values],
                    kinds,
                    analysis.target if analysis else measure.target_value,
                ),
                "low": min(plain, default=None),
                "high": max(plain, default=None),
                "hidden": sum(hidden),
                "improvements": sum(event.improvement for event in events),
                "concerns": sum(event.concern for event in events),
            }
        )
    return sparks
