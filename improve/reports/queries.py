"""Reads for the calendar and team reports: periods with their state, one period's report and
scores, and the evidence gathered from a team's records for a period. Each page reads each table
once, however many periods, cycles or measures there are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa

from improve.analysis import scoring
from improve.analysis.activity import joined_on
from improve.analysis.periods import (
    Cadence,
    ReportState,
    SubmissionTiming,
    due_date,
    period_end,
    period_start,
    report_periods,
    report_state,
    submission_timing,
    uk_date,
)
from improve.analysis.summary import target_reached
from improve.charts.table import signal_list
from improve.extensions import db
from improve.frames import query_frame
from improve.measures.analysis import analyse_measure, definition_of
from improve.measures.queries import SERIES_COLUMNS
from improve.models import (
    Aim,
    Assessor,
    Collaborative,
    CollaborativePhase,
    Cycle,
    CycleQuestion,
    DataPoint,
    Decision,
    Measure,
    MonthlyReport,
    ProgressScore,
    ReminderKind,
    ReportReminder,
    ReportStatus,
    Stage,
    Team,
    User,
)


def cadence(collaborative: Collaborative) -> Cadence:
    return collaborative.reporting_cadence.value  # type: ignore[return-value]


def period_label(start: date, collaborative: Collaborative) -> str:
    """How people name a period: "October 2026", "July to September 2026", or a fortnight."""
    end = period_end(start, cadence(collaborative))
    if cadence(collaborative) == "monthly":
        return f"{start:%B %Y}"
    if cadence(collaborative) == "quarterly":
        return f"{start:%B} to {end:%B %Y}"
    return f"{start:%-d %B} to {end:%-d %B %Y}"


def started_periods(collaborative: Collaborative, today: date) -> list[date]:
    """Every period of the collaborative that has started by today, oldest first."""
    last = min(today, collaborative.ends_on)
    if last < collaborative.starts_on:
        return []
    return report_periods(collaborative.starts_on, last, cadence(collaborative))


def all_periods(collaborative: Collaborative) -> list[date]:
    return report_periods(collaborative.starts_on, collaborative.ends_on, cadence(collaborative))


def is_period_start(collaborative: Collaborative, day: date) -> bool:
    return period_start(day, cadence(collaborative), collaborative.starts_on) == day


# The calendar ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    """A phase, or (phase None) the marker for today between two phases."""

    phase: CollaborativePhase | None
    starts_on: date
    ends_on: date
    state: str  # "past", "current", "future", or "today" for the marker


def timeline(phases: list[CollaborativePhase], today: date) -> list[TimelineItem]:
    """Phases in date order with today placed among them: inside the phase under way (marked
    current), or as its own item between the last phase that ended and the next one. A phase
    with no end date is a single day, like a meeting."""
    items = []
    for phase in sorted(phases, key=lambda p: (p.starts_on, p.id)):
        ends_on = phase.ends_on or phase.starts_on
        state = "past" if ends_on < today else "future" if phase.starts_on > today else "current"
        items.append(TimelineItem(phase, phase.starts_on, ends_on, state))
    if items and not any(item.state == "current" for item in items):
        position = sum(1 for item in items if item.state == "past")
        items.insert(position, TimelineItem(None, today, today, "today"))
    return items


@dataclass(frozen=True)
class DueDate:
    period: date
    label: str
    due: date
    is_next: bool


def due_dates(collaborative: Collaborative, today: date) -> list[DueDate]:
    """Every period's report due date; the first one due today or later is the next."""
    rows = []
    next_found = False
    for start in all_periods(collaborative):
        due = due_date(start, cadence(collaborative), collaborative.report_due_day)
        is_next = not next_found and due >= today
        next_found = next_found or is_next
        rows.append(DueDate(start, period_label(start, collaborative), due, is_next))
    return rows


def list_phases(collaborative: Collaborative) -> list[CollaborativePhase]:
    query = (
        sa.select(CollaborativePhase)
        .where(CollaborativePhase.collaborative_id == collaborative.id)
        .order_by(CollaborativePhase.starts_on, CollaborativePhase.id)
    )
    return list(db.session.scalars(query))


def get_by_calendar_token(token: str) -> Collaborative | None:
    """The collaborative whose private calendar feed has this address, if any still does."""
    query = sa.select(Collaborative).where(Collaborative.calendar_token == token)
    return db.session.scalar(query)


# Team reports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodRow:
    start: date
    label: str
    due: date
    state: ReportState
    report: MonthlyReport | None  # the latest revision, if any
    self_score: ProgressScore | None
    coordinator_score: ProgressScore | None
    timing: SubmissionTiming | None = None  # for a submitted report: on time, or how late


def timing_of(
    collaborative: Collaborative, start: date, first_submitted: datetime | None
) -> SubmissionTiming:
    """How the period's report stood against its due date when first submitted."""
    return submission_timing(
        start, cadence(collaborative), collaborative.report_due_day, first_submitted
    )


def first_submitted_at(versions: list[MonthlyReport]) -> datetime | None:
    """When the period's report was first submitted (a correction submitted later does not
    count), from its revisions in any order."""
    moments = [
        v.submitted_at
        for v in versions
        if v.status == ReportStatus.SUBMITTED and v.submitted_at is not None
    ]
    return min(moments, default=None)


def period_rows(collaborative: Collaborative, team: Team, today: date) -> list[PeriodRow]:
    """Every started period of the team, newest first, with its report's state and scores: two
    queries whatever the number of periods."""
    reports = db.session.scalars(
        sa.select(MonthlyReport)
        .where(MonthlyReport.team_id == team.id)
        .order_by(MonthlyReport.period_start, MonthlyReport.revision)
    )
    latest: dict[date, MonthlyReport] = {}
    every: dict[date, list[MonthlyReport]] = {}
    for report in reports:
        latest[report.period_start] = report
        every.setdefault(report.period_start, []).append(report)
    submitted = {
        start
        for start, versions in every.items()
        if any(v.status == ReportStatus.SUBMITTED for v in versions)
    }
    scores: dict[tuple[date, Assessor], ProgressScore] = {
        (score.period_start, score.assessor): score
        for score in db.session.scalars(
            sa.select(ProgressScore).where(ProgressScore.team_id == team.id)
        )
    }
    rows = []
    for start in reversed(started_periods(collaborative, today)):
        report = latest.get(start)
        state = report_state(
            start,
            cadence(collaborative),
            collaborative.report_due_day,
            today,
            start in submitted,
            report is not None and report.status == ReportStatus.DRAFT,
            joined_on(collaborative.starts_on, team.created_at),
        )
        rows.append(
            PeriodRow(
                start,
                period_label(start, collaborative),
                due_date(start, cadence(collaborative), collaborative.report_due_day),
                state,
                report,
                scores.get((start, Assessor.SELF)),
                scores.get((start, Assessor.COORDINATOR)),
                timing_of(collaborative, start, first_submitted_at(every.get(start, [])))
                if start in submitted
                else None,
            )
        )
    return rows


def revisions(team: Team, start: date) -> list[MonthlyReport]:
    """Every revision of the team's report for the period, newest first."""
    query = (
        sa.select(MonthlyReport)
        .where(MonthlyReport.team_id == team.id, MonthlyReport.period_start == start)
        .order_by(MonthlyReport.revision.desc())
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class ReminderRow:
    kind: ReminderKind
    sent_at: datetime
    sent_by: str | None  # the coordinator's name; None for the automatic ones
    recipient_count: int

    @property
    def words(self) -> str:
        """Like "Reminder from the coordinator, sent by Ann Coordinator on 7 December 2026"."""
        by = f" by {self.sent_by}" if self.sent_by else ""
        return f"{self.kind.label}, sent{by} on {uk_date(self.sent_at):%-d %B %Y}"


def list_reminders(team: Team, start: date) -> list[ReminderRow]:
    """The reminders sent about the team's report for the period, oldest first: one query."""
    query = (
        sa.select(
            ReportReminder.kind,
            ReportReminder.sent_at,
            User.display_name,
            ReportReminder.recipient_count,
        )
        .outerjoin(User, User.id == ReportReminder.sent_by_id)
        .where(ReportReminder.team_id == team.id, ReportReminder.period_start == start)
        .order_by(ReportReminder.sent_at, ReportReminder.id)
    )
    return [ReminderRow(*row) for row in db.session.execute(query)]


def period_scores(team: Team, start: date) -> dict[Assessor, ProgressScore]:
    query = sa.select(ProgressScore).where(
        ProgressScore.team_id == team.id, ProgressScore.period_start == start
    )
    return {score.assessor: score for score in db.session.scalars(query)}


# Evidence ----------------------------------------------------------------------------------------


def _day_after(end: date) -> datetime:
    return datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC)


def _cycles_evidence(team: Team, start: date, end: date) -> tuple[list[dict[str, Any]], Any]:
    cycles = list(
        db.session.scalars(
            sa.select(Cycle)
            .where(Cycle.team_id == team.id, Cycle.starts_on <= end)
            .order_by(Cycle.starts_on, Cycle.id)
        )
    )
    active = [cycle for cycle in cycles if cycle.ends_on >= start]
    questions: dict[int, list[dict[str, str]]] = {cycle.id: [] for cycle in active}
    if active:
        for question in db.session.scalars(
            sa.select(CycleQuestion)
            .where(CycleQuestion.cycle_id.in_(list(questions)))
            .order_by(CycleQuestion.cycle_id, CycleQuestion.position, CycleQuestion.id)
        ):
            questions[question.cycle_id].append(
                {
                    "question": question.question,
                    "prediction": question.prediction,
                    "result": question.result,
                }
            )
    listed = [
        {
            "id": cycle.id,
            "number": cycle.number,
            "title": cycle.title,
            "starts_on": cycle.starts_on.isoformat(),
            "ends_on": cycle.ends_on.isoformat(),
            "stage": cycle.stage.value,
            "decision": cycle.decision.value if cycle.decision else None,
            "next_steps": cycle.next_steps,
            "questions": questions[cycle.id],
        }
        for cycle in active
    ]
    cutoff = _day_after(end)
    adopted = [
        cycle
        for cycle in cycles
        if cycle.decision == Decision.ADOPT
        and cycle.closed_at is not None
        and cycle.closed_at < cutoff
    ]
    counts = {
        "cycles_started": len(cycles),
        "cycles_tested": sum(1 for cycle in cycles if cycle.stage != Stage.PLAN),
        "changes_adopted": len(adopted),
    }
    return listed, counts


def _team_measures(collaborative: Collaborative, team: Team) -> list[Measure]:
    query = (
        sa.select(Measure)
        .where(
            Measure.collaborative_id == collaborative.id,
            sa.or_(Measure.team_id == team.id, Measure.team_id.is_(None)),
            Measure.is_archived.is_(False),
        )
        .order_by(Measure.name, Measure.id)
    )
    # Outcome measures first, as teams read them: what matters, then the steps, then the costs.
    order = {"outcome": 0, "process": 1, "balancing": 2}
    return sorted(db.session.scalars(query), key=lambda m: order[m.measure_type.value])


def _points_until(measures: list[Measure], team: Team, end: date) -> dict[int, pd.DataFrame]:
    """Each measure's points for the team up to the period's end, in one query."""
    empty = pd.DataFrame([], columns=SERIES_COLUMNS)
    if not measures:
        return {}
    query = (
        sa.select(
            DataPoint.measure_id,
            DataPoint.period_start,
            DataPoint.value,
            DataPoint.denominator,
            DataPoint.excluded,
            DataPoint.starts_new_phase,
        )
        .where(
            DataPoint.measure_id.in_([m.id for m in measures]),
            DataPoint.team_id == team.id,
            DataPoint.period_start <= end,
        )
        .order_by(DataPoint.measure_id, DataPoint.period_start)
    )
    frame = query_frame(query, ["measure_id", *SERIES_COLUMNS])
    groups = {
        int(key): group.drop(columns="measure_id").reset_index(drop=True)
        for key, group in frame.groupby("measure_id", sort=False)
    }
    return {m.id: groups.get(m.id, empty) for m in measures}


def measure_evidence(
    measure: Measure, collaborative: Collaborative, frame: pd.DataFrame, start: date, end: date
) -> tuple[dict[str, Any], scoring.MeasureEvidence]:
    """What the one analysis of the measure (data up to the period's end) says for the report:
    the latest value on the target's scale, the signals that touch the period, and the facts
    the suggested score reads."""
    analysis = analyse_measure(measure, collaborative, frame)
    latest_period: date | None = frame["period_start"].iloc[-1] if len(frame) else None
    latest = analysis.latest if analysis and analysis.definition.has_target_scale else None
    if analysis is None and len(frame):
        latest = _single_value(measure, frame)
    signals = [
        {"period": entry["period"], "text": entry["signal"], "type": entry["point_type"]}
        for entry in (signal_list(analysis) if analysis else [])
        if entry["event"].touches(start, end)
    ]
    target = analysis.target if analysis else measure.target_value
    for_score = scoring.MeasureEvidence(
        name=measure.name,
        measure_type=measure.measure_type.value,  # type: ignore[arg-type]
        improvement=bool(analysis and analysis.improvements),
        holding=analysis.holding() if analysis else 0,
        concern=bool(analysis and analysis.concerns),
        target_met=bool(target_reached(latest, target, measure.direction.value)),
    )
    shown = {
        "id": measure.id,
        "name": measure.name,
        "type": measure.measure_type.value,
        "shared": measure.team_id is None,
        "unit": measure.unit,
        "latest_value": latest,
        "fraction": definition_of(measure).fraction,
        "latest_period": latest_period.isoformat() if latest_period else None,
        "in_period": latest_period is not None and latest_period >= start,
        "signals": signals,
        "improvement": for_score.improvement,
        "holding": for_score.holding,
    }
    return shown, for_score


def _single_value(measure: Measure, frame: pd.DataFrame) -> float | None:
    """A lone point (too few to analyse) on the target's scale, as the analysis would plot it."""
    last = frame.iloc[-1]
    definition = definition_of(measure)
    if not definition.uses_denominator:
        return float(last["value"])
    denominator = pd.to_numeric(last["denominator"], errors="coerce")
    if pd.isna(denominator) or denominator <= 0:
        return None
    return float(last["value"]) / float(denominator) * definition.scale


def gather_evidence(
    collaborative: Collaborative, team: Team, start: date, today: date
) -> tuple[dict[str, Any], scoring.Suggestion]:
    """What the team's records show for the period: the cycles active in it with their
    predictions, results and decisions; each measure's latest value and the signals in the
    period; and the suggested score from them. Only records up to the period's end count."""
    end = period_end(start, cadence(collaborative))
    aims = db.session.scalar(
        sa.select(sa.func.count(Aim.id)).where(
            Aim.team_id == team.id, Aim.created_at < _day_after(end)
        )
    )
    cycles, counts = _cycles_evidence(team, start, end)
    measures = _team_measures(collaborative, team)
    frames = _points_until(measures, team, end)
    shown, for_score = [], []
    for measure in measures:
        one, scored = measure_evidence(measure, collaborative, frames[measure.id], start, end)
        shown.append(one)
        for_score.append(scored)
    suggestion = scoring.suggested_score(
        scoring.Evidence(aims=int(aims or 0), measures=tuple(for_score), **counts)
    )
    evidence = {
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "gathered_on": today.isoformat(),
        "aims": int(aims or 0),
        **counts,
        "cycles": cycles,
        "measures": shown,
    }
    return evidence, suggestion
