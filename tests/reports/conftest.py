"""Fixtures for the calendar and team reports: the world's collaboratives moved so that several
monthly periods have started by today, whatever today is."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from improve.extensions import db
from improve.models import DataPoint, Measure, Team

TODAY = date.today()
CURRENT = TODAY.replace(day=1)


def months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


PREVIOUS = months_before(CURRENT, 1)
FIRST = months_before(CURRENT, 8)  # the collaborative's first period
NEXT = months_before(CURRENT, -1)


@pytest.fixture
def dated(world):
    """World with collaboratives X and Y running from 8 months ago to over a year from now, and
    their teams in them from the start (a team added later is not asked for earlier reports)."""
    for collaborative in (world.x, world.y):
        collaborative.starts_on = FIRST
        collaborative.ends_on = TODAY + timedelta(days=400)
    for team in (world.team_a, world.team_b, world.team_c):
        team.created_at = datetime.combine(FIRST, time(9), tzinfo=UTC)
    db.session.commit()
    return world


def make_measure(team: Team | None, collaborative_id: int, **overrides) -> Measure:
    fields = {
        "name": "Falls a month",
        "measure_type": "outcome",
        "value_kind": "count",
        "direction": "decrease",
        "frequency": "monthly",
        "chart_type": "c",
    }
    fields.update(overrides)
    measure = Measure(
        collaborative_id=collaborative_id, team_id=team.id if team else None, **fields
    )
    db.session.add(measure)
    db.session.commit()
    return measure


def add_points(measure: Measure, team: Team, values: list[float], last: date) -> None:
    """Monthly points ending in the month `last`."""
    for offset, value in enumerate(reversed(values)):
        db.session.add(
            DataPoint(
                measure_id=measure.id,
                team_id=team.id,
                period_start=months_before(last, offset),
                value=value,
            )
        )
    db.session.commit()
