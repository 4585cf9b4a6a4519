"""Communities of practice themselves: the list, starting one, its overview, changing it, and who
may see or change what (CoP roles only: a team or collaborative role never opens a CoP, a CoP
role never opens a team)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from improve.extensions import db
from improve.models import AuditAction, Community, CommunityMember, CommunityRole
from tests.communities.conftest import add_action, add_meeting, all_of, audit_rows, parts
from tests.conftest import text_of

TODAY = date.today()


def community_form(**fields):
    values = {
        "name": "Moving on well",
        "theme": "Moving from children's to adults' services",
        "description": "Families, social workers and providers together.",
        "started_on": parts(TODAY - timedelta(days=30)),
        "collaborative_id": "",
        "your_group": "carer",
    }
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


# The list --------------------------------------------------------------------------------------


def test_the_list_shows_the_persons_communities_only(cop, client_for):
    add_meeting(cop.c, TODAY + timedelta(days=7), "Next one")
    add_meeting(cop.c, TODAY - timedelta(days=7), "Last one")
    page = text_of(client_for(cop.meg).get("/communities"))
    assert "Complex needs" in page and "Workforce" not in page
    assert "4 members · your role: member" in page  # Fay, Meg, Rory and Sam
    assert f"Next meeting: {(TODAY + timedelta(days=7)):%-d %B %Y}" in page
    assert "Start a community of practice" not in page


def test_an_admin_sees_every_community_and_may_start_one(cop, client_for):
    page = text_of(client_for(cop.admin).get("/communities"))
    assert "Complex needs" in page and "Workforce" in page
    assert "Start a community of practice" in page


def test_the_empty_list_says_what_a_community_is_and_what_to_do(cop, client_for):
    member = text_of(client_for(cop.member_a).get("/communities"))
    assert "A community of practice is a group of people" in member
    assert "Ask its facilitator to add you" in member
    coordinator = text_of(client_for(cop.coordinator_y).get("/communities"))
    assert "Start one below" in coordinator
    assert "Start a community of practice" in coordinator


def test_someone_who_left_no_longer_sees_the_community(cop, client_for):
    cop.meg_member.left_on = TODAY
    db.session.commit()
    client = client_for(cop.meg)
    assert "Complex needs" not in text_of(client.get("/communities"))
    assert client.get(f"/communities/{cop.c.id}").status_code == 404


# Starting one ----------------------------------------------------------------------------------


def test_a_coordinator_starts_one_and_becomes_its_facilitator(cop, client_for):
    client = client_for(cop.coordinator_x)
    page = client.get("/communities/new")
    assert page.status_code == 200
    # Only the collaboratives they coordinate are offered.
    assert "Collaborative X" in text_of(page) and "Collaborative Y" not in text_of(page)
    response = client.post("/communities/new", data=community_form(collaborative_id=cop.x.id))
    assert response.status_code == 303, text_of(response)[:500]
    community = next(c for c in all_of(Community) if c.name == "Moving on well")
    assert response.headers["Location"].endswith(f"/communities/{community.id}/members")
    assert community.collaborative_id == cop.x.id
    assert community.created_by_id == cop.coordinator_x.id
    [member] = [m for m in all_of(CommunityMember) if m.community_id == community.id]
    assert (member.user_id, member.role, member.stakeholder_group.value) == (
        cop.coordinator_x.id,
        CommunityRole.FACILITATOR,
        "carer",
    )
    assert member.joined_on == TODAY - timedelta(days=30)
    [created] = [e for e in audit_rows("Community") if e.entity_id == community.id]
    assert (created.action, created.collaborative_id) == (AuditAction.CREATE, cop.x.id)
    assert [e.action for e in audit_rows("CommunityMember") if e.entity_id == member.id] == [
        AuditAction.CREATE
    ]


@pytest.mark.parametrize("person", ["member_a", "panel_x", "lead_a", "nobody"])
def test_only_admins_and_coordinators_start_one(cop, client_for, person):
    client = client_for(getattr(cop, person))
    assert client.get("/communities/new").status_code == 403
    assert client.post("/communities/new", data=community_form()).status_code == 403
    assert len(all_of(Community)) == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": " "}, "Enter a name for the community of practice"),
        ({"theme": None}, "Enter the theme"),
        ({"started_on": ["", "", ""]}, "Enter the date it started"),
        ({"started_on": ["31", "2", "2026"]}, "must be a real date"),
        ({"started_on": parts(TODAY + timedelta(days=1))}, "cannot be in the future"),
        ({"your_group": "king"}, "Choose one of the groups shown"),
        ({"your_group": None}, "Choose the group"),
        ({"name": "Complex needs"}, "A community of practice with this name already exists"),
        ({"name": "x" * 201}, "200 characters or fewer"),
        ({"theme": "bad\x00"}, "contains characters that cannot be saved"),
        # Another collaborative's id, and garbage, are not among the choices.
        ({"collaborative_id": "999999"}, "Choose a collaborative from the list"),
        ({"collaborative_id": "abc"}, "Choose a collaborative from the list"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(cop, client_for, fields, message):
    response = client_for(cop.coordinator_x).post("/communities/new", data=community_form(**fields))
    assert response.status_code == 422
    assert message in text_of(response)
    assert "There is a problem" in text_of(response)
    assert len(all_of(Community)) == 2


def test_a_coordinator_cannot_attach_a_community_to_a_collaborative_they_do_not_coordinate(
    cop, client_for
):
    response = client_for(cop.coordinator_x).post(
        "/communities/new", data=community_form(collaborative_id=cop.y.id)
    )
    assert response.status_code == 422
    assert "Choose a collaborative from the list" in text_of(response)


# The overview ----------------------------------------------------------------------------------


def test_the_overview_shows_the_theme_facilitators_groups_meetings_and_open_actions(
    cop, client_for
):
    earlier = add_meeting(cop.c, TODAY - timedelta(days=40), "Earlier")
    add_meeting(cop.c, TODAY + timedelta(days=3), "Planning the year")
    add_action(earlier, "Overdue thing", due_on=TODAY - timedelta(days=1))
    add_action(earlier, "Later thing", due_on=TODAY + timedelta(days=9))
    add_action(earlier, "Finished thing", status="done")
    page = text_of(client_for(cop.rory).get(f"/communities/{cop.c.id}"))
    assert "Complex needs across the lifespan" in page
    assert "Facilitated by Fay Facilitator" in page
    assert "Part of Collaborative X" in page
    assert f"{(TODAY + timedelta(days=3)):%-d %B %Y}: Planning the year" in page
    assert "Person who draws on care 1" in page and "Academic or researcher 1" in page
    assert "All members 4" in page
    assert page.index("Overdue thing") < page.index("Later thing")
    assert "Overdue" in page and "Finished thing" not in page
    # A research partner reads, and is offered nothing to change.
    assert "Change the community’s name" not in page and "Add a meeting" not in page


def test_the_sub_navigation_marks_the_current_page(cop, client_for):
    html = client_for(cop.meg).get(f"/communities/{cop.c.id}/meetings").get_data(as_text=True)
    assert 'aria-label="Pages of this community of practice"' in html
    assert f'href="/communities/{cop.c.id}/meetings" aria-current="page">Meetings' in html
    # The header's "Communities" and the sub-navigation's "Meetings", nothing else.
    assert html.count('aria-current="page"') == 2
    assert 'aria-current="page">Communities</a>' in html


# Changing it -----------------------------------------------------------------------------------


def edit_form(community: Community, **fields):
    db.session.refresh(community)
    values = {
        "name": community.name,
        "theme": community.theme,
        "description": community.description,
        "started_on": parts(community.started_on),
        "collaborative_id": community.collaborative_id or "",
        "version": str(community.version),
    }
    values.update(fields)
    return values


def test_a_facilitator_changes_the_details_with_an_audit_row(cop, client_for):
    client = client_for(cop.fay)
    response = client.post(
        f"/communities/{cop.c.id}/edit", data=edit_form(cop.c, theme="A new theme")
    )
    assert response.status_code == 303
    db.session.refresh(cop.c)
    assert cop.c.theme == "A new theme"
    # Fay coordinates nothing, yet saving keeps the collaborative it already belongs to.
    assert cop.c.collaborative_id == cop.x.id
    [event] = [e for e in audit_rows("Community") if e.action == AuditAction.UPDATE]
    assert event.before == {"theme": "Complex needs across the lifespan"}
    assert event.collaborative_id == cop.x.id


def test_a_stale_edit_is_refused_with_409_and_both_versions_shown(cop, client_for):
    stale = edit_form(cop.c, theme="Mine")
    cop.c.theme = "Theirs"
    db.session.commit()
    response = client_for(cop.fay).post(f"/communities/{cop.c.id}/edit", data=stale)
    assert response.status_code == 409
    page = text_of(response)
    assert "Someone else changed this community of practice" in page
    assert "Their saved version" in page and "Theirs" in page
    db.session.refresh(cop.c)
    assert cop.c.theme == "Theirs"


@pytest.mark.parametrize(
    ("person", "status"),
    [("meg", 403), ("rory", 403), ("dan", 404), ("coordinator_x", 404), ("admin", 200)],
)
def test_only_facilitators_and_admins_change_a_community(cop, client_for, person, status):
    client = client_for(getattr(cop, person))
    assert client.get(f"/communities/{cop.c.id}/edit").status_code == status
    if status != 200:
        response = client.post(f"/communities/{cop.c.id}/edit", data=edit_form(cop.c, theme="X"))
        assert response.status_code == status
        db.session.refresh(cop.c)
        assert cop.c.theme != "X"


# Who may see it --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "person", ["coordinator_x", "panel_x", "lead_a", "member_a", "expert_a", "dan", "nobody"]
)
def test_people_outside_the_community_get_404_everywhere(cop, client_for, person):
    meeting = add_meeting(cop.c, TODAY - timedelta(days=1))
    client = client_for(getattr(cop, person))
    for path in (
        f"/communities/{cop.c.id}",
        f"/communities/{cop.c.id}/members",
        f"/communities/{cop.c.id}/meetings",
        f"/communities/{cop.c.id}/resources",
        f"/communities/{cop.c.id}/participation",
        f"/communities/{cop.c.id}/participation-membership.csv",
        f"/community-meetings/{meeting.id}",
        f"/community-members/{cop.meg_member.id}/edit",
    ):
        assert client.get(path).status_code == 404, path


def test_a_research_partner_reads_meetings_and_resources_but_no_team_data(cop, client_for):
    meeting = add_meeting(cop.c, TODAY - timedelta(days=1), "Research questions", notes="Noted")
    client = client_for(cop.rory)
    assert "Research questions" in text_of(client.get(f"/communities/{cop.c.id}/meetings"))
    assert "Noted" in text_of(client.get(f"/community-meetings/{meeting.id}"))
    assert client.get(f"/communities/{cop.c.id}/resources").status_code == 200
    assert client.get(f"/communities/{cop.c.id}/members").status_code == 200
    # The community belongs to collaborative X: its teams stay closed to a CoP role.
    assert client.get(f"/teams/{cop.team_a.id}").status_code == 404
    assert client.get(f"/collaboratives/{cop.x.id}").status_code == 404


def test_a_research_partner_only_gets_a_useful_home_page(cop, client_for):
    page = text_of(client_for(cop.rory).get("/"))
    assert "Your communities of practice" in page
    assert "Complex needs" in page and "your role: research partner" in page
    assert "You are not part of a team or collaborative yet" not in page


def test_the_header_links_to_the_communities(cop, client_for):
    html = client_for(cop.meg).get("/").get_data(as_text=True)
    assert 'href="/communities"' in html and ">Communities</a>" in html


def test_ids_that_do_not_exist_are_404(cop, client_for):
    client = client_for(cop.admin)
    for path in (
        "/communities/999999",
        "/community-meetings/999999",
        "/community-members/999999/edit",
        "/community-actions/999999/edit",
        "/community-resources/999999/edit",
        "/communities/99999999999",
    ):
        assert client.get(path).status_code == 404, path
