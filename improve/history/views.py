"""The history of one record, of a measure, and of one period's data point: who changed it, when,
and what changed. Each row is shown only to those who may see its own team or collaborative."""

from __future__ import annotations

from datetime import date

from flask import abort, request
from flask_login import current_user

from improve.history import bp, queries, wording
from improve.htmx import render
from improve.models import Measure, Team, ValueKind
from improve.models.measure import period_words
from improve.permissions import team_or_404, team_record_or_404
from improve.routing import parse_id


@bp.get("/history/<entity_type>/<id:entity_id>")
def record(entity_type: str, entity_id: int):
    """Who changed this record, when, and what changed, newest first."""
    if entity_type not in queries.MODELS:
        abort(404)
    # Only the rows the viewer may read: none at all reads as "no history", whoever's they are.
    events = queries.list_for_record(entity_type, entity_id, current_user)
    if not events:
        return _no_history_yet(entity_type, entity_id)
    return render(
        "history/record.html",
        events=events,
        entity_type=entity_type,
        entity_label=wording.entity_label(entity_type),
        record_name=next(filter(None, map(wording.record_name, events)), None),
        names=queries.people_named_in(events),
        records=queries.records_named_in(events),
        back_url=queries.back_url(entity_type, entity_id, events),
    )


# Team records can exist without a history: made with the demo data, or before history was kept.
# Their pages show a "History" link, so the page says so instead of "not found".
TEAM_RECORDS = ("Aim", "Driver", "ChangeIdea", "Cycle")


def _no_history_yet(entity_type: str, entity_id: int):
    if entity_type not in TEAM_RECORDS:
        abort(404)
    record = team_record_or_404(queries.MODELS[entity_type], entity_id)
    return render(
        "history/record.html",
        events=[],
        entity_type=entity_type,
        entity_label=wording.entity_label(entity_type),
        record_name=getattr(record, "title", None),
        names={},
        records={},
        back_url=queries.back_url(entity_type, entity_id, []),
    )


@bp.get("/measures/<id:measure_id>/history")
def measure(measure_id: int):
    """A measure's changes: its definition, its chart, and every data point the viewer may see."""
    measure = measure_or_404(measure_id)
    older_than = None
    if "older_than" in request.args:
        older_than = parse_id(request.args["older_than"]) or abort(404)
    size = queries.MEASURE_PAGE_SIZE
    events = queries.list_for_measure(
        measure.id, current_user, older_than=older_than, limit=size + 1
    )
    # One more than a page is read, so the page knows whether there are older changes.
    older = events[size - 1].id if len(events) > size else None
    return _measure_page(
        measure, events[:size], team=None, period=None, older=older, paged=older_than is not None
    )


@bp.get("/measures/<id:measure_id>/history/<period>")
def data_point(measure_id: int, period: str):
    """One period's data point of one team: every value, note and flag it has had."""
    measure = measure_or_404(measure_id)
    team = _data_team(measure)
    day = _period_or_404(measure, period)
    events = queries.list_for_measure(measure.id, current_user, team.id, day)
    return _measure_page(measure, events, team=team, period=day)


def measure_or_404(measure_id: int) -> Measure:
    """The measure, scoped as its own page is (imported here: measures imports history)."""
    from improve.measures.views import measure_or_404

    return measure_or_404(measure_id)


def _data_team(measure: Measure) -> Team:
    """The measure's own team, or for a shared measure the team in `?team=` (which must be
    seen, else 404)."""
    if measure.team_id is not None:
        return team_or_404(measure.team_id)
    team_id = parse_id(request.args.get("team"))
    team = team_or_404(team_id) if team_id else abort(404)
    if team.collaborative_id != measure.collaborative_id:
        abort(404)
    return team


def _period_or_404(measure: Measure, text: str) -> date:
    """The first day of one of the measure's periods (a Monday, or the 1st; any day for the
    dates of events), else 404."""
    from improve.measures.queries import period_of

    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        abort(404)
    if measure.value_kind != ValueKind.EVENTS and period_of(day, measure.frequency) != day:
        abort(404)
    return day


def _measure_page(
    measure: Measure,
    events: list,
    team: Team | None,
    period: date | None,
    older: int | None = None,
    paged: bool = False,
):
    return render(
        "history/measure.html",
        older=older,
        paged=paged,
        page_size=queries.MEASURE_PAGE_SIZE,
        measure=measure,
        events=events,
        team=team,
        period=period,
        period_words=(
            period_words(period, measure.frequency, events=measure.value_kind == ValueKind.EVENTS)
            if period
            else None
        ),
        names=queries.people_named_in(events),
        records=queries.records_named_in(events),
        team_names=queries.team_names({e.team_id for e in events}) if measure.is_shared else {},
    )
