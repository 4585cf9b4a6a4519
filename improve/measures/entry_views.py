"""A team's "enter this period's data" page: every measure the team reports, each with the one
period that is due, so a care worker can enter the week's or month's numbers on a phone in a
minute, one box after another. Each box saves through the measure's own save (one rule for what
may be saved, one unusual-value question, one version check)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import request
from flask_login import current_user

from improve.analysis.events import days_since_last_event
from improve.extensions import db
from improve.htmx import render
from improve.measures import bp
from improve.measures.queries import period_of, step
from improve.models import DataPoint, Measure, Team, ValueKind
from improve.models.measure import period_words
from improve.permissions import Permission, team_or_404
from improve.routing import parse_id

# The form field that brings the person back here after a save (see measures.views.save_point).
RETURN_FIELD = "return_to"
RETURN_VALUE = "team-entry"


@dataclass(frozen=True)
class DueEntry:
    """One measure on the page: the period to enter (None when it is up to date) and the
    latest value saved, for context."""

    measure: Measure
    due: date | None
    latest: DataPoint | None

    @property
    def due_words(self) -> str:
        return period_words(self.due, self.measure.frequency) if self.due else ""

    @property
    def latest_words(self) -> str:
        point = self.latest
        events = self.measure.value_kind == ValueKind.EVENTS
        return period_words(point.period_start, self.measure.frequency, events) if point else ""

    @property
    def days_since(self) -> int | None:
        """For the dates of events: whole days since the latest one."""
        days = [self.latest.period_start] if self.latest else []
        return days_since_last_event(days, date.today())


def due_period(current: date, previous: date, saved: set[date]) -> date | None:
    """The period a team should enter now: the one just ended while it is empty (last week's
    or last month's numbers are what people usually have), else the current one, else none."""
    for period in (previous, current):
        if period not in saved:
            return period
    return None


def due_entries(team: Team, today: date) -> list[DueEntry]:
    """Every measure the team reports, with its due period, in two queries however many."""
    from improve.teams.queries import list_measures  # here: the teams package imports measures

    measures = list_measures(team)
    if not measures:
        return []
    earliest = min(step(period_of(today, m.frequency), m.frequency, -1) for m in measures)
    query = (
        sa.select(DataPoint)
        .where(
            DataPoint.team_id == team.id,
            DataPoint.measure_id.in_([m.id for m in measures]),
        )
        .order_by(DataPoint.measure_id, DataPoint.period_start.desc())
    )
    saved: dict[int, set[date]] = {}
    latest: dict[int, DataPoint] = {}
    for point in db.session.scalars(query):
        latest.setdefault(point.measure_id, point)
        if point.period_start >= earliest:
            saved.setdefault(point.measure_id, set()).add(point.period_start)
    entries = []
    for measure in measures:
        current = period_of(today, measure.frequency)
        previous = step(current, measure.frequency, -1)
        due = due_period(current, previous, saved.get(measure.id, set()))
        if measure.value_kind == ValueKind.EVENTS:
            due = None  # recorded when they happen, never due
        entries.append(DueEntry(measure, due, latest.get(measure.id)))
    return entries


@bp.get("/teams/<id:team_id>/enter")
def team_entry(team_id: int):
    """The due period of each of the team's measures, one box each; after a save the next
    measure still due has the focus (`?saved=<measure id>`)."""
    team = team_or_404(team_id, Permission.EDIT_TEAM_RECORDS)
    entries = due_entries(team, date.today())
    focus_id = _next_due(entries, parse_id(request.args.get("saved")))
    return render(
        "measures/team_entry.html",
        team=team,
        entries=entries,
        focus_id=focus_id,
        flash_no_focus=focus_id is not None,  # the "Saved" banner must not take the focus
        return_field=RETURN_FIELD,
        return_value=RETURN_VALUE,
        viewer=current_user,
        today=date.today(),
    )


def _next_due(entries: list[DueEntry], saved_id: int | None) -> int | None:
    """The measure whose box takes the focus: the first still due after the one just saved."""
    if saved_id is None:
        return None
    ids = [entry.measure.id for entry in entries]
    after = ids.index(saved_id) + 1 if saved_id in ids else 0
    return next((entry.measure.id for entry in entries[after:] if entry.due), None)
