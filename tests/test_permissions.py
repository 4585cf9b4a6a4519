"""The access policy as a table: every role of the `world` fixture, every permission, every target.

World: collaborative X with teams A and B, collaborative Y with team C. Team roles apply in their
own team only; coordinators and panel members apply to every team of their collaborative; panel
members only view; experts by experience view, comment and add expert views; admins do everything;
a team role lets its holder see its own collaborative, nothing more across it.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import g
from flask_login import AnonymousUserMixin

from improve.extensions import db
from improve.models import Collaborative, Role, Team
from improve.permissions import (
    Permission,
    can,
    can_create_collaborative,
    visible_collaborative_ids,
    visible_team_ids,
)

P = Permission
COLLABORATIVE_PERMISSIONS = frozenset(
    {P.VIEW_COLLABORATIVE, P.EDIT_COLLABORATIVE, P.MANAGE_COLLABORATIVE_MEMBERS, P.ADD_TEAM}
)

# What each kind of person may do where their role applies.
EVERYTHING = frozenset(Permission)
NOTHING: frozenset[Permission] = frozenset()
COORDINATING = frozenset(
    {
        P.VIEW_COLLABORATIVE,
        P.EDIT_COLLABORATIVE,
        P.MANAGE_COLLABORATIVE_MEMBERS,
        P.ADD_TEAM,
        P.VIEW_TEAM,
        P.EDIT_TEAM,
        P.MANAGE_TEAM_MEMBERS,
        P.COMMENT,
        P.COORDINATE,
        P.SCORE_REPORTS,
        P.VIEW_PANEL,
        P.RECORD_PANEL_REVIEW,
        P.RECORD_EVALUATION,
    }
)
# Panel members read everything of their collaborative and record their reviews and evaluation.
PANEL = frozenset(
    {P.VIEW_COLLABORATIVE, P.VIEW_TEAM, P.VIEW_PANEL, P.RECORD_PANEL_REVIEW, P.RECORD_EVALUATION}
)
LEADING = frozenset(
    {
        P.VIEW_COLLABORATIVE,
        P.VIEW_TEAM,
        P.EDIT_TEAM,
        P.MANAGE_TEAM_MEMBERS,
        P.EDIT_TEAM_RECORDS,
        P.COMMENT,
    }
)
MEMBER = frozenset({P.VIEW_COLLABORATIVE, P.VIEW_TEAM, P.EDIT_TEAM_RECORDS, P.COMMENT})
EXPERT = frozenset({P.VIEW_COLLABORATIVE, P.VIEW_TEAM, P.COMMENT, P.ADD_EXPERT_VIEW})
# A team role, seen from its collaborative: only the right to look at it.
SEES_COLLABORATIVE = frozenset({P.VIEW_COLLABORATIVE})

TARGETS = ("team_a", "team_b", "team_c", "x", "y")
EXPECTED: dict[str, dict[str, frozenset[Permission]]] = {
    "admin": dict.fromkeys(TARGETS, EVERYTHING),
    "coordinator_x": {
        "team_a": COORDINATING,
        "team_b": COORDINATING,
        "team_c": NOTHING,
        "x": COORDINATING,
        "y": NOTHING,
    },
    "coordinator_y": {
        "team_a": NOTHING,
        "team_b": NOTHING,
        "team_c": COORDINATING,
        "x": NOTHING,
        "y": COORDINATING,
    },
    "panel_x": {"team_a": PANEL, "team_b": PANEL, "team_c": NOTHING, "x": PANEL, "y": NOTHING},
    "lead_a": {
        "team_a": LEADING,
        "team_b": NOTHING,
        "team_c": NOTHING,
        "x": SEES_COLLABORATIVE,
        "y": NOTHING,
    },
    "member_a": {
        "team_a": MEMBER,
        "team_b": NOTHING,
        "team_c": NOTHING,
        "x": SEES_COLLABORATIVE,
        "y": NOTHING,
    },
    "expert_a": {
        "team_a": EXPERT,
        "team_b": NOTHING,
        "team_c": NOTHING,
        "x": SEES_COLLABORATIVE,
        "y": NOTHING,
    },
    "member_b": {
        "team_a": NOTHING,
        "team_b": MEMBER,
        "team_c": NOTHING,
        "x": SEES_COLLABORATIVE,
        "y": NOTHING,
    },
    "member_c": {
        "team_a": NOTHING,
        "team_b": NOTHING,
        "team_c": MEMBER,
        "x": NOTHING,
        "y": SEES_COLLABORATIVE,
    },
    "nobody": dict.fromkeys(TARGETS, NOTHING),
}

# permissions.can() checks a collaborative against every role held in any of its teams, so a
# team role grants its team permissions (comment, edit records, manage members ...) on the whole
# collaborative. No view asks that question yet; whether it should be allowed is a design call.
LEAKING_CELLS = {
    ("lead_a", "x"),
    ("member_a", "x"),
    ("expert_a", "x"),
    ("member_b", "x"),
    ("member_c", "y"),
}


def _granted(app, world, role: str, target: str, permissions=EVERYTHING) -> set[Permission]:
    user, scope = getattr(world, role), getattr(world, target)
    granted = set()
    for permission in permissions:
        with app.test_request_context():
            g.pop("_roles_cache", None)  # can() caches roles per request in g
            if can(user, permission, scope):
                granted.add(permission)
    return granted


def _table_row(app, world, role: str) -> dict[str, list[str]]:
    """What this person may do on each target, as sorted names so a failure reads clearly."""
    return {
        target: sorted(p.value for p in _granted(app, world, role, target)) for target in TARGETS
    }


def test_the_table_covers_every_role_of_the_world(world):
    places = {"x", "y", *TARGETS}
    assert {name for name in vars(world) if name not in places} == set(EXPECTED)


@pytest.mark.parametrize("role", EXPECTED)
def test_policy_table(app, world, role):
    """Every permission on every target, except the cells that wait on a design decision below."""
    expected = {target: sorted(p.value for p in EXPECTED[role][target]) for target in TARGETS}
    actual = _table_row(app, world, role)
    for target in TARGETS:
        if (role, target) in LEAKING_CELLS:
            actual[target] = sorted(
                p.value for p in _granted(app, world, role, target, COLLABORATIVE_PERMISSIONS)
            )
    assert actual == expected


@pytest.mark.parametrize(("role", "target"), sorted(LEAKING_CELLS))
def test_a_team_role_grants_nothing_but_viewing_on_its_collaborative(app, world, role, target):
    assert _granted(app, world, role, target) == SEES_COLLABORATIVE


def test_a_signed_out_visitor_may_do_nothing(app, world):
    visitor = AnonymousUserMixin()
    with app.test_request_context():
        granted = {
            (target, permission)
            for target in TARGETS
            for permission in Permission
            if can(visitor, permission, getattr(world, target))
        }
    assert granted == set()


def test_roles_in_two_places_each_apply_in_their_own_scope(app, world, grant):
    """A second role somewhere else never widens the first: a lead of A who coordinates Y."""
    grant(world.lead_a, Role.COORDINATOR, world.y)
    assert _granted(app, world, "lead_a", "team_c") == COORDINATING
    assert _granted(app, world, "lead_a", "y") == COORDINATING
    assert _granted(app, world, "lead_a", "team_b") == NOTHING
    assert _granted(app, world, "lead_a", "team_a") == LEADING


# Listings ----------------------------------------------------------------------------------------

VISIBLE_TEAMS = {
    "admin": {"team_a", "team_b", "team_c"},
    "coordinator_x": {"team_a", "team_b"},
    "coordinator_y": {"team_c"},
    "panel_x": {"team_a", "team_b"},
    "lead_a": {"team_a"},
    "member_a": {"team_a"},
    "expert_a": {"team_a"},
    "member_b": {"team_b"},
    "member_c": {"team_c"},
    "nobody": set(),
}
VISIBLE_COLLABORATIVES = {
    "admin": {"x", "y"},
    "coordinator_x": {"x"},
    "coordinator_y": {"y"},
    "panel_x": {"x"},
    "lead_a": {"x"},
    "member_a": {"x"},
    "expert_a": {"x"},
    "member_b": {"x"},
    "member_c": {"y"},
    "nobody": set(),
}
MAY_CREATE_COLLABORATIVE = {
    "admin": True,
    "coordinator_x": True,
    "coordinator_y": True,
    "panel_x": False,
    "lead_a": False,
    "member_a": False,
    "expert_a": False,
    "member_b": False,
    "member_c": False,
    "nobody": False,
}


def _keys(world, ids: set[int], keys: tuple[str, ...]) -> set[str]:
    return {key for key in keys if getattr(world, key).id in ids}


@pytest.mark.parametrize("role", EXPECTED)
def test_listings_and_starting_a_collaborative(app, world, role):
    user = getattr(world, role)
    team_ids = set(db.session.scalars(visible_team_ids(user)))
    collaborative_ids = set(db.session.scalars(visible_collaborative_ids(user)))

    assert _keys(world, team_ids, ("team_a", "team_b", "team_c")) == VISIBLE_TEAMS[role]
    assert len(team_ids) == len(VISIBLE_TEAMS[role])
    assert _keys(world, collaborative_ids, ("x", "y")) == VISIBLE_COLLABORATIVES[role]
    assert len(collaborative_ids) == len(VISIBLE_COLLABORATIVES[role])
    assert can_create_collaborative(user) is MAY_CREATE_COLLABORATIVE[role]
    # A listing and the check on one object must never disagree.
    for key in ("team_a", "team_b", "team_c"):
        assert (P.VIEW_TEAM in _granted(app, world, role, key, {P.VIEW_TEAM})) is (
            key in VISIBLE_TEAMS[role]
        )
    for key in ("x", "y"):
        assert (
            P.VIEW_COLLABORATIVE in _granted(app, world, role, key, {P.VIEW_COLLABORATIVE})
        ) is (key in VISIBLE_COLLABORATIVES[role])


def test_visible_ids_compose_as_subqueries(world):
    """Views use them inside IN (...)."""
    query = sa.select(Team.name).where(Team.id.in_(visible_team_ids(world.coordinator_x)))
    assert sorted(db.session.scalars(query)) == ["Team A", "Team B"]
    query = sa.select(Collaborative.name).where(
        Collaborative.id.in_(visible_collaborative_ids(world.member_c))
    )
    assert list(db.session.scalars(query)) == ["Collaborative Y"]


def test_a_new_team_is_visible_to_its_collaboratives_overseers_only(world, make_team):
    team_d = make_team(world.x, name="Team D")
    assert team_d.id in set(db.session.scalars(visible_team_ids(world.panel_x)))
    assert team_d.id not in set(db.session.scalars(visible_team_ids(world.lead_a)))
    assert team_d.id not in set(db.session.scalars(visible_team_ids(world.coordinator_y)))


def test_team_record_loader_hides_other_teams_records_and_refuses_unpermitted_changes(app, world):
    """A record of another team is 404 (its id tells nothing); one's own team's record without
    the permission is 403."""
    from datetime import date

    from flask_login import login_user
    from werkzeug.exceptions import Forbidden, NotFound

    from improve.extensions import db
    from improve.models import Aim, ChangeIdea
    from improve.permissions import team_record_or_404

    aim = Aim(
        team_id=world.team_a.id,
        title="Fewer falls",
        what="Reduce falls",
        for_whom="Residents",
        location="Home",
        target_value=4,
        target_date=date(2026, 12, 31),
    )
    idea = ChangeIdea(aim=aim, title="Hourly checks")
    db.session.add_all([aim, idea])
    db.session.commit()

    def load(user, model, record_id, permission=Permission.VIEW_TEAM):
        with app.test_request_context():
            login_user(user)
            return team_record_or_404(model, record_id, permission)

    assert load(world.member_a, Aim, aim.id) == aim
    assert load(world.member_a, ChangeIdea, idea.id) == idea  # found through its aim
    assert load(world.coordinator_x, Aim, aim.id) == aim
    for outsider in (world.member_b, world.coordinator_y, world.nobody):
        with pytest.raises(NotFound):
            load(outsider, Aim, aim.id)
        with pytest.raises(NotFound):
            load(outsider, ChangeIdea, idea.id)
    with pytest.raises(NotFound):
        load(world.member_a, Aim, 999_999)
    with pytest.raises(Forbidden):
        load(world.expert_a, Aim, aim.id, Permission.EDIT_TEAM_RECORDS)
    with pytest.raises(Forbidden):
        load(world.panel_x, ChangeIdea, idea.id, Permission.EDIT_TEAM_RECORDS)
