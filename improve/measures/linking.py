"""Which PDSA cycles came before a signal, and which signals came after a cycle began (pure:
plain dates and tuples in, lists out; no Flask, no database)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

# A cycle as (id, number, title, starts_on, ends_on).
CycleInfo = tuple[int, int, str, date, date]

# How far back a test of change may still explain a signal: the six periods (weeks or months)
# before the signal's own period.
LOOKBACK_PERIODS = 6


def period_of(day: date, frequency: str) -> date:
    """The first day of the period holding `day`: Monday for weekly, the 1st for monthly."""
    if frequency == "weekly":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def step(period: date, frequency: str, count: int) -> date:
    """The period `count` periods after (or before, if negative) this one."""
    if frequency == "weekly":
        return period + timedelta(weeks=count)
    months = period.year * 12 + period.month - 1 + count
    return date(months // 12, months % 12 + 1, 1)


def cycles_before(
    signal_periods: Sequence[date],
    cycles: Iterable[CycleInfo],
    frequency: str,
    lookback: int = LOOKBACK_PERIODS,
) -> list[list[CycleInfo]]:
    """For each signal period (the first day of its week or month), the cycles that ran in the
    periods before it, oldest first. The rule: a cycle counts when it started before the signal's
    period ended, and it was still running at some point in the `lookback` periods before the
    signal (it ended on or after the first day of that window). So a cycle that started within
    those periods counts, and so does an older one still running then; a cycle that ended long
    before, or started after the signal, does not."""
    ordered = sorted(cycles, key=lambda c: (c[3], c[1], c[0]))
    result = []
    for day in signal_periods:
        start = period_of(day, frequency)
        window_start = step(start, frequency, -lookback)
        period_end = step(start, frequency, 1)
        result.append([c for c in ordered if c[3] < period_end and c[4] >= window_start])
    return result


def signals_since(
    rows: Iterable[dict[str, Any]], starts_on: date, frequency: str
) -> list[dict[str, Any]]:
    """The signal rows (each with its `period_start`) from the period holding `starts_on` on:
    the period the cycle began in counts, because its value covers the days the cycle ran."""
    first = period_of(starts_on, frequency)
    return [row for row in rows if row.get("signal") and row["period_start"] >= first]
