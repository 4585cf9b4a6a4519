"""Reporting periods of a collaborative and when each team report is due (pure).

A collaborative reports monthly by default (SCIE Guide 34: teams send a short monthly report to the
coordinator), or fortnightly or quarterly. A period's report is due on `due_day` of the month after
the period ends; for fortnightly periods, `due_day` days after it ends (at most a week, so it is due
before the next period's report).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

Cadence = Literal["monthly", "fortnightly", "quarterly"]
ReportState = Literal["submitted", "draft", "late", "due", "not_started", "before_joining"]

FORTNIGHT = timedelta(days=14)
# Teams work to the UK calendar: a report sent at 00:30 on 11 June (BST) was sent on 11 June,
# though the stored UTC time says 10 June.
UK = ZoneInfo("Europe/London")


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_start(day: date, cadence: Cadence, anchor: date) -> date:
    """The start of the period that contains `day`. Fortnights count from `anchor` (the
    collaborative's start); months and quarters follow the calendar."""
    if cadence == "monthly":
        return _month_start(day)
    if cadence == "quarterly":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return anchor + FORTNIGHT * ((day - anchor).days // 14)


def period_end(start: date, cadence: Cadence) -> date:
    """The last day of the period that starts on `start`."""
    if cadence == "fortnightly":
        return start + FORTNIGHT - timedelta(days=1)
    months = 1 if cadence == "monthly" else 3
    return _add_months(start, months) - timedelta(days=1)


def report_periods(starts_on: date, ends_on: date, cadence: Cadence) -> list[date]:
    """The start of every period from the one containing `starts_on` to the one containing
    `ends_on`, oldest first."""
    periods: list[date] = []
    current = period_start(starts_on, cadence, starts_on)
    while current <= ends_on:
        periods.append(current)
        current = period_end(current, cadence) + timedelta(days=1)
    return periods


def due_date(start: date, cadence: Cadence, due_day: int) -> date:
    """When the report for the period starting on `start` is due."""
    end = period_end(start, cadence)
    if cadence == "fortnightly":
        return end + timedelta(days=min(due_day, 7))
    return _add_months(start, 1 if cadence == "monthly" else 3).replace(day=due_day)


def report_state(
    start: date,
    cadence: Cadence,
    due_day: int,
    today: date,
    submitted: bool,
    has_draft: bool,
    joined: date | None = None,
) -> ReportState:
    """Where a team's report for one period stands today: submitted; a draft or nothing yet
    before it is due (draft, due); nothing submitted after the due date (late); a period that
    has not started (not_started); or, for a team that joined (`joined`, see
    improve.analysis.activity.joined_on) after the period ended, not asked of it
    (before_joining)."""
    if submitted:
        return "submitted"
    if joined is not None and period_end(start, cadence) < joined:
        return "before_joining"
    if today < start:
        return "not_started"
    if today > due_date(start, cadence, due_day):
        return "late"
    return "draft" if has_draft else "due"


def uk_time(moment: datetime) -> datetime:
    """A moment stored in UTC (a naive moment is taken as UTC) on the UK's clock."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UK)


def uk_date(moment: datetime) -> date:
    """The day in the UK at a moment stored in UTC (a naive moment is taken as UTC)."""
    return uk_time(moment).date()


@dataclass(frozen=True)
class SubmissionTiming:
    """How a submitted report stood against its due date: `days_late` is 0 for on time, and
    None when the moment of submission is not known."""

    days_late: int | None

    @property
    def late(self) -> bool:
        return bool(self.days_late)

    @property
    def words(self) -> str:
        if self.days_late is None:
            return "Submitted"
        if self.days_late == 0:
            return "Submitted on time"
        return f"Submitted {self.days_late} day{'s' * (self.days_late != 1)} late"


def submission_timing(
    start: date, cadence: Cadence, due_day: int, submitted_at: datetime | None
) -> SubmissionTiming:
    """Whole days from the due date to the UK day the report was first submitted: on time (0)
    up to and including the due date; unknown (None) without a time of submission. The first
    submission counts, so a later correction does not make a report late."""
    if submitted_at is None:
        return SubmissionTiming(None)
    late_by = (uk_date(submitted_at) - due_date(start, cadence, due_day)).days
    return SubmissionTiming(max(late_by, 0))


def last_due_period(
    starts_on: date, ends_on: date, cadence: Cadence, due_day: int, today: date
) -> date | None:
    """The latest period whose report was due before today (None while none is): the report a
    coordinator can already chase, even while the period just ended is not due yet."""
    due = [
        start
        for start in report_periods(starts_on, ends_on, cadence)
        if due_date(start, cadence, due_day) < today
    ]
    return due[-1] if due else None
