"""Which PDSA cycles came before a signal, and which signals came after a cycle began (pure:
plain dates and tuples in, lists out; no Flask, no database)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

# A cycle as (id, number, title, starts_on, ends_on).
CycleInfo = tuple[int, int, str, date, date]

#: A signal follows a test of change when it starts in the period the cycle began or in the
#: next FOLLOW_PERIODS periods (weeks or months): later than that, other things have changed
#: too. One rule for both directions: the measure page's "tests of change before this signal"
#: and the cycle's Study stage, the idea library's "did a signal follow?".
FOLLOW_PERIODS = 6


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


def follows(
    starts_on: date, signal_start: date, frequency: str, window: int = FOLLOW_PERIODS
) -> bool:
    """Whether a signal whose first period is `signal_start` follows a cycle that began on
    `starts_on`: it starts in the cycle's first period (its value covers the days the cycle
    ran) or in the `window` periods after."""
    first = period_of(starts_on, frequency)
    return first <= signal_start <= step(first, frequency, window)


def cycles_before(
    signal_starts: Sequence[date], cycles: Iterable[CycleInfo], frequency: str
) -> list[list[CycleInfo]]:
    """For each signal (by its first period), the cycles it follows, oldest first."""
    ordered = sorted(cycles, key=lambda c: (c[3], c[1], c[0]))
    return [[c for c in ordered if follows(c[3], start, frequency)] for start in signal_starts]


def signals_since(signals: Iterable[Any], starts_on: date, frequency: str) -> list[Any]:
    """The signals (each with a `start` date, as SignalEvent) that follow a cycle begun on
    `starts_on`."""
    return [signal for signal in signals if follows(starts_on, signal.start, frequency)]
