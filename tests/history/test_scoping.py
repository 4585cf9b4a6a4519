"""History never leaks through an id (issue 16.6): ids are never given again, and every row a
history page shows is checked against its own team or collaborative, not the record it names.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import html

import sqlalchemy as sa

from improve.auditing import record_event
from improve.extensions import db
from improve.models import Aim, AuditAction, Membership, Role
from tests.comments.records import make_aim
from tests.conftest import PEOPLE, text_of


def visible(response) -> str:
    return html.unescape(text_of(response))


def statuses(world, client_for, url: str) -> dict[str, int]:
    return {role: client_for(getattr(world, role)).get(url).status_code for role in PEOPLE}


def test_a_removed_memberships_id_is_never_given_to_the_next_one(world, client_for, make_user):
    """The probe: a panel membership in X added and removed, then one in Y. On SQLite the new
    one took the freed id, and its history showed X's membership to Y's people."""
    coordinator_x, coordinator_y = client_for(world.coordinator_x), client_for(world.coordinator_y)
    panellist = make_user(display_name="Pat Panel")
    added = coordinator_x.post(
        f"/collaboratives/{world.x.id}/members",
        data={"email": panellist.email, "role": Role.PANEL_MEMBER.value},
    )
    assert added.status_code == 303
    old_id = db.session.scalar(sa.select(sa.func.max(Membership.id)))
    removed = coordinator_x.post(
        f"/collaboratives/{world.x.id}/members/{old_id}/remove", data={"version": "1"}
    )
    assert removed.status_code == 303
    newcomer = make_user(display_name="Yan Newcomer")
    coordinator_y.post(
        f"/collaboratives/{world.y.id}/members",
        data={"email": newcomer.email, "role": Role.PANEL_MEMBER.value},
    )
    db.session.expire_all()
    new_id = db.session.scalar(sa.select(Membership.id).where(Membership.user_id == newcomer.id))

    assert new_id > old_id
    # Y's people see their own membership's history, and nothing of X's.
    text = visible(client_for(world.member_c).get(f"/history/Membership/{new_id}"))
    assert "Coordinator Y added this role" in text and "Pat Panel" not in text
    assert client_for(world.member_c).get(f"/history/Membership/{old_id}").status_code == 404
    # X's people see X's, added and removed.
    text = visible(client_for(world.member_a).get(f"/history/Membership/{old_id}"))
    assert "Coordinator X deleted this role" in text and "Coordinator X added this role" in text
    assert client_for(world.member_a).get(f"/history/Membership/{new_id}").status_code == 404


def _rows_under_one_id(world, make_user) -> int:
    """What a reused id looked like: one Membership id with rows of collaborative X (a panel
    role, added and removed) and of team C in collaborative Y (a team role, added)."""
    pat, yan = make_user(display_name="Pat Panel"), make_user(display_name="Yan Newcomer")
    membership = Membership(user_id=yan.id, role=Role.TEAM_MEMBER, team_id=world.team_c.id)
    db.session.add(membership)
    db.session.flush()
    old = Membership(id=membership.id, user_id=pat.id, role=Role.PANEL_MEMBER)
    x_scope = {"team_id": None, "collaborative_id": world.x.id}
    x_values = {"user_id": pat.id, "role": "panel_member", "collaborative_id": world.x.id}
    record_event(world.coordinator_x.id, AuditAction.CREATE, old, after=x_values, **x_scope)
    record_event(world.coordinator_x.id, AuditAction.DELETE, old, before=x_values, **x_scope)
    record_event(
        world.member_c.id,
        AuditAction.CREATE,
        membership,
        after={"user_id": yan.id, "role": "team_member", "team_id": world.team_c.id},
        team_id=world.team_c.id,
        collaborative_id=world.y.id,
    )
    db.session.commit()
    return membership.id


def test_every_row_is_checked_against_its_own_owner_not_the_id_it_names(
    world, client_for, make_user
):
    url = f"/history/Membership/{_rows_under_one_id(world, make_user)}"

    assert statuses(world, client_for, url) == {
        "admin": 200,
        "coordinator_x": 200,  # X's rows only
        "coordinator_y": 200,  # team C's row only
        "panel_x": 200,
        "lead_a": 200,  # a team role in X lets you see X's collaborative-level rows
        "member_a": 200,
        "expert_a": 200,
        "member_b": 200,
        "member_c": 200,
        "nobody": 404,
    }
    for role in ("member_c", "coordinator_y"):
        text = visible(client_for(getattr(world, role)).get(url))
        assert "Member C added this role" in text and "Yan Newcomer" in text
        assert "Pat Panel" not in text and "Coordinator X" not in text
        assert "Collaborative X" not in text
    for role in ("member_a", "panel_x", "coordinator_x"):
        text = visible(client_for(getattr(world, role)).get(url))
        assert "Coordinator X deleted this role" in text and "Pat Panel" in text
        assert "Yan Newcomer" not in text and "Member C" not in text and "Team C" not in text
    text = visible(client_for(world.admin).get(url))
    assert "Pat Panel" in text and "Yan Newcomer" in text


def test_a_collaborative_level_row_is_checked_against_its_collaborative(world, client_for):
    """Rows with no team are shown only within the collaborative they were filed under."""
    record_event(
        world.coordinator_y.id,
        AuditAction.UPDATE,
        world.x,  # the record's id, but the row is Y's
        before={"topic": "Secret Y plans"},
        after={"topic": "More secret Y plans"},
        collaborative_id=world.y.id,
    )
    db.session.commit()
    url = f"/history/Collaborative/{world.x.id}"
    assert client_for(world.coordinator_x).get(url).status_code == 404
    assert client_for(world.member_a).get(url).status_code == 404
    text = visible(client_for(world.member_c).get(url))
    assert "Secret Y plans" in text


def test_a_history_whose_rows_are_all_hidden_is_not_found_like_one_that_does_not_exist(
    world, client_for, make_user, make_collaborative, grant
):
    membership_id = _rows_under_one_id(world, make_user)
    # A coordinator of another collaborative: the same answer as for an id never used.
    elsewhere = make_user(display_name="Zed Coordinator")
    grant(elsewhere, Role.COORDINATOR, make_collaborative(name="Collaborative Z"))
    for person in (elsewhere, world.nobody):
        client = client_for(person)
        hidden = client.get(f"/history/Membership/{membership_id}")
        missing = client.get(f"/history/Membership/{membership_id + 10_000}")
        assert hidden.status_code == missing.status_code == 404
        assert visible(hidden) == visible(missing)  # (the CSRF token in the page differs)


def test_a_team_record_whose_rows_are_another_teams_reads_as_having_no_history(world, client_for):
    """An aim of team A whose id carries rows filed under team C: A's people see the aim's own
    page of no history, exactly as if those rows did not exist; C's rows stay C's."""
    aim = make_aim(world.team_a, title="Fewer falls")
    other = Aim(id=aim.id, title="Team C's private aim")
    record_event(
        world.member_c.id,
        AuditAction.CREATE,
        other,
        after={"title": "Team C's private aim"},
        team_id=world.team_c.id,
        collaborative_id=world.y.id,
    )
    db.session.commit()
    response = client_for(world.member_a).get(f"/history/Aim/{aim.id}")
    assert response.status_code == 200
    text = visible(response)
    assert "No changes have been recorded for this aim." in text
    assert "private" not in text and "Member C" not in text
    assert "Team C's private aim" in visible(
        client_for(world.member_c).get(f"/history/Aim/{aim.id}")
    )
