"""Reads for the coordinator's view. The dashboard reads each table once (teams, a cycle
aggregate, data points, reports, scores, measures), whatever the number of teams; pandas and
improve.analysis.activity do the rest."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from improve import reminders
from improve.analysis import activity
from improve.analysis.periods import (
    SubmissionTiming,
    last_due_period,
    report_periods,
    report_state,
    uk_date,
)
from improve.coordination.forms import cadence, period_label
from improve.extensions import db
from improve.models import (
    Collaborative,
    Cycle,
    DataPoint,
    Frequency,
    Measure,
    Membership,
    MonthlyReport,
    ProgressScore,
    ReminderKind,
    ReportReminder,
    ReportStatus,
    Role,
    Stage,
    Team,
    User,
    ValueKind,
)
from improve.reports.queries import first_submitted_at, timing_of

RECENT_CYCLES = 8

#: Measures counted by period: the dates of events are recorded when they happen, so a month
#: without one is good news, not a missing value.
BY_PERIOD = Measure.value_kind != ValueKind.EVENTS


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as dicts for templates, with None wherever a value is missing."""

    def plain(value: Any) -> Any:
        if value is None or value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, float) and math.isnan(value):
            return None
        return value

    return [
        {str(key): plain(value) for key, value in row.items()} for row in frame.to_dict("records")
    ]


def list_teams(collaborative: Collaborative) -> list[Team]:
    query = sa.select(Team).where(Team.collaborative_id == collaborative.id).order_by(Team.name)
    return list(db.session.scalars(query))


def team_in(collaborative: Collaborative, team_id: int) -> Team | None:
    """The team, if it belongs to this collaborative."""
    team = db.session.get(Team, team_id)
    return team if team is not None and team.collaborative_id == collaborative.id else None


def teams_frame(collaborative: Collaborative, teams: list[Team]) -> pd.DataFrame:
    """Teams with the day each could first act (activity.joined_on)."""
    rows = [
        (team.id, team.name, activity.joined_on(collaborative.starts_on, team.created_at))
        for team in teams
    ]
    return pd.DataFrame(rows, columns=activity.TEAM_COLUMNS)


def _scope(query: Any, column: Any, collaborative: Collaborative, team: Team | None) -> Any:
    """Only this collaborative's teams, or only one team."""
    if team is not None:
        return query.where(column == team.id)
    return query.join(Team, Team.id == column).where(Team.collaborative_id == collaborative.id)


def cycles_frame(collaborative: Collaborative, today: date, team: Team | None) -> pd.DataFrame:
    """Per team, the latest change to any cycle and the latest cycle start up to today."""
    started = sa.case((Cycle.starts_on <= today, Cycle.starts_on))
    query = sa.select(Cycle.team_id, sa.func.max(Cycle.updated_at), sa.func.max(started)).group_by(
        Cycle.team_id
    )
    rows = [
        (team_id, updated.date() if updated else None, started_on)
        for team_id, updated, started_on in db.session.execute(
            _scope(query, Cycle.team_id, collaborative, team)
        )
    ]
    return pd.DataFrame(rows, columns=activity.CYCLE_COLUMNS)


def plans_frame(collaborative: Collaborative, team: Team | None) -> pd.DataFrame:
    """Every cycle still at the Plan stage, with the day it was planned to start (for
    activity.stuck_counts: only these can be stuck in Plan)."""
    query = sa.select(Cycle.team_id, Cycle.starts_on).where(Cycle.stage == Stage.PLAN)
    rows = list(db.session.execute(_scope(query, Cycle.team_id, collaborative, team)))
    return pd.DataFrame([tuple(row) for row in rows], columns=activity.PLAN_COLUMNS)


def points_frame(collaborative: Collaborative, team: Team) -> pd.DataFrame:
    """Every data point one team has for the collaborative's measures still in use: which
    period has a value, and the day it was entered (for listing its missing periods)."""
    query = (
        sa.select(
            DataPoint.measure_id, DataPoint.team_id, DataPoint.period_start, DataPoint.created_at
        )
        .join(Measure, Measure.id == DataPoint.measure_id)
        .where(Measure.collaborative_id == collaborative.id, Measure.is_archived.is_(False))
        .where(BY_PERIOD)
        .where(DataPoint.team_id == team.id)
    )
    rows = [
        (measure_id, team_id, start, created.date())
        for measure_id, team_id, start, created in db.session.execute(query)
    ]
    return pd.DataFrame(rows, columns=activity.POINT_COLUMNS)


def point_summary_frame(
    collaborative: Collaborative, team: Team | None, today: date
) -> pd.DataFrame:
    """activity.summarise_points, computed by the database: one row per (measure, team) instead
    of every point (400,000 in a large collaborative). A point's period_start is always its
    period's first day (the data-entry form offers only those; the importer moves dates to
    them), and (measure, team, period_start) is unique, so counting rows counts periods."""
    cutoff = sa.case(
        (
            Measure.frequency == Frequency.WEEKLY,
            activity.last_complete_period(today, "weekly").date(),
        ),
        else_=activity.last_complete_period(today, "monthly").date(),
    )
    to_date = sa.case((DataPoint.period_start <= cutoff, 1), else_=0)
    query = (
        sa.select(
            Measure.id,
            DataPoint.team_id,
            sa.func.min(DataPoint.period_start),
            sa.func.count(),
            sa.func.sum(to_date),
            sa.func.max(DataPoint.period_start),
            sa.func.max(DataPoint.created_at),
        )
        .join(Measure, Measure.id == DataPoint.measure_id)
        .where(Measure.collaborative_id == collaborative.id, Measure.is_archived.is_(False))
        .where(BY_PERIOD)
        # By the measure's own id (the same value): SQLite then reads the points in index order
        # and groups as it goes, instead of sorting 400,000 rows first (a third faster).
        .group_by(Measure.id, DataPoint.team_id)
    )
    if team is not None:
        query = query.where(DataPoint.team_id == team.id)
    rows = [
        (measure_id, team_id, first, periods, to_date, last, _day(created))
        for measure_id, team_id, first, periods, to_date, last, created in db.session.execute(query)
    ]
    return pd.DataFrame(rows, columns=activity.POINT_SUMMARY_COLUMNS)


def _day(moment: Any) -> date | None:
    """The date of an aggregate's timestamp: SQLite returns max() of a timestamp as text."""
    if moment is None:
        return None
    if isinstance(moment, str):
        return date.fromisoformat(moment[:10])
    return moment.date()


def measures_frame(collaborative: Collaborative, team: Team | None) -> pd.DataFrame:
    """The measures in use: shared ones, and the teams' own (one team's, with `team`)."""
    query = (
        sa.select(
            Measure.id, Measure.team_id, Measure.name, Measure.frequency, Measure.baseline_start
        )
        .where(Measure.collaborative_id == collaborative.id, Measure.is_archived.is_(False))
        .where(BY_PERIOD)
        .order_by(Measure.name, Measure.id)
    )
    if team is not None:
        query = query.where(sa.or_(Measure.team_id.is_(None), Measure.team_id == team.id))
    rows = [
        (measure_id, team_id, name, frequency.value, baseline)
        for measure_id, team_id, name, frequency, baseline in db.session.execute(query)
    ]
    return pd.DataFrame(rows, columns=activity.MEASURE_COLUMNS)


def reports_frame(collaborative: Collaborative, period: date, team: Team | None) -> pd.DataFrame:
    """Every revision of every team's report for the period."""
    query = sa.select(
        MonthlyReport.team_id,
        MonthlyReport.revision,
        MonthlyReport.status,
        MonthlyReport.suggested_score,
        MonthlyReport.submitted_at,
    ).where(MonthlyReport.period_start == period)
    rows = [
        (team_id, revision, status.value, suggested, submitted_at)
        for team_id, revision, status, suggested, submitted_at in db.session.execute(
            _scope(query, MonthlyReport.team_id, collaborative, team)
        )
    ]
    return pd.DataFrame(rows, columns=activity.REPORT_COLUMNS)


def scores_frame(collaborative: Collaborative, period: date, team: Team | None) -> pd.DataFrame:
    """The team's own and the coordinator's progress scores for the period."""
    query = sa.select(ProgressScore.team_id, ProgressScore.assessor, ProgressScore.score).where(
        ProgressScore.period_start == period
    )
    rows = [
        (team_id, assessor.value, score)
        for team_id, assessor, score in db.session.execute(
            _scope(query, ProgressScore.team_id, collaborative, team)
        )
    ]
    return pd.DataFrame(rows, columns=activity.SCORE_COLUMNS)


@dataclass(frozen=True)
class Overview:
    table: pd.DataFrame  # activity.team_table: one row per team
    calls: pd.DataFrame  # activity.needs_a_call
    measures: pd.DataFrame
    gaps: pd.DataFrame  # activity.measure_gaps
    missing: pd.DataFrame  # activity.missing_periods
    # The latest period whose report was due before today, when it is not the chosen period,
    # so a report still missing from it shows as late while the chosen period's is not due yet.
    overdue_label: str = ""


def overview(
    collaborative: Collaborative,
    teams: list[Team],
    period: date,
    today: date,
    team: Team | None = None,
) -> Overview:
    """Every team's row for the period (or one team's, with `team`), and who needs a call."""
    frame = teams_frame(collaborative, teams)
    team_ids = [int(team_id) for team_id in frame["team_id"]]
    # From when each team could act: it is not asked for the reports of periods before then.
    joined = dict(zip(team_ids, frame["joined_on"].tolist(), strict=True))
    measures = measures_frame(collaborative, team)
    summary = point_summary_frame(collaborative, team, today)
    gaps = activity.gaps_from_summary(measures, team_ids, summary, today)
    table = activity.team_table(
        frame,
        activity.activity(
            frame,
            cycles_frame(collaborative, today, team),
            activity.latest_points(summary),
            today,
            collaborative.stall_weeks,
        ),
        activity.report_states(
            team_ids,
            reports_frame(collaborative, period, team),
            period,
            cadence(collaborative),
            collaborative.report_due_day,
            today,
            joined,
        ),
        activity.score_gaps(team_ids, scores_frame(collaborative, period, team)),
        activity.team_gaps(gaps, team_ids),
        activity.stuck_counts(plans_frame(collaborative, team), team_ids, today),
    )
    overdue, overdue_label = _overdue(collaborative, joined, period, today, team)
    return Overview(
        table,
        activity.needs_a_call(table, period_label(period, collaborative), overdue, overdue_label),
        measures,
        gaps,
        _missing(measures, team_ids, collaborative, team, today),
        overdue_label,
    )


def _missing(
    measures: pd.DataFrame,
    team_ids: list[int],
    collaborative: Collaborative,
    team: Team | None,
    today: date,
) -> pd.DataFrame:
    """The missing periods one by one, for one team's drill-down (one more query); the whole
    collaborative's view only shows counts, which the summary gives."""
    if team is None:
        return pd.DataFrame(columns=activity.MISSING_COLUMNS)
    return activity.missing_periods(measures, team_ids, points_frame(collaborative, team), today)


def _overdue(
    collaborative: Collaborative,
    joined: dict[int, date],
    period: date,
    today: date,
    team: Team | None,
) -> tuple[set[int], str]:
    """The teams whose report for the latest period already due is late, when that period is
    not the chosen one (one more query), and the period's name."""
    due = last_due_period(
        collaborative.starts_on,
        collaborative.ends_on,
        cadence(collaborative),
        collaborative.report_due_day,
        today,
    )
    if due is None or due == period:
        return set(), ""
    states = activity.report_states(
        list(joined),
        reports_frame(collaborative, due, team),
        due,
        cadence(collaborative),
        collaborative.report_due_day,
        today,
        joined,
    )
    return activity.late_teams(states), period_label(due, collaborative)


# One team's drill-down ---------------------------------------------------------------------------


def recent_cycles(team: Team) -> list[Cycle]:
    query = (
        sa.select(Cycle)
        .where(Cycle.team_id == team.id)
        .order_by(Cycle.updated_at.desc(), Cycle.id.desc())
        .limit(RECENT_CYCLES)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class ReportRow:
    start: date
    label: str
    state: str
    suggested_score: float | None
    self_score: float | None
    coordinator_score: float | None
    timing: SubmissionTiming | None = None  # for a submitted report: on time, or how late

    @property
    def gap(self) -> float | None:
        if self.self_score is None or self.coordinator_score is None:
            return None
        return self.self_score - self.coordinator_score


@dataclass(frozen=True)
class LatestReport:
    """The team's latest submitted report: what got in the way, and the help it asked for."""

    start: date
    label: str
    barriers: str


def team_reports(team: Team) -> list[MonthlyReport]:
    """Every revision of every report of the team, oldest period and revision first."""
    return list(
        db.session.scalars(
            sa.select(MonthlyReport)
            .where(MonthlyReport.team_id == team.id)
            .order_by(MonthlyReport.period_start, MonthlyReport.revision)
        )
    )


def latest_submitted(
    collaborative: Collaborative, reports: list[MonthlyReport]
) -> LatestReport | None:
    """The latest submitted revision of the latest period with a submitted report."""
    submitted = [report for report in reports if report.status == ReportStatus.SUBMITTED]
    if not submitted:
        return None
    latest = max(submitted, key=lambda report: (report.period_start, report.revision))
    start = latest.period_start
    return LatestReport(start, period_label(start, collaborative), latest.barriers)


def report_history(
    collaborative: Collaborative, team: Team, today: date, reports: list[MonthlyReport]
) -> list[ReportRow]:
    """Every started period of the team, newest first: its report's state (for a submitted one,
    how it stood against its due date), the suggested score of the latest revision, and both
    progress scores. One query for the scores, whatever the periods; `reports` is
    `team_reports`."""
    latest: dict[date, MonthlyReport] = {}
    every: dict[date, list[MonthlyReport]] = {}
    for report in reports:
        latest[report.period_start] = report
        every.setdefault(report.period_start, []).append(report)
    scores = {
        (score.period_start, score.assessor.value): score.score
        for score in db.session.scalars(
            sa.select(ProgressScore).where(ProgressScore.team_id == team.id)
        )
    }
    rows = []
    periods = report_periods(collaborative.starts_on, collaborative.ends_on, cadence(collaborative))
    for start in reversed([start for start in periods if start <= today]):
        found = latest.get(start)
        draft = found is not None and found.status == ReportStatus.DRAFT
        versions = every.get(start, [])
        submitted = any(v.status == ReportStatus.SUBMITTED for v in versions)
        state = report_state(
            start,
            cadence(collaborative),
            collaborative.report_due_day,
            today,
            submitted,
            draft,
            activity.joined_on(collaborative.starts_on, team.created_at),
        )
        timing = (
            timing_of(collaborative, start, first_submitted_at(versions)) if submitted else None
        )
        rows.append(
            ReportRow(
                start,
                period_label(start, collaborative),
                state,
                found.suggested_score if found is not None else None,
                scores.get((start, "self")),
                scores.get((start, "coordinator")),
                timing,
            )
        )
    return rows


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str


def team_leads(team: Team) -> list[Contact]:
    """How to reach each lead of the team, by name: one query."""
    query = (
        sa.select(User.display_name, User.email, User.phone)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.team_id == team.id, Membership.role == Role.TEAM_LEAD)
        .order_by(User.display_name, User.id)
    )
    return [Contact(name, email, phone) for name, email, phone in db.session.execute(query)]


@dataclass(frozen=True)
class MeasureGap:
    measure_id: int
    name: str
    shared: bool
    frequency: str
    recorded: int
    missing: list[date]


def measure_gaps(view: Overview, team: Team) -> list[MeasureGap]:
    """The team's measures with missing weeks or months, or with no data yet, by name."""
    measures = view.measures
    about = {
        measure_id: (str(name), bool(pd.isna(owner)), str(frequency))
        for measure_id, name, owner, frequency in zip(
            measures["measure_id"].tolist(),
            measures["name"].tolist(),
            measures["team_id"].tolist(),
            measures["frequency"].tolist(),
            strict=True,
        )
    }
    missing: dict[int, list[date]] = {}
    for team_id, measure_id, day in view.missing[activity.MISSING_COLUMNS].itertuples(
        index=False, name=None
    ):
        if team_id == team.id:
            missing.setdefault(int(measure_id), []).append(day)
    rows = []
    for team_id, measure_id, recorded, no_data in view.gaps[
        ["team_id", "measure_id", "recorded", "no_data"]
    ].itertuples(index=False, name=None):
        if team_id != team.id or not (measure_id in missing or no_data):
            continue
        name, shared, frequency = about[measure_id]
        days = sorted(missing.get(int(measure_id), []))
        rows.append(MeasureGap(int(measure_id), name, shared, frequency, int(recorded), days))
    return sorted(rows, key=lambda row: row.name.casefold())


# What each kind of reminder was, with the report it was about.
REMINDER_ABOUT = {
    ReminderKind.DUE: "Reminder before the due date of the {label} report",
    ReminderKind.LATE: "Reminder that the {label} report was late",
    ReminderKind.BY_COORDINATOR: "Reminder from the coordinator about the {label} report",
}


@dataclass(frozen=True)
class TeamReminder:
    """A reminder sent to the team, with the report it was about."""

    kind: ReminderKind
    sent_at: datetime
    sent_by: str | None  # the coordinator's name; None for the automatic ones
    period: date
    label: str  # the period's name

    @property
    def words(self) -> str:
        """Like "Reminder from the coordinator about the November 2026 report, sent by Ann
        Coordinator on 7 December 2026"."""
        by = f" by {self.sent_by}" if self.sent_by else ""
        when = f"{uk_date(self.sent_at):%-d %B %Y}"
        return f"{REMINDER_ABOUT[self.kind].format(label=self.label)}, sent{by} on {when}"


def team_reminders(collaborative: Collaborative, team: Team) -> list[TeamReminder]:
    """Every reminder sent to the team, whatever report it was about, newest first: one query.
    (A report's own page lists those about its period: improve.reports.queries.list_reminders.)"""
    query = (
        sa.select(
            ReportReminder.kind,
            ReportReminder.sent_at,
            User.display_name,
            ReportReminder.period_start,
        )
        .outerjoin(User, User.id == ReportReminder.sent_by_id)
        .where(ReportReminder.team_id == team.id)
        .order_by(ReportReminder.sent_at.desc(), ReportReminder.id.desc())
    )
    return [
        TeamReminder(kind, sent_at, sent_by, period, period_label(period, collaborative))
        for kind, sent_at, sent_by, period in db.session.execute(query)
    ]


@dataclass(frozen=True)
class StuckCycle:
    cycle: Cycle
    words: str  # like "Still in Plan 3 weeks after its planned start"


def stuck_cycles(team: Team, today: date) -> list[StuckCycle]:
    """Every cycle of the team stuck in Plan, by the rule the "Stuck in Plan" reason counts
    with (activity.stuck_in_plan, over the cycles plans_frame reads), longest waiting first:
    one query, however many cycles changed since."""
    query = (
        sa.select(Cycle)
        .where(Cycle.team_id == team.id, Cycle.stage == Stage.PLAN)
        .order_by(Cycle.starts_on, Cycle.id)
    )
    return [
        StuckCycle(cycle, activity.stuck_words(cycle.starts_on, today))
        for cycle in db.session.scalars(query)
        if activity.stuck_in_plan(cycle.stage.value, cycle.starts_on, today)
    ]


@dataclass(frozen=True)
class TeamDetail:
    team: Team
    row: dict[str, Any]
    reasons: list[str]
    cycles: list[Cycle]  # the most recently changed
    reports: list[ReportRow]
    gaps: list[MeasureGap]
    leads: list[Contact]
    latest_report: LatestReport | None
    reminders: list[TeamReminder]  # every one sent to the team, newest first
    stuck: list[StuckCycle]  # every cycle stuck in Plan, recent or not
    reminder: reminders.ReminderContents  # what "Send a reminder" would send today, to whom

    def report_for(self, period: date) -> ReportRow | None:
        return next((row for row in self.reports if row.start == period), None)

    @property
    def stuck_words(self) -> dict[int, str]:
        """The words for each cycle stuck in Plan, by id, to flag it among the recent ones."""
        return {stuck.cycle.id: stuck.words for stuck in self.stuck}


def team_detail(collaborative: Collaborative, team: Team, period: date, today: date) -> TeamDetail:
    """Everything the drill-down shows for one team, with what "Send a reminder" would send
    (from the function that sends it)."""
    view = overview(collaborative, [team], period, today, team)
    reasons = list(view.calls["reasons"].iloc[0]) if len(view.calls) else []
    reports = team_reports(team)
    return TeamDetail(
        team,
        records(view.table)[0],
        reasons,
        recent_cycles(team),
        report_history(collaborative, team, today, reports),
        measure_gaps(view, team),
        team_leads(team),
        latest_submitted(collaborative, reports),
        team_reminders(collaborative, team),
        stuck_cycles(team, today),
        reminders.reminder_contents(team, today),
    )
