"""A community's members: added with an account (by email) or without (by name), in one of the
nine stakeholder groups, changed, marked as left (keeping their attendance) and removed only if
added by mistake; facilitators manage, every CoP role reads."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from improve.extensions import db
from improve.models import (
    AuditAction,
    CommunityMember,
    CommunityRole,
    StakeholderGroup,
    meeting_attendance,
)
from tests.communities.conftest import add_meeting, all_of, audit_rows, parts
from tests.conftest import HTMX, text_of, version_of

TODAY = date.today()


def member_form(**fields):
    values = {
        "email": "",
        "name": "Priya Carer",
        "organisation": "Westshire Carers' Centre",
        "stakeholder_group": "carer",
        "role": "member",
        "joined_on": parts(TODAY),
    }
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


def members_of(community) -> list[CommunityMember]:
    return [m for m in all_of(CommunityMember) if m.community_id == community.id]


def test_the_members_page_lists_everyone_by_group_for_every_cop_role(cop, client_for):
    for person in ("fay", "meg", "rory"):
        page = text_of(client_for(getattr(cop, person)).get(f"/communities/{cop.c.id}/members"))
        assert "Sam Walk-in" in page and "No account" in page
        assert "Carer 1" in page and "All members 4" in page
        assert "Dee Other" not in page
        assert ("Add a member" in page) is (person == "fay")


def test_someone_without_an_account_is_added_by_name(cop, client_for):
    response = client_for(cop.fay).post(f"/communities/{cop.c.id}/members", data=member_form())
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/communities/{cop.c.id}/members#community-members"
    )
    added = next(m for m in members_of(cop.c) if m.name == "Priya Carer")
    assert (added.user_id, added.stakeholder_group, added.role) == (
        None,
        StakeholderGroup.CARER,
        CommunityRole.MEMBER,
    )
    [event] = [e for e in audit_rows("CommunityMember") if e.entity_id == added.id]
    assert (event.action, event.actor_id, event.collaborative_id) == (
        AuditAction.CREATE,
        cop.fay.id,
        cop.x.id,
    )


def test_someone_with_an_account_is_added_by_email_and_can_then_open_the_community(cop, client_for):
    client = client_for(cop.fay)
    response = client.post(
        f"/communities/{cop.c.id}/members",
        data=member_form(email="  MEMBER_A@example.org ", name="", role="research_partner"),
    )
    assert response.status_code == 303
    added = next(m for m in members_of(cop.c) if m.user_id == cop.member_a.id)
    assert added.name == "Member A"  # the account's name
    assert added.role == CommunityRole.RESEARCH_PARTNER
    assert client_for(cop.member_a).get(f"/communities/{cop.c.id}").status_code == 200


def test_htmx_gets_the_members_section_back(cop, client_for):
    response = client_for(cop.fay).post(
        f"/communities/{cop.c.id}/members", data=member_form(), headers=HTMX
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True).strip()
    assert html.startswith('<div id="community-members"') and "<html" not in html
    assert "Priya Carer added as member" in text_of(response)
    assert "Carer 2" in text_of(response)  # the counts by group came back too


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "", "name": ""}, "Enter their email address if they have an account"),
        ({"email": "nobody-here@example.org"}, "No one has an account with this email address"),
        ({"email": "meg@example.org"}, "Meg Member is already in this community"),
        ({"email": "not an email"}, "Enter an email address in the right format"),
        ({"stakeholder_group": "royalty"}, "Choose one of the groups shown"),
        ({"stakeholder_group": None}, "Choose the group"),
        ({"role": "owner"}, "Choose one of the roles shown"),
        ({"joined_on": parts(TODAY + timedelta(days=1))}, "cannot be in the future"),
        ({"joined_on": ["", "", ""]}, "Enter the date they joined"),
        ({"name": "x" * 201}, "200 characters or fewer"),
    ],
)
def test_bad_input_is_refused_with_a_message(cop, client_for, fields, message):
    before = len(all_of(CommunityMember))
    response = client_for(cop.fay).post(
        f"/communities/{cop.c.id}/members", data=member_form(**fields)
    )
    assert response.status_code == 422
    assert message in text_of(response)
    assert len(all_of(CommunityMember)) == before


def test_a_mistake_with_htmx_returns_the_section_with_the_message(cop, client_for):
    response = client_for(cop.fay).post(
        f"/communities/{cop.c.id}/members", data=member_form(name=""), headers=HTMX
    )
    assert response.status_code == 422
    assert response.get_data(as_text=True).strip().startswith('<div id="community-members"')


@pytest.mark.parametrize(("person", "status"), [("meg", 403), ("rory", 403), ("dan", 404)])
def test_only_facilitators_add_members(cop, client_for, person, status):
    before = len(all_of(CommunityMember))
    response = client_for(getattr(cop, person)).post(
        f"/communities/{cop.c.id}/members", data=member_form()
    )
    assert response.status_code == status
    assert len(all_of(CommunityMember)) == before


# Changing a member -----------------------------------------------------------------------------


def edit_form(member: CommunityMember, **fields):
    db.session.refresh(member)
    values = {
        "name": member.name,
        "organisation": member.organisation,
        "stakeholder_group": member.stakeholder_group.value,
        "role": member.role.value,
        "joined_on": parts(member.joined_on),
        "left_on": parts(member.left_on) if member.left_on else ["", "", ""],
        **version_of(member),
    }
    values.update(fields)
    return values


def test_marking_a_member_as_left_keeps_their_attendance_and_ends_their_access(cop, client_for):
    meeting = add_meeting(cop.c, TODAY - timedelta(days=10))
    meeting.attendees = [cop.meg_member]
    db.session.commit()
    response = client_for(cop.fay).post(
        f"/community-members/{cop.meg_member.id}/edit",
        data=edit_form(cop.meg_member, left_on=parts(TODAY - timedelta(days=1))),
    )
    assert response.status_code == 303
    db.session.refresh(cop.meg_member)
    assert cop.meg_member.left_on == TODAY - timedelta(days=1)
    assert db.session.execute(meeting_attendance.select()).all() == [
        (meeting.id, cop.meg_member.id)
    ]
    page = text_of(client_for(cop.fay).get(f"/communities/{cop.c.id}/members"))
    assert "People who have left" in page and "Meg Member" in page
    assert client_for(cop.meg).get(f"/communities/{cop.c.id}").status_code == 404
    [event] = [e for e in audit_rows("CommunityMember") if e.action == AuditAction.UPDATE]
    assert event.after == {"left_on": (TODAY - timedelta(days=1)).isoformat()}


def test_coming_back_is_clearing_the_date_they_left(cop, client_for):
    cop.meg_member.left_on = TODAY
    db.session.commit()
    response = client_for(cop.fay).post(
        f"/community-members/{cop.meg_member.id}/edit",
        data=edit_form(cop.meg_member, left_on=["", "", ""]),
    )
    assert response.status_code == 303
    assert client_for(cop.meg).get(f"/communities/{cop.c.id}").status_code == 200


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"left_on": parts(date(2024, 1, 1))}, "cannot be before the date they joined"),
        ({"left_on": parts(TODAY + timedelta(days=2))}, "The date they left cannot be in the"),
        ({"name": " "}, "Enter their name"),
    ],
)
def test_bad_changes_are_refused(cop, client_for, fields, message):
    response = client_for(cop.fay).post(
        f"/community-members/{cop.meg_member.id}/edit", data=edit_form(cop.meg_member, **fields)
    )
    assert response.status_code == 422
    assert message in text_of(response)
    db.session.refresh(cop.meg_member)
    assert cop.meg_member.left_on is None and cop.meg_member.name == "Meg Member"


def test_the_only_facilitator_cannot_step_down_or_leave(cop, client_for):
    client = client_for(cop.fay)
    for change in ({"role": "member"}, {"left_on": parts(TODAY)}):
        response = client.post(
            f"/community-members/{cop.fay_member.id}/edit", data=edit_form(cop.fay_member, **change)
        )
        assert response.status_code == 422
        assert "Fay Facilitator is the only facilitator who can sign in" in text_of(response)
    # With a second facilitator, she can.
    cop.meg_member.role = CommunityRole.FACILITATOR
    db.session.commit()
    response = client.post(
        f"/community-members/{cop.fay_member.id}/edit",
        data=edit_form(cop.fay_member, role="member"),
    )
    assert response.status_code == 303


def test_a_stale_member_edit_is_refused_with_409(cop, client_for):
    stale = edit_form(cop.meg_member, organisation="Mine")
    cop.meg_member.organisation = "Theirs"
    db.session.commit()
    response = client_for(cop.fay).post(f"/community-members/{cop.meg_member.id}/edit", data=stale)
    assert response.status_code == 409
    assert "Theirs" in text_of(response) and "Someone else changed this membership" in text_of(
        response
    )
    db.session.refresh(cop.meg_member)
    assert cop.meg_member.organisation == "Theirs"


def test_another_communitys_member_cannot_be_changed_through_these_urls(cop, client_for):
    client = client_for(cop.fay)
    assert client.get(f"/community-members/{cop.dee.id}/edit").status_code == 404
    response = client.post(
        f"/community-members/{cop.dee.id}/edit", data=edit_form(cop.dee, name="Hijacked")
    )
    assert response.status_code == 404
    assert (
        client.post(f"/community-members/{cop.dee.id}/remove", data=version_of(cop.dee)).status_code
        == 404
    )
    db.session.refresh(cop.dee)
    assert cop.dee.name == "Dee Other"


def test_a_member_may_not_change_another(cop, client_for):
    response = client_for(cop.meg).post(
        f"/community-members/{cop.sam.id}/edit", data=edit_form(cop.sam, name="Renamed")
    )
    assert response.status_code == 403


# Removing --------------------------------------------------------------------------------------


def test_someone_added_by_mistake_is_removed_after_asking(cop, client_for):
    client = client_for(cop.fay)
    question = client.get(f"/community-members/{cop.sam.id}/remove")
    assert question.status_code == 200 and "Remove Sam Walk-in?" in text_of(question)
    response = client.post(f"/community-members/{cop.sam.id}/remove", data=version_of(cop.sam))
    assert response.status_code == 303
    assert all(m.name != "Sam Walk-in" for m in all_of(CommunityMember))
    [event] = [e for e in audit_rows("CommunityMember") if e.action == AuditAction.DELETE]
    assert event.before["name"] == "Sam Walk-in"


def test_someone_who_came_to_a_meeting_is_marked_as_left_not_removed(cop, client_for):
    meeting = add_meeting(cop.c, TODAY - timedelta(days=3))
    meeting.attendees = [cop.sam]
    db.session.commit()
    client = client_for(cop.fay)
    page = text_of(client.get(f"/community-members/{cop.sam.id}/remove"))
    assert "Sam Walk-in cannot be removed" in page and "Mark Sam Walk-in as left" in page
    response = client.post(f"/community-members/{cop.sam.id}/remove", data=version_of(cop.sam))
    assert response.status_code == 409
    assert any(m.id == cop.sam.id for m in all_of(CommunityMember))


def test_the_only_facilitator_cannot_be_removed(cop, client_for):
    response = client_for(cop.fay).post(
        f"/community-members/{cop.fay_member.id}/remove", data=version_of(cop.fay_member)
    )
    assert response.status_code == 409
    assert "only facilitator who can sign in" in text_of(response)


def test_a_removal_asked_about_an_older_version_is_refused(cop, client_for):
    shown = version_of(cop.sam)
    cop.sam.organisation = "Changed meanwhile"
    db.session.commit()
    response = client_for(cop.fay).post(f"/community-members/{cop.sam.id}/remove", data=shown)
    assert response.status_code == 409
    assert any(m.id == cop.sam.id for m in all_of(CommunityMember))
