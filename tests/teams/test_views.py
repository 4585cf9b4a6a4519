"""Team pages: a team's page, changing its details, adding and removing its people.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.members.views import ADDED
from improve.models import AuditAction, AuditEvent, Membership, Role, Team, User
from tests.conftest import HTMX, PEOPLE, text_of


def added(email: str, role: str) -> str:
    return ADDED.format(email=email, role=role)


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


def membership_in(user: User, team: Team) -> Membership | None:
    db.session.expire_all()
    query = sa.select(Membership).where(
        Membership.user_id == user.id, Membership.team_id == team.id
    )
    return db.session.scalar(query)


def details_form(**fields: str) -> dict[str, str]:
    values = {
        "name": "Team A",
        "organisation": "Hillside Council",
        "organisation_kind": "other",
        "service": "",
        "version": "1",  # the team as the world makes it, unchanged since
    }
    values.update(fields)
    return values


def member_form(**fields: str) -> dict[str, str]:
    values = {"email": "nobody@example.org", "display_name": "", "role": "team_member"}
    values.update(fields)
    return values


# The team's page ---------------------------------------------------------------------------------

VISIBILITY = {
    # who: statuses for teams A, B and C
    "admin": (200, 200, 200),
    "coordinator_x": (200, 200, 404),
    "coordinator_y": (404, 404, 200),
    "panel_x": (200, 200, 404),
    "lead_a": (200, 404, 404),
    "member_a": (200, 404, 404),
    "expert_a": (200, 404, 404),
    "member_b": (404, 200, 404),
    "member_c": (404, 404, 200),
    "nobody": (404, 404, 404),
}


def test_who_may_see_which_team(world, client_for):
    statuses = {}
    for role in PEOPLE:
        client = client_for(getattr(world, role))
        statuses[role] = tuple(
            client.get(f"/teams/{team.id}").status_code
            for team in (world.team_a, world.team_b, world.team_c)
        )
    assert statuses == VISIBILITY


def test_a_member_sees_the_people_and_the_empty_aims_message(world, sign_in):
    response = sign_in(world.member_a).get(f"/teams/{world.team_a.id}")
    assert response.status_code == 200
    text = visible(response)
    assert "Team A" in text and "Team in Collaborative X" in text
    for person, role in (("Lead A", "Team lead"), ("Member A", "Team member")):
        assert f"{person} {role} {person.lower().replace(' ', '_')}@example.org" in text
    assert "Expert A Expert by experience" in text
    assert "Member B" not in text  # another team's person
    assert "This team has not set an aim yet." in text
    # A member does not manage the team: no change link, no form, no remove links.
    assert "Change team details" not in text
    assert "Add a person" not in text and "Remove" not in text


@pytest.mark.parametrize("role", ["lead_a", "coordinator_x", "admin"])
def test_those_who_manage_the_team_see_the_tools(world, sign_in, role):
    text = visible(sign_in(getattr(world, role)).get(f"/teams/{world.team_a.id}"))
    assert "Change team details" in text
    assert "Add a person" in text
    assert "Remove Member A" in text


def test_a_panel_member_only_looks(world, sign_in):
    text = visible(sign_in(world.panel_x).get(f"/teams/{world.team_a.id}"))
    assert "Lead A" in text
    assert "Change team details" not in text and "Add a person" not in text


@pytest.mark.parametrize("path", ["/teams/99999", "/teams/0", "/teams/99999999999", "/teams/a"])
def test_an_unknown_team_is_not_found(world, sign_in, path):
    assert sign_in(world.admin).get(path).status_code == 404


# Changing its details ----------------------------------------------------------------------------


def test_who_may_change_the_team(world, client_for):
    url = f"/teams/{world.team_a.id}/edit"
    statuses = {}
    for role in PEOPLE:
        client = client_for(getattr(world, role))
        get = client.get(url).status_code
        db.session.expire_all()  # each person opens the form after the last one saved
        form = details_form(name=f"Renamed by {role}", version=str(world.team_a.version))
        post = client.post(url, data=form).status_code
        statuses[role] = (get, post)
    assert statuses == {
        "admin": (200, 303),
        "coordinator_x": (200, 303),
        "coordinator_y": (404, 404),
        "panel_x": (403, 403),
        "lead_a": (200, 303),
        "member_a": (403, 403),
        "expert_a": (403, 403),
        "member_b": (404, 404),
        "member_c": (404, 404),
        "nobody": (404, 404),
    }
    db.session.expire_all()
    assert world.team_a.name == "Renamed by lead_a"  # the last permitted change


def test_the_form_opens_with_the_current_values(world, sign_in):
    page = body(sign_in(world.lead_a).get(f"/teams/{world.team_a.id}/edit"))
    assert 'value="Team A"' in page and f'value="{world.team_a.organisation}"' in page
    assert '<option value="other" selected' in page


def test_a_change_is_saved_and_audited(world, sign_in):
    url = f"/teams/{world.team_a.id}"
    form = details_form(
        name="Riverside day team",
        organisation="Riverside Care Home",
        organisation_kind="care_home",
        service="Residential care",
    )
    response = sign_in(world.lead_a).post(f"{url}/edit", data=form)

    assert response.status_code == 303
    assert response.headers["Location"] == url
    db.session.expire_all()
    team = world.team_a
    assert (team.name, team.organisation, team.organisation_kind, team.service) == (
        "Riverside day team",
        "Riverside Care Home",
        "care_home",
        "Residential care",
    )
    [event] = audit(AuditAction.UPDATE, "Team")
    assert (event.entity_id, event.actor_id, event.team_id) == (
        team.id,
        world.lead_a.id,
        team.id,
    )
    assert (event.before["name"], event.after["name"]) == ("Team A", "Riverside day team")


def test_a_team_may_take_a_name_used_in_another_collaborative(world, sign_in):
    response = sign_in(world.lead_a).post(
        f"/teams/{world.team_a.id}/edit", data=details_form(name="Team C")
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert world.team_a.name == "Team C"


def test_a_team_may_change_the_case_of_its_own_name(world, sign_in):
    response = sign_in(world.lead_a).post(
        f"/teams/{world.team_a.id}/edit", data=details_form(name="TEAM A")
    )
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (details_form(name="team b"), "This collaborative already has a team with this name"),
        (details_form(name=" Team B "), "This collaborative already has a team with this name"),
        (details_form(name=""), "Enter the team's name"),
        (details_form(organisation=" "), "Enter the organisation"),
        (details_form(organisation_kind="hospital"), "Choose the kind of organisation"),
        (details_form(service="x" * 201), "Service (optional) must be 200 characters or fewer"),
    ],
    ids=["duplicate", "duplicate-spaces", "no-name", "no-organisation", "unknown-kind", "long"],
)
def test_an_invalid_change_is_refused(world, sign_in, form, message):
    before = (world.team_a.name, world.team_a.organisation)
    response = sign_in(world.lead_a).post(f"/teams/{world.team_a.id}/edit", data=form)
    assert response.status_code == 422
    assert message in visible(response)
    db.session.expire_all()
    assert (world.team_a.name, world.team_a.organisation) == before
    assert audit(AuditAction.UPDATE, "Team") == []


# Adding people -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.TEAM_LEAD, Role.TEAM_MEMBER, Role.EXPERT_BY_EXPERIENCE])
def test_a_lead_adds_a_person_without_javascript(world, sign_in, role):
    client = sign_in(world.lead_a)
    url = f"/teams/{world.team_a.id}"
    response = client.post(
        f"{url}/members", data=member_form(email=" NOBODY@example.org", role=role.value)
    )

    assert response.status_code == 303
    assert response.headers["Location"] == url
    assert membership_in(world.nobody, world.team_a).role == role
    [event] = audit(AuditAction.CREATE, "Membership")
    assert (event.team_id, event.collaborative_id) == (world.team_a.id, world.x.id)
    assert added("nobody@example.org", role.label) in visible(client.get(url))


def test_adding_a_person_with_htmx_returns_the_people_section(world, sign_in):
    response = sign_in(world.lead_a).post(
        f"/teams/{world.team_a.id}/members", data=member_form(), headers=HTMX
    )
    assert response.status_code == 200
    assert_fragment(response, "people-section")
    text = visible(response)
    assert added("nobody@example.org", "Team member") in text
    assert "No Roles Team member nobody@example.org" in text
    assert "Lead A" in text
    assert membership_in(world.nobody, world.team_a).role == Role.TEAM_MEMBER


def test_an_admin_gets_the_invitation_link_once(world, sign_in):
    client = sign_in(world.admin)
    response = client.post(
        f"/teams/{world.team_a.id}/members",
        data=member_form(email="nia@example.org", display_name="Nia Newperson"),
        headers=HTMX,
    )
    assert response.status_code == 200
    assert_fragment(response, "people-section")
    assert "Send this link to Nia Newperson" in visible(response)
    assert "/invitation/" in visible(response)
    person = db.session.scalar(sa.select(User).where(User.email == "nia@example.org"))
    assert person.password_hash is None
    assert membership_in(person, world.team_a).role == Role.TEAM_MEMBER
    # The link is handed over once, not on every later page.
    assert "/invitation/" not in visible(client.get(f"/teams/{world.team_a.id}"))


def test_someone_from_another_team_may_join_this_one_too(world, sign_in, client_for):
    response = sign_in(world.lead_a).post(
        f"/teams/{world.team_a.id}/members", data=member_form(email="member_b@example.org")
    )
    assert response.status_code == 303
    assert membership_in(world.member_b, world.team_a).role == Role.TEAM_MEMBER
    assert membership_in(world.member_b, world.team_b).role == Role.TEAM_MEMBER  # kept
    assert client_for(world.member_b).get(f"/teams/{world.team_a.id}").status_code == 200


def test_adding_someone_again_changes_their_role(world, sign_in):
    response = sign_in(world.lead_a).post(
        f"/teams/{world.team_a.id}/members",
        data=member_form(email="member_a@example.org", role="team_lead"),
    )
    assert response.status_code == 303
    memberships = db.session.scalars(
        sa.select(Membership.role).where(
            Membership.user_id == world.member_a.id, Membership.team_id == world.team_a.id
        )
    ).all()
    assert memberships == [Role.TEAM_LEAD]


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
@pytest.mark.parametrize(
    ("form", "message"),
    [
        (member_form(role="coordinator"), "Choose one of the roles shown"),
        (member_form(role="panel_member"), "Choose one of the roles shown"),
        (member_form(email="nobody.example.org"), "Enter an email address in the right format"),
    ],
    ids=["coordinator", "panel", "bad-email"],
)
def test_an_invalid_person_is_refused(world, sign_in, form, message, htmx):
    response = sign_in(world.lead_a).post(
        f"/teams/{world.team_a.id}/members", data=form, headers=HTMX if htmx else {}
    )
    assert response.status_code == 422
    assert message in visible(response)
    if htmx:
        assert_fragment(response, "people-section")
    else:
        assert "<html" in body(response)
    assert (count(User), count(Membership)) == (10, 8)


def test_who_may_add_people(world, client_for):
    statuses = {
        role: client_for(getattr(world, role))
        .post(f"/teams/{world.team_a.id}/members", data=member_form())
        .status_code
        for role in PEOPLE
        if role != "nobody"
    }
    assert statuses == {
        "admin": 303,
        "coordinator_x": 303,
        "coordinator_y": 404,
        "panel_x": 403,
        "lead_a": 303,
        "member_a": 403,
        "expert_a": 403,
        "member_b": 404,
        "member_c": 404,
    }
    assert count(Membership) == 9  # nobody, added (then re-added) by the three who may


# Removing people ---------------------------------------------------------------------------------


def _membership_id(user: User, **scope: int) -> int:
    key, value = next(iter(scope.items()))
    query = sa.select(Membership.id).where(
        Membership.user_id == user.id, getattr(Membership, key) == value
    )
    return db.session.scalar(query)


def test_removing_asks_first_naming_the_person(world, sign_in):
    membership_id = _membership_id(world.member_a, team_id=world.team_a.id)
    response = sign_in(world.lead_a).get(f"/teams/{world.team_a.id}/members/{membership_id}/remove")
    assert response.status_code == 200
    assert "Remove Member A from Team A?" in visible(response)
    assert "They are team member here." in visible(response)
    assert membership_in(world.member_a, world.team_a) is not None


@pytest.mark.parametrize("role", ["lead_a", "coordinator_x"])
def test_removing_takes_the_role_away_and_keeps_the_account(world, sign_in, client_for, role):
    membership_id = _membership_id(world.member_a, team_id=world.team_a.id)
    client = sign_in(getattr(world, role))
    url = f"/teams/{world.team_a.id}"
    response = client.post(f"{url}/members/{membership_id}/remove", data={"version": "1"})

    assert response.status_code == 303
    assert response.headers["Location"] == url
    assert membership_in(world.member_a, world.team_a) is None
    assert db.session.get(User, world.member_a.id) is not None
    [event] = audit(AuditAction.DELETE, "Membership")
    assert (event.before["role"], event.team_id) == ("team_member", world.team_a.id)
    assert "Member A no longer has a role in Team A." in visible(client.get(url))
    assert client_for(world.member_a).get(url).status_code == 404  # they lost access


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "owner", ["member_b", "coordinator_x"], ids=["other-team", "collaborative"]
)
def test_a_membership_from_elsewhere_is_not_found(world, sign_in, method, owner):
    if owner == "member_b":
        membership_id = _membership_id(world.member_b, team_id=world.team_b.id)
    else:
        membership_id = _membership_id(world.coordinator_x, collaborative_id=world.x.id)
    client = sign_in(world.lead_a)
    response = getattr(client, method)(f"/teams/{world.team_a.id}/members/{membership_id}/remove")
    assert response.status_code == 404
    assert db.session.get(Membership, membership_id) is not None
    assert count(Membership) == 8


def test_who_may_remove_people(world, client_for):
    membership_id = _membership_id(world.member_a, team_id=world.team_a.id)
    url = f"/teams/{world.team_a.id}/members/{membership_id}/remove"
    statuses = {}
    for role in ("panel_x", "member_a", "expert_a", "member_b", "coordinator_y", "nobody"):
        client = client_for(getattr(world, role))
        statuses[role] = (client.get(url).status_code, client.post(url).status_code)
    assert statuses == {
        "panel_x": (403, 403),
        "member_a": (403, 403),
        "expert_a": (403, 403),
        "member_b": (404, 404),
        "coordinator_y": (404, 404),
        "nobody": (404, 404),
    }
    assert membership_in(world.member_a, world.team_a) is not None
