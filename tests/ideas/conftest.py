"""Factories for the change-idea library: aims, drivers, ideas, cycles, measures with data.

The `library` fixture, on the conftest `world` (collaborative X: teams A and B; Y: team C):
- Team A, aim "Fewer falls at night": primary driver "Staff know who is at risk", secondary
  "Rooms are safe at night" (feeding it); idea "Night lights" under the secondary, tested in two
  cycles (adopt, adapt) from March 2026; the aim's own measure drops in 2026 (improvement).
- Team B, aim "Team B private aim": " night LIGHTS " (the same idea), one abandoned cycle with a
  private title, no measures; "Falls huddle" under primary "Daily huddles", never tested.
- Team C (collaborative Y): "Secret idea of Y".
"""

from __future__ import annotations

import html
import re
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import (
    Aim,
    ChangeIdea,
    Cycle,
    DataPoint,
    Decision,
    Driver,
    DriverKind,
    Measure,
    Ramp,
    Stage,
    Team,
)
from improve.models.cycle import cycle_measure
from improve.models.measure import aim_measure
from tests.conftest import text_of

# Twelve months at about 9, then twelve at about 4: every point of 2026 is below the lower
# limit (an improvement when fewer is better), every point of 2025 above the upper one.
VALUES = [9, 10, 9, 8, 9, 10, 9, 8, 9, 10, 9, 9, 4, 5, 4, 3, 4, 5, 4, 4, 3, 4, 5, 4]
# The same drop four months later: the level falls from May 2026.
LATE_DROP = [9, 10, 9, 8] + VALUES[:20]
MONTHS = [date(2025 + m // 12, m % 12 + 1, 1) for m in range(24)]


def make_aim(team: Team, title: str = "Fewer falls at night", **overrides: Any) -> Aim:
    fields = {
        "what": "Reduce falls",
        "for_whom": "People who live here",
        "location": "Our home",
        "target_value": 4.0,
        "target_date": date(2027, 3, 31),
    }
    fields.update(overrides)
    aim = Aim(team_id=team.id, title=title, **fields)
    db.session.add(aim)
    db.session.commit()
    return aim


def make_driver(aim: Aim, title: str, kind: str = "primary", feeds: tuple = ()) -> Driver:
    driver = Driver(aim_id=aim.id, kind=DriverKind(kind), title=title)
    driver.primaries = list(feeds)
    db.session.add(driver)
    db.session.commit()
    return driver


def make_idea(aim: Aim, title: str, driver: Driver | None = None, **overrides: Any) -> ChangeIdea:
    idea = ChangeIdea(
        aim_id=aim.id, title=title, driver_id=driver.id if driver else None, **overrides
    )
    db.session.add(idea)
    db.session.commit()
    return idea


def make_cycle(
    idea: ChangeIdea, starts_on: date, decision: str | None = None, **overrides
) -> Cycle:
    ramp = Ramp(change_idea_id=idea.id, title=idea.title)
    db.session.add(ramp)
    db.session.flush()
    fields: dict[str, Any] = {
        "title": f"Testing {idea.title}",
        "number": 1,
        "starts_on": starts_on,
        "ends_on": starts_on,
        "stage": Stage.CLOSED if decision else Stage.DO,
        "decision": Decision(decision) if decision else None,
    }
    fields.update(overrides)
    aim = db.session.get(Aim, idea.aim_id)
    cycle = Cycle(team_id=aim.team_id, ramp_id=ramp.id, **fields)
    db.session.add(cycle)
    db.session.commit()
    return cycle


def make_measure(
    collaborative_id: int,
    aim: Aim | None = None,
    name: str = "Falls a month",
    direction: str = "decrease",
) -> Measure:
    """An aim's own measure, or (with no aim) a measure shared by the collaborative."""
    measure = Measure(
        collaborative_id=collaborative_id,
        team_id=aim.team_id if aim else None,
        aim_id=aim.id if aim else None,
        name=name,
        measure_type="outcome",
        value_kind="continuous",
        direction=direction,
        frequency="monthly",
        chart_type="i",
    )
    db.session.add(measure)
    db.session.commit()
    return measure


def add_points(measure: Measure, team: Team, values=VALUES) -> None:
    for period, value in zip(MONTHS, values, strict=False):
        db.session.add(
            DataPoint(measure_id=measure.id, team_id=team.id, period_start=period, value=value)
        )
    db.session.commit()


def link_aim(aim: Aim, measure: Measure) -> None:
    db.session.execute(aim_measure.insert().values(aim_id=aim.id, measure_id=measure.id))
    db.session.commit()


def link_cycle(cycle: Cycle, measure: Measure) -> None:
    db.session.execute(cycle_measure.insert().values(cycle_id=cycle.id, measure_id=measure.id))
    db.session.commit()


@pytest.fixture
def library(world) -> SimpleNamespace:
    w = SimpleNamespace()
    w.aim_a = make_aim(world.team_a)
    w.primary_a = make_driver(w.aim_a, "Staff know who is at risk")
    w.secondary_a = make_driver(w.aim_a, "Rooms are safe at night", "secondary", (w.primary_a,))
    w.lights_a = make_idea(
        w.aim_a, "Night lights", w.secondary_a, description="Plug-in lights in every bedroom"
    )
    w.cycle_a1 = make_cycle(w.lights_a, date(2026, 3, 2), "adapt", title="Lights in two rooms")
    w.cycle_a2 = make_cycle(w.lights_a, date(2026, 4, 6), "adopt", title="Lights everywhere")
    w.measure_a = make_measure(world.x.id, w.aim_a)
    add_points(w.measure_a, world.team_a, LATE_DROP)
    # Both cycles' data plans name the measure; the drop starts after they began.
    link_cycle(w.cycle_a1, w.measure_a)
    link_cycle(w.cycle_a2, w.measure_a)

    w.aim_b = make_aim(world.team_b, "Team B private aim")
    w.huddles_b = make_driver(w.aim_b, "Daily huddles")
    w.lights_b = make_idea(w.aim_b, " night LIGHTS ", description="Cheap and quick to fit")
    w.cycle_b = make_cycle(w.lights_b, date(2026, 5, 4), "abandon", title="Team B private cycle")
    w.huddle_b = make_idea(w.aim_b, "Falls huddle", w.huddles_b)

    w.aim_c = make_aim(world.team_c, "Aim of Y")
    w.secret_c = make_idea(w.aim_c, "Secret idea of Y")
    return w


def visible(response) -> str:
    return html.unescape(text_of(response))


def body(response) -> str:
    return response.get_data(as_text=True).strip()


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def card_html(response, idea_id: int) -> str:
    """The HTML of the library's card for the idea group named by this idea id."""
    page = body(response)
    start = page.index(f'<div class="govuk-summary-card" id="idea-{idea_id}">')
    end = page.find('<div class="govuk-summary-card"', start + 1)
    return page[start : end if end != -1 else None]


def card(response, idea_id: int) -> str:
    """The card's text as a person reads it."""
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", card_html(response, idea_id)).split()))
