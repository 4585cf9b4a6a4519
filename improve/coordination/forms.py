"""The coordinator's choice of reporting period: a GET form (`?period=YYYY-MM-DD`), checked
against the collaborative's periods that have started."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from improve.analysis.periods import period_end, report_periods
from improve.models import Collaborative

# One way to name a period and read a cadence, shared with the report pages and the emails.
from improve.reports.queries import cadence, period_label  # noqa: F401 (used here and re-exported)

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class PeriodChoice:
    """The period the page shows, the periods to choose from (newest first), and what was wrong
    with the one asked for, if anything."""

    period: date
    label: str
    choices: list[tuple[date, str]]
    error: str | None = None
    asked: str = ""


def choose_period(collaborative: Collaborative, today: date, asked: str | None) -> PeriodChoice:
    """The period in `asked`, or by default the latest period that has ended (its report is due
    or overdue), or the first period while none has ended."""
    started = [
        start
        for start in report_periods(
            collaborative.starts_on, collaborative.ends_on, cadence(collaborative)
        )
        if start <= today
    ]
    choices = [(start, period_label(start, collaborative)) for start in reversed(started)]
    ended = [start for start in started if period_end(start, cadence(collaborative)) < today]
    first = report_periods(collaborative.starts_on, collaborative.starts_on, cadence(collaborative))
    default = (ended or started or first)[-1]
    if asked is None:
        return PeriodChoice(default, period_label(default, collaborative), choices)
    error = _problem(collaborative, asked.strip(), [start for start, _ in choices])
    if error:
        return PeriodChoice(default, period_label(default, collaborative), choices, error, asked)
    period = date.fromisoformat(asked.strip())
    return PeriodChoice(period, period_label(period, collaborative), choices)


def _problem(collaborative: Collaborative, text: str, started: list[date]) -> str | None:
    try:
        day = date.fromisoformat(text) if ISO_DATE.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        return "Choose a reporting period from the list (a date written like 2026-04-01)."
    if day in started:
        return None
    everything = report_periods(
        collaborative.starts_on, collaborative.ends_on, cadence(collaborative)
    )
    if day in everything:
        return (
            f"The period starting on {day:%-d %B %Y} has not started yet, so there is nothing "
            "to show. Choose a period from the list."
        )
    return (
        f"No reporting period of {collaborative.name} starts on {day:%-d %B %Y}. "
        "Choose a period from the list."
    )
