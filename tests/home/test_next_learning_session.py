"""Issue 18: the next learning session of each collaborative a person belongs to, on their home
page, with its date, times, name and a link to the calendar.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import CollaborativePhase, PhaseKind, Role
from tests.conftest import text_of

TODAY = date(2026, 3, 5)  # a Thursday
HEADING = "Your next learning session"


@pytest.fixture(autouse=True)
def on_a_thursday(monkeypatch):
    monkeypatch.setattr("improve.home.views.today", lambda: TODAY)


def add(collaborative, kind, title, starts_on, ends_on=None, **more) -> CollaborativePhase:
    phase = CollaborativePhase(
        collaborative_id=collaborative.id,
        kind=kind,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        **more,
    )
    db.session.add(phase)
    db.session.commit()
    return phase


@pytest.fixture
def sessions(world):
    x, y = world.x, world.y
    ls = PhaseKind.LEARNING_SESSION
    return {
        "x_past": add(x, ls, "Learning session 1", TODAY - timedelta(days=30)),
        "x_action": add(x, PhaseKind.ACTION_PERIOD, "Action period 1", TODAY, TODAY + timedelta(9)),
        "x_next": add(
            x,
            ls,
            "Learning session 2",
            date(2026, 3, 12),
            start_time=time(10),
            end_time=time(15, 30),
        ),
        "x_later": add(x, ls, "Learning session 3", date(2026, 6, 11)),
        # Y's second session started yesterday and ends today: it is still the next one.
        "y_now": add(y, ls, "Y session 2", TODAY - timedelta(days=1), TODAY),
    }


@pytest.mark.parametrize("who", ["member_a", "expert_a", "lead_a", "member_b", "coordinator_x"])
def test_everyone_in_the_collaborative_sees_its_next_learning_session(
    world, sessions, client_for, who
):
    response = client_for(getattr(world, who)).get("/")
    text = text_of(response)
    assert (
        f"{HEADING} Learning session 2 Thursday 12 March 2026, 10:00 to 15:30 · Collaborative X"
        in text
    )
    assert "Learning session 1" not in text and "Learning session 3" not in text
    assert "Y session 2" not in text
    link = f'href="/collaboratives/{world.x.id}/calendar#phase-{sessions["x_next"].id}"'
    assert link in response.get_data(as_text=True)


def test_a_session_under_way_today_is_still_the_next(world, sessions, client_for):
    text = text_of(client_for(world.member_c).get("/"))
    assert "Y session 2 Wednesday 4 March 2026 to Thursday 5 March 2026 · Collaborative Y" in text
    assert "Collaborative X" not in text


def test_one_for_each_collaborative_soonest_first(world, sessions, client_for, grant):
    grant(world.member_c, Role.PANEL_MEMBER, world.x)
    text = text_of(client_for(world.member_c).get("/"))
    assert "Your next learning sessions" in text
    assert text.index("Y session 2") < text.index("Learning session 2")


def test_nothing_when_no_session_is_planned(world, client_for):
    add(world.x, PhaseKind.LEARNING_SESSION, "Learning session 1", TODAY - timedelta(days=1))
    add(world.x, PhaseKind.ACTION_PERIOD, "Action period 1", TODAY, TODAY + timedelta(days=60))
    text = text_of(client_for(world.member_a).get("/"))
    assert HEADING not in text and "Action period 1" not in text
    assert "Your teams" in text


def test_people_outside_the_collaborative_see_nothing_of_it(world, sessions, client_for):
    for who in ("nobody", "coordinator_y"):
        text = text_of(client_for(getattr(world, who)).get("/"))
        assert "Learning session 2" not in text


def test_one_query_for_every_collaborative(
    app, world, make_collaborative, make_team, grant, client_for
):
    """The home page asks the same number of questions for one collaborative as for four."""
    browser = client_for(world.member_a)
    add(world.x, PhaseKind.LEARNING_SESSION, "Learning session 2", TODAY + timedelta(days=7))

    def count() -> int:
        statements: list[str] = []

        def note(conn, cursor, statement, *args):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", note)
        try:
            assert "Learning session 2" in text_of(browser.get("/"))
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", note)
        return sum("collaborative_phase" in statement for statement in statements), len(statements)

    few = count()
    for number in range(3):
        collaborative = make_collaborative()
        grant(world.member_a, Role.TEAM_MEMBER, make_team(collaborative))
        add(collaborative, PhaseKind.LEARNING_SESSION, f"Session {number}", TODAY + timedelta(3))
    many = count()
    assert few[0] == many[0] == 1
    assert few[1] == many[1]
