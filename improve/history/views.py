"""The history of one record: who changed it, when, and what changed."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from improve.history import bp, queries, wording
from improve.htmx import render
from improve.models import AuditEvent
from improve.permissions import collaborative_or_404, team_or_404, team_record_or_404


@bp.get("/history/<entity_type>/<id:entity_id>")
def record(entity_type: str, entity_id: int):
    """Who changed this record, when, and what changed, newest first."""
    if entity_type not in queries.MODELS:
        abort(404)
    events = queries.list_for_record(entity_type, entity_id)
    if not events:
        return _no_history_yet(entity_type, entity_id)
    _check_may_see(events)
    return render(
        "history/record.html",
        events=events,
        entity_type=entity_type,
        entity_label=wording.entity_label(entity_type),
        record_name=next(filter(None, map(wording.record_name, events)), None),
        names=queries.people_named_in(events),
        back_url=queries.back_url(entity_type, entity_id, events),
    )


def _check_may_see(events: list[AuditEvent]) -> None:
    """A team's record needs its team, a collaborative's its collaborative; other records
    (accounts, for instance) are for admins. Anything else is "not found"."""
    if current_user.is_admin:
        return  # also for records of a team or collaborative that no longer exists
    team_ids = {event.team_id for event in events if event.team_id is not None}
    collaborative_ids = {e.collaborative_id for e in events if e.collaborative_id is not None}
    if not (team_ids or collaborative_ids):
        abort(404)
    for team_id in team_ids:
        team_or_404(team_id)
    if not team_ids:
        for collaborative_id in collaborative_ids:
            collaborative_or_404(collaborative_id)


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
        back_url=queries.back_url(entity_type, entity_id, []),
    )
