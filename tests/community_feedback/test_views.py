"""A community's evaluation: the feedback form after a meeting (once per person, changed on a
second visit; paper forms typed in by the facilitator), the evaluation page's counts by group
under the small-number rule, and the notes of interview-based evaluations.

World: tests/conftest.py's `world` and tests/research/factories.py's communities.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from improve.analysis.feedback import FeedbackRow, evaluation
from improve.community_feedback.queries import GROUP_ORDER
from improve.extensions import db
from improve.models import (
    Agreement,
    AuditAction,
    AuditEvent,
    EvaluationNote,
    MeetingFeedback,
    StakeholderGroup,
    meeting_attendance,
)
from tests.conftest import HTMX, text_of, version_of
from tests.research.factories import TODAY, add_meeting, make_cop
from tests.teams.test_team_page import counting_queries


@pytest.fixture
def c(world, make_user, make_community, join):
    made = make_cop(world, make_user, make_community, join)
    made.world = world
    return made


def answers(**fields) -> dict:
    values = {
        "listened_to": "yes",
        "learned_something": "partly",
        "will_use": "no",
        "comment": "",
        "stakeholder_group": "carer",
    }
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


def all_feedback() -> list[MeetingFeedback]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(MeetingFeedback).order_by(MeetingFeedback.id)))


def add_feedback(meeting, group: StakeholderGroup, count: int, reply: str = "yes", **fields):
    for _ in range(count):
        db.session.add(
            MeetingFeedback(
                meeting_id=meeting.id,
                stakeholder_group=group,
                listened_to=Agreement(reply),
                learned_something=Agreement(reply),
                will_use=Agreement(reply),
                **fields,
            )
        )
    db.session.commit()


def feedback_url(meeting, suffix: str = "") -> str:
    return f"/community-meetings/{meeting.id}/feedback{suffix}"


def evaluation_url(community) -> str:
    return f"/communities/{community.id}/evaluation"


# Giving feedback ---------------------------------------------------------------------------------


def test_a_member_answers_once_and_changes_their_answers(c, client_for):
    client = client_for(c.carer)
    form = client.get(feedback_url(c.meeting))
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert "Did you feel listened to?" in html and "Will you use what you learned?" in html
    assert '<option value="carer" selected>' in html  # their group in the community
    response = client.post(feedback_url(c.meeting), data=answers(comment="Felt welcome"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/community-meetings/{c.meeting.id}")
    [saved] = all_feedback()
    assert (saved.user_id, saved.entered_by_id, saved.listened_to, saved.comment) == (
        c.carer.id,
        c.carer.id,
        Agreement.YES,
        "Felt welcome",
    )
    again = client.get(feedback_url(c.meeting))
    assert "You have answered already" in text_of(again)
    assert 'value="yes" checked' in again.get_data(as_text=True)
    client.post(feedback_url(c.meeting), data=answers(listened_to="no", comment="Felt welcome"))
    [changed] = all_feedback()
    assert (changed.id, changed.listened_to) == (saved.id, Agreement.NO)
    rows = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity_type == "MeetingFeedback")
        .order_by(AuditEvent.id)
    ).all()
    assert [row.action for row in rows] == [AuditAction.CREATE, AuditAction.UPDATE]
    # The audit trail says who gave feedback, never what they answered.
    assert all("yes" not in str(row.after) and "no" not in str(row.before) for row in rows)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"listened_to": None}, "Say whether you felt listened to"),
        ({"learned_something": "maybe"}, "Choose Yes, Partly or No"),
        ({"will_use": ""}, "Say whether you will use what you learned"),
        ({"stakeholder_group": ""}, "Choose your stakeholder group"),
        ({"stakeholder_group": "wizard"}, "Choose a group from the list"),
        ({"comment": "x" * 5001}, "5000 characters or fewer"),
    ],
)
def test_invalid_feedback_is_refused_with_a_message(c, client_for, fields, message):
    response = client_for(c.carer).post(feedback_url(c.meeting), data=answers(**fields))
    assert response.status_code == 422
    assert message in text_of(response)
    assert all_feedback() == []


def test_invalid_feedback_from_htmx_gets_the_form_fragment(c, client_for):
    response = client_for(c.carer).post(
        feedback_url(c.meeting), data=answers(listened_to=None), headers=HTMX
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" not in html and 'id="feedback-form"' in html


def test_a_meeting_still_to_come_takes_no_feedback(c, client_for):
    later = add_meeting(c.cop, TODAY + timedelta(days=1), title="Next month")
    client = client_for(c.carer)
    page = client.get(feedback_url(later))
    assert page.status_code == 200
    assert "This meeting has not happened yet" in text_of(page)
    assert "Send my answers" not in text_of(page)
    assert client.post(feedback_url(later), data=answers()).status_code == 409
    today = add_meeting(c.cop, TODAY, title="Today")
    assert client.post(feedback_url(today), data=answers()).status_code == 303
    assert [f.meeting_id for f in all_feedback()] == [today.id]


@pytest.mark.parametrize(("who", "status"), [("partner", 403), ("outsider", 404)])
def test_only_members_of_the_meetings_community_give_feedback(c, client_for, world, who, status):
    client = client_for(getattr(c, who))
    assert client.get(feedback_url(c.meeting)).status_code == status
    assert client.post(feedback_url(c.meeting), data=answers()).status_code == status
    assert client_for(world.coordinator_x).get(feedback_url(c.meeting)).status_code == 404
    assert client_for(c.carer).get(feedback_url(c.other_meeting)).status_code == 404
    assert client_for(c.carer).get("/community-meetings/99999/feedback").status_code == 404
    assert all_feedback() == []


def test_the_facilitator_types_in_paper_forms(c, client_for):
    client = client_for(c.facilitator)
    for group in ("carer", "expert_by_experience"):
        response = client.post(
            feedback_url(c.meeting, "/paper"), data=answers(stakeholder_group=group)
        )
        assert response.status_code == 303
    page = client.get(feedback_url(c.meeting, "/paper"))
    assert "2 paper forms typed in for this meeting so far" in text_of(page)
    forms = all_feedback()
    assert [(f.user_id, f.entered_by_id) for f in forms] == [(None, c.facilitator.id)] * 2
    assert [f.stakeholder_group.value for f in forms] == ["carer", "expert_by_experience"]
    # Their own answers are still theirs to give.
    assert client.post(feedback_url(c.meeting), data=answers()).status_code == 303
    assert len(all_feedback()) == 3
    assert client_for(c.carer).get(feedback_url(c.meeting, "/paper")).status_code == 403
    bad = client.post(feedback_url(c.meeting, "/paper"), data=answers(stakeholder_group=""))
    assert bad.status_code == 422


# The evaluation page -----------------------------------------------------------------------------


def test_the_page_shows_counts_by_group_and_hides_small_groups(c, client_for):
    second = add_meeting(c.cop, TODAY - timedelta(days=1), title="Summer meeting")
    add_feedback(c.meeting, StakeholderGroup.MANAGER, 5, "yes")
    add_feedback(c.meeting, StakeholderGroup.CARER, 1, "no", comment="Nobody asked me")
    add_feedback(second, StakeholderGroup.CARER, 4, "partly", comment="Better")
    add_feedback(second, StakeholderGroup.EXPERT_BY_EXPERIENCE, 1, "yes")
    page = client_for(c.carer).get(evaluation_url(c.cop))
    html, words = page.get_data(as_text=True), text_of(page)
    assert page.status_code == 200
    # Each meeting: one carer's answers would show, so only the total.
    first_card = html.split(f'id="meeting-{c.meeting.id}"')[1]
    assert 'data-group="manager"' not in first_card.split("</table>")[0]
    assert 'data-group="all_groups"' in first_card
    assert "Counts by group are not shown here" in first_card
    # All meetings together: carers 5, managers 5, one expert by experience: too few alone,
    # so the managers (last in the order of the two) are put with them.
    overall = html.split('id="overall-listened-to"')[1].split("</table>")[0]
    assert 'data-group="carer"' in overall and 'data-group="manager"' not in overall
    assert "Other groups together (Person who draws on care, Manager)" in overall
    assert "Did you feel listened to? 6 said yes, 4 partly and 1 no (11 answers)" in words
    assert "Nobody asked me" in words and "Better" in words


def test_large_groups_get_their_own_rows(c, client_for):
    add_feedback(c.meeting, StakeholderGroup.MANAGER, 5, "yes")
    add_feedback(c.meeting, StakeholderGroup.CARER, 3, "no")
    add_feedback(c.meeting, StakeholderGroup.EXPERT_BY_EXPERIENCE, 2, "partly")
    html = client_for(c.partner).get(evaluation_url(c.cop)).get_data(as_text=True)
    overall = html.split('id="overall-listened-to"')[1].split("</table>")[0]
    assert 'data-group="manager"' in overall and 'data-group="other_groups"' in overall
    assert 'data-group="carer"' not in overall
    assert "Other groups together (Person who draws on care, Carer)" in overall


def test_response_rate_from_attendance_and_guests(c, client_for, join):
    members = [join(f"Member {n}", c.cop) for n in range(3)]
    db.session.execute(
        meeting_attendance.insert(),
        [{"meeting_id": c.meeting.id, "member_id": member.id} for member in members],
    )
    c.meeting.guests = {"carer": 1}
    db.session.commit()
    add_feedback(c.meeting, StakeholderGroup.CARER, 3)
    words = text_of(client_for(c.carer).get(evaluation_url(c.cop)))
    assert "3 of the 4 people who came answered (75%)" in words


def test_the_page_and_the_function_agree(c, client_for):
    add_feedback(c.meeting, StakeholderGroup.MANAGER, 6, "yes")
    add_feedback(c.meeting, StakeholderGroup.CARER, 5, "no")
    rows = [
        FeedbackRow(
            f.meeting_id,
            f.stakeholder_group.value,
            f.listened_to.value,
            f.learned_something.value,
            f.will_use.value,
            f.comment,
        )
        for f in all_feedback()
    ]
    result = evaluation([c.meeting.id], rows, [], [], GROUP_ORDER)
    html = client_for(c.carer).get(evaluation_url(c.cop)).get_data(as_text=True)
    table = html.split('id="overall-will-use"')[1].split("</table>")[0]
    for row in (*result.overall.groups, result.overall.total):
        counts = row.counts["will_use"]
        cells = table.split(f'data-group="{row.group}"')[1].split("</tr>")[0]
        numbers = [int(part.split("<")[0]) for part in cells.split('numeric">')[1:]]
        assert numbers == [counts.yes, counts.partly, counts.no, counts.total]


def test_research_partners_read_the_counts_but_not_the_comments(c, client_for):
    add_feedback(c.meeting, StakeholderGroup.CARER, 1, "no", comment="Too rushed")
    assert "Too rushed" in text_of(client_for(c.facilitator).get(evaluation_url(c.cop)))
    partner = client_for(c.partner).get(evaluation_url(c.cop))
    assert partner.status_code == 200
    assert "Too rushed" not in text_of(partner)
    assert "the comments are for the community’s members" in text_of(partner)


@pytest.mark.parametrize("who", ["outsider", "coordinator_x", "nobody"])
def test_the_evaluation_is_404_outside_the_community(c, client_for, who):
    person = getattr(c, who, None) or getattr(c.world, who)
    assert client_for(person).get(evaluation_url(c.cop)).status_code == 404


def test_a_future_meeting_is_not_counted(c, client_for):
    later = add_meeting(c.cop, TODAY + timedelta(days=10), title="Autumn meeting")
    words = text_of(client_for(c.carer).get(evaluation_url(c.cop)))
    assert "Spring meeting" in words and "Autumn meeting" not in words
    assert later.id


def test_the_page_does_not_query_once_per_meeting(c, client_for):
    client = client_for(c.carer)

    def statements_with(count: int) -> int:
        for number in range(count):
            meeting = add_meeting(c.cop, TODAY - timedelta(days=number + 1), title=f"M {number}")
            add_feedback(meeting, StakeholderGroup.CARER, 2)
        db.session.add(
            EvaluationNote(community_id=c.cop.id, title="N", written_on=TODAY, findings="F")
        )
        db.session.commit()
        with counting_queries() as statements:
            assert client.get(evaluation_url(c.cop)).status_code == 200
        return len(statements)

    assert statements_with(1) == statements_with(5)


# Interview-based evaluation notes -----------------------------------------------------------------


def note_form(**fields) -> dict:
    values = {
        "title": "Interviews after the first year",
        "written_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
        "interviews": "21",
        "who_was_interviewed": "6 carers, 4 people who draw on care, 11 practitioners",
        "findings": "People valued feeling listened to.",
    }
    values.update(fields)
    return values


def notes() -> list[EvaluationNote]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(EvaluationNote).order_by(EvaluationNote.id)))


def test_the_facilitator_adds_changes_and_removes_notes(c, client_for):
    client = client_for(c.facilitator)
    url = evaluation_url(c.cop) + "/notes/new"
    assert client.get(url).status_code == 200
    response = client.post(url, data=note_form())
    [note] = notes()
    assert response.status_code == 303
    assert response.headers["Location"].endswith(evaluation_url(c.cop) + f"#note-{note.id}")
    assert (note.interviews, note.written_on, note.added_by_id) == (21, TODAY, c.facilitator.id)
    assert "People valued feeling listened to." in text_of(client.get(evaluation_url(c.cop)))

    old = {**note_form(findings="Mine"), **version_of(note)}
    edit = f"/evaluation-notes/{note.id}/edit"
    client.post(edit, data={**note_form(findings="Theirs"), **version_of(note)})
    stale = client.post(edit, data=old)
    assert stale.status_code == 409 and "Someone else changed these evaluation notes" in text_of(
        stale
    )
    assert notes()[0].findings == "Theirs"

    remove = f"/evaluation-notes/{note.id}/remove"
    assert "Remove these evaluation notes?" in text_of(client.get(remove))
    assert client.post(remove, data={"version": "1"}).status_code == 409
    assert client.post(remove, data=version_of(notes()[0])).status_code == 303
    assert notes() == []
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.entity_type == "EvaluationNote")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Enter a title"),
        ({"findings": " "}, "Enter what was found"),
        ({"interviews": "-1"}, "between 0 and 1000"),
        ({"interviews": "many"}, "must be a whole number"),
        ({"written_on": ["31", "2", "2026"]}, "must be a real date"),
        ({"written_on": ["", "", ""]}, "Enter the date"),
        ({"written_on": []}, "Enter the date"),
    ],
)
def test_invalid_notes_are_refused(c, client_for, fields, message):
    response = client_for(c.facilitator).post(
        evaluation_url(c.cop) + "/notes/new", data=note_form(**fields)
    )
    assert response.status_code == 422
    assert message in text_of(response)
    assert notes() == []


def test_a_future_date_is_refused(c, client_for):
    later = TODAY + timedelta(days=2)
    data = note_form(written_on=[str(later.day), str(later.month), str(later.year)])
    response = client_for(c.facilitator).post(evaluation_url(c.cop) + "/notes/new", data=data)
    assert response.status_code == 422 and "cannot be in the future" in text_of(response)


@pytest.mark.parametrize(("who", "status"), [("carer", 403), ("partner", 403), ("outsider", 404)])
def test_only_the_facilitator_keeps_the_notes(c, client_for, who, status):
    note = EvaluationNote(community_id=c.cop.id, title="N", written_on=TODAY, findings="F")
    db.session.add(note)
    db.session.commit()
    client = client_for(getattr(c, who))
    assert client.post(evaluation_url(c.cop) + "/notes/new", data=note_form()).status_code == status
    assert client.get(f"/evaluation-notes/{note.id}/edit").status_code == status
    assert (
        client.post(f"/evaluation-notes/{note.id}/remove", data={"version": "1"}).status_code
        == status
    )
    assert len(notes()) == 1
    if who != "outsider":
        assert "F" in text_of(client.get(evaluation_url(c.cop)))


def test_another_communitys_note_is_404(c, client_for):
    note = EvaluationNote(community_id=c.other.id, title="N", written_on=TODAY, findings="F")
    db.session.add(note)
    db.session.commit()
    client = client_for(c.facilitator)
    assert client.get(f"/evaluation-notes/{note.id}/edit").status_code == 404
    assert client.get(f"/evaluation-notes/{note.id}/remove").status_code == 404


def test_the_meeting_page_links_to_feedback_and_research_needs(c, client_for):
    page = client_for(c.carer).get(f"/community-meetings/{c.meeting.id}").get_data(as_text=True)
    assert f'href="/community-meetings/{c.meeting.id}/feedback"' in page
    assert f'href="/communities/{c.cop.id}/research-needs/new?meeting={c.meeting.id}"' in page
    partner = client_for(c.partner).get(f"/community-meetings/{c.meeting.id}")
    assert partner.status_code == 200
    assert "Give feedback on this meeting" not in text_of(partner)
    nav = client_for(c.partner).get(evaluation_url(c.cop)).get_data(as_text=True)
    assert f'href="/communities/{c.cop.id}/research-needs"' in nav


def _tick(meeting, *users) -> None:
    from improve.models import CommunityMember

    ids = db.session.scalars(
        sa.select(CommunityMember.id).where(CommunityMember.user_id.in_([u.id for u in users]))
    )
    db.session.execute(
        meeting_attendance.insert(),
        [{"meeting_id": meeting.id, "member_id": member_id} for member_id in ids],
    )
    db.session.commit()


NOT_AT_IT = "You are not on the list of who came to this meeting"


def test_once_who_came_is_recorded_only_those_ticked_answer_online(c, client_for):
    _tick(c.meeting, c.carer)
    refused = client_for(c.expert).get(feedback_url(c.meeting))
    assert refused.status_code == 200
    assert NOT_AT_IT in text_of(refused) and "ask the facilitator to add you" in text_of(refused)
    assert "Did you feel listened to?" not in refused.get_data(as_text=True)
    posted = client_for(c.expert).post(feedback_url(c.meeting), data=answers())
    assert posted.status_code == 403 and NOT_AT_IT in text_of(posted)
    assert all_feedback() == []
    answered = client_for(c.carer).post(feedback_url(c.meeting), data=answers())
    assert answered.status_code == 303
    assert [row.user_id for row in all_feedback()] == [c.carer.id]


def test_guests_alone_recorded_means_who_came_is_recorded(c, client_for):
    c.meeting.guests = {"carer": 2}
    db.session.commit()
    posted = client_for(c.carer).post(feedback_url(c.meeting), data=answers())
    assert posted.status_code == 403 and all_feedback() == []


def test_before_who_came_is_recorded_any_member_answers(c, client_for):
    for person in (c.carer, c.expert):
        response = client_for(person).post(feedback_url(c.meeting), data=answers())
        assert response.status_code == 303
    assert len(all_feedback()) == 2
