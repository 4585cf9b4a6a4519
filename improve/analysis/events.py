"""Rare events recorded by their dates (value kind "events"): the gaps between them, for g and t
charts (Provost & Murray, The Health Care Data Guide, 2011; qicharts2 `qic.g`, `qic.t`).

A team records the day of each event (each fall in a care home); a day with events is one point
whose value is how many happened that day. The charts plot, for each event, the whole days since
the one before. Pure: numpy and the standard library (STYLE.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # series imports this module; a runtime import back would be circular
    from improve.analysis.series import Points


def events_per_day(values: np.ndarray) -> np.ndarray:
    """How many events each day's value stands for: NaN, 0 or less is none; a count that is not
    whole is rounded, and any positive count is at least one event."""
    counts = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0)
    return np.where(counts > 0, np.maximum(np.rint(counts), 1), 0).astype(np.int64)


def gaps_between_events(points: Points) -> Points:
    """One point per event, in date order, from one point per day with events.

    Each event keeps its day as its date (so days with several events repeat), and its value is
    the whole days since the event before: NaN for the very first event (kept in the table, not
    plotted), 0 for a second or later event on the same day. Each event keeps its day's
    `excluded` flag; a new phase starts at the day's first event only. Days whose value is
    missing, 0 or negative hold no event and are left out. There is no denominator.
    """
    rows = event_rows(points)
    dates = tuple(points.dates[i] for i in rows)
    gaps = np.full(rows.size, np.nan)
    if rows.size > 1:
        ordinals = np.array([day.toordinal() for day in dates], dtype=np.float64)
        gaps[1:] = np.diff(ordinals)
    first_of_day = np.ones(rows.size, dtype=np.bool_)
    first_of_day[1:] = rows[1:] != rows[:-1]
    return replace(
        points,
        dates=dates,
        value=gaps,
        denominator=np.full(rows.size, np.nan),
        excluded=np.asarray(points.excluded, dtype=np.bool_)[rows],
        new_phase=np.asarray(points.new_phase, dtype=np.bool_)[rows] & first_of_day,
    )


def event_rows(points: Points) -> np.ndarray:
    """For each event of `gaps_between_events`, the index of the day (the input point) it
    happened on: what was written about that day (a note, why it is left out) goes with each of
    its events."""
    # Date order, whatever order the days came in; sorting is stable, so ties keep theirs.
    order = sorted(range(len(points.dates)), key=lambda i: points.dates[i])
    days = np.asarray(order, dtype=np.int64)
    return np.repeat(days, events_per_day(points.value)[days])


def days_since_last_event(days: Sequence[date], today: date) -> int | None:
    """Whole days from the latest event on or before `today` to `today` (0 if it was today);
    None without one. Days after `today` are left out: they have not happened yet."""
    past = [day for day in days if day <= today]
    return (today - max(past)).days if past else None
