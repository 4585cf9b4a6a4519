"""A community's meetings: added held or planned, notes written and changed, who came recorded
(members on the day, and guests by group), and the actions agreed at them, carried to every later
meeting while they are open."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import (
    ActionStatus,
    AuditAction,
    CommunityAction,
    CommunityMeeting,
    StakeholderGroup,
    meeting_attendance,
)
from tests.communities.conftest import add_action, add_meeting, all_of, audit_rows, parts
from tests.conftest import HTMX, text_of, version_of

TODAY = date.today()
LAST_WEEK = TODAY - timedelta(days=7)


def attendees(meeting) -> set[int]:
    query = sa.select(meeting_attendance.c.member_id).where(
        meeting_attendance.c.meeting_id == meeting.id
    )
    return set(db.session.scalars(query))


# Meetings ---------------------------------------------------------------------------------------


def test_a_facilitator_adds_a_meeting_and_lands_on_its_page(cop, client_for):
    client = client_for(cop.fay)
    assert client.get(f"/communities/{cop.c.id}/meetings/new").status_code == 200
    response = client.post(
        f"/communities/{cop.c.id}/meetings/new",
        data={"held_on": parts(LAST_WEEK), "title": "Moving on", "agenda": "Welcome\nProtocol"},
    )
    assert response.status_code == 303
    [meeting] = all_of(CommunityMeeting)
    assert response.headers["Location"].endswith(f"/community-meetings/{meeting.id}")
    assert (meeting.community_id, meeting.title, meeting.guests) == (cop.c.id, "Moving on", {})
    [event] = audit_rows("CommunityMeeting")
    assert (event.action, event.collaborative_id) == (AuditAction.CREATE, cop.x.id)
    page = text_of(client.get(response.headers["Location"]))
    assert "Moving on" in page and "Welcome" in page and "Record who came" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Enter a title for the meeting"),
        ({"held_on": ["", "", ""]}, "Enter the date of the meeting"),
        ({"held_on": ["30", "2", "2026"]}, "must be a real date"),
        ({"agenda": "x" * 5001}, "5000 characters or fewer"),
    ],
)
def test_a_bad_meeting_is_refused(cop, client_for, fields, message):
    data = {"held_on": parts(LAST_WEEK), "title": "Moving on", **fields}
    response = client_for(cop.fay).post(f"/communities/{cop.c.id}/meetings/new", data=data)
    assert response.status_code == 422
    assert message in text_of(response)
    assert all_of(CommunityMeeting) == []


def test_the_list_is_newest_first_with_how_many_came(cop, client_for):
    old = add_meeting(cop.c, TODAY - timedelta(days=60), "Old one", guests={"carer": 2})
    old.attendees = [cop.meg_member, cop.sam]
    add_meeting(cop.c, TODAY + timedelta(days=5), "Planned")
    db.session.commit()
    page = text_of(client_for(cop.rory).get(f"/communities/{cop.c.id}/meetings"))
    assert page.index("Planned") < page.index("Old one")
    assert "Old one 4 (2 guests)" in page
    assert "Planned Not held yet" in page
    assert "Add a meeting" not in page


def meeting_form(meeting, **fields):
    db.session.refresh(meeting)
    values = {
        "held_on": parts(meeting.held_on),
        "title": meeting.title,
        "agenda": meeting.agenda,
        "notes": meeting.notes,
        **version_of(meeting),
    }
    values.update(fields)
    return values


def test_the_notes_are_written_by_the_facilitator_with_an_audit_row(cop, client_for):
    meeting = add_meeting(cop.c, LAST_WEEK)
    client = client_for(cop.fay)
    response = client.post(
        f"/community-meetings/{meeting.id}/edit", data=meeting_form(meeting, notes="We agreed")
    )
    assert response.status_code == 303
    assert "We agreed" in text_of(client.get(f"/community-meetings/{meeting.id}"))
    [event] = [e for e in audit_rows("CommunityMeeting") if e.action == AuditAction.UPDATE]
    assert event.after == {"notes": "We agreed"}


def test_stale_notes_are_refused_with_409(cop, client_for):
    meeting = add_meeting(cop.c, LAST_WEEK)
    stale = meeting_form(meeting, notes="Mine")
    meeting.notes = "Theirs"
    db.session.commit()
    response = client_for(cop.fay).post(f"/community-meetings/{meeting.id}/edit", data=stale)
    assert response.status_code == 409
    assert "Someone else changed this meeting" in text_of(response)
    db.session.refresh(meeting)
    assert meeting.notes == "Theirs"


@pytest.mark.parametrize(("person", "status"), [("meg", 403), ("rory", 403), ("dan", 404)])
def test_only_facilitators_change_meetings(cop, client_for, person, status):
    meeting = add_meeting(cop.c, LAST_WEEK)
    client = client_for(getattr(cop, person))
    response = client.post(
        f"/community-meetings/{meeting.id}/edit", data=meeting_form(meeting, notes="X")
    )
    assert response.status_code == status
    assert client.get(f"/communities/{cop.c.id}/meetings/new").status_code == status
    db.session.refresh(meeting)
    assert meeting.notes == ""


def test_a_meeting_with_attendance_cannot_move_after_today(cop, client_for):
    meeting = add_meeting(cop.c, LAST_WEEK)
    meeting.attendees = [cop.meg_member]
    db.session.commit()
    response = client_for(cop.fay).post(
        f"/community-meetings/{meeting.id}/edit",
        data=meeting_form(meeting, held_on=parts(TODAY + timedelta(days=3))),
    )
    assert response.status_code == 422
    assert "cannot move to a date after today" in text_of(response)


# Who came --------------------------------------------------------------------------------------


def attendance_form(meeting, present=(), **guests):
    db.session.refresh(meeting)
    data = {f"guests_{group.value}": str(guests.get(group.value, 0)) for group in StakeholderGroup}
    data["present"] = [str(member_id) for member_id in present]
    data["version"] = str(meeting.version)
    return data


def test_who_came_is_recorded_with_guests_by_group_and_shown_by_group(cop, client_for):
    meeting = add_meeting(cop.c, LAST_WEEK)
    client = client_for(cop.fay)
    form_page = text_of(client.get(f"/community-meetings/{meeting.id}/attendance"))
    assert "Meg Member (Person who draws on care)" in form_page
    assert "Sam Walk-in (Carer)" in form_page and "Dee Other" not in form_page
    response = client.post(
        f"/community-meetings/{meeting.id}/attendance",
        data=attendance_form(meeting, [cop.meg_member.id, cop.sam.id], carer=2, manager=1),
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/community-meetings/{meeting.id}#who-came")
    db.session.refresh(meeting)
    assert attendees(meeting) == {cop.meg_member.id, cop.sam.id}
    assert meeting.guests == {"carer": 2, "manager": 1}
    page = text_of(client.get(f"/community-meetings/{meeting.id}"))
    assert "5 people came: 2 members and 3 guests." in page
    assert "Carer 1 2 3" in page  # members, guests, everyone
    assert "All groups 2 3 5" in page
    [event] = [e for e in audit_rows("CommunityMeeting") if e.action == AuditAction.UPDATE]
    assert event.after == {
        "members": ["Meg Member", "Sam Walk-in"],
        "guests": {"carer": 2, "manager": 1},
    }


def test_only_members_on_the_day_are_listed(cop, client_for):
    meeting = add_meeting(cop.c, LAST_WEEK)
    cop.sam.joined_on = TODAY - timedelta(days=1)  # joined after the meeting
    cop.meg_member.left_on = LAST_WEEK - timedelta(days=1)  # left before it
    db.session.commit()
    page = text_of(client_for(cop.fay).get(f"/community-meetings/{meeting.id}/attendance"))
    assert "Sam Walk-in" not in page and "Meg Member" not in page
    assert "Rory Researcher" in page
    response = client_for(cop.fay).post(
        f"/community-meetings/{meeting.id}/attendance",
        data=attendance_form(meeting, [cop.sam.id]),
    )
    assert response.status_code == 422
    assert attendees(meeting) == set()


def test_ticking_another_communitys_member_writes_nothing(cop, client_for):
    meeting = add_meeting(cop.c, LAST_WEEK)
    response = client_for(cop.fay).post(
        f"/community-meetings/{meeting.id}/attendance",
        data=attendance_form(meeting, [cop.meg_member.id, cop.dee.id], carer=1),
    )
    assert response.status_code == 422
    assert "Choose people from the list of members" in text_of(response)
    db.session.refresh(meeting)
    assert attendees(meeting) == set() and meeting.guests == {}
    assert [e for e in audit_rows("CommunityMeeting") if e.action == AuditAction.UPDATE] == []


OUT_OF_RANGE = "Number of guests who came from the group ‘Carer’ must be between 0 and 500"


@pytest.mark.parametrize(
    ("guests", "message"),
    [
        (
            {"carer": "-1"},
            "Number of guests who came from the group ‘Carer’ must be between 0 and 500",
        ),
        (
            {"carer": "501"},
            "Number of guests who came from the group ‘Carer’ must be between 0 and 500",
        ),
        ({"carer": "two"}, "must be a whole number"),
        (
            {"carer": "9" * 400},
            "Number of guests who came from the group ‘Carer’ must be between 0 and 500",
        ),
        ({"carer": ""}, "Enter how many guests came: Carer"),
    ],
)
def test_bad_guest_numbers_are_refused(cop, client_for, guests, message):
    meeting = add_meeting(cop.c, LAST_WEEK)
    data = attendance_form(meeting)
    data.update({f"guests_{group}": value for group, value in guests.items()})
    response = client_for(cop.fay).post(f"/community-meetings/{meeting.id}/attendance", data=data)
    assert response.status_code == 422
    assert message in text_of(response)
    db.session.refresh(meeting)
    assert meeting.guests == {}


def test_who_came_cannot_be_recorded_before_the_meeting(cop, client_for):
    meeting = add_meeting(cop.c, TODAY + timedelta(days=2))
    client = client_for(cop.fay)
    assert "Record who came once it has happened" in text_of(
        client.get(f"/community-meetings/{meeting.id}/attendance")
    )
    response = client.post(
        f"/community-meetings/{meeting.id}/attendance",
        data=attendance_form(meeting, [cop.meg_member.id]),
    )
    assert response.status_code == 422
    assert attendees(meeting) == set()


def test_a_stale_register_is_refused_with_409(cop, client_for):
    meeting = add_meeting(cop.c, LAST_WEEK)
    stale = attendance_form(meeting, [cop.meg_member.id])
    # Someone else saves the register first (ticking Sam): the meeting's version moves.
    first = client_for(cop.admin).post(
        f"/community-meetings/{meeting.id}/attendance", data=attendance_form(meeting, [cop.sam.id])
    )
    assert first.status_code == 303
    response = client_for(cop.fay).post(f"/community-meetings/{meeting.id}/attendance", data=stale)
    assert response.status_code == 409
    assert "Members they recorded as coming: Sam Walk-in" in text_of(response)
    assert attendees(meeting) == {cop.sam.id}


@pytest.mark.parametrize(("person", "status"), [("meg", 403), ("rory", 403), ("dan", 404)])
def test_only_facilitators_record_who_came(cop, client_for, person, status):
    meeting = add_meeting(cop.c, LAST_WEEK)
    response = client_for(getattr(cop, person)).post(
        f"/community-meetings/{meeting.id}/attendance",
        data=attendance_form(meeting, [cop.meg_member.id]),
    )
    assert response.status_code == status
    assert attendees(meeting) == set()


# Actions ---------------------------------------------------------------------------------------


def action_form(**fields):
    values = {
        "description": "Ask the council for the transition protocol",
        "owner": "Sam Okafor",
        "due_on": parts(TODAY + timedelta(days=14)),
        "status": "open",
    }
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


def test_an_action_is_added_at_a_meeting(cop, client_for):
    meeting = add_meeting(cop.c, LAST_WEEK)
    client = client_for(cop.fay)
    response = client.post(f"/community-meetings/{meeting.id}/actions", data=action_form())
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/community-meetings/{meeting.id}#meeting-actions"
    )
    [action] = all_of(CommunityAction)
    assert (action.meeting_id, action.community_id, action.status) == (
        meeting.id,
        cop.c.id,
        ActionStatus.OPEN,
    )
    [event] = audit_rows("CommunityAction")
    assert (event.action, event.collaborative_id) == (AuditAction.CREATE, cop.x.id)
    page = text_of(client.get(response.headers["Location"]))
    assert "Action added: Ask the council for the transition protocol" in page
    assert "Owner Sam Okafor" in page and "Status Not started" in page


def test_an_action_may_have_no_due_date(cop, client_for):
    meeting = add_meeting(cop.c, LAST_WEEK)
    client = client_for(cop.fay)
    response = client.post(
        f"/community-meetings/{meeting.id}/actions", data=action_form(due_on=["", "", ""])
    )
    assert response.status_code == 303
    [action] = all_of(CommunityAction)
    assert action.due_on is None
    assert "Due No date set" in text_of(client.get(f"/community-meetings/{meeting.id}"))


def test_htmx_gets_the_actions_section_back(cop, client_for):
    meeting = add_meeting(cop.c, LAST_WEEK)
    response = client_for(cop.fay).post(
        f"/community-meetings/{meeting.id}/actions", data=action_form(), headers=HTMX
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True).strip()
    assert html.startswith('<section id="meeting-actions"') and "<html" not in html
    assert "Ask the council for the transition protocol" in text_of(response)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": " "}, "Enter what the action is"),
        ({"owner": None}, "Enter who owns the action"),
        ({"due_on": ["31", "2", "2026"]}, "Enter the due date as a real date"),
        ({"due_on": parts(LAST_WEEK - timedelta(days=1))}, "cannot be before the meeting"),
        ({"status": "finished"}, "Choose one of the statuses shown"),
    ],
)
def test_a_bad_action_is_refused(cop, client_for, fields, message):
    meeting = add_meeting(cop.c, LAST_WEEK)
    response = client_for(cop.fay).post(
        f"/community-meetings/{meeting.id}/actions", data=action_form(**fields)
    )
    assert response.status_code == 422
    assert message in text_of(response)
    assert all_of(CommunityAction) == []
    htmx = client_for(cop.fay).post(
        f"/community-meetings/{meeting.id}/actions", data=action_form(**fields), headers=HTMX
    )
    assert htmx.status_code == 422
    assert htmx.get_data(as_text=True).strip().startswith('<section id="meeting-actions"')


def test_actions_are_carried_to_later_meetings_while_open(cop, client_for):
    first = add_meeting(cop.c, TODAY - timedelta(days=60), "First")
    second = add_meeting(cop.c, TODAY - timedelta(days=30), "Second")
    third = add_meeting(cop.c, TODAY, "Third")
    add_action(first, "Overdue from the first", due_on=TODAY - timedelta(days=1))
    add_action(first, "Done at the first", status=ActionStatus.DONE)
    add_action(second, "In progress from the second", status=ActionStatus.IN_PROGRESS)
    add_action(third, "Agreed at the third")
    add_action(add_meeting(cop.d, TODAY - timedelta(days=90)), "Another community's")
    page = text_of(client_for(cop.meg).get(f"/community-meetings/{third.id}"))
    carried = page[page.index("Carried over from earlier meetings") :]
    assert "Overdue from the first" in carried and "In progress from the second" in carried
    assert carried.index("Overdue from the first") < carried.index("In progress from the second")
    assert f"Agreed at the meeting of {first.held_on:%-d %B %Y}" in carried
    assert "Overdue" in carried
    for absent in ("Done at the first", "Agreed at the third", "Another community's"):
        assert absent not in carried
    second_page = text_of(client_for(cop.meg).get(f"/community-meetings/{second.id}"))
    assert "In progress from the second" not in second_page.split("Carried over")[1]


def edit_form(action, **fields):
    db.session.refresh(action)
    values = {
        "description": action.description,
        "owner": action.owner,
        "due_on": parts(action.due_on) if action.due_on else ["", "", ""],
        "status": action.status.value,
        "progress_note": action.progress_note,
        **version_of(action),
    }
    values.update(fields)
    return values


def test_closing_an_action_at_a_later_meeting_is_marking_it_done(cop, client_for):
    first = add_meeting(cop.c, TODAY - timedelta(days=30), "First")
    second = add_meeting(cop.c, TODAY, "Second")
    action = add_action(first, "Carry me")
    client = client_for(cop.fay)
    response = client.post(
        f"/community-actions/{action.id}/edit?back={second.id}",
        data=edit_form(action, status="done", progress_note="Protocol received"),
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/community-meetings/{second.id}#carried-over")
    db.session.refresh(action)
    assert (action.status, action.progress_note) == (ActionStatus.DONE, "Protocol received")
    carried = text_of(client.get(f"/community-meetings/{second.id}")).split("Carried over")[1]
    assert "Carry me" not in carried
    [event] = [e for e in audit_rows("CommunityAction") if e.action == AuditAction.UPDATE]
    assert event.before == {"status": "open", "progress_note": ""}


def test_back_to_another_communitys_meeting_is_ignored(cop, client_for):
    meeting = add_meeting(cop.c, LAST_WEEK)
    other = add_meeting(cop.d, LAST_WEEK)
    action = add_action(meeting)
    response = client_for(cop.fay).post(
        f"/community-actions/{action.id}/edit?back={other.id}", data=edit_form(action)
    )
    assert response.headers["Location"].endswith(
        f"/community-meetings/{meeting.id}#meeting-actions"
    )


def test_a_stale_action_edit_is_refused_with_409(cop, client_for):
    action = add_action(add_meeting(cop.c, LAST_WEEK))
    stale = edit_form(action, status="done")
    action.status = ActionStatus.DROPPED
    db.session.commit()
    response = client_for(cop.fay).post(f"/community-actions/{action.id}/edit", data=stale)
    assert response.status_code == 409
    assert "Someone else changed this action" in text_of(response)
    db.session.refresh(action)
    assert action.status == ActionStatus.DROPPED


def test_another_communitys_action_and_meeting_are_404(cop, client_for):
    other_meeting = add_meeting(cop.d, LAST_WEEK)
    other_action = add_action(other_meeting)
    client = client_for(cop.fay)
    assert client.get(f"/community-actions/{other_action.id}/edit").status_code == 404
    response = client.post(
        f"/community-actions/{other_action.id}/edit", data=edit_form(other_action, status="done")
    )
    assert response.status_code == 404
    response = client.post(f"/community-meetings/{other_meeting.id}/actions", data=action_form())
    assert response.status_code == 404
    assert client.get(f"/community-meetings/{other_meeting.id}").status_code == 404
    db.session.refresh(other_action)
    assert other_action.status == ActionStatus.OPEN
    assert len(all_of(CommunityAction)) == 1


@pytest.mark.parametrize(("person", "status"), [("meg", 403), ("rory", 403)])
def test_members_read_actions_but_do_not_change_them(cop, client_for, person, status):
    meeting = add_meeting(cop.c, LAST_WEEK)
    action = add_action(meeting)
    client = client_for(getattr(cop, person))
    page = text_of(client.get(f"/community-meetings/{meeting.id}"))
    assert "Ask for the protocol" in page and "Add an action" not in page
    assert (
        client.post(f"/community-meetings/{meeting.id}/actions", data=action_form()).status_code
        == status
    )
    assert client.get(f"/community-actions/{action.id}/edit").status_code == status
    assert (
        client.post(f"/community-actions/{action.id}/delete", data=version_of(action)).status_code
        == status
    )


def test_an_action_recorded_by_mistake_is_deleted_after_asking(cop, client_for):
    meeting = add_meeting(cop.c, LAST_WEEK)
    action = add_action(meeting)
    client = client_for(cop.fay)
    assert "Delete this action?" in text_of(client.get(f"/community-actions/{action.id}/delete"))
    response = client.post(f"/community-actions/{action.id}/delete", data=version_of(action))
    assert response.status_code == 303
    assert all_of(CommunityAction) == []
    assert [e.action for e in audit_rows("CommunityAction")] == [AuditAction.DELETE]


def test_a_meeting_cannot_move_before_those_who_came_joined(cop, client_for):
    meeting = add_meeting(cop.c, LAST_WEEK)
    meeting.attendees = [cop.meg_member, cop.sam]
    cop.sam.joined_on = LAST_WEEK - timedelta(days=2)
    db.session.commit()
    before = LAST_WEEK - timedelta(days=5)
    response = client_for(cop.fay).post(
        f"/community-meetings/{meeting.id}/edit",
        data=meeting_form(meeting, held_on=parts(before)),
    )
    assert response.status_code == 422
    assert "Recorded as coming to this meeting, Sam Walk-in was not a member on that date" in (
        text_of(response)
    )
    db.session.refresh(meeting)
    assert meeting.held_on == LAST_WEEK and attendees(meeting) == {cop.meg_member.id, cop.sam.id}


def test_the_register_says_members_are_listed_from_when_they_joined(cop, client_for):
    meeting = add_meeting(cop.c, LAST_WEEK)
    for member in (cop.fay_member, cop.meg_member, cop.rory_member, cop.sam):
        member.joined_on = TODAY
    db.session.commit()
    response = client_for(cop.fay).get(f"/community-meetings/{meeting.id}/attendance")
    page = text_of(response)
    assert "Count everyone who came as a guest" not in page
    assert "members are listed from the date they joined" in page
    assert f'href="/communities/{cop.c.id}/members"' in response.get_data(as_text=True)


def test_someone_ticked_before_their_join_date_moved_cannot_stay_ticked(cop, client_for):
    meeting = add_meeting(cop.c, LAST_WEEK)
    meeting.attendees = [cop.sam]
    db.session.commit()
    cop.sam.joined_on = TODAY  # the join date was corrected after the register was saved
    db.session.commit()
    response = client_for(cop.fay).post(
        f"/community-meetings/{meeting.id}/attendance",
        data=attendance_form(meeting, [cop.sam.id, cop.meg_member.id], carer=1),
    )
    assert response.status_code == 422
    assert "Sam Walk-in was not a member on the day of this meeting" in text_of(response)
    db.session.refresh(meeting)
    assert attendees(meeting) == {cop.sam.id} and meeting.guests == {}


def test_a_tampered_member_id_says_to_choose_from_the_list(cop, client_for):
    meeting = add_meeting(cop.c, LAST_WEEK)
    data = attendance_form(meeting)
    data["present"] = ["abc"]
    response = client_for(cop.fay).post(f"/community-meetings/{meeting.id}/attendance", data=data)
    assert response.status_code == 422
    assert "Choose people from the list of members" in text_of(response)
    assert "could not be coerced" not in text_of(response)


def test_a_due_date_that_is_not_real_says_how_to_write_it(cop, client_for):
    meeting = add_meeting(cop.c, LAST_WEEK)
    response = client_for(cop.fay).post(
        f"/community-meetings/{meeting.id}/actions", data=action_form(due_on=["31", "2", "2027"])
    )
    assert response.status_code == 422
    assert "Enter the due date as a real date, like 27 3 2027" in text_of(response)
