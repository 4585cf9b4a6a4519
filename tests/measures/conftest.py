"""Factories for measures and data points; registers the blueprint until the app factory does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask

from improve.extensions import db
from improve.measures import bp
from improve.models import Aim, DataPoint, Measure, Team


@pytest.fixture(autouse=True)
def _measures_blueprint(app: Flask) -> None:
    # Flask refuses new blueprints after the first request, so this runs before any.
    if "measures" not in app.blueprints:
        app.register_blueprint(bp)


@pytest.fixture
def make_aim(app: Flask) -> Callable[..., Aim]:
    def make(team: Team, **overrides: Any) -> Aim:
        fields = {
            "title": "Fewer falls at night",
            "what": "Reduce falls in our home",
            "for_whom": "People who live at Riverside",
            "location": "Riverside Care Home",
            "target_value": 4.0,
            "target_date": date(2027, 3, 31),
        }
        fields.update(overrides)
        aim = Aim(team=team, **fields)
        db.session.add(aim)
        db.session.commit()
        return aim

    return make


@pytest.fixture
def make_measure(app: Flask) -> Callable[..., Measure]:
    """make_measure(aim) for an aim's measure; make_measure(collaborative=c) for a shared one."""

    def make(aim: Aim | None = None, collaborative=None, **overrides: Any) -> Measure:
        fields = {
            "name": "Falls a month",
            "measure_type": "outcome",
            "value_kind": "count",
            "direction": "decrease",
            "frequency": "monthly",
            "baseline_start": date(2026, 1, 1),
        }
        fields.update(overrides)
        if aim is not None:
            fields |= {"collaborative_id": aim.team.collaborative_id, "team_id": aim.team_id}
            fields["aim_id"] = aim.id
        else:
            fields |= {"collaborative_id": collaborative.id, "team_id": None}
        measure = Measure(**fields)
        db.session.add(measure)
        db.session.commit()
        return measure

    return make


@pytest.fixture
def add_point(app: Flask) -> Callable[..., DataPoint]:
    def add(measure: Measure, team: Team, period: date, value: float, **overrides) -> DataPoint:
        point = DataPoint(
            measure_id=measure.id, team_id=team.id, period_start=period, value=value, **overrides
        )
        db.session.add(point)
        db.session.commit()
        return point

    return add
