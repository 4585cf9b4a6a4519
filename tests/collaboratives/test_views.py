"""Collaborative pages: the list, starting one, its page, changing it, adding teams and people.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from improve.extensions import db
from improve.members.forms import NEEDS_NAME
from improve.models import AuditAction, AuditEvent, Collaborative, Membership, Role, Team, User
from tests.conftest import HTMX, PEOPLE, text_of


def visible(response) -> str:
    return html.unescape(text_of(response))


def body(response) -> str:
    return response.get_data(as_text=True).strip()


def assert_fragment(response, section_id: str) -> None:
    """Only the named section, no page around it."""
    assert body(response).startswith(f'<section id="{section_id}"'), body(response)[:200]
    assert body(response).endswith("</section>")
    assert "<html" not in body(response)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def audit(action: AuditAction, entity_type: str) -> list[AuditEvent]:
    query = sa.select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.entity_type == entity_type
    )
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def membership_of(user: User, scope: Collaborative) -> Membership | None:
    db.session.expire_all()
    query = sa.select(Membership).where(
        Membership.user_id == user.id, Membership.collaborative_id == scope.id
    )
    return db.session.scalar(query)


def collaborative_form(
    starts: tuple[str, ...] = ("1", "4", "2026"),
    ends: tuple[str, ...] = ("31", "3", "2027"),
    **fields: str,
) -> MultiDict:
    """A filled-in collaborative form; a date is three fields with one name."""
    values = {
        "name": "Safer Homes 2026",
        "topic": "Fewer falls for people living at home",
        "description": "",
        "run_chart_rules": "anhoej",
        "sigma_method": "classic",
        "shift_length": "7",
        "trend_length": "7",
        "stall_weeks": "6",
        "suppression_threshold": "5",
        "reporting_cadence": "monthly",
        "report_due_day": "10",
        "version": "1",  # the edit form's: the collaborative as the world makes it
    }
    values.update(fields)
    data = list(values.items())
    data += [("starts_on", part) for part in starts] + [("ends_on", part) for part in ends]
    return MultiDict(data)


def team_form(**fields: str) -> dict[str, str]:
    values = {
        "name": "Team D",
        "organisation": "Riverside Care Home",
        "organisation_kind": "care_home",
        "service": "Residential care",
    }
    values.update(fields)
    return values


def member_form(**fields: str) -> dict[str, str]:
    values = {"email": "nobody@example.org", "display_name": "", "role": "panel_member"}
    values.update(fields)
    return values


# The list ----------------------------------------------------------------------------------------

INDEX = {
    # who: (collaboratives listed, may start a new one)
    "admin": ({"Collaborative X", "Collaborative Y"}, True),
    "coordinator_x": ({"Collaborative X"}, True),
    "panel_x": ({"Collaborative X"}, False),
    "lead_a": ({"Collaborative X"}, False),
    "member_c": ({"Collaborative Y"}, False),
    "nobody": (set(), False),
}


@pytest.mark.parametrize(("role", "expected"), INDEX.items())
def test_index_lists_only_visible_collaboratives(world, sign_in, role, expected):
    listed, may_start = expected
    response = sign_in(getattr(world, role)).get("/collaboratives/")
    assert response.status_code == 200
    text = visible(response)
    assert {name for name in ("Collaborative X", "Collaborative Y") if name in text} == listed
    assert ("Start a new collaborative" in text) is may_start
    assert ("You are not part of a collaborative yet" in text) is (not listed)


def test_index_needs_sign_in(client):
    response = client.get("/collaboratives/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


# Starting one ------------------------------------------------------------------------------------


def test_who_may_open_the_new_collaborative_form(world, client_for):
    statuses = {
        role: client_for(getattr(world, role)).get("/collaboratives/new").status_code
        for role in PEOPLE
    }
    assert statuses == {
        "admin": 200,
        "coordinator_x": 200,
        "coordinator_y": 200,
        "panel_x": 403,
        "lead_a": 403,
        "member_a": 403,
        "expert_a": 403,
        "member_b": 403,
        "member_c": 403,
        "nobody": 403,
    }


@pytest.mark.parametrize("role", ["member_a", "panel_x", "nobody"])
def test_others_cannot_create_one_by_posting(world, sign_in, role):
    response = sign_in(getattr(world, role)).post("/collaboratives/new", data=collaborative_form())
    assert response.status_code == 403
    assert count(Collaborative) == 2


def test_a_coordinator_who_creates_a_collaborative_coordinates_it(world, sign_in):
    client = sign_in(world.coordinator_x)
    response = client.post(
        "/collaboratives/new",
        data=collaborative_form(shift_length="6", sigma_method="nhs", run_chart_rules="ihi"),
    )

    assert response.status_code == 303
    created = db.session.scalar(
        sa.select(Collaborative).where(Collaborative.name == "Safer Homes 2026")
    )
    assert response.headers["Location"] == f"/collaboratives/{created.id}"
    assert (created.starts_on, created.ends_on) == (date(2026, 4, 1), date(2027, 3, 31))
    assert (created.shift_length, created.sigma_method, created.run_chart_rules) == (
        6,
        "nhs",
        "ihi",
    )
    assert membership_of(world.coordinator_x, created).role == Role.COORDINATOR
    [event] = audit(AuditAction.CREATE, "Collaborative")
    assert (event.entity_id, event.actor_id) == (created.id, world.coordinator_x.id)
    assert event.after["name"] == "Safer Homes 2026"

    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "Collaborative ‘Safer Homes 2026’ created" in visible(page)
    assert "Remove Coordinator X" in visible(page)  # listed among its people, and may manage them


def test_an_admin_who_creates_one_takes_no_role_in_it(world, sign_in):
    response = sign_in(world.admin).post("/collaboratives/new", data=collaborative_form())
    assert response.status_code == 303
    created = db.session.scalar(
        sa.select(Collaborative).where(Collaborative.name == "Safer Homes 2026")
    )
    assert membership_of(world.admin, created) is None


@pytest.mark.parametrize(
    "form",
    [
        pytest.param(
            collaborative_form(starts=("1", "4", "2026"), ends=("1", "4", "2026")), id="one-day"
        ),
        pytest.param(collaborative_form(shift_length="5", trend_length="12"), id="length-bounds"),
        pytest.param(
            collaborative_form(suppression_threshold="0", stall_weeks="52"), id="zero-hides-nothing"
        ),
        pytest.param(collaborative_form(starts=(" 01", "04 ", "2026")), id="padded-date"),
    ],
)
def test_edge_values_are_accepted(world, sign_in, form):
    response = sign_in(world.coordinator_x).post("/collaboratives/new", data=form)
    assert response.status_code == 303
    assert count(Collaborative) == 3


def _without_dates() -> MultiDict:
    form = collaborative_form()
    del form["starts_on"], form["ends_on"]
    return form


@pytest.mark.parametrize(
    ("form", "messages"),
    [
        pytest.param(
            collaborative_form(name=""), ["Enter a name for the collaborative"], id="no-name"
        ),
        pytest.param(
            collaborative_form(name="   "), ["Enter a name for the collaborative"], id="blank-name"
        ),
        pytest.param(
            collaborative_form(topic=""),
            ["Enter what the teams will improve together"],
            id="no-topic",
        ),
        pytest.param(
            collaborative_form(starts=("1", "4", "2026"), ends=("31", "3", "2026")),
            ["The end date must be the same as or after the start date"],
            id="ends-before-start",
        ),
        pytest.param(
            _without_dates(), ["Enter the start date", "Enter the end date"], id="no-date-parts"
        ),
        pytest.param(
            collaborative_form(starts=("", "", ""), ends=("", "", "")),
            ["Enter the start date", "Enter the end date"],
            id="empty-date-parts",
        ),
        pytest.param(
            collaborative_form(starts=("31", "2", "2026")),
            ["Start date must be a real date, like 27 3 2026"],
            id="31-february",
        ),
        pytest.param(
            collaborative_form(starts=("1", "", "2026")),
            ["Start date must be a real date, like 27 3 2026"],
            id="month-missing",
        ),
        pytest.param(
            collaborative_form(ends=("1", "4", "27")),
            ["End date must have a 4-digit year, like 2026"],
            id="two-digit-year",
        ),
        pytest.param(
            collaborative_form(shift_length="seven"),
            ["must be a whole number, like 7"],
            id="shift-words",
        ),
        pytest.param(
            collaborative_form(shift_length="99"),
            ["Shift length must be between 5 and 12"],
            id="shift-99",
        ),
        pytest.param(
            collaborative_form(shift_length=""),
            ["Enter how many points in a row count as a shift"],
            id="shift-empty",
        ),
        pytest.param(
            collaborative_form(suppression_threshold="-1"),
            ["The smallest count must be between 0 and 100"],
            id="negative-threshold",
        ),
        pytest.param(
            collaborative_form(run_chart_rules="nelson"),
            ["Choose how run charts spot real change"],
            id="unknown-rules",
        ),
        pytest.param(
            collaborative_form(name="collaborative x"),
            ["A collaborative with this name already exists"],
            id="duplicate-name-any-case",
        ),
        pytest.param(
            collaborative_form(name="  Collaborative Y "),
            ["A collaborative with this name already exists"],
            id="duplicate-name-spaces",
        ),
    ],
)
def test_invalid_new_collaborative_shows_the_message_and_saves_nothing(
    world, sign_in, form, messages
):
    response = sign_in(world.coordinator_x).post("/collaboratives/new", data=form)

    assert response.status_code == 422
    assert "<html" in body(response)
    for message in messages:
        assert message in visible(response)
    assert "There is a problem" in visible(response)  # the GOV.UK error summary
    assert count(Collaborative) == 2
    assert audit(AuditAction.CREATE, "Collaborative") == []


def test_a_refused_date_is_shown_back_as_typed(world, sign_in):
    response = sign_in(world.coordinator_x).post(
        "/collaboratives/new", data=collaborative_form(starts=("31", "2", "2026"))
    )
    page = body(response)
    for part, value in (("day", "31"), ("month", "2"), ("year", "2026")):
        assert re.search(f'id="starts_on-{part}"[^>]*value="{value}"', page), part


# Its page ----------------------------------------------------------------------------------------


def test_who_may_see_a_collaborative(world, client_for):
    statuses = {
        role: client_for(getattr(world, role)).get(f"/collaboratives/{world.x.id}").status_code
        for role in PEOPLE
    }
    assert statuses == {
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


def test_the_page_shows_its_teams_and_people(world, sign_in):
    response = sign_in(world.member_a).get(f"/collaboratives/{world.x.id}")
    text = visible(response)
    assert "Team A" in text and "Team B" in text and "Team C" not in text
    assert "Coordinator X" in text and "Panel X" in text and "Coordinator Y" not in text
    # A team member only looks: no change link, no forms, no remove links.
    assert "Change the details" not in text
    assert "Add a team" not in text and "Add a person" not in text
    assert "Remove" not in text


def test_a_coordinator_sees_the_tools_to_change_it(world, sign_in):
    text = visible(sign_in(world.coordinator_x).get(f"/collaboratives/{world.x.id}"))
    assert "Change the details" in text
    assert "Add a team" in text and "Add a person" in text


@pytest.mark.parametrize(
    "path", ["/collaboratives/99999", "/collaboratives/0", "/collaboratives/99999999999"]
)
def test_unknown_collaborative_is_not_found(world, sign_in, path):
    assert sign_in(world.admin).get(path).status_code == 404


# Changing it -------------------------------------------------------------------------------------


def test_who_may_change_a_collaborative(world, client_for):
    url = f"/collaboratives/{world.x.id}/edit"
    statuses = {}
    for role in PEOPLE:
        client = client_for(getattr(world, role))
        get = client.get(url).status_code
        db.session.expire_all()  # each person opens the form after the last one saved
        form = collaborative_form(name=f"Renamed by {role}", version=str(world.x.version))
        post = client.post(url, data=form).status_code
        statuses[role] = (get, post)
    assert statuses == {
        "admin": (200, 303),
        "coordinator_x": (200, 303),
        "coordinator_y": (404, 404),
        "panel_x": (403, 403),
        "lead_a": (403, 403),
        "member_a": (403, 403),
        "expert_a": (403, 403),
        "member_b": (403, 403),
        "member_c": (404, 404),
        "nobody": (404, 404),
    }
    db.session.expire_all()
    assert world.x.name == "Renamed by coordinator_x"  # the last permitted change


def test_the_form_opens_with_the_current_values(world, sign_in):
    page = body(sign_in(world.coordinator_x).get(f"/collaboratives/{world.x.id}/edit"))
    assert 'value="Collaborative X"' in page
    assert 'value="2026"' in page and 'value="12"' in page  # ends 31 12 2026


def test_a_change_is_saved_and_audited(world, sign_in):
    url = f"/collaboratives/{world.x.id}"
    form = collaborative_form(
        name="Collaborative X",
        topic="Fewer falls in care homes",
        shift_length="9",
        starts=("1", "1", "2026"),
        ends=("30", "6", "2027"),
    )
    response = sign_in(world.coordinator_x).post(f"{url}/edit", data=form)

    assert response.status_code == 303
    assert response.headers["Location"] == url
    db.session.expire_all()
    assert (world.x.topic, world.x.shift_length, world.x.ends_on) == (
        "Fewer falls in care homes",
        9,
        date(2027, 6, 30),
    )
    [event] = audit(AuditAction.UPDATE, "Collaborative")
    assert (event.entity_id, event.actor_id, event.collaborative_id) == (
        world.x.id,
        world.coordinator_x.id,
        world.x.id,
    )
    assert event.before == {
        "topic": "Fewer falls at home",
        "shift_length": 7,
        "ends_on": "2026-12-31",
    }
    assert event.after == {
        "topic": "Fewer falls in care homes",
        "shift_length": 9,
        "ends_on": "2027-06-30",
    }


def test_saving_without_a_change_writes_no_audit_row(world, sign_in):
    form = collaborative_form(
        name="Collaborative X",
        topic="Fewer falls at home",
        starts=("1", "1", "2026"),
        ends=("31", "12", "2026"),
    )
    response = sign_in(world.coordinator_x).post(f"/collaboratives/{world.x.id}/edit", data=form)
    assert response.status_code == 303
    assert audit(AuditAction.UPDATE, "Collaborative") == []


def test_a_collaborative_may_change_the_case_of_its_own_name(world, sign_in):
    response = sign_in(world.coordinator_x).post(
        f"/collaboratives/{world.x.id}/edit", data=collaborative_form(name="COLLABORATIVE X")
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert world.x.name == "COLLABORATIVE X"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            collaborative_form(name="collaborative y"),
            "A collaborative with this name already exists",
        ),
        (
            collaborative_form(starts=("1", "6", "2026"), ends=("1", "5", "2026")),
            "The end date must be the same as or after the start date",
        ),
        (collaborative_form(trend_length="4"), "Trend length must be between 5 and 12"),
        (_without_dates(), "Enter the start date"),
    ],
    ids=["duplicate-name", "ends-before-start", "trend-4", "no-date-parts"],
)
def test_an_invalid_change_is_refused(world, sign_in, form, message):
    response = sign_in(world.coordinator_x).post(f"/collaboratives/{world.x.id}/edit", data=form)
    assert response.status_code == 422
    assert message in visible(response)
    db.session.expire_all()
    assert (world.x.name, world.x.topic) == ("Collaborative X", "Fewer falls at home")
    assert audit(AuditAction.UPDATE, "Collaborative") == []


# Adding teams ------------------------------------------------------------------------------------


def test_adding_a_team_without_javascript_redirects_to_the_page(world, sign_in):
    client = sign_in(world.coordinator_x)
    url = f"/collaboratives/{world.x.id}"
    response = client.post(f"{url}/teams", data=team_form())

    assert response.status_code == 303
    assert response.headers["Location"] == url
    team = db.session.scalar(sa.select(Team).where(Team.name == "Team D"))
    assert (team.collaborative_id, team.organisation, team.organisation_kind, team.service) == (
        world.x.id,
        "Riverside Care Home",
        "care_home",
        "Residential care",
    )
    [event] = audit(AuditAction.CREATE, "Team")
    assert (event.entity_id, event.collaborative_id) == (team.id, world.x.id)
    text = visible(client.get(url))
    assert "Team ‘Team D’ added." in text
    assert "Team D" in text


def test_adding_a_team_with_htmx_returns_the_teams_section(world, sign_in):
    response = sign_in(world.coordinator_x).post(
        f"/collaboratives/{world.x.id}/teams", data=team_form(), headers=HTMX
    )
    assert response.status_code == 200
    assert_fragment(response, "teams-section")
    text = visible(response)
    assert "Team ‘Team D’ added." in text
    assert all(name in text for name in ("Team A", "Team B", "Team D"))
    assert "HX-Request" in response.headers["Vary"]
    assert count(Team) == 4


def test_an_admin_may_add_a_team(world, sign_in):
    response = sign_in(world.admin).post(f"/collaboratives/{world.y.id}/teams", data=team_form())
    assert response.status_code == 303
    assert (
        db.session.scalar(sa.select(Team.collaborative_id).where(Team.name == "Team D"))
        == world.y.id
    )


def test_a_team_name_may_repeat_in_another_collaborative(world, sign_in):
    response = sign_in(world.coordinator_x).post(
        f"/collaboratives/{world.x.id}/teams", data=team_form(name="Team C")
    )
    assert response.status_code == 303
    assert count(Team) == 4


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
@pytest.mark.parametrize(
    ("form", "message"),
    [
        (team_form(name=""), "Enter the team's name"),
        (team_form(name="team a"), "This collaborative already has a team with this name"),
        (team_form(organisation=""), "Enter the organisation"),
        (team_form(organisation_kind="hospital"), "Choose the kind of organisation from the list"),
    ],
    ids=["no-name", "duplicate-name", "no-organisation", "unknown-kind"],
)
def test_an_invalid_team_is_refused(world, sign_in, form, message, htmx):
    response = sign_in(world.coordinator_x).post(
        f"/collaboratives/{world.x.id}/teams", data=form, headers=HTMX if htmx else {}
    )
    assert response.status_code == 422
    assert message in visible(response)
    if htmx:
        assert_fragment(response, "teams-section")
    else:
        assert "<html" in body(response)
    assert count(Team) == 3


def test_who_may_add_a_team(world, client_for):
    statuses = {
        role: client_for(getattr(world, role))
        .post(f"/collaboratives/{world.x.id}/teams", data=team_form(name=f"Team of {role}"))
        .status_code
        for role in ("panel_x", "lead_a", "member_a", "expert_a", "coordinator_y", "nobody")
    }
    assert statuses == {
        "panel_x": 403,
        "lead_a": 403,
        "member_a": 403,
        "expert_a": 403,
        "coordinator_y": 404,
        "nobody": 404,
    }
    assert count(Team) == 3


# Adding people -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.PANEL_MEMBER])
def test_an_existing_account_is_found_by_email_in_any_case(world, sign_in, role):
    response = sign_in(world.coordinator_x).post(
        f"/collaboratives/{world.x.id}/members",
        data=member_form(email="  NoBody@Example.ORG ", role=role.value),
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/collaboratives/{world.x.id}"
    assert membership_of(world.nobody, world.x).role == role
    assert count(User) == 10


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_an_admin_is_asked_the_name_for_an_unknown_email(world, sign_in, htmx):
    response = sign_in(world.admin).post(
        f"/collaboratives/{world.x.id}/members",
        data=member_form(email="new.person@example.org"),
        headers=HTMX if htmx else {},
    )
    assert response.status_code == 422
    assert NEEDS_NAME in visible(response)
    assert ("<html" in body(response)) is not htmx
    assert 'value="new.person@example.org"' in body(response)  # kept for the second try
    assert count(User) == 10
    assert count(Membership) == 8


def test_an_admin_adding_an_unknown_email_with_a_name_creates_an_invited_account(world, sign_in):
    client = sign_in(world.admin)
    response = client.post(
        f"/collaboratives/{world.x.id}/members",
        data=member_form(email="New.Person@Example.org", display_name="Nia Newperson"),
    )
    assert response.status_code == 303
    person = db.session.scalar(sa.select(User).where(User.email == "new.person@example.org"))
    assert (person.display_name, person.password_hash) == ("Nia Newperson", None)
    assert membership_of(person, world.x).role == Role.PANEL_MEMBER

    text = visible(client.get(response.headers["Location"]))
    assert "Send this link to Nia Newperson" in text
    assert "/invitation/" in text
    assert "Invited" in text


def test_an_invitation_an_admin_adds_with_htmx_shows_the_link_in_the_fragment(world, sign_in):
    response = sign_in(world.admin).post(
        f"/collaboratives/{world.x.id}/members",
        data=member_form(email="nia@example.org", display_name="Nia Newperson", role="coordinator"),
        headers=HTMX,
    )
    assert response.status_code == 200
    assert_fragment(response, "people-section")
    text = visible(response)
    assert "/invitation/" in text
    assert "Nia Newperson now has the role Coordinator." in text


def test_adding_someone_again_changes_their_role(world, sign_in):
    response = sign_in(world.coordinator_x).post(
        f"/collaboratives/{world.x.id}/members",
        data=member_form(email="panel_x@example.org", role="coordinator"),
    )
    assert response.status_code == 303
    memberships = db.session.scalars(
        sa.select(Membership).where(
            Membership.user_id == world.panel_x.id, Membership.collaborative_id == world.x.id
        )
    ).all()
    assert [m.role for m in memberships] == [Role.COORDINATOR]
    [event] = audit(AuditAction.UPDATE, "Membership")
    assert (event.before["role"], event.after["role"]) == ("panel_member", "coordinator")


def test_a_team_member_may_also_be_given_a_collaborative_role(world, sign_in):
    response = sign_in(world.coordinator_x).post(
        f"/collaboratives/{world.x.id}/members", data=member_form(email="lead_a@example.org")
    )
    assert response.status_code == 303
    assert membership_of(world.lead_a, world.x).role == Role.PANEL_MEMBER
    assert count(Membership) == 9  # the team role stays too


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (member_form(email="not-an-email"), "Enter an email address in the right format"),
        (member_form(email="two@@example.org"), "Enter an email address in the right format"),
        (member_form(email=""), "Enter their email address"),
        (member_form(role="team_lead"), "Choose one of the roles shown"),
        (member_form(role="admin"), "Choose one of the roles shown"),
        (member_form(role=""), "Choose a role"),
    ],
    ids=["no-at", "two-ats", "no-email", "team-role", "admin", "no-role"],
)
def test_an_invalid_person_is_refused(world, sign_in, form, message):
    response = sign_in(world.coordinator_x).post(f"/collaboratives/{world.x.id}/members", data=form)
    assert response.status_code == 422
    assert message in visible(response)
    assert membership_of(world.nobody, world.x) is None
    assert (count(User), count(Membership)) == (10, 8)


def test_who_may_add_people(world, client_for):
    statuses = {
        role: client_for(getattr(world, role))
        .post(f"/collaboratives/{world.x.id}/members", data=member_form(role="coordinator"))
        .status_code
        for role in ("panel_x", "lead_a", "member_a", "coordinator_y", "member_c")
    }
    assert statuses == {
        "panel_x": 403,
        "lead_a": 403,
        "member_a": 403,
        "coordinator_y": 404,
        "member_c": 404,
    }
    assert membership_of(world.nobody, world.x) is None


# Removing people ---------------------------------------------------------------------------------


def _membership_id(user: User, **scope: int) -> int:
    key, value = next(iter(scope.items()))
    query = sa.select(Membership.id).where(
        Membership.user_id == user.id, getattr(Membership, key) == value
    )
    return db.session.scalar(query)


def test_removing_asks_first_naming_the_person(world, sign_in):
    membership_id = _membership_id(world.panel_x, collaborative_id=world.x.id)
    response = sign_in(world.coordinator_x).get(
        f"/collaboratives/{world.x.id}/members/{membership_id}/remove"
    )
    assert response.status_code == 200
    assert "Remove Panel X from Collaborative X?" in visible(response)
    assert membership_of(world.panel_x, world.x) is not None


def test_removing_takes_the_role_away_and_keeps_the_account(world, sign_in):
    membership_id = _membership_id(world.panel_x, collaborative_id=world.x.id)
    client = sign_in(world.coordinator_x)
    response = client.post(
        f"/collaboratives/{world.x.id}/members/{membership_id}/remove", data={"version": "1"}
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/collaboratives/{world.x.id}"
    assert membership_of(world.panel_x, world.x) is None
    assert db.session.get(User, world.panel_x.id) is not None
    [event] = audit(AuditAction.DELETE, "Membership")
    assert event.before["role"] == "panel_member"
    assert "Panel X no longer has a role in Collaborative X." in visible(
        client.get(response.headers["Location"])
    )


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "owner", ["coordinator_y", "member_a"], ids=["other-collaborative", "team"]
)
def test_a_membership_from_elsewhere_is_not_found(world, sign_in, method, owner):
    user = getattr(world, owner)
    scope = (
        {"collaborative_id": world.y.id}
        if owner == "coordinator_y"
        else {"team_id": world.team_a.id}
    )
    membership_id = _membership_id(user, **scope)
    client = sign_in(world.coordinator_x)
    response = getattr(client, method)(
        f"/collaboratives/{world.x.id}/members/{membership_id}/remove"
    )
    assert response.status_code == 404
    assert db.session.get(Membership, membership_id) is not None
    assert count(Membership) == 8


def test_who_may_remove_people(world, client_for):
    membership_id = _membership_id(world.coordinator_x, collaborative_id=world.x.id)
    url = f"/collaboratives/{world.x.id}/members/{membership_id}/remove"
    statuses = {}
    for role in ("panel_x", "lead_a", "coordinator_y", "nobody"):
        client = client_for(getattr(world, role))
        statuses[role] = (client.get(url).status_code, client.post(url).status_code)
    assert statuses == {
        "panel_x": (403, 403),
        "lead_a": (403, 403),
        "coordinator_y": (404, 404),
        "nobody": (404, 404),
    }
    assert count(Membership) == 8


def test_an_unknown_membership_is_not_found(world, sign_in):
    response = sign_in(world.coordinator_x).post(
        f"/collaboratives/{world.x.id}/members/99999/remove"
    )
    assert response.status_code == 404


def test_team_members_see_every_teams_name_but_open_only_their_own(world, client_for):
    response = client_for(world.member_a).get(f"/collaboratives/{world.x.id}")
    html = response.get_data(as_text=True)
    assert "Team B" in html
    assert f'href="/teams/{world.team_a.id}"' in html
    assert f'href="/teams/{world.team_b.id}"' not in html
    coordinator = client_for(world.coordinator_x).get(f"/collaboratives/{world.x.id}")
    assert f'href="/teams/{world.team_b.id}"' in coordinator.get_data(as_text=True)


def test_a_coordinator_sets_how_often_reports_come_and_when_they_are_due(world, sign_in):
    """Issue 18, point 5: the reporting cadence and due day, kept in the data model, now have
    a screen; the collaborative and coordinator pages say what they are, and the change is in
    the history."""
    client = sign_in(world.coordinator_x)
    form = collaborative_form(
        name="Collaborative X",
        reporting_cadence="quarterly",
        report_due_day="15",
        version=str(world.x.version),
    )
    assert client.post(f"/collaboratives/{world.x.id}/edit", data=form).status_code == 303
    db.session.expire_all()
    assert (world.x.reporting_cadence.value, world.x.report_due_day) == ("quarterly", 15)
    page = visible(client.get(f"/collaboratives/{world.x.id}"))
    assert "Progress reports Every three months, due on day 15 of the month after" in page
    history = visible(client.get(f"/history/Collaborative/{world.x.id}"))
    assert "How often teams report Every month Every three months" in history
    form = collaborative_form(report_due_day="31", version=str(world.x.version))
    refused = client.post(f"/collaboratives/{world.x.id}/edit", data=form)
    assert refused.status_code == 422
    assert "The due day must be between 1 and 28" in visible(refused)


def test_the_shared_measures_are_linked_from_the_collaborative_coordinator_and_panel_pages(
    world, client_for
):
    shared = f'href="/collaboratives/{world.x.id}/measures"'
    coordinator = client_for(world.coordinator_x)
    for url in (f"/collaboratives/{world.x.id}", f"/collaboratives/{world.x.id}/coordinator"):
        assert shared in body(coordinator.get(url)), url
    panel = client_for(world.panel_x)
    assert shared in body(panel.get(f"/collaboratives/{world.x.id}/panel"))
    assert panel.get(f"/collaboratives/{world.x.id}/measures").status_code == 200


def test_a_coordinator_puts_the_progress_scores_in_their_own_words(world, client_for):
    """Issue 18, point 5: the score labels, kept per collaborative, have a screen; the change is
    audited score by score, an empty label is refused, a stale form is a conflict."""
    from improve.models import DEFAULT_PROGRESS_LABELS

    client = client_for(world.coordinator_x)
    page = visible(client.get(f"/collaboratives/{world.x.id}/score-labels"))
    assert "Score 3.0" in page and "Modest improvement" in page
    labels = {f"score_{s.replace('.', '_')}": w for s, w in DEFAULT_PROGRESS_LABELS.items()}
    data = labels | {"score_3_0": "Some things are better", "version": str(world.x.version)}
    saved = client.post(f"/collaboratives/{world.x.id}/score-labels", data=data)
    assert saved.status_code == 303
    db.session.expire_all()
    assert world.x.progress_labels["3.0"] == "Some things are better"
    assert world.x.progress_labels["2.0"] == DEFAULT_PROGRESS_LABELS["2.0"]
    history = visible(client.get(f"/history/Collaborative/{world.x.id}"))
    assert "Score 3.0 Modest improvement Some things are better" in history
    stale = client.post(f"/collaboratives/{world.x.id}/score-labels", data=data)
    assert stale.status_code == 409
    empty = labels | {"score_1_0": " ", "version": str(world.x.version)}
    refused = client.post(f"/collaboratives/{world.x.id}/score-labels", data=empty)
    assert refused.status_code == 422
    assert "Enter the words for score 1.0" in visible(refused)
    assert (
        client_for(world.lead_a).get(f"/collaboratives/{world.x.id}/score-labels").status_code
        == 403
    )
