"""The collaborative's calendar as an iCalendar file (RFC 5545), for Outlook, Google Calendar and
phones to subscribe to: one event per phase, all-day unless the phase has times."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from icalendar.enums import TRANSP

from improve.models import Collaborative, CollaborativePhase, PhaseKind
from improve.reports.schedule import last_day

PRODID = "-//improve//Collaborative calendar//EN"
# Phase times are UK clock times: a session at 10:00 stays at 10:00 whether or not it is summer.
LONDON = ZoneInfo("Europe/London")
# Long stretches of work, not appointments: shown on the calendar without making anyone busy.
FREE_TIME = frozenset({PhaseKind.PREWORK, PhaseKind.ACTION_PERIOD, PhaseKind.DISSEMINATION})


def uid(phase: CollaborativePhase) -> str:
    """Stable for the phase's life, so a calendar app updates the event instead of adding one."""
    return f"phase-{phase.id}@improve"


def summary(phase: CollaborativePhase) -> str:
    """The kind and the name ("Action period: Testing huddles"), or just the name when it already
    says the kind ("Learning session 2")."""
    label = phase.kind.label
    if phase.title.lower().startswith(label.lower()):
        return phase.title
    return f"{label}: {phase.title}"


def _start_and_end(phase: CollaborativePhase) -> tuple[date, date | None]:
    """All day: DTEND is the day after the last (RFC 5545 3.6.1: DTEND is not part of the event).
    Timed: from the start time on the first day to the end time on the last; without an end time,
    a phase of several days runs to the end of its last day, and a one-day meeting has only its
    start (calendar apps show it at that time)."""
    after = last_day(phase) + timedelta(days=1)
    if phase.start_time is None:
        return phase.starts_on, after
    start = datetime.combine(phase.starts_on, phase.start_time, LONDON)
    if phase.end_time is not None:
        return start, datetime.combine(last_day(phase), phase.end_time, LONDON)
    if phase.ends_on not in (None, phase.starts_on):
        return start, datetime.combine(after, time(), LONDON)
    return start, None


def _event(phase: CollaborativePhase, page_url: str) -> Event:
    start, end = _start_and_end(phase)
    return Event.new(
        uid=uid(phase),
        summary=summary(phase),
        start=start,
        end=end,
        description=phase.notes or None,
        # No METHOD: DTSTAMP is then when the event's details last changed (RFC 5545 3.8.7.2),
        # which also keeps the file the same until something changes.
        stamp=phase.updated_at,
        last_modified=phase.updated_at,
        created=phase.created_at,
        sequence=phase.version,
        transparency=TRANSP.TRANSPARENT if phase.kind in FREE_TIME else TRANSP.OPAQUE,
        url=page_url,
    )


def calendar_file(
    collaborative: Collaborative, phases: Sequence[CollaborativePhase], page_url: str
) -> bytes:
    """The whole calendar, with the Europe/London VTIMEZONE when any phase has times."""
    calendar = Calendar.new(
        name=collaborative.name,
        prodid=PRODID,
        uid=f"collaborative-{collaborative.id}@improve",
    )
    for phase in phases:
        calendar.add_component(_event(phase, page_url))
    timed = [phase for phase in phases if phase.start_time is not None]
    if timed:
        # The zone's rules for the years the timed phases fall in (and a year either side).
        first = min(phase.starts_on for phase in timed).year - 1
        last = max(last_day(phase) for phase in timed).year + 2
        calendar.add_missing_timezones(first_date=date(first, 1, 1), last_date=date(last, 1, 1))
    return bytes(calendar.to_ical())
