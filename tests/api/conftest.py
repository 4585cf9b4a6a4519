"""Fixtures for the JSON API: tokens made as the pages make them, requests with a bearer token,
and a collaborative with data (the conftest `world`: collaborative X with teams A and B, Y with
team C, one person per role)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from improve.api import operations
from improve.extensions import db
from improve.models import (
    Assessor,
    ChangeIdea,
    Cycle,
    DataPoint,
    Decision,
    Measure,
    MonthlyReport,
    ProgressScore,
    Ramp,
    ReportStatus,
    Stage,
    Team,
    User,
)
from tests.cycles.factories import make_aim

FIRST = date(2025, 1, 1)


def month(index: int) -> date:
    return date(FIRST.year + index // 12, index % 12 + 1, 1)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def make_token(app: Flask) -> Callable[..., str]:
    """make_token(user, name=..., expires_on=...) -> the secret, made by the operation the page
    uses (the page itself is tested in test_tokens.py)."""

    def make(user: User, name: str = "Board pack", expires_on: date | None = None) -> str:
        when = expires_on or date.today() + timedelta(days=30)
        _, secret = operations.create_token(user, name, when)
        db.session.commit()
        return secret

    return make


@pytest.fixture
def api(app: Flask, make_token: Callable[..., str]) -> Callable[..., Any]:
    """api(user, path, **query) -> the response to a GET with a fresh token of that user, from a
    client with no session."""
    secrets: dict[int, str] = {}

    def get(user: User, path: str, **query: Any) -> Any:
        if user.id not in secrets:
            secrets[user.id] = make_token(user)
        client: FlaskClient = app.test_client()
        return client.get(f"/api/v1{path}", query_string=query, headers=bearer(secrets[user.id]))

    return get


def make_measure(collaborative_id: int, team: Team | None = None, **overrides: Any) -> Measure:
    fields: dict[str, Any] = {
        "name": "Falls a month",
        "measure_type": "outcome",
        "value_kind": "count",
        "direction": "decrease",
        "frequency": "monthly",
        "chart_type": "c",
        "target_value": 4.0,
    }
    fields.update(overrides)
    measure = Measure(
        collaborative_id=collaborative_id, team_id=team.id if team else None, **fields
    )
    db.session.add(measure)
    db.session.commit()
    return measure


def add_points(
    measure: Measure, team: Team, values: list[float], denominators: list[float] | None = None
) -> None:
    for index, value in enumerate(values):
        denominator = denominators[index] if denominators else None
        db.session.add(
            DataPoint(
                measure_id=measure.id,
                team_id=team.id,
                period_start=month(index),
                value=value,
                denominator=denominator,
                note=f"note {team.name} {index}",
            )
        )
    db.session.commit()


def add_cycle(team: Team, title: str, decision: Decision | None = None) -> Cycle:
    aim = make_aim(team, title=f"Aim of {title}")
    idea = ChangeIdea(aim_id=aim.id, title=f"Idea of {title}")
    db.session.add(idea)
    db.session.flush()
    ramp = Ramp(change_idea_id=idea.id, title=title)
    db.session.add(ramp)
    db.session.flush()
    cycle = Cycle(
        team_id=team.id,
        ramp_id=ramp.id,
        number=1,
        title=title,
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 20),
        stage=Stage.CLOSED if decision else Stage.PLAN,
        decision=decision,
    )
    db.session.add(cycle)
    db.session.commit()
    return cycle


def add_scores(team: Team, period: date, own: float, coordinator: float, suggested: float):
    report = MonthlyReport(
        team_id=team.id,
        period_start=period,
        status=ReportStatus.SUBMITTED,
        self_score=own,
        suggested_score=suggested,
    )
    db.session.add(report)
    db.session.flush()
    for assessor, score in ((Assessor.SELF, own), (Assessor.COORDINATOR, coordinator)):
        db.session.add(
            ProgressScore(
                team_id=team.id,
                period_start=period,
                assessor=assessor,
                score=score,
                report_id=report.id,
            )
        )
    db.session.commit()


@pytest.fixture
def data(world: SimpleNamespace) -> SimpleNamespace:
    """Collaborative X: a shared count measure (falls) with 14 months from teams A and B, a
    shared proportion (people who feel in control) where team B's numbers are small in two
    months, team A's own measure; a measure of collaborative Y; cycles and scores in each team.
    """
    x, y = world.x, world.y
    falls = make_measure(x.id, name="Falls a month")
    add_points(falls, world.team_a, [10, 11, 9, 10, 12, 9, 10, 11, 10, 9, 4, 5, 3, 4])
    add_points(falls, world.team_b, [12, 10, 11, 9, 10, 12, 10, 11, 9, 10, 11, 12, 10, 9])
    control = make_measure(
        x.id,
        name="People who feel in control",
        value_kind="proportion",
        direction="increase",
        chart_type="p",
        unit="%",
        target_value=80.0,
    )
    add_points(control, world.team_a, [12, 13, 14, 15, 16, 15], [20, 20, 20, 20, 20, 20])
    # Team B's second month is 3 of 20 (a small numerator); its fourth 18 of 20 (2 did not).
    add_points(control, world.team_b, [10, 3, 12, 18, 11, 12], [20, 20, 20, 20, 20, 20])
    own_a = make_measure(
        x.id, world.team_a, name="Huddles held", chart_type="run", direction="increase"
    )
    add_points(own_a, world.team_a, [2, 3, 4, 3, 5])
    elsewhere = make_measure(y.id, name="Elsewhere")
    add_points(elsewhere, world.team_c, [1, 2, 3])
    cycles = {
        key: add_cycle(getattr(world, f"team_{key}"), f"Huddle test {key}", Decision.ADOPT)
        for key in ("a", "b", "c")
    }
    for key in ("a", "b", "c"):
        add_scores(getattr(world, f"team_{key}"), date(2026, 1, 1), 2.5, 2.0, 3.0)
    return SimpleNamespace(
        world=world, falls=falls, control=control, own_a=own_a, elsewhere=elsewhere, cycles=cycles
    )
