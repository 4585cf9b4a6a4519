"""Writes for measures and data points, each with its audit row; the view commits."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from improve.auditing import record_event, snapshot, update_audited
from improve.extensions import db
from improve.measures import queries
from improve.models import (
    Aim,
    AuditAction,
    DataPoint,
    Measure,
    MeasureRevision,
    Team,
    User,
)
from improve.models.base import LONG_TEXT
from improve.models.measure import aim_measure

DEFINITION_FIELDS = (
    "name",
    "measure_type",
    "operational_definition",
    "numerator_definition",
    "denominator_definition",
    "inclusions",
    "exclusions",
    "data_source",
    "collected_by",
    "frequency",
    "value_kind",
    "multiplier",
    "unit",
    "direction",
    "baseline_start",
    "baseline_end",
    "target_value",
    "target_date",
    "target_trajectory",
    "chart_type",
)
# How the chart is drawn, not what is counted: changing only these updates the measure in place,
# with no revision, no new phase and no "applies from" date (issue 15).
DISPLAY_FIELDS = ("chart_type", "target_trajectory")
POINT_FIELDS = (
    "value",
    "denominator",
    "note",
    "excluded",
    "exclusion_reason",
    "starts_new_phase",
    "phase_reason",
)


def create_measure(
    user: User, collaborative_id: int, team: Team | None, aim: Aim | None, details: dict[str, Any]
) -> Measure:
    """A measure of one aim (team and aim given) or shared by the collaborative (neither)."""
    measure = Measure(
        collaborative_id=collaborative_id,
        team_id=team.id if team else None,
        aim_id=aim.id if aim else None,
        **details,
    )
    db.session.add(measure)
    record_event(
        user.id,
        AuditAction.CREATE,
        measure,
        summary=f"Added the measure ‘{measure.name}’",
        after=snapshot(measure, DEFINITION_FIELDS),
        team_id=measure.team_id,
        collaborative_id=collaborative_id,
        measure_id=measure.id,
    )
    return measure


def redefines(measure: Measure, details: dict[str, Any]) -> bool:
    """Whether `details` change what is counted, not only how the chart is drawn."""
    return any(
        getattr(measure, name) != details[name]
        for name in DEFINITION_FIELDS
        if name not in DISPLAY_FIELDS and name in details
    )


def revise_measure(
    user: User,
    measure: Measure,
    details: dict[str, Any],
    effective_from: date | None,
    reason: str | None,
) -> bool:
    """Change the definition, keeping the old one as a revision; a new phase starts at the first
    point on or after `effective_from`. A change of the chart alone is made in place, audited,
    with no revision. False, and nothing written, if nothing changed."""
    if not redefines(measure, details):
        return update_audited(
            user.id,
            measure,
            DEFINITION_FIELDS,
            details,
            summary=f"Changed the chart of the measure ‘{measure.name}’",
            team_id=measure.team_id,
            collaborative_id=measure.collaborative_id,
            measure_id=measure.id,
        )
    if effective_from is None or not reason:
        raise ValueError("A new definition needs the date it applies from and a reason")
    previous = snapshot(measure, DEFINITION_FIELDS)
    changed = update_audited(
        user.id,
        measure,
        DEFINITION_FIELDS,
        details,
        summary=f"Changed the definition of the measure ‘{measure.name}’",
        team_id=measure.team_id,
        collaborative_id=measure.collaborative_id,
        measure_id=measure.id,
    )
    if not changed:
        return False
    revision = MeasureRevision(
        measure_id=measure.id,
        effective_from=effective_from,
        previous_definition=previous,
        reason=reason,
        revised_by_id=user.id,
    )
    db.session.add(revision)
    record_event(
        user.id,
        AuditAction.CREATE,
        revision,
        summary=f"Kept the old definition of ‘{measure.name}’",
        after={"effective_from": effective_from.isoformat(), "reason": reason},
        team_id=measure.team_id,
        collaborative_id=measure.collaborative_id,
        measure_id=measure.id,
    )
    _mark_phase_starts(user, measure, effective_from, f"The definition changed: {reason}")
    return True


def _mark_phase_starts(user: User, measure: Measure, effective_from: date, reason: str) -> None:
    # Each team's first point counted the new way starts a new phase of its chart.
    first = (
        sa.select(DataPoint.team_id, sa.func.min(DataPoint.period_start).label("period"))
        .where(DataPoint.measure_id == measure.id, DataPoint.period_start >= effective_from)
        .group_by(DataPoint.team_id)
        .subquery()
    )
    query = sa.select(DataPoint).join(
        first,
        sa.and_(DataPoint.team_id == first.c.team_id, DataPoint.period_start == first.c.period),
    )
    for point in db.session.scalars(query).all():
        if not point.starts_new_phase:
            _update_point(user, measure, point, {"starts_new_phase": True, "phase_reason": reason})


def link_measure(user: User, aim: Aim, measure: Measure) -> None:
    """The aim reports against a shared measure of its collaborative."""
    linked = sa.select(aim_measure.c.measure_id).where(aim_measure.c.aim_id == aim.id)
    before = sorted(db.session.scalars(linked))
    db.session.execute(sa.insert(aim_measure).values(aim_id=aim.id, measure_id=measure.id))
    record_event(
        user.id,
        AuditAction.UPDATE,
        aim,
        summary=f"Linked the shared measure ‘{measure.name}’",
        before={"linked_measure_ids": before},
        after={"linked_measure_ids": sorted([*before, measure.id])},
        team_id=aim.team_id,
        collaborative_id=measure.collaborative_id,
    )


def record_data_point(
    user: User, measure: Measure, team: Team, period: date, values: dict[str, Any]
) -> DataPoint:
    """Save one period's point: update the one already saved for that period, or add it."""
    existing = db.session.scalar(
        sa.select(DataPoint).where(
            DataPoint.measure_id == measure.id,
            DataPoint.team_id == team.id,
            DataPoint.period_start == period,
        )
    )
    if existing is not None:
        _update_point(user, measure, existing, values)
        return existing
    point = DataPoint(
        measure_id=measure.id, team_id=team.id, period_start=period, recorded_by_id=user.id
    )
    for name, value in values.items():
        setattr(point, name, value)
    if not point.starts_new_phase:
        reason = _definition_change_before(measure, team, period)
        if reason:
            point.starts_new_phase, point.phase_reason = True, reason
    db.session.add(point)
    record_event(
        user.id,
        AuditAction.CREATE,
        point,
        summary=f"Entered {measure.name} for {period:%-d %B %Y}",
        after={"period_start": period.isoformat()} | snapshot(point, POINT_FIELDS),
        team_id=team.id,
        collaborative_id=measure.collaborative_id,
        measure_id=measure.id,
        period_start=period,
    )
    return point


def record_events(
    user: User, measure: Measure, team: Team, day: date, count: int, note: str
) -> DataPoint:
    """Add `count` events on `day` to a measure of the dates of events: a day already saved
    gains them (and the note, after its own), so two people recording at once both count."""
    saved = db.session.scalar(
        sa.select(DataPoint).where(
            DataPoint.measure_id == measure.id,
            DataPoint.team_id == team.id,
            DataPoint.period_start == day,
        )
    )
    if saved is None:
        return record_data_point(user, measure, team, day, {"value": float(count), "note": note})
    notes = "; ".join(text for text in (saved.note, note) if text)[:LONG_TEXT]
    _update_point(user, measure, saved, {"value": saved.value + count, "note": notes})
    return saved


def _definition_change_before(measure: Measure, team: Team, period: date) -> str:
    """If this is the team's first point since a definition change, the change's reason."""
    for revision in sorted(measure.revisions, key=lambda r: r.effective_from, reverse=True):
        if revision.effective_from > period:
            continue
        earlier = sa.select(DataPoint.id).where(
            DataPoint.measure_id == measure.id,
            DataPoint.team_id == team.id,
            DataPoint.period_start >= revision.effective_from,
            DataPoint.period_start < period,
        )
        if db.session.scalar(earlier.limit(1)) is None:
            return f"The definition changed: {revision.reason}"
        return ""
    return ""


def _update_point(user: User, measure: Measure, point: DataPoint, values: dict[str, Any]) -> None:
    update_audited(
        user.id,
        point,
        POINT_FIELDS,
        values,
        summary=f"Changed {measure.name} for {point.period_start:%-d %B %Y}",
        team_id=point.team_id,
        collaborative_id=measure.collaborative_id,
        measure_id=measure.id,
        period_start=point.period_start,
    )


def delete_data_point(user: User, measure: Measure, point: DataPoint) -> None:
    """Delete a saved point, keeping what it said in the audit row. A new phase that started at
    it starts at the team's next point instead, so the chart keeps the change of working."""
    record_event(
        user.id,
        AuditAction.DELETE,
        point,
        summary=f"Deleted {measure.name} for {point.period_start:%-d %B %Y}",
        before={"period_start": point.period_start.isoformat()} | snapshot(point, POINT_FIELDS),
        team_id=point.team_id,
        collaborative_id=measure.collaborative_id,
        measure_id=measure.id,
        period_start=point.period_start,
    )
    if point.starts_new_phase:
        following = queries.next_point(point)
        if following is not None and not following.starts_new_phase:
            values = {"starts_new_phase": True, "phase_reason": point.phase_reason}
            _update_point(user, measure, following, values)
    db.session.delete(point)
