"""Reads for measures: their periods, their data points, and the teams that report on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa

from improve.extensions import db
from improve.frames import query_frame
from improve.models import Aim, DataPoint, Frequency, Measure, MeasureRevision, Team
from improve.models.measure import aim_measure

# Rows shown before any data or baseline exists, and the most the table ever shows.
EMPTY_HISTORY = 6
MOST_PERIODS = 260


def period_of(day: date, frequency: Frequency) -> date:
    """The first day of the period holding `day`: Monday for weekly, the 1st for monthly."""
    if frequency == Frequency.WEEKLY:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def step(period: date, frequency: Frequency, count: int = 1) -> date:
    """The period `count` periods after (or before, if negative) this one."""
    if frequency == Frequency.WEEKLY:
        return period + timedelta(weeks=count)
    months = period.year * 12 + period.month - 1 + count
    return date(months // 12, months % 12 + 1, 1)


def periods(measure: Measure, first_point: date | None, today: date) -> list[date]:
    """The measure's periods, oldest first: from the baseline start or first point (whichever is
    earlier) to today's, so a week or month can be entered as it ends. Never a period that has not
    begun: the importer refuses those too (issue 16: the grid took next month's value)."""
    last = period_of(today, measure.frequency)
    starts = [d for d in (measure.baseline_start, first_point) if d is not None]
    if starts:
        first = period_of(min(starts), measure.frequency)
    else:
        first = step(last, measure.frequency, -EMPTY_HISTORY)
    first = max(first, step(last, measure.frequency, -MOST_PERIODS + 1))
    result = []
    while first <= last:
        result.append(first)
        first = step(first, measure.frequency)
    return result


def points_by_period(measure: Measure, team: Team) -> dict[date, DataPoint]:
    """One team's data points of this measure, keyed by the first day of their period."""
    query = sa.select(DataPoint).where(
        DataPoint.measure_id == measure.id, DataPoint.team_id == team.id
    )
    return {point.period_start: point for point in db.session.scalars(query)}


def get_point(measure: Measure, team: Team, period: date) -> DataPoint | None:
    query = sa.select(DataPoint).where(
        DataPoint.measure_id == measure.id,
        DataPoint.team_id == team.id,
        DataPoint.period_start == period,
    )
    return db.session.scalar(query)


def next_point(point: DataPoint) -> DataPoint | None:
    """The same team's next point of the same measure, if any."""
    query = (
        sa.select(DataPoint)
        .where(
            DataPoint.measure_id == point.measure_id,
            DataPoint.team_id == point.team_id,
            DataPoint.period_start > point.period_start,
        )
        .order_by(DataPoint.period_start)
        .limit(1)
    )
    return db.session.scalar(query)


def definition_changes(measure: Measure) -> list[MeasureRevision]:
    query = (
        sa.select(MeasureRevision)
        .where(MeasureRevision.measure_id == measure.id)
        .order_by(MeasureRevision.effective_from)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Row:
    period: date
    point: DataPoint | None
    phase_note: str  # why a new phase starts here, or ""


def rows(
    measure: Measure, team: Team, today: date, changes: list[MeasureRevision] | None = None
) -> list[Row]:
    """The data table: one row per period, with the point if any and where phases start
    (`changes`: the measure's definition_changes, when the caller has them already)."""
    points = points_by_period(measure, team)
    all_periods = periods(measure, min(points, default=None), today)
    breaks: dict[date, str] = {}
    for change in definition_changes(measure) if changes is None else changes:
        first = next((p for p in all_periods if p >= change.effective_from), None)
        if first is not None:
            breaks.setdefault(first, f"The definition changed: {change.reason}")
    result = []
    for period in all_periods:
        point = points.get(period)
        note = point.phase_reason if point is not None and point.starts_new_phase else ""
        result.append(Row(period, point, note or breaks.get(period, "")))
    return result


# The data table opens at this period, newest first: the row a care worker enters this week or
# month, then the few before it; earlier ones a page at a time (issue 17: the page of a 96-week
# measure was 445 KB and this week's box 12,800 px down it on a phone).
RECENT_PERIODS = 6
EARLIER_PAGE = 24


@dataclass
class RowsPage:
    rows: list[Row]  # newest first
    earlier: date | None  # `before=` for the next page back, if any
    before: date | None  # this page's own `before=`: None for the latest periods

    @property
    def paged(self) -> bool:
        """An earlier page (it links back to the latest periods)."""
        return self.before is not None


def page_of_rows(all_rows: list[Row], before: date | None) -> RowsPage:
    """The rows shown: the latest RECENT_PERIODS, or with `before`, the EARLIER_PAGE periods
    before that one, newest first."""
    newest_first = all_rows[::-1]
    size = RECENT_PERIODS
    if before is not None:
        newest_first = [row for row in newest_first if row.period < before]
        size = EARLIER_PAGE
    shown = newest_first[:size]
    earlier = shown[-1].period if len(newest_first) > size else None
    return RowsPage(shown, earlier, before)


def page_holding(all_rows: list[Row], period: date, frequency: Frequency) -> date | None:
    """The `before=` of a page that shows `period` first, or None when the latest page holds it."""
    latest = [row.period for row in all_rows[-RECENT_PERIODS:]]
    return None if period in latest else step(period, frequency)


def point_notes(measure: Measure, team: Team) -> dict[date, str]:
    """What the team wrote about its points, by period, in one sentence each: why a point is
    left out, why a new phase starts, and its note. Only points with something written."""
    query = (
        sa.select(
            DataPoint.period_start,
            DataPoint.note,
            DataPoint.excluded,
            DataPoint.exclusion_reason,
            DataPoint.starts_new_phase,
            DataPoint.phase_reason,
        )
        .where(DataPoint.measure_id == measure.id, DataPoint.team_id == team.id)
        .where(
            sa.or_(
                DataPoint.note != "",
                DataPoint.excluded.is_(True),
                DataPoint.starts_new_phase.is_(True),
            )
        )
        .order_by(DataPoint.period_start)
    )
    notes = {}
    for period, note, excluded, why_out, new_phase, why_phase in db.session.execute(query):
        parts = []
        if excluded:
            parts.append(f"Left out: {why_out}" if why_out else "Left out")
        if new_phase:
            parts.append(f"New phase: {why_phase}" if why_phase else "New phase")
        if note:
            parts.append(f"Note: {note}")
        if parts:
            notes[period] = ". ".join(parts)
    return notes


def reporting_teams(measure: Measure) -> list[Team]:
    """Teams that enter data for this measure: its own team, or every team of its collaborative."""
    if measure.team_id is not None:
        return [db.session.get_one(Team, measure.team_id)]
    query = (
        sa.select(Team).where(Team.collaborative_id == measure.collaborative_id).order_by(Team.name)
    )
    return list(db.session.scalars(query))


def shared_measures(collaborative_id: int) -> list[Measure]:
    query = (
        sa.select(Measure)
        .where(
            Measure.collaborative_id == collaborative_id,
            Measure.team_id.is_(None),
            Measure.is_archived.is_(False),
        )
        .order_by(Measure.name)
    )
    return list(db.session.scalars(query))


def linkable_measures(aim: Aim) -> list[Measure]:
    """Shared measures of the aim's collaborative that the aim does not report against yet."""
    linked = set(
        db.session.scalars(
            sa.select(aim_measure.c.measure_id).where(aim_measure.c.aim_id == aim.id)
        )
    )
    return [m for m in shared_measures(aim.team.collaborative_id) if m.id not in linked]


SERIES_COLUMNS = ["period_start", "value", "denominator", "excluded", "starts_new_phase"]


def series_frame(measure: Measure, team: Team) -> pd.DataFrame:
    """One team's points in period order, for the chart (explicit columns: empty keeps shape)."""
    query = (
        sa.select(
            DataPoint.period_start,
            DataPoint.value,
            DataPoint.denominator,
            DataPoint.excluded,
            DataPoint.starts_new_phase,
        )
        .where(DataPoint.measure_id == measure.id, DataPoint.team_id == team.id)
        .order_by(DataPoint.period_start)
    )
    return query_frame(query, SERIES_COLUMNS)


def series_frames(measures: list[Measure], team: Team) -> dict[int, pd.DataFrame]:
    """series_frame for several measures of one team, in one query (the cycle page's Study
    stage charts every measure the cycle collects)."""
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
        .where(DataPoint.measure_id.in_([m.id for m in measures]), DataPoint.team_id == team.id)
        .order_by(DataPoint.measure_id, DataPoint.period_start)
    )
    everything = pd.DataFrame(
        db.session.execute(query).all(), columns=["measure_id", *SERIES_COLUMNS]
    )
    groups = {
        int(key): group.drop(columns="measure_id").reset_index(drop=True)
        for key, group in everything.groupby("measure_id", sort=False)
    }
    empty = pd.DataFrame([], columns=SERIES_COLUMNS)
    return {m.id: groups.get(m.id, empty) for m in measures}


#: Days with events on one page of a measure of the dates of events.
EVENT_PAGE = 12


@dataclass(frozen=True)
class EventDay:
    """A day with events: its saved point and the whole days since the day with events before
    it (None for the first)."""

    point: DataPoint
    days_after: int | None


@dataclass(frozen=True)
class EventDaysPage:
    days: list[EventDay]  # newest first
    before: date | None  # the `?before=` of the next, earlier page; None on the last
    latest: date | None  # the latest day with events, on any page


def event_days(measure: Measure, team: Team, before: date | None) -> EventDaysPage:
    """The team's days with events, newest first, EVENT_PAGE at a time from `before` (exclusive;
    None: the latest). Rare events are few: every day is read to know each one's gap."""
    points = [point for _, point in sorted(points_by_period(measure, team).items())]
    days = [
        EventDay(point, (point.period_start - earlier.period_start).days if earlier else None)
        for earlier, point in zip([None, *points], points, strict=False)
    ]
    days.reverse()
    shown = [day for day in days if before is None or day.point.period_start < before]
    page = shown[:EVENT_PAGE]
    more = len(shown) > EVENT_PAGE
    return EventDaysPage(
        days=page,
        before=page[-1].point.period_start if more else None,
        latest=days[0].point.period_start if days else None,
    )
