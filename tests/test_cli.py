"""`flask` commands: create-user, grant-role and demo."""

from __future__ import annotations

import functools
import re

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from improve.demo import DEMO_PASSWORD
from improve.extensions import db
from improve.models import Collaborative, Membership, OutboxMessage, Role, Team, User

LONG_PASSWORD = "long enough password"


@pytest.fixture
def cheap_hashing(monkeypatch):
    """scrypt costs about 0.15 s a hash; the demo makes several."""
    cheap = functools.partial(generate_password_hash, method="pbkdf2:sha256:1")
    monkeypatch.setattr("improve.models.user.generate_password_hash", cheap)


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def roles_of(user: User) -> list[tuple[Role, int | None, int | None]]:
    db.session.expire_all()
    query = sa.select(Membership).where(Membership.user_id == user.id).order_by(Membership.id)
    return [(m.role, m.team_id, m.collaborative_id) for m in db.session.scalars(query)]


# create-user -------------------------------------------------------------------------------------


def test_create_user_with_a_password(runner, monkeypatch):
    # The real, slow hash: this test checks the method (conftest swaps in a cheap one).
    monkeypatch.setattr("improve.models.user.generate_password_hash", generate_password_hash)
    result = runner.invoke(
        args=[
            "create-user",
            " Cara@Example.ORG ",
            "--name",
            " Cara Cli ",
            "--password",
            LONG_PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created cara@example.org" in result.output
    assert "site administrator" not in result.output
    user = user_by_email("cara@example.org")
    assert (user.display_name, user.is_admin, user.is_enabled) == ("Cara Cli", False, True)
    assert user.check_password(LONG_PASSWORD)
    assert LONG_PASSWORD not in user.password_hash
    assert user.password_hash.startswith("scrypt:")  # the slow, salted default


def test_create_user_as_admin(runner, cheap_hashing):
    result = runner.invoke(
        args=[
            "create-user",
            "boss@example.org",
            "--name",
            "Boss",
            "--admin",
            "--password",
            LONG_PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert "(site administrator)" in result.output
    assert user_by_email("boss@example.org").is_admin


def test_create_user_asks_for_the_password_twice(runner, cheap_hashing):
    result = runner.invoke(
        args=["create-user", "cara@example.org", "--name", "Cara"],
        input=f"{LONG_PASSWORD}\n{LONG_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert LONG_PASSWORD not in result.output  # hidden as it is typed
    assert user_by_email("cara@example.org").check_password(LONG_PASSWORD)


def test_create_user_with_an_invitation(app, runner):
    result = runner.invoke(args=["create-user", "ivy@example.org", "--name", "Ivy", "--invite"])
    assert result.exit_code == 0, result.output
    assert user_by_email("ivy@example.org").password_hash is None

    assert "Invitation email queued for ivy@example.org" in result.output
    link = re.search(r"^http://improve\.test(/invitation/\S+)$", result.output, re.M)
    assert link is not None, result.output
    # Each request in its own app context, so the runner's session state cannot leak into it.
    with app.app_context():
        response = app.test_client().get(link.group(1))
    assert response.status_code == 200
    assert "Hello Ivy" in response.get_data(as_text=True)

    # The same link, by email.
    [message] = db.session.scalars(sa.select(OutboxMessage)).all()
    assert (message.kind, message.to_address) == ("invitation", "ivy@example.org")
    assert f"http://improve.test{link.group(1)}" in message.text_body


def test_create_user_with_a_password_sends_no_email(runner):
    result = runner.invoke(
        args=["create-user", "cara@example.org", "--name", "Cara", "--password", LONG_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert count(OutboxMessage) == 0


@pytest.mark.parametrize("email", ["taken@example.org", "TAKEN@example.org"])
def test_create_user_refuses_a_duplicate_email(runner, make_user, email):
    make_user(email="taken@example.org")
    result = runner.invoke(args=["create-user", email, "--name", "Copy", "--invite"])
    assert result.exit_code != 0
    assert "an account for taken@example.org already exists" in result.output
    assert count(User) == 1


@pytest.mark.parametrize("password", ["short", "nine char"])
def test_create_user_refuses_a_short_password(runner, password):
    result = runner.invoke(
        args=["create-user", "cara@example.org", "--name", "Cara", "--password", password]
    )
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert user_by_email("cara@example.org") is None


def test_create_user_needs_a_name(runner):
    result = runner.invoke(args=["create-user", "cara@example.org", "--invite"])
    assert result.exit_code != 0
    assert "--name" in result.output
    assert count(User) == 0


# grant-role --------------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["name", "id"])
def test_grant_a_team_role(runner, world, by):
    team = world.team_b.name if by == "name" else str(world.team_b.id)
    result = runner.invoke(args=["grant-role", "nobody@example.org", "team_lead", "--team", team])
    assert result.exit_code == 0, result.output
    assert "nobody@example.org is now Team lead in Team B" in result.output
    assert roles_of(world.nobody) == [(Role.TEAM_LEAD, world.team_b.id, None)]


@pytest.mark.parametrize("by", ["name", "id"])
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.PANEL_MEMBER])
def test_grant_a_collaborative_role(runner, world, role, by):
    collaborative = world.y.name if by == "name" else str(world.y.id)
    result = runner.invoke(
        args=["grant-role", " Nobody@Example.org", role.value, "--collaborative", collaborative]
    )
    assert result.exit_code == 0, result.output
    assert f"is now {role.label} in Collaborative Y" in result.output
    assert roles_of(world.nobody) == [(role, None, world.y.id)]


@pytest.mark.parametrize(
    ("role", "options", "needs"),
    [
        ("team_member", [], "--team"),
        ("team_member", ["--collaborative", "Collaborative X"], "--team"),
        ("team_member", ["--team", "Team A", "--collaborative", "Collaborative X"], "--team"),
        ("coordinator", [], "--collaborative"),
        ("coordinator", ["--team", "Team A"], "--collaborative"),
        ("panel_member", ["--team", "Team A", "--collaborative", "Collaborative X"], "--collab"),
    ],
    ids=[
        "team role, no scope",
        "team role, collaborative",
        "team role, both",
        "coordinator, no scope",
        "coordinator, team",
        "panel, both",
    ],
)
def test_grant_role_needs_the_right_scope(runner, world, role, options, needs):
    result = runner.invoke(args=["grant-role", "nobody@example.org", role, *options])
    assert result.exit_code != 0
    assert f"needs {needs}" in result.output
    assert roles_of(world.nobody) == []


def test_grant_role_to_an_unknown_email_fails(runner, world):
    result = runner.invoke(
        args=["grant-role", "ghost@example.org", "team_member", "--team", "Team A"]
    )
    assert result.exit_code != 0
    assert "no account for ghost@example.org" in result.output


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--team", "Team Z"], "no single team matches 'Team Z' (0 found)"),
        (["--team", "999"], "no single team matches '999' (0 found)"),
        (["--team", "Shared name"], "no single team matches 'Shared name' (2 found)"),
    ],
)
def test_grant_role_needs_exactly_one_matching_team(runner, world, make_team, options, message):
    make_team(world.x, name="Shared name")
    make_team(world.y, name="Shared name")
    result = runner.invoke(args=["grant-role", "nobody@example.org", "team_member", *options])
    assert result.exit_code != 0
    assert message in result.output
    assert roles_of(world.nobody) == []


def test_grant_role_refuses_an_unknown_role(runner, world):
    result = runner.invoke(args=["grant-role", "nobody@example.org", "boss", "--team", "Team A"])
    assert result.exit_code != 0
    assert roles_of(world.nobody) == []


def test_grant_role_replaces_the_role_in_the_same_place(runner, world):
    result = runner.invoke(
        args=["grant-role", "member_a@example.org", "team_lead", "--team", "Team A"]
    )
    assert result.exit_code == 0, result.output
    assert roles_of(world.member_a) == [(Role.TEAM_LEAD, world.team_a.id, None)]


def test_grant_role_in_another_place_adds_a_role(runner, world):
    result = runner.invoke(
        args=["grant-role", "member_a@example.org", "team_member", "--team", "Team C"]
    )
    assert result.exit_code == 0, result.output
    assert roles_of(world.member_a) == [
        (Role.TEAM_MEMBER, world.team_a.id, None),
        (Role.TEAM_MEMBER, world.team_c.id, None),
    ]


# demo --------------------------------------------------------------------------------------------

DEMO_EMAILS = [
    "admin@example.org",
    "coordinator@example.org",
    "panel@example.org",
    "lead@example.org",
    "member@example.org",
    "expert@example.org",
    "northlead@example.org",
    "northmember@example.org",
    "northexpert@example.org",
    "homecarelead@example.org",
    "homecarestaff@example.org",
    "carerslead@example.org",
    "carersexpert@example.org",
    "academylead@example.org",
    "pathwayslead@example.org",
    "pathwaysexpert@example.org",
    "researcher@example.org",
]


def test_demo_if_empty_twice_keeps_the_same_data(runner, cheap_hashing):
    first = runner.invoke(args=["demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "Demo data created." in first.output
    users, teams, collaboratives = count(User), count(Team), count(Collaborative)
    assert (users, teams, collaboratives) == (17, 6, 1)

    second = runner.invoke(args=["demo", "--if-empty"])
    assert second.exit_code == 0, second.output
    assert "keeping existing data" in second.output
    assert "Demo data created." not in second.output
    assert (count(User), count(Team), count(Collaborative)) == (users, teams, collaboratives)

    for output in (first.output, second.output):
        assert f"password for all: {DEMO_PASSWORD}" in output
        for email in DEMO_EMAILS:
            assert email in output


@pytest.mark.parametrize(
    ("email", "role", "place"),
    [
        ("coordinator@example.org", Role.COORDINATOR, "Living Well at Home collaborative"),
        ("panel@example.org", Role.PANEL_MEMBER, "Living Well at Home collaborative"),
        ("lead@example.org", Role.TEAM_LEAD, "Riverside Care Home"),
        ("expert@example.org", Role.EXPERT_BY_EXPERIENCE, "Riverside Care Home"),
        ("northlead@example.org", Role.TEAM_LEAD, "North Locality Social Work"),
    ],
)
def test_demo_accounts_have_their_roles_and_password(runner, cheap_hashing, email, role, place):
    runner.invoke(args=["demo", "--if-empty"])
    user = user_by_email(email)
    [(given, team_id, collaborative_id)] = roles_of(user)
    scope = (
        db.session.get(Team, team_id)
        if team_id
        else db.session.get(Collaborative, collaborative_id)
    )
    assert (given, scope.name) == (role, place)
    assert user.check_password(DEMO_PASSWORD)
    assert not user.is_admin


def test_demo_if_empty_leaves_a_database_with_accounts_alone(runner, make_user):
    make_user(email="real@example.org")
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "keeping existing data" in result.output
    assert count(User) == 1
    assert count(Collaborative) == 0
