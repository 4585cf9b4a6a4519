"""The calendar's rules in plain Python (no Flask, no database): reading a clock time as people
type it, saying when a phase happens, and finding phases that overlap."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, time
from typing import Protocol, TypeVar

# 9:30, 09:30, 14.30, 1430, 10, 2pm, 2:30pm (after spaces are dropped and "p.m." is read as "pm").
_CLOCK = re.compile(r"(?P<hour>\d{1,2})(?:[:.]?(?P<minute>\d{2}))?(?P<half>am|pm)?", re.ASCII)
_WORDS = {"midday": time(12), "noon": time(12), "12noon": time(12), "midnight": time(0)}


def parse_time(text: str) -> time | None:
    """The clock time in `text`, or None if it is not one. Without "am" or "pm" the hour is on
    the 24-hour clock (0 to 23); with them it is 1 to 12, and 12am is midnight."""
    squeezed = re.sub(r"\s", "", text.lower())
    for spelt, half in (("a.m.", "am"), ("p.m.", "pm"), ("a.m", "am"), ("p.m", "pm")):
        squeezed = squeezed.replace(spelt, half)
    if squeezed in _WORDS:
        return _WORDS[squeezed]
    found = _CLOCK.fullmatch(squeezed)
    if found is None:
        return None
    hour, minute = int(found["hour"]), int(found["minute"] or 0)
    if found["half"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if found["half"] == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def clock(value: time) -> str:
    """A time as the UK writes it on the 24-hour clock: "09:30", "14:00"."""
    return f"{value:%H:%M}"


class Dated(Protocol):
    """What the calendar's rules read of a phase (a CollaborativePhase, or a test's stand-in)."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def starts_on(self) -> date: ...
    @property
    def ends_on(self) -> date | None: ...
    @property
    def start_time(self) -> time | None: ...
    @property
    def end_time(self) -> time | None: ...


def _day(value: date) -> str:
    return f"{value:%A %-d %B %Y}"


def phase_when(phase: Dated) -> str:
    """When a phase happens, in words: "Thursday 12 March 2026, 10:00 to 15:30", "Monday 2 March
    2026 to Thursday 30 April 2026". Over several days the start time is on the first day and
    the end time on the last."""
    first = _day(phase.starts_on)
    if phase.start_time:
        first += f", {clock(phase.start_time)}"
    if phase.ends_on is None or phase.ends_on == phase.starts_on:
        if phase.start_time and phase.end_time:
            return f"{first} to {clock(phase.end_time)}"
        if phase.start_time:
            return f"{_day(phase.starts_on)}, from {clock(phase.start_time)}"
        return first
    last = _day(phase.ends_on)
    if phase.end_time:
        last += f", {clock(phase.end_time)}"
    return f"{first} to {last}"


def last_day(phase: Dated) -> date:
    """A phase without an end date lasts its one day, like a meeting."""
    return phase.ends_on or phase.starts_on


# Teams are expected at a learning session, and at work testing changes in an action period: two
# of these at once means the timetable sends them to two places. Prework, the senior managers'
# meetings and sharing the learning are left out on purpose: a start meeting is normally held
# during prework, and an end meeting or the sharing runs alongside the last weeks of the work.
TEAM_TIMETABLE = frozenset({"learning_session", "action_period"})
OVERLAP_RULE = (
    "The calendar warns when a learning session or an action period shares a day with another "
    "learning session or action period, because teams would be expected in two places at once. "
    "Prework, the senior managers' meetings and sharing the learning may overlap anything."
)

Phase = TypeVar("Phase", bound=Dated)


def overlaps(phases: Sequence[Phase]) -> dict[int, list[Phase]]:
    """For each phase in the teams' timetable (TEAM_TIMETABLE) that shares at least one day with
    another such phase, the others it shares days with, in date order; phases that clash with
    nothing are left out. Dates only: a phase's times do not count."""
    timetable = sorted(
        (p for p in phases if str(p.kind) in TEAM_TIMETABLE), key=lambda p: (p.starts_on, p.id)
    )
    found: dict[int, list[Phase]] = {}
    for index, phase in enumerate(timetable):
        for other in timetable[index + 1 :]:
            if other.starts_on > last_day(phase):
                break  # sorted by start: no later phase can begin before this one ends
            found.setdefault(phase.id, []).append(other)
            found.setdefault(other.id, []).append(phase)
    for clashes in found.values():
        clashes.sort(key=lambda p: (p.starts_on, p.id))
    return found


def overlap_warning(phase: Dated, others: Sequence[Dated]) -> str:
    """What a coordinator is told after saving a phase that overlaps others (it is saved)."""
    named = " and ".join(f"‘{other.title}’ ({phase_when(other)})" for other in others)
    return (
        f"‘{phase.title}’ overlaps {named}, so teams may be expected in two places at once. "
        "If that is a mistake, change the dates. If you meant it, there is nothing more to do."
    )
