"""Panel reviews: the list with what has happened since each, and recording a dated review.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import (
    AuditAction,
    AuditEvent,
    DataPoint,
    Decision,
    Measure,
    PanelReview,
    Stage,
    Team,
)
from tests.conftest import BOOSTED, HISTORY_RESTORE, HTMX, PEOPLE, text_of
from tests.cycles.factories import make_aim, make_cycle, make_idea
from tests.teams.test_team_page import counting_queries

TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)

GET_STATUSES = {
    "admin": 200,
    "coordinator_x": 200,
    "coordinator_y": 404,
    "panel_x": 200,
    "lead_a": 403,
    "member_a": 403,
    "expert_a": 403,
    "member_b": 403,
    "member_c": 404,
    "nobody": 404,
}
POST_STATUSES = {who: 303 if status == 200 else status for who, status in GET_STATUSES.items()}


def url(collaborative) -> str:
    return f"/collaboratives/{collaborative.id}/panel/reviews"


def parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def review_form(day: date = YESTERDAY, **fields) -> dict:
    values = {
        "reviewed_on": parts(day),
        "decisions": "Spread the night-time checklist to every home",
        "actions": "Sam to share the checklist by June",
        "organisational_changes": "Fund a second night worker",
    }
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


def reviews() -> list[PanelReview]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(PanelReview).order_by(PanelReview.id)))


def add_review(world, day: date, decisions: str = "Keep going", who=None) -> PanelReview:
    review = PanelReview(
        collaborative_id=world.x.id,
        reviewed_on=day,
        decisions=decisions,
        recorded_by_id=(who or world.panel_x).id,
    )
    db.session.add(review)
    db.session.commit()
    return review


# Who may read and record -------------------------------------------------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_read_the_reviews(world, client_for, who):
    add_review(world, YESTERDAY, "Spread the huddle")
    response = client_for(getattr(world, who)).get(url(world.x))
    assert response.status_code == GET_STATUSES[who]
    if response.status_code == 200:
        assert "Spread the huddle" in text_of(response)


@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_record_a_review(world, client_for, who):
    response = client_for(getattr(world, who)).post(url(world.x), data=review_form())
    assert response.status_code == POST_STATUSES[who]
    saved = reviews()
    if response.status_code == 303:
        assert response.headers["Location"].endswith(url(world.x))
        [review] = saved
        assert review.collaborative_id == world.x.id
        assert review.recorded_by_id == getattr(world, who).id
    else:
        assert saved == []


def test_only_the_panel_and_the_coordinator_see_the_form(world, client_for):
    assert "Record a panel review" in text_of(client_for(world.panel_x).get(url(world.x)))
    assert "Record a panel review" in text_of(client_for(world.coordinator_x).get(url(world.x)))


# Recording ---------------------------------------------------------------------------------------


def test_a_review_is_saved_with_its_date_texts_and_an_audit_row(world, client_for):
    client = client_for(world.panel_x)
    response = client.post(url(world.x), data=review_form(date(2026, 3, 10)))
    assert response.status_code == 303
    [review] = reviews()
    assert review.reviewed_on == date(2026, 3, 10)
    assert review.decisions == "Spread the night-time checklist to every home"
    assert review.actions == "Sam to share the checklist by June"
    assert review.organisational_changes == "Fund a second night worker"
    [event] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "PanelReview")
    ).all()
    assert event.action == AuditAction.CREATE
    assert (event.entity_id, event.actor_id) == (review.id, world.panel_x.id)
    assert event.collaborative_id == world.x.id
    assert event.after["reviewed_on"] == "2026-03-10"
    page = text_of(client.get(url(world.x)))
    assert "Review of 10 March 2026 saved." in page
    assert "Recorded by Panel X" in page


def test_todays_date_is_accepted(world, client_for):
    response = client_for(world.panel_x).post(url(world.x), data=review_form(TODAY))
    assert response.status_code == 303
    assert [r.reviewed_on for r in reviews()] == [TODAY]


def test_one_text_is_enough(world, client_for):
    form = review_form(decisions="", actions="", organisational_changes="Train night staff")
    assert client_for(world.panel_x).post(url(world.x), data=form).status_code == 303
    assert reviews()[0].organisational_changes == "Train night staff"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reviewed_on": None}, "Enter the date of the panel meeting"),
        ({"reviewed_on": ["", "", ""]}, "Enter the date of the panel meeting"),
        ({"reviewed_on": ["31", "2", "2026"]}, "must be a real date"),
        ({"reviewed_on": ["1", "1", "26"]}, "must have a 4-digit year"),
        ({"reviewed_on": ["x", "y", "z"]}, "must be a real date"),
        ({"reviewed_on": parts(TODAY + timedelta(days=1))}, "cannot be in the future"),
        (
            {"decisions": " ", "actions": "", "organisational_changes": None},
            "Write down at least one decision, action or change",
        ),
        ({"decisions": "x" * 5001}, "must be 5000 characters or fewer"),
        ({"actions": "bad\x00text"}, "contains characters that cannot be saved"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(world, client_for, fields, message):
    response = client_for(world.coordinator_x).post(url(world.x), data=review_form(**fields))
    assert response.status_code == 422
    text = text_of(response)
    assert "There is a problem" in text
    assert message in text
    assert reviews() == []
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_type == "PanelReview")
        )
        == 0
    )


def test_a_review_of_another_collaborative_cannot_be_recorded(world, client_for):
    response = client_for(world.panel_x).post(url(world.y), data=review_form())
    assert response.status_code == 404
    assert reviews() == []


# The list ----------------------------------------------------------------------------------------


def test_reviews_are_listed_newest_first(world, client_for):
    add_review(world, date(2026, 2, 1), "February decisions")
    add_review(world, date(2026, 6, 1), "June decisions")
    add_review(world, date(2026, 4, 1), "April decisions")
    text = text_of(client_for(world.panel_x).get(url(world.x)))
    assert text.index("June decisions") < text.index("April decisions")
    assert text.index("April decisions") < text.index("February decisions")
    assert "Review of 1 June 2026 (the latest)" in text


def test_another_collaboratives_reviews_are_not_listed(world, client_for):
    db.session.add(PanelReview(collaborative_id=world.y.id, reviewed_on=YESTERDAY, decisions="Y"))
    db.session.commit()
    text = text_of(client_for(world.panel_x).get(url(world.x)))
    assert "The panel has not recorded a review yet." in text


def shared_measure(world) -> Measure:
    measure = Measure(
        collaborative_id=world.x.id,
        team_id=None,
        name="Falls a month",
        measure_type="outcome",
        value_kind="continuous",
        direction="decrease",
        frequency="monthly",
        chart_type="i",
    )
    db.session.add(measure)
    db.session.commit()
    return measure


def month(index: int) -> date:
    return date(2025 + index // 12, index % 12 + 1, 1)


def add_signals(measure: Measure, team: Team) -> None:
    """Six months at 5 then seven at 1 on a chart where lower is better: every point is beyond
    a limit, the six 5s for the worse (Jan-Jun 2025), the seven 1s for the better (Jul 2025 to
    Jan 2026)."""
    for index, value in enumerate([5] * 6 + [1] * 7):
        db.session.add(
            DataPoint(
                measure_id=measure.id, team_id=team.id, period_start=month(index), value=value
            )
        )
    db.session.commit()


def decide(world, team: Team, decision: Decision, day: date, title: str = "Huddle") -> None:
    idea = make_idea(make_aim(team, title=f"Aim {title}"), f"Idea {title}")
    make_cycle(
        idea,
        title=title,
        stage=Stage.CLOSED,
        decision=decision,
        starts_on=day - timedelta(days=10),
        ends_on=day - timedelta(days=3),
        closed_at=datetime(day.year, day.month, day.day, 15, tzinfo=UTC),
    )


def since_text(response, review: PanelReview) -> str:
    html = response.get_data(as_text=True)
    start = html.index(f'data-since="{review.id}">') + len(f'data-since="{review.id}">')
    return " ".join(html[start : html.index("</dd>", start)].split())


def test_each_review_says_what_has_happened_since(world, client_for):
    add_signals(shared_measure(world), world.team_a)
    decide(world, world.team_a, Decision.ADOPT, date(2025, 8, 20), "First")
    decide(world, world.team_b, Decision.ABANDON, date(2025, 3, 5), "Second")
    decide(world, world.team_b, Decision.ADOPT, date(2025, 7, 1), "Third")
    # Another collaborative's cycle never counts.
    decide(world, world.team_c, Decision.ADOPT, date(2025, 9, 1), "Elsewhere")
    early = add_review(world, date(2025, 1, 1))
    middle = add_review(world, date(2025, 7, 1))
    late = add_review(world, date(2026, 2, 1))
    response = client_for(world.panel_x).get(url(world.x))
    assert since_text(response, early) == (
        # One signal is one episode (a run of points), not one per point.
        "2 signals on the shared measures (1 real improvement, 1 change for the worse). "
        "3 tests of change decided (2 adopted, 1 abandoned)."
    )
    assert since_text(response, middle) == (
        "1 signal on the shared measures (1 real improvement). "
        "2 tests of change decided (2 adopted)."
    )
    assert since_text(response, late) == (
        "No signals on the shared measures. No tests of change decided."
    )


def test_a_teams_own_measure_is_not_counted_as_a_shared_signal(world, client_for):
    measure = shared_measure(world)
    measure.team_id = world.team_a.id
    db.session.commit()
    add_signals(measure, world.team_a)
    review = add_review(world, date(2025, 1, 1))
    response = client_for(world.panel_x).get(url(world.x))
    assert since_text(response, review).startswith("No signals on the shared measures.")


def test_the_page_makes_the_same_number_of_queries_for_2_or_6_teams(world, client_for, make_team):
    measure = shared_measure(world)
    client = client_for(world.coordinator_x)
    page = url(world.x)  # outside the counts: the test's own objects expire as it adds teams
    for team in (world.team_a, world.team_b):
        add_signals(measure, team)
        decide(world, team, Decision.ADAPT, date(2025, 8, 1), team.name)
    add_review(world, date(2025, 1, 1))
    add_review(world, date(2025, 7, 1))
    client.get(page)  # warm up: the first request loads more than the page needs
    with counting_queries() as two_teams:
        assert client.get(page).status_code == 200
    for number in range(4):
        team = make_team(world.x, name=f"Extra {number}")
        add_signals(measure, team)
        decide(world, team, Decision.ADOPT, date(2025, 9, 1), team.name)
    add_review(world, date(2025, 10, 1))
    with counting_queries() as six_teams:
        response = client.get(page)
    assert "6 tests of change decided" in text_of(response)
    assert len(six_teams) == len(two_teams)


# htmx --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [({}, False), (HTMX, True), (BOOSTED, False), (HISTORY_RESTORE, False)],
)
def test_htmx_asks_for_the_reviews_section_alone(world, client_for, headers, fragment):
    response = client_for(world.panel_x).get(url(world.x), headers=headers)
    html = response.get_data(as_text=True).strip()
    assert response.status_code == 200
    assert html.startswith('<section id="panel-reviews"') is fragment
    assert ("<html" in html) is not fragment


def test_recording_with_htmx_returns_the_section_with_the_new_review(world, client_for):
    client = client_for(world.panel_x)
    response = client.post(url(world.x), data=review_form(), headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True).strip()
    assert html.startswith('<section id="panel-reviews"') and "<html" not in html
    assert "Spread the night-time checklist to every home" in text_of(response)
    assert "saved." in text_of(response)
    assert len(reviews()) == 1


def test_a_mistake_with_htmx_returns_the_section_with_the_message(world, client_for):
    response = client_for(world.panel_x).post(
        url(world.x), data=review_form(reviewed_on=["31", "2", "2026"]), headers=HTMX
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True).strip()
    assert html.startswith('<section id="panel-reviews"')
    assert "must be a real date" in text_of(response)
    assert reviews() == []
