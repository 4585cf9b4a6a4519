"""Each team's story on the panel page and in the printed pack (issue 19, point 1): a paragraph
per team from the records and the one analysis, in a fixed number of queries whatever the
number of teams (the coordinator's readers of cycles, reports and plans, the teams' latest data,
the decided tests of change, the latest submitted reports and the progress scores), then the
pure wording of improve.analysis.story.

Where a team stands is decided by the coordinator's rules (improve.analysis.activity, as
improve.coordination.queries.overview applies them, for the period the coordinator's page opens
on), so both pages call the same team late or stalled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa

from improve.analysis import activity, story, summary
from improve.analysis.periods import due_date, last_due_period, uk_date
from improve.coordination import queries as coordination
from improve.coordination.forms import cadence, choose_period, period_label
from improve.extensions import db
from improve.measures.analysis import analyse_series, definition_of, read_series
from improve.models import (
    Collaborative,
    Cycle,
    DataPoint,
    Measure,
    MonthlyReport,
    ProgressScore,
    ReportStatus,
    Team,
)
from improve.panel.queries import PanelSummary


def today() -> date:
    return date.today()


@dataclass(frozen=True)
class Barriers:
    """What got in the way, and the help asked for, in the team's latest submitted report."""

    period: str  # the report's period, like "October 2026"
    text: str


@dataclass(frozen=True)
class LatestReport:
    period: date
    barriers: str
    suggested_score: float | None


@dataclass(frozen=True)
class TeamStory:
    team: Team
    status: story.Status
    paragraph: str  # status, score and decisions
    measures: list[str]  # one sentence per shared measure in view
    decisions: story.Decisions
    score: story.ScorePoint | None  # the score the story gives, with whose it is
    history: list[story.ScorePoint]  # the chosen score of each period, oldest first
    chart: story.ScoreChart | None
    barriers: Barriers | None  # None: no report submitted yet


def story_teams(result: PanelSummary) -> list[Team]:
    """The teams whose stories are shown: on screen, the same page of teams as the small
    charts (result.spark_page); in print, all of them."""
    page = result.spark_page
    return result.teams if page is None else result.teams[page.first - 1 : page.last]


def team_stories(result: PanelSummary, day: date | None = None) -> list[TeamStory]:
    """The story of each team on the page, in the panel's order."""
    day = day or today()
    teams = story_teams(result)
    if not teams:
        return []
    statuses = team_statuses(result.collaborative, teams, result.choice.team, day)
    team_ids = [team.id for team in teams]
    decisions = decided_cycles(result, team_ids)
    reports = latest_reports(result, team_ids)
    histories = score_histories(result, team_ids)
    labels = result.collaborative.progress_labels
    rows = rows_by_series(result)
    at_review = figures_at_review(result, teams)
    stories = []
    for team in teams:
        history = histories.get(team.id, [])
        report = reports.get(team.id)
        score = story.latest_score(history, _suggested(result.collaborative, report))
        status = statuses[team.id]
        made = decisions.get(team.id, story.Decisions())
        stories.append(
            TeamStory(
                team=team,
                status=status,
                paragraph=story.paragraph(
                    status,
                    story.score_sentence(score, labels),
                    story.decisions_sentence(made, result.since_words),
                ),
                measures=measure_sentences(result, team, rows, at_review),
                decisions=made,
                score=score,
                history=history,
                chart=story.score_chart(history),
                barriers=_barriers(result.collaborative, report),
            )
        )
    return stories


def story_context(result: PanelSummary | None) -> dict[str, Any]:
    """What the panel page and its print layout give templates/panel/_team_stories.html."""
    stories = team_stories(result) if result is not None else []
    return {
        "team_stories": stories,
        # For links from the teams' table to a story on the same page.
        "team_story_ids": {told.team.id for told in stories},
    }


# Status: the coordinator's rules -----------------------------------------------------------------


def team_statuses(
    collaborative: Collaborative, teams: list[Team], team: Team | None, day: date
) -> dict[int, story.Status]:
    """Each team's status by the coordinator's rules, for the period its page opens on: the
    same readers and the same pure functions as improve.coordination.queries.overview (late:
    activity.report_states and the overdue report; stalled: activity.activity; stuck in Plan:
    activity.stuck_counts; the reasons: activity.needs_a_call), with how long a late report has
    been due. Only what the status needs is read: not the data gaps nor the scores (the
    coordinator's count of missing data reads every point of every measure, seconds at 800
    teams), and the data points only of the teams that may have stalled."""
    period = choose_period(collaborative, day, None).period
    frame = coordination.teams_frame(collaborative, teams)
    joined = dict(zip(frame["team_id"].tolist(), frame["joined_on"].tolist(), strict=True))
    states = activity.report_states(
        list(joined),
        coordination.reports_frame(collaborative, period, team),
        period,
        cadence(collaborative),
        collaborative.report_due_day,
        day,
        joined,
    )
    # The coordinator's own check of the latest report already due, when it is another period.
    overdue, overdue_label = coordination._overdue(collaborative, joined, period, day, team)
    table = _team_table(collaborative, frame, states, team, day)
    calls = activity.needs_a_call(
        table, period_label(period, collaborative), overdue, overdue_label
    )
    reasons = {
        int(team_id): list(zip(kinds, sentences, strict=True))
        for team_id, kinds, sentences in zip(
            calls["team_id"], calls["kinds"], calls["reasons"], strict=True
        )
    }
    late_in_period = activity.late_teams(states)
    late_report = {
        team_id: period if team_id in late_in_period else _due(collaborative, day)
        for team_id in late_in_period | overdue
    }
    return {
        member.id: story.team_status(
            reasons.get(member.id, []),
            _overdue_report(collaborative, late_report.get(member.id), day),
        )
        for member in teams
    }


def _team_table(
    collaborative: Collaborative,
    frame: pd.DataFrame,
    states: pd.DataFrame,
    team: Team | None,
    day: date,
) -> pd.DataFrame:
    """activity.team_table with what a status needs: reports, activity and cycles stuck in
    Plan. Neither scores nor data gaps are read, so no team is called for them here."""
    ids = frame[["team_id"]].astype("int64")
    return activity.team_table(
        frame,
        _activity(collaborative, frame, coordination.cycles_frame(collaborative, day, team), day),
        states,
        ids.reindex(columns=activity.SCORE_GAP_COLUMNS),
        ids.reindex(columns=activity.TEAM_GAP_COLUMNS, fill_value=0),
        activity.stuck_counts(
            coordination.plans_frame(collaborative, team), frame["team_id"].tolist(), day
        ),
    )


def _activity(
    collaborative: Collaborative, frame: pd.DataFrame, cycles: pd.DataFrame, day: date
) -> pd.DataFrame:
    """activity.activity for the teams shown. Stalled needs quiet tests of change and quiet
    data: only the teams quiet on their tests of change can be stalled, so only their data is
    read (the data of every team is 400,000 points at 200 teams)."""
    weeks = collaborative.stall_weeks
    no_points = pd.DataFrame(columns=activity.POINT_COLUMNS)
    first = activity.activity(frame, cycles, no_points, day, weeks)
    quiet = [int(t) for t, q in zip(first["team_id"], first["quiet_cycles"], strict=True) if q]
    return activity.activity(frame, cycles, latest_points(collaborative, quiet), day, weeks)


def latest_points(collaborative: Collaborative, team_ids: list[int]) -> pd.DataFrame:
    """Per team given, its latest period with a value and the day its latest value was entered,
    over the measures the coordinator's view counts (in use, counted by period): what
    activity.activity reads to tell a team that has stopped recording data. One query."""
    in_use = sa.select(Measure.id).where(
        Measure.collaborative_id == collaborative.id,
        Measure.is_archived.is_(False),
        coordination.BY_PERIOD,
    )
    # By team first (its index), the measures as a list: SQLite then reads only these teams'
    # points, where a join from the measures read every team's (5 times slower for 24 teams).
    query = (
        sa.select(
            DataPoint.team_id,
            sa.func.max(DataPoint.period_start),
            sa.func.max(DataPoint.created_at),
        )
        .where(DataPoint.team_id.in_(team_ids), DataPoint.measure_id.in_(in_use))
        .group_by(DataPoint.team_id)
    )
    rows = [
        (0, team_id, last_period, coordination._day(created))
        for team_id, last_period, created in db.session.execute(query)
    ]
    return pd.DataFrame(rows, columns=activity.POINT_COLUMNS)


def _due(collaborative: Collaborative, day: date) -> date | None:
    """The latest period whose report is already due: the other period the coordinator's view
    chases (improve.coordination.queries._overdue)."""
    return last_due_period(
        collaborative.starts_on,
        collaborative.ends_on,
        cadence(collaborative),
        collaborative.report_due_day,
        day,
    )


def _overdue_report(
    collaborative: Collaborative, start: date | None, day: date
) -> story.Overdue | None:
    """The late report of the period starting on `start`: its name and days since it was due."""
    if start is None:
        return None
    due = due_date(start, cadence(collaborative), collaborative.report_due_day)
    return story.Overdue(period_label(start, collaborative), (day - due).days)


# Shared measures: the panel's rows ---------------------------------------------------------------


def measure_sentences(
    result: PanelSummary,
    team: Team,
    rows: dict[tuple[int, int], dict[str, Any]],
    at_review: dict[tuple[int, int], story.AtReview] | None = None,
) -> list[str]:
    """One sentence per shared measure in view, from the panel's own row for the team (the same
    signals, values and hidden small numbers as its tables); `rows` is `rows_by_series`,
    `at_review` is `figures_at_review` (None: no review to compare with)."""
    sentences = []
    for measure in result.measures:
        row = rows.get((measure.id, team.id))
        if row is None:
            continue
        hidden = hidden_fields(row)
        change = story.MeasureChange(
            name=measure.name,
            points=int(row["points"] or 0),
            baseline=row["baseline"],
            latest=row["latest"],
            latest_period=row["latest_period"],
            target=row["target"],
            target_reached=row["target_reached"],
            improvements=int(row["improvements"] or 0),
            concerns=int(row["concerns"] or 0),
            percent=definition_of(measure).fraction,
            latest_hidden="latest" in hidden,
            baseline_hidden="baseline" in hidden,
            at_review=None if at_review is None else at_review.get((measure.id, team.id), NONE_YET),
        )
        sentences.append(story.measure_sentence(change, result.since_words))
    return sentences


#: A series with no point on or before the review day.
NONE_YET = story.AtReview()


def figures_at_review(
    result: PanelSummary, teams: list[Team]
) -> dict[tuple[int, int], story.AtReview] | None:
    """Per (measure id, team id), the figure at the panel's last review: the latest point on or
    before its day, from the one analysis the panel reads (read_series and analyse_series, for
    the teams whose stories are shown: one query whatever their number), each point hidden by
    the same small-number rule (summary.hidden_points). None when the figures count from no
    review (none held yet, or a period was chosen)."""
    review = result.review
    if review is None or result.since != review.reviewed_on or not result.measures:
        return None
    team_ids = [team.id for team in teams]
    series = dict(read_series([m.id for m in result.measures], team_ids, result.choice.end))
    analyses = analyse_series(
        result.measures, result.collaborative, team_ids, series=series.items()
    )
    hidden = summary.hidden_points(analyses, series, result.threshold)
    points = summary.analysed_frame(analyses, hidden)
    by_then = points[points["period_start"] <= review.reviewed_on]
    latest = by_then.groupby(["measure_id", "team_id"], sort=False).tail(1)
    return {
        (int(m), int(t)): story.AtReview(float(value), period, bool(off))
        for m, t, period, value, off in zip(
            latest["measure_id"],
            latest["team_id"],
            latest["period_start"],
            latest["value"],
            latest["hidden"],
            strict=True,
        )
    }


def rows_by_series(result: PanelSummary) -> dict[tuple[int, int], dict[str, Any]]:
    """The panel's rows by (measure id, team id), built once for every team's story."""
    return {(row["measure_id"], row["team_id"]): row for row in result.rows}


def hidden_fields(row: dict[str, Any]) -> set[str]:
    """The row's figures that rest on a small number of people: the panel names them in
    `hidden_fields` and blanks them (improve.analysis.summary.shown_rows). A row marked
    `hidden` without names hides its latest value and its baseline: when in doubt, hide."""
    fields = set(row.get("hidden_fields") or ())
    if row.get("hidden") and not fields:
        fields = {"latest", "baseline"}
    return fields


# Tests of change, reports and scores: one query each ---------------------------------------------


def _of_teams(query: Any, column: Any, team_ids: list[int]) -> Any:
    """Only the teams whose stories are shown (the collaborative's, as the panel lists them):
    a page of 24 on screen reads 24 teams' records, not 800."""
    return query.where(column.in_(team_ids))


def decided_cycles(result: PanelSummary, team_ids: list[int]) -> dict[int, story.Decisions]:
    """Per team, its tests of change decided since the review (result.since) and up to the end
    of the period chosen: the adopted ones by title, most recent first, the others counted. A
    cycle's decision day is the UK day it was closed, or its end date when that is not known."""
    query = sa.select(
        Cycle.team_id, Cycle.decision, Cycle.title, Cycle.closed_at, Cycle.ends_on, Cycle.id
    ).where(Cycle.decision.is_not(None))
    since, end = result.since, result.choice.end
    if since is not None:
        # A day early: a cycle closed just after midnight in the UK is still the day before in
        # UTC. The exact UK day is checked below.
        early = datetime(since.year, since.month, since.day, tzinfo=UTC) - timedelta(days=1)
        query = query.where(
            sa.or_(
                Cycle.closed_at >= early,
                sa.and_(Cycle.closed_at.is_(None), Cycle.ends_on >= since),
            )
        )
    rows = db.session.execute(_of_teams(query, Cycle.team_id, team_ids)).all()
    kept: dict[int, list[tuple[date, int, str, str]]] = {}
    for team_id, decision, title, closed_at, ends_on, cycle_id in rows:
        day = uk_date(closed_at) if closed_at is not None else ends_on
        if (since is None or day >= since) and (end is None or day <= end):
            kept.setdefault(team_id, []).append((day, cycle_id, decision.value, title))
    return {team_id: _decisions(found) for team_id, found in kept.items()}


def _decisions(found: list[tuple[date, int, str, str]]) -> story.Decisions:
    newest_first = sorted(found, reverse=True)
    return story.Decisions(
        adopted=tuple(title for _, _, decision, title in newest_first if decision == "adopt"),
        adapted=sum(decision == "adapt" for _, _, decision, _ in found),
        abandoned=sum(decision == "abandon" for _, _, decision, _ in found),
    )


def latest_reports(result: PanelSummary, team_ids: list[int]) -> dict[int, LatestReport]:
    """Per team, its latest submitted report up to the end of the period chosen: the latest
    submitted revision of the latest period with one (as the coordinator's drill-down reads it,
    improve.coordination.queries.latest_submitted). One query."""
    submitted = MonthlyReport.status == ReportStatus.SUBMITTED
    latest = sa.select(
        MonthlyReport.team_id.label("team_id"),
        sa.func.max(MonthlyReport.period_start).label("period_start"),
    ).where(submitted)
    if result.choice.end is not None:
        latest = latest.where(MonthlyReport.period_start <= result.choice.end)
    newest = (
        _of_teams(latest, MonthlyReport.team_id, team_ids)
        .group_by(MonthlyReport.team_id)
        .subquery()
    )
    query = (
        sa.select(
            MonthlyReport.team_id,
            MonthlyReport.period_start,
            MonthlyReport.barriers,
            MonthlyReport.suggested_score,
        )
        .join(
            newest,
            sa.and_(
                MonthlyReport.team_id == newest.c.team_id,
                MonthlyReport.period_start == newest.c.period_start,
            ),
        )
        .where(submitted)
        .order_by(MonthlyReport.revision)
    )
    # In revision order: the last one seen for a team is its latest submitted revision.
    return {
        team_id: LatestReport(period, barriers or "", suggested)
        for team_id, period, barriers, suggested in db.session.execute(query)
    }


def score_histories(result: PanelSummary, team_ids: list[int]) -> dict[int, list[story.ScorePoint]]:
    """Per team, the chosen score of each period in the window (the coordinator's, else the
    team's own), from the scores the panel's progress table reads (queries.scores_frame: the
    same window), for the teams shown. One query."""
    query = sa.select(
        ProgressScore.team_id,
        ProgressScore.period_start,
        ProgressScore.assessor,
        ProgressScore.score,
    )
    start, end = result.choice.start, result.choice.end
    if start is not None:
        query = query.where(ProgressScore.period_start >= start)
    if end is not None:
        query = query.where(ProgressScore.period_start <= end)
    points: dict[int, list[story.ScorePoint]] = {}
    labels: dict[date, str] = {}
    for team_id, period, assessor, score in db.session.execute(
        _of_teams(query, ProgressScore.team_id, team_ids)
    ):
        if period not in labels:
            labels[period] = period_label(period, result.collaborative)
        points.setdefault(team_id, []).append(
            story.ScorePoint(period, labels[period], float(score), assessor.value)
        )
    return {team_id: story.chosen_scores(found) for team_id, found in points.items()}


def _suggested(
    collaborative: Collaborative, report: LatestReport | None
) -> story.ScorePoint | None:
    if report is None or report.suggested_score is None:
        return None
    label = period_label(report.period, collaborative)
    return story.ScorePoint(report.period, label, float(report.suggested_score), "suggested")


def _barriers(collaborative: Collaborative, report: LatestReport | None) -> Barriers | None:
    if report is None:
        return None
    return Barriers(period_label(report.period, collaborative), report.barriers.strip())
