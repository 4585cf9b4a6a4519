"""The history of one record, and the recent-activity list a team's page includes.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from improve.auditing import record_event, snapshot, update_audited
from improve.extensions import db
from improve.history import queries
from improve.models import Aim, AuditAction, AuditEvent, Comment, Membership, Role, Team
from tests.comments.records import make_aim, make_cycle
from tests.conftest import HTMX, PEOPLE, text_of, version_of

AIM_FIELDS = ("title", "target_value", "target_date", "status", "baseline_value")


def visible(response) -> str:
    return html.unescape(text_of(response))


def audited_aim(world, team: Team | None = None) -> Aim:
    """An aim created by Lead A, then changed by Member A, as the aims feature records them."""
    team = team or world.team_a
    aim = make_aim(team, title="Fewer falls")
    ids = {"team_id": team.id, "collaborative_id": team.collaborative_id}
    created = record_event(
        world.lead_a.id,
        AuditAction.CREATE,
        aim,
        summary="Set aim Fewer falls",
        after=snapshot(aim, AIM_FIELDS),
        **ids,
    )
    created.occurred_at = datetime.now(UTC) - timedelta(days=3)
    update_audited(
        world.member_a.id,
        aim,
        AIM_FIELDS,
        {"target_value": 3.0, "target_date": aim.target_date.replace(month=6, day=30)},
        summary="Changed aim Fewer falls",
        **ids,
    )
    db.session.commit()
    return aim


# Who may see a history ---------------------------------------------------------------------------


def statuses(world, client_for, url: str) -> dict[str, int]:
    return {role: client_for(getattr(world, role)).get(url).status_code for role in PEOPLE}


def test_a_teams_record_is_for_those_who_see_the_team(world, client_for):
    aim = audited_aim(world)
    assert statuses(world, client_for, f"/history/Aim/{aim.id}") == {
        "admin": 200,
        "coordinator_x": 200,
        "coordinator_y": 404,
        "panel_x": 200,
        "lead_a": 200,
        "member_a": 200,
        "expert_a": 200,
        "member_b": 404,
        "member_c": 404,
        "nobody": 404,
    }


def test_a_collaboratives_record_is_for_those_in_the_collaborative(world, client_for):
    record_event(
        world.coordinator_x.id,
        AuditAction.UPDATE,
        world.x,
        summary="Changed collaborative",
        before={"topic": "Falls"},
        after={"topic": "Fewer falls"},
        collaborative_id=world.x.id,
    )
    db.session.commit()
    assert statuses(world, client_for, f"/history/Collaborative/{world.x.id}") == {
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


def test_an_accounts_record_is_for_admins(world, client_for):
    record_event(
        world.admin.id,
        AuditAction.UPDATE,
        world.member_a,
        summary="Changed account",
        before={"display_name": "Member"},
        after={"display_name": "Member A"},
    )
    db.session.commit()
    seen = statuses(world, client_for, f"/history/User/{world.member_a.id}")
    assert seen == {role: 200 if role == "admin" else 404 for role in PEOPLE}


def test_a_teams_membership_follows_the_team(world, client_for, sign_in):
    # Added through the real team page, so the audit row is the members feature's own.
    response = sign_in(world.lead_a).post(
        f"/teams/{world.team_a.id}/members",
        data={"email": "nobody@example.org", "display_name": "", "role": "team_member"},
    )
    assert response.status_code == 303
    membership_id = db.session.scalar(
        sa.select(Membership.id).where(Membership.user_id == world.nobody.id)
    )
    url = f"/history/Membership/{membership_id}"
    assert client_for(world.expert_a).get(url).status_code == 200
    assert client_for(world.member_b).get(url).status_code == 404
    assert "Lead A added this role" in visible(client_for(world.admin).get(url))


@pytest.mark.parametrize(
    "path",
    [
        "/history/Sausage/1",
        "/history/AuditEvent/1",
        "/history/aim/1",  # class names only
        "/history/Aim/99999",
        "/history/Aim/0",
        "/history/Aim/99999999999",
        "/history/Aim/x",
    ],
)
def test_unknown_types_and_records_without_history_are_not_found(world, sign_in, path):
    audited_aim(world)
    assert sign_in(world.admin).get(path).status_code == 404


def test_sign_ins_are_not_a_records_history(world, sign_in):
    # Signing in writes audit rows about the account, but they are not changes to it.
    client = sign_in(world.admin)
    assert client.get(f"/history/User/{world.admin.id}").status_code == 404


def test_a_record_of_a_team_that_is_gone_is_for_admins(world, client_for):
    team = Team(collaborative_id=world.x.id, name="Short-lived", organisation="Elsewhere")
    db.session.add(team)
    db.session.commit()
    url = f"/history/Aim/{audited_aim(world, team).id}"
    db.session.delete(team)
    db.session.commit()
    assert client_for(world.admin).get(url).status_code == 200
    assert client_for(world.coordinator_x).get(url).status_code == 404


def test_the_audit_log_cannot_be_written_through_the_app(app, world, sign_in):
    aim = audited_aim(world)
    client = sign_in(world.admin)
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(f"/history/Aim/{aim.id}")
        assert response.status_code == 405
    # No route anywhere is about the audit log except these read-only ones.
    audit_rules = [rule for rule in app.url_map.iter_rules() if "history" in rule.rule]
    assert sorted((r.endpoint, sorted(r.methods - {"HEAD", "OPTIONS"})) for r in audit_rules) == [
        ("history.data_point", ["GET"]),
        ("history.measure", ["GET"]),
        ("history.record", ["GET"]),
        # A panel review's history, for the panel only (tests/panel/test_reviews.py).
        ("panel.review_history", ["GET"]),
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == rows


# What a history shows ----------------------------------------------------------------------------


def test_a_history_lists_changes_newest_first_in_plain_words(world, sign_in):
    aim = audited_aim(world)
    response = sign_in(world.expert_a).get(f"/history/Aim/{aim.id}")

    assert response.status_code == 200
    text = visible(response)
    assert "History of this aim Fewer falls" in text
    assert text.index("Member A changed this aim") < text.index("Lead A added this aim")
    assert "just now" in text and "3 days ago" in text
    # Only the fields that changed, with plain labels and readable values.
    assert (
        "What Member A changed Field Before After "
        "Target 4 3 Target date 31 December 2026 30 June 2026" in text
    )
    assert "target_value" not in text and "baseline_value" not in text
    assert "What it said when it was added" in text
    assert "Title Fewer falls" in text and "Status Active" in text and "Baseline (empty)" in text
    assert f'href="/aims/{aim.id}"' in response.get_data(as_text=True)  # back to the aim


def test_the_history_of_a_deleted_record_remains(world, sign_in):
    aim = audited_aim(world)
    record_event(
        world.lead_a.id,
        AuditAction.DELETE,
        aim,
        summary="Deleted aim Fewer falls",
        before=snapshot(aim, AIM_FIELDS),
        team_id=world.team_a.id,
        collaborative_id=world.x.id,
    )
    db.session.delete(aim)
    db.session.commit()
    response = sign_in(world.member_a).get(f"/history/Aim/{aim.id}")
    assert response.status_code == 200
    text = visible(response)
    assert text.index("Lead A deleted this aim") < text.index("Member A changed this aim")
    assert "What it said before it was deleted" in text
    # The aim's page is gone, so "Back" goes to the team.
    assert f'href="/teams/{world.team_a.id}" class="govuk-back-link"' in response.get_data(
        as_text=True
    )


def test_people_in_fields_are_named_and_the_system_and_removed_accounts_are_said(world, sign_in):
    cycle = make_cycle(make_aim(world.team_a))
    ids = {"team_id": world.team_a.id, "collaborative_id": world.x.id}
    record_event(None, AuditAction.CREATE, cycle, summary="Imported", after={"number": 1}, **ids)
    record_event(
        99_999,
        AuditAction.UPDATE,
        cycle,
        before={"owner_id": world.lead_a.id, "carried_out_as_planned": None},
        after={"owner_id": world.member_a.id, "carried_out_as_planned": True},
        **ids,
    )
    db.session.commit()
    text = visible(sign_in(world.lead_a).get(f"/history/Cycle/{cycle.id}"))
    assert "The system added this PDSA cycle" in text
    assert "A removed account changed this PDSA cycle" in text
    assert "Owner Lead A Member A" in text
    assert "Carried out as planned? (empty) Yes" in text


def test_a_comments_history_shows_its_text_before_and_after(world, sign_in):
    aim = make_aim(world.team_a)
    client = sign_in(world.member_a)
    client.post(f"/aims/{aim.id}/comments", data={"comment-body": "First words"})
    comment_id = db.session.scalar(
        sa.select(AuditEvent.entity_id).where(AuditEvent.entity_type == "Comment")
    )
    client.post(
        f"/comments/{comment_id}/edit",
        data={"comment-edit-body": "Second words", "comment-edit-version": "1"},
    )
    edited = db.session.get(Comment, comment_id)
    assert client.post(f"/comments/{comment_id}/delete", data=version_of(edited)).status_code == 303

    response = client.get(f"/history/Comment/{comment_id}")
    assert response.status_code == 200
    text = visible(response)
    assert "History of this comment" in text
    assert "Member A deleted this comment" in text
    assert "Comment First words Second words" in text  # before and after
    assert text.index("deleted this comment") < text.index("changed this comment")
    assert text.index("changed this comment") < text.index("added this comment")


def test_an_htmx_request_gets_the_whole_page(world, sign_in):
    aim = audited_aim(world)
    response = sign_in(world.lead_a).get(f"/history/Aim/{aim.id}", headers=HTMX)
    assert response.status_code == 200
    assert "<html" in response.get_data(as_text=True)


# Recent activity ---------------------------------------------------------------------------------


def count_user_queries(app):
    """A list that fills with every SELECT on user_account while the context is open."""
    seen: list[str] = []

    def listen(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT") and "user_account" in statement:
            seen.append(statement)

    return seen, listen


def test_recent_for_team_lists_only_that_teams_changes_newest_first(world):
    aim_a = audited_aim(world)
    audited_aim(world, world.team_b)
    record_event(world.lead_a.id, AuditAction.SIGN_IN, world.lead_a, team_id=world.team_a.id)
    db.session.commit()
    events = queries.recent_for_team(world.team_a.id)
    assert [(e.action, e.entity_id) for e in events] == [
        (AuditAction.UPDATE, aim_a.id),
        (AuditAction.CREATE, aim_a.id),
    ]
    assert len(queries.recent_for_team(world.team_a.id, limit=1)) == 1


def test_recent_activity_names_everyone_with_one_query(app, world):
    from flask import render_template
    from flask_login import login_user

    aim = make_aim(world.team_a)
    actors = [world.lead_a, world.member_a, world.expert_a, world.coordinator_x, world.admin]
    ids = {"team_id": world.team_a.id, "collaborative_id": world.x.id}
    for number, actor in enumerate(actors):
        record_event(
            actor.id,
            AuditAction.UPDATE,
            aim,
            summary=f"Changed aim step {number}",
            before={"what": str(number)},
            after={"what": str(number + 1)},
            **ids,
        )
    record_event(world.lead_a.id, AuditAction.CREATE, aim, after={"title": "Fewer falls"}, **ids)
    db.session.commit()
    events = queries.recent_for_team(world.team_a.id)

    seen, listen = count_user_queries(app)
    with app.test_request_context("/"):
        login_user(world.lead_a)
        db.session.expire_all()  # names must come from the database, not from loaded users
        sa.event.listen(db.engine, "before_cursor_execute", listen)
        try:
            page = render_template("history/_recent.html", events=events)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listen)
    text = html.unescape(" ".join(page.split()))

    assert len(seen) == 1, seen
    assert "Recent activity" in text
    assert "Lead A added the aim “Fewer falls”" in text
    assert "Ada Admin changed aim step 4" in text
    assert "Coordinator X changed aim step 3" in text
    assert text.index("Ada Admin") < text.index("Member A changed aim step 1")
    assert f'href="/history/Aim/{aim.id}"' in page


def test_recent_activity_with_nothing_says_so(app, world):
    from flask import render_template

    with app.test_request_context("/"):
        page = render_template("history/_recent.html", events=[])
    assert "Nothing has been added or changed yet." in page


def test_actor_names_makes_no_query_for_no_actors(app, world):
    seen, listen = count_user_queries(app)
    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        assert queries.actor_names([]) == {}
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
    assert seen == []


def test_a_role_change_reads_as_a_sentence(world):
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.user_id == world.member_a.id)
    )
    event = record_event(
        world.lead_a.id,
        AuditAction.UPDATE,
        membership,
        summary="Changed Member A's role to Team lead",
        team_id=world.team_a.id,
    )
    from improve.history.wording import event_phrase

    assert event_phrase(event) == "changed Member A's role to Team lead"
    assert membership.role == Role.TEAM_MEMBER


def test_a_team_record_without_history_says_so_to_whoever_may_see_it(world, client_for):
    """Demo records are made without audit rows; their "History" links must not lead nowhere."""
    aim = make_aim(world.team_a)
    url = f"/history/Aim/{aim.id}"
    response = client_for(world.member_a).get(url)
    assert response.status_code == 200
    assert "No changes have been recorded for this aim." in visible(response)
    assert client_for(world.member_b).get(url).status_code == 404
