"""Meeting feedback counted by stakeholder group (pure): the small-number rule, response rates
from attendance and guests, comments without order, and the chart's segments."""

from __future__ import annotations

import pytest

from improve.analysis.feedback import (
    ALL_GROUPS,
    OTHER_GROUPS,
    AnswerCounts,
    AttendanceRow,
    FeedbackRow,
    GuestRow,
    answer_counts,
    bar_segments,
    evaluation,
    in_words,
    meeting_attendance,
    response_rate,
    shown_groups,
)

GROUPS = ("expert_by_experience", "carer", "frontline_practitioner", "manager")


def answers(meeting_id: int, group: str, count: int, reply: str = "yes", comment: str = ""):
    return [FeedbackRow(meeting_id, group, reply, reply, reply, comment) for _ in range(count)]


def test_answer_counts_count_each_question_on_its_own() -> None:
    rows = [
        FeedbackRow(1, "carer", "yes", "no", "partly"),
        FeedbackRow(1, "carer", "yes", "partly", "partly"),
        FeedbackRow(1, "manager", "no", "no", "maybe"),  # an unknown answer is not counted
    ]
    assert answer_counts(rows, "listened_to") == AnswerCounts(yes=2, no=1)
    assert answer_counts(rows, "learned_something") == AnswerCounts(partly=1, no=2)
    assert answer_counts(rows, "will_use") == AnswerCounts(partly=2)
    assert answer_counts(rows, "will_use").total == 2


@pytest.mark.parametrize(
    ("sizes", "shown", "hidden"),
    [
        # nobody answered: nothing to show, nothing hidden
        ({}, [], False),
        # every group has 5 or more: each its own row
        ({"carer": 5, "manager": 7}, [("carer", 5), ("manager", 7)], False),
        # one small group alone: its answers would be the total minus the rest, so no split
        ({"carer": 2, "manager": 7}, [], True),
        # one group of 3 on its own: its row would be that group's answers
        ({"carer": 3}, [], True),
        # small groups together reach 5: they share one row
        (
            {"expert_by_experience": 2, "carer": 3, "manager": 6},
            [("manager", 6), (OTHER_GROUPS, 5)],
            False,
        ),
        # small groups together stay under 5: the smallest other group joins them
        (
            {"expert_by_experience": 3, "carer": 6, "manager": 7},
            [("manager", 7), (OTHER_GROUPS, 9)],
            False,
        ),
        # on a tie, the later group in the order joins
        (
            {"expert_by_experience": 1, "carer": 5, "manager": 5},
            [("carer", 5), (OTHER_GROUPS, 6)],
            False,
        ),
        # joining leaves no group a row of its own: only the total
        ({"expert_by_experience": 1, "carer": 2, "manager": 9}, [], True),
        # one group only, large enough: its row is the total, and shown
        ({"manager": 6}, [("manager", 6)], False),
        # exactly 4 is small; exactly 5 is not
        ({"carer": 4, "manager": 5}, [], True),
    ],
)
def test_small_number_rule(sizes, shown, hidden) -> None:
    rows = [row for group, size in sizes.items() for row in answers(1, group, size)]
    groups, split_hidden = shown_groups(rows, GROUPS)
    assert [(row.group, row.answers) for row in groups] == shown
    assert split_hidden is hidden
    assert all(row.answers >= 5 for row in groups)
    pooled = [row for row in groups if row.group == OTHER_GROUPS]
    assert all(len(row.members) >= 2 for row in pooled)  # never one group's answers alone


def test_groups_come_in_the_order_given_then_alphabetically() -> None:
    rows = answers(1, "manager", 5) + answers(1, "zebra", 5) + answers(1, "academia", 5)
    rows += answers(1, "expert_by_experience", 5)
    groups, _ = shown_groups(rows, GROUPS)
    assert [row.group for row in groups] == ["expert_by_experience", "manager", "academia", "zebra"]


def test_attendance_counts_members_once_and_adds_guests() -> None:
    present = [
        AttendanceRow(1, 10),
        AttendanceRow(1, 11),
        AttendanceRow(1, 10),
        AttendanceRow(2, 10),
    ]
    guests = [GuestRow(1, "carer", 2), GuestRow(2, "carer", -3), GuestRow(3, "manager", 1)]
    assert meeting_attendance(present, guests) == {1: 4, 2: 1, 3: 1}


@pytest.mark.parametrize(
    ("given", "came", "rate"),
    [(3, 4, 0.75), (0, 4, 0.0), (2, 0, None), (5, 4, 1.25)],
)
def test_response_rate(given, came, rate) -> None:
    assert response_rate(given, came) == rate


def test_evaluation_by_meeting_and_overall() -> None:
    feedback = (
        answers(1, "carer", 3, "yes", "Good  ")
        + answers(1, "manager", 5, "partly")
        + answers(2, "carer", 3, "no", "bad")
        + answers(2, "manager", 1, "yes", "Always welcome")
        + answers(3, "carer", 9)  # a meeting not asked about: ignored
    )
    present = [AttendanceRow(1, member) for member in range(6)]
    guests = [GuestRow(1, "carer", 4)]
    result = evaluation([2, 1], feedback, present, guests, GROUPS)

    second, first = result.meetings
    assert (second.meeting_id, second.answers, second.attendance) == (2, 4, 0)
    assert second.response_rate is None
    assert (second.groups, second.split_hidden) == ((), True)
    assert second.total.counts["listened_to"] == AnswerCounts(yes=1, no=3)
    assert second.comments == ("Always welcome", "bad", "bad", "bad")

    assert (first.answers, first.attendance, first.response_rate) == (8, 10, 0.8)
    assert (first.groups, first.split_hidden) == ((), True)  # 3 carers alone
    assert first.comments == ("Good", "Good", "Good")

    overall = result.overall
    assert (overall.meeting_id, overall.answers, overall.attendance) == (None, 12, 10)
    # Only meeting 1 recorded attendance: its 8 answers of its 10 people.
    assert overall.response_rate == 0.8
    # Overall: 6 carers and 6 managers, each 5 or more.
    assert [(row.group, row.answers) for row in overall.groups] == [("carer", 6), ("manager", 6)]
    assert overall.total.group == ALL_GROUPS
    assert overall.total.counts["will_use"] == AnswerCounts(yes=4, partly=5, no=3)


def test_a_meeting_without_feedback_still_has_its_summary() -> None:
    result = evaluation([5], [], [AttendanceRow(5, 1)], [], GROUPS)
    [meeting] = result.meetings
    assert (meeting.answers, meeting.attendance, meeting.response_rate) == (0, 1, 0.0)
    assert (meeting.groups, meeting.split_hidden, meeting.comments) == ((), False, ())


def test_words_and_bar_segments() -> None:
    assert in_words(AnswerCounts()) == "No answers yet"
    assert in_words(AnswerCounts(yes=1)) == "1 said yes, 0 partly and 0 no (1 answer)"
    assert in_words(AnswerCounts(18, 4, 1)) == "18 said yes, 4 partly and 1 no (23 answers)"
    assert bar_segments(AnswerCounts(), 600) == []
    assert bar_segments(AnswerCounts(yes=3, no=1), 600) == [
        ("yes", 3, 0.0, 450.0),
        ("no", 1, 450.0, 150.0),
    ]
