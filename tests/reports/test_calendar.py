"""The collaborative calendar: phases on a timeline with today's place, report due dates, and the
coordinator adding, changing and removing phases.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import AuditAction, AuditEvent, CollaborativePhase, PhaseKind
from tests.conftest import BOOSTED, HTMX, PEOPLE
from tests.cycles.factories import body, visible
from tests.reports.conftest import CURRENT, NEXT, TODAY

VIEW = {
    "admin": 200,
    "coordinator_x": 200,
    "coordinator_y": 404,
    "panel_x": 200,
    "lead_a": 200,
    "member_a": 200,
    "expert_a": 200,
    "member_b": 200,
    "member_c": 404,
    "nobody": 404,
}
EDIT = {
    "admin": 303,
    "coordinator_x": 303,
    "coordinator_y": 404,
    "panel_x": 403,
    "lead_a": 403,
    "member_a": 403,
    "expert_a": 403,
    "member_b": 403,
    "member_c": 404,
    "nobody": 404,
}


def phase_form(**fields) -> dict:
    start = TODAY + timedelta(days=10)
    values = {
        "kind": "learning_session",
        "title": "Learning session 2",
        "starts_on": [str(start.day), str(start.month), str(start.year)],
        "ends_on": ["", "", ""],
        "notes": "At the town hall",
    }
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


def add_phase(collaborative, kind, title, starts_on, ends_on=None) -> CollaborativePhase:
    phase = CollaborativePhase(
        collaborative_id=collaborative.id,
        kind=kind,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    db.session.add(phase)
    db.session.commit()
    return phase


def phases() -> list[CollaborativePhase]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(CollaborativePhase).order_by(CollaborativePhase.id)))


def audits() -> list[AuditEvent]:
    db.session.expire_all()
    query = sa.select(AuditEvent).where(AuditEvent.entity_type == "CollaborativePhase")
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


@pytest.fixture
def timeline(dated):
    x = dated.x
    return [
        add_phase(
            x, PhaseKind.PREWORK, "Prework", TODAY - timedelta(days=90), TODAY - timedelta(60)
        ),
        add_phase(x, PhaseKind.LEARNING_SESSION, "Learning session 1", TODAY - timedelta(days=59)),
        add_phase(
            x,
            PhaseKind.ACTION_PERIOD,
            "Action period 1",
            TODAY - timedelta(days=5),
            TODAY + timedelta(days=20),
        ),
        add_phase(x, PhaseKind.END_MEETING, "Senior managers' end meeting", TODAY + timedelta(90)),
    ]


@pytest.mark.parametrize("person", PEOPLE)
def test_who_sees_the_calendar(dated, client_for, person):
    response = client_for(getattr(dated, person)).get(f"/collaboratives/{dated.x.id}/calendar")
    assert response.status_code == VIEW[person]


def test_timeline_in_order_with_the_current_phase_marked_in_words(timeline, client_for, dated):
    response = client_for(dated.member_a).get(f"/collaboratives/{dated.x.id}/calendar")
    text = visible(response)
    order = [
        text.index(name)
        for name in (
            "Prework Finished",
            "Learning session 1 Finished",
            "Action period 1 Happening now",
            "Senior managers' end meeting Coming up",
        )
    ]
    assert order == sorted(order)
    assert f"Today, {TODAY:%-d %B %Y}, is in this phase." in text
    assert 'aria-current="date"' in body(response)
    assert "<ol" in body(response)
    # Team members see no controls to change the calendar.
    assert "Add a phase" not in text and "Remove" not in text


def test_today_between_phases_has_its_own_place(dated, client_for):
    add_phase(
        dated.x, PhaseKind.PREWORK, "Prework", TODAY - timedelta(days=30), TODAY - timedelta(1)
    )
    add_phase(dated.x, PhaseKind.LEARNING_SESSION, "Learning session 1", TODAY + timedelta(days=3))
    text = visible(client_for(dated.member_a).get(f"/collaboratives/{dated.x.id}/calendar"))
    assert "Happening now" not in text
    between = text.split("Prework Finished", 1)[1].split("Learning session 1 Coming up", 1)[0]
    assert f"Today {TODAY:%-d %B %Y}: between phases." in between


def test_due_dates_follow_the_cadence_with_the_next_highlighted(dated, client_for):
    response = client_for(dated.panel_x).get(f"/collaboratives/{dated.x.id}/calendar")
    text = visible(response)
    # Monthly, due on the 10th of the following month (the collaborative's defaults).
    previous_due = CURRENT.replace(day=10)
    current_due = NEXT.replace(day=10)
    next_due = previous_due if previous_due >= TODAY else current_due
    assert f"The next report is due on {next_due:%-d %B %Y}" in text
    assert f"{next_due:%-d %B %Y} Next due" in text
    assert text.count("Next due") == 1


def test_quarterly_cadence_changes_the_due_dates(dated, client_for):
    dated.x.reporting_cadence = "quarterly"
    db.session.commit()
    text = visible(client_for(dated.member_a).get(f"/collaboratives/{dated.x.id}/calendar"))
    assert "every 3 months" in text
    assert " to " in text.split("Report due dates for", 1)[1]


def test_empty_state_says_what_to_do(dated, client_for):
    coordinator = visible(
        client_for(dated.coordinator_x).get(f"/collaboratives/{dated.x.id}/calendar")
    )
    assert "No phases yet. Add them" in coordinator and "Add a phase" in coordinator
    member = visible(client_for(dated.member_a).get(f"/collaboratives/{dated.x.id}/calendar"))
    assert "The coordinator will add the dates" in member


@pytest.mark.parametrize(("headers", "fragment"), [({}, False), (HTMX, True), (BOOSTED, False)])
def test_timeline_fragment_for_htmx(timeline, dated, client_for, headers, fragment):
    response = client_for(dated.member_a).get(
        f"/collaboratives/{dated.x.id}/calendar", headers=headers
    )
    text = body(response)
    assert text.startswith('<section id="calendar-timeline"') is fragment
    assert ("<html" in text) is not fragment
    assert response.headers["Vary"].count("HX-Request") == 1


@pytest.mark.parametrize("person", PEOPLE)
def test_who_may_add_a_phase(dated, client_for, person):
    response = client_for(getattr(dated, person)).post(
        f"/collaboratives/{dated.x.id}/calendar/phases/new", data=phase_form()
    )
    assert response.status_code == EDIT[person]
    assert len(phases()) == (1 if EDIT[person] == 303 else 0)


def test_add_phase_redirects_and_audits(dated, client_for):
    client = client_for(dated.coordinator_x)
    response = client.post(
        f"/collaboratives/{dated.x.id}/calendar/phases/new", data=phase_form(title="")
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/collaboratives/{dated.x.id}/calendar")
    [phase] = phases()
    assert phase.title == "Learning session"  # the kind names an untitled phase
    assert phase.ends_on is None and phase.notes == "At the town hall"
    [event] = audits()
    assert event.action == AuditAction.CREATE and event.collaborative_id == dated.x.id
    text = visible(client.get(response.headers["Location"]))
    assert "Added ‘Learning session’ to the calendar." in text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": None}, "Choose what kind of phase it is"),
        ({"kind": "party"}, "Choose one of the kinds of phase shown"),
        ({"starts_on": ["", "", ""]}, "Enter the date the phase starts"),
        ({"starts_on": ["31", "2", "2026"]}, "must be a real date"),
        ({"starts_on": ["1", "5"]}, "must be a real date"),
        ({"ends_on": ["1", "1", "2020"]}, "The end date must be on or after the start"),
        ({"title": "x" * 201}, "200 characters or fewer"),
    ],
)
def test_bad_phase_is_refused_with_a_message(dated, client_for, fields, message):
    response = client_for(dated.coordinator_x).post(
        f"/collaboratives/{dated.x.id}/calendar/phases/new", data=phase_form(**fields)
    )
    assert response.status_code == 422
    assert message in visible(response)
    assert "There is a problem" in visible(response)
    assert phases() == [] and audits() == []


def test_change_phase_audits_what_changed(timeline, dated, client_for):
    phase = timeline[1]
    url = f"/collaboratives/{dated.x.id}/calendar/phases/{phase.id}/edit"
    client = client_for(dated.coordinator_x)
    form = visible(client.get(url))
    assert "Change a phase" in form
    day = phase.starts_on
    response = client.post(
        url,
        data=phase_form(
            title="Learning session 1 (online)",
            starts_on=[str(day.day), str(day.month), str(day.year)],
            version=str(phase.version),
        ),
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(CollaborativePhase, phase.id).title == "Learning session 1 (online)"
    [event] = audits()
    assert event.action == AuditAction.UPDATE
    assert event.after["title"] == "Learning session 1 (online)"
    assert "starts_on" not in event.after


def test_remove_asks_first_then_removes_and_audits(timeline, dated, client_for):
    phase = timeline[0]
    url = f"/collaboratives/{dated.x.id}/calendar/phases/{phase.id}/remove"
    client = client_for(dated.coordinator_x)
    page = client.get(url)
    assert page.status_code == 200
    assert "Remove ‘Prework’ from the calendar?" in visible(page)
    assert len(phases()) == 4  # asking removes nothing
    response = client.post(url, data={"version": str(phase.version)})
    assert response.status_code == 303
    assert [p.title for p in phases()] == [p.title for p in timeline[1:]]
    [event] = audits()
    assert event.action == AuditAction.DELETE and event.before["title"] == "Prework"


@pytest.mark.parametrize("person", ["member_a", "panel_x", "coordinator_y"])
def test_others_cannot_remove(timeline, dated, client_for, person):
    url = f"/collaboratives/{dated.x.id}/calendar/phases/{timeline[0].id}/remove"
    response = client_for(getattr(dated, person)).post(url)
    assert response.status_code == EDIT[person]
    assert len(phases()) == 4


def test_phase_of_another_collaborative_is_not_found(timeline, dated, client_for):
    # Coordinator Y may edit Y's calendar, but X's phase is not part of it.
    url = f"/collaboratives/{dated.y.id}/calendar/phases/{timeline[0].id}"
    client = client_for(dated.coordinator_y)
    assert client.get(url + "/edit").status_code == 404
    assert client.post(url + "/remove").status_code == 404
    assert len(phases()) == 4
