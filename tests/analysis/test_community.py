"""Participation in a community of practice (pure): membership by group month by month, and
attendance by group at each meeting, members and guests."""

from __future__ import annotations

from datetime import date

import pytest

from improve.analysis.community import (
    MeetingRecord,
    MemberSpell,
    attendance_sentences,
    member_on,
    members_on,
    membership_sentences,
    participation,
)

GROUPS = ("expert_by_experience", "carer", "frontline_practitioner", "manager")
LABELS = {
    "expert_by_experience": "Person who draws on care",
    "carer": "Carer",
    "frontline_practitioner": "Frontline practitioner",
    "manager": "Manager",
}
LIVED = ("expert_by_experience", "carer")
START = date(2026, 1, 10)
TODAY = date(2026, 4, 15)

EXPERT, CARER, PRACTITIONER, MANAGER = GROUPS


def spell(member_id: int, group: str, joined: date, left: date | None = None) -> MemberSpell:
    return MemberSpell(member_id, group, joined, left)


def found(members=(), meetings=(), attendance=(), started_on=START, today=TODAY):
    return participation(
        list(members),
        list(meetings),
        list(attendance),
        groups=GROUPS,
        started_on=started_on,
        today=today,
    )


@pytest.mark.parametrize(
    ("joined", "left", "day", "expected"),
    [
        (date(2026, 2, 1), None, date(2026, 1, 31), False),  # not joined yet
        (date(2026, 2, 1), None, date(2026, 2, 1), True),  # the day they join counts
        (date(2026, 2, 1), date(2026, 3, 5), date(2026, 3, 5), True),  # their last day counts
        (date(2026, 2, 1), date(2026, 3, 5), date(2026, 3, 6), False),  # the day after does not
        (date(2026, 2, 1), date(2026, 2, 1), date(2026, 2, 1), True),  # joined, left same day
    ],
)
def test_a_member_on_a_day(joined, left, day, expected):
    assert member_on(spell(1, CARER, joined, left), day) is expected


# Membership month by month -------------------------------------------------------------------

# (members, expected totals by month Jan..Apr, expected by group in April)
MEMBERSHIP_TABLE = {
    "no members": ([], [0, 0, 0, 0], {}),
    "joined at the start": (
        [spell(1, EXPERT, START), spell(2, MANAGER, START)],
        [2, 2, 2, 2],
        {EXPERT: 1, MANAGER: 1},
    ),
    "a joiner counts from the month they join": (
        [spell(1, EXPERT, START), spell(2, CARER, date(2026, 3, 31))],
        [1, 1, 2, 2],
        {EXPERT: 1, CARER: 1},
    ),
    "a leaver counts until the month they leave, if they leave on its last day": (
        [spell(1, EXPERT, START), spell(2, CARER, START, date(2026, 2, 28))],
        [2, 2, 1, 1],
        {EXPERT: 1},
    ),
    "a leaver mid-month is not on its last day": (
        [spell(1, EXPERT, START), spell(2, CARER, START, date(2026, 2, 10))],
        [2, 1, 1, 1],
        {EXPERT: 1},
    ),
    # One person is one row: coming back clears "left on", so they count from first joining.
    "left and came back is one row, counted throughout": (
        [spell(1, EXPERT, START), spell(2, CARER, START, None)],
        [2, 2, 2, 2],
        {EXPERT: 1, CARER: 1},
    ),
    "this month is counted as of today": (
        [spell(1, EXPERT, START), spell(2, MANAGER, date(2026, 4, 20))],
        [1, 1, 1, 1],  # joins on 20 April: after today (the 15th)
        {EXPERT: 1},
    ),
    "a group not asked for is not counted": (
        [spell(1, "academia", START), spell(2, CARER, START)],
        [1, 1, 1, 1],
        {CARER: 1},
    ),
}


@pytest.mark.parametrize("case", MEMBERSHIP_TABLE)
def test_membership_month_by_month(case):
    members, totals, april = MEMBERSHIP_TABLE[case]
    result = found(members)
    assert [month.month for month in result.months] == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
        date(2026, 4, 1),
    ]
    assert [month.total for month in result.months] == totals
    last = result.months[-1]
    assert last.counted_on == TODAY
    assert {group: count for group, count in last.by_group.items() if count} == april
    # Every group asked for is in every month, in the order given.
    assert all(tuple(month.by_group) == GROUPS for month in result.months)
    # "Members today" is the last month's count: one number, one rule.
    assert result.current == last.by_group
    assert result.current_total == last.total


def test_months_start_from_the_first_member_if_they_joined_before_the_community_started():
    result = found([spell(1, CARER, date(2025, 11, 20))])
    assert result.months[0].month == date(2025, 11, 1)
    assert result.months[0].counted_on == date(2025, 11, 30)
    assert len(result.months) == 6


def test_a_community_starting_after_today_has_no_months():
    result = found(started_on=date(2026, 5, 1))
    assert result.months == ()
    assert membership_sentences(result, LABELS) == ["The community has no months to count yet."]


def test_months_end_on_their_last_day_across_a_year_end():
    result = found([spell(1, CARER, date(2025, 12, 31))], today=date(2026, 1, 2))
    assert [(m.month, m.counted_on, m.total) for m in result.months] == [
        (date(2025, 12, 1), date(2025, 12, 31), 1),
        (date(2026, 1, 1), date(2026, 1, 2), 1),
    ]


# Attendance meeting by meeting ----------------------------------------------------------------

MEMBERS = [
    spell(1, EXPERT, START),
    spell(2, CARER, START),
    spell(3, PRACTITIONER, START, date(2026, 2, 15)),
    spell(4, MANAGER, START),
]


def meeting(meeting_id: int, day: date, **guests: int) -> MeetingRecord:
    return MeetingRecord(meeting_id, day, f"Meeting {meeting_id}", guests)


# (meetings, attendance pairs, expected (members, guests, total) per meeting, by_group of the last)
ATTENDANCE_TABLE = {
    "no meetings": ([], [], [], None),
    "members only": (
        [meeting(10, date(2026, 2, 1))],
        [(10, 1), (10, 3), (10, 4)],
        [(3, 0, 3)],
        {EXPERT: 1, PRACTITIONER: 1, MANAGER: 1},
    ),
    "guests only": (
        [meeting(10, date(2026, 2, 1), carer=2, manager=1)],
        [],
        [(0, 3, 3)],
        {CARER: 2, MANAGER: 1},
    ),
    "members and guests of the same group add up": (
        [meeting(10, date(2026, 2, 1), expert_by_experience=2)],
        [(10, 1)],
        [(1, 2, 3)],
        {EXPERT: 3},
    ),
    "oldest first, whatever order they come in": (
        [meeting(11, date(2026, 3, 1)), meeting(10, date(2026, 2, 1))],
        [(10, 1), (11, 1), (11, 2)],
        [(1, 0, 1), (2, 0, 2)],
        {EXPERT: 1, CARER: 1},
    ),
    "a member who has left since still counts at the meetings they came to": (
        [meeting(10, date(2026, 2, 1))],
        [(10, 3)],
        [(1, 0, 1)],
        {PRACTITIONER: 1},
    ),
    "a meeting planned after today has no attendance yet": (
        [meeting(10, date(2026, 2, 1)), meeting(11, date(2026, 5, 1), carer=4)],
        [(10, 1), (11, 2)],
        [(1, 0, 1)],
        {EXPERT: 1},
    ),
    "someone not among the members, unknown groups and negative guests are not counted": (
        [meeting(10, date(2026, 2, 1), carer=-3, academia=5, manager=1)],
        [(10, 99), (10, 2), (10, 2)],
        [(1, 1, 2)],
        {CARER: 1, MANAGER: 1},
    ),
}


@pytest.mark.parametrize("case", ATTENDANCE_TABLE)
def test_attendance_meeting_by_meeting(case):
    meetings, pairs, expected, last_by_group = ATTENDANCE_TABLE[case]
    result = found(MEMBERS, meetings, pairs)
    assert [(m.member_total, m.guest_total, m.total) for m in result.meetings] == expected
    for counted in result.meetings:
        assert counted.total == sum(counted.by_group.values())
        assert counted.member_total == sum(counted.members.values())
        assert counted.guest_total == sum(counted.guests.values())
    if last_by_group is not None:
        last = result.meetings[-1].by_group
        assert {group: count for group, count in last.items() if count} == last_by_group


def test_groups_seen_are_those_anyone_was_counted_in():
    result = found([spell(1, CARER, START)], [meeting(10, date(2026, 2, 1), manager=1)])
    assert result.groups_seen() == (CARER, MANAGER)
    assert found().groups_seen() == ()


# In words -------------------------------------------------------------------------------------


def test_the_words_say_what_the_counts_are():
    result = found(
        MEMBERS,
        [meeting(10, date(2026, 2, 1), carer=1), meeting(11, date(2026, 3, 1))],
        [(10, 1), (10, 3), (11, 1), (11, 2), (11, 4)],
    )
    assert membership_sentences(result, LABELS) == [
        "3 members today: Person who draws on care 1, Carer 1, Manager 1.",
        "4 members at the end of January 2026, the first month counted, and 3 today.",
    ]
    assert attendance_sentences(result, LABELS, LIVED) == [
        "2 meetings held from 1 February 2026 to 1 March 2026.",
        "On average 3.0 people came to a meeting (2.5 members and 0.5 guests).",
        "People who draw on care and carers were 4 of the 6 attendances (67%).",
        "At the latest meeting, on 1 March 2026, 3 people came: Person who draws on care 1, "
        "Carer 1, Manager 1.",
    ]


def test_the_words_for_an_empty_community():
    result = found()
    assert membership_sentences(result, LABELS) == [
        "The community has no members today.",
        "0 members at the end of January 2026, the first month counted, and 0 today.",
    ]
    assert attendance_sentences(result, LABELS, LIVED) == [
        "No meetings have been held yet, so there is no attendance to count."
    ]


def test_a_meeting_nobody_was_recorded_at():
    result = found(MEMBERS, [meeting(10, date(2026, 2, 1))])
    words = attendance_sentences(result, LABELS, LIVED)
    assert words[0] == "1 meeting held on 1 February 2026."
    assert words[-1] == "At the latest meeting, on 1 February 2026, 0 people came."
    assert not any("attendances" in sentence for sentence in words)


def test_members_on_counts_every_group_given():
    assert members_on(MEMBERS, date(2026, 3, 1), GROUPS) == {
        EXPERT: 1,
        CARER: 1,
        PRACTITIONER: 0,
        MANAGER: 1,
    }


def test_the_average_adds_up_from_its_rounded_parts():
    """Six meetings: 112 members and 13 guests came, 18.67 and 2.17 on average, 20.83 in all.
    Said as 18.7 and 2.2, the whole must read 20.9, their sum, not 20.8 (the demo's case)."""
    members = [spell(n, MANAGER, START) for n in range(1, 20)]
    days = [date(2026, month, day) for month in (2, 3) for day in (1, 10, 20)]
    meetings = [meeting(10 + i, day, carer=3 if i == 5 else 2) for i, day in enumerate(days)]
    came = [(10 + i, n) for i in range(5) for n in range(1, 20)] + [(15, n) for n in range(1, 18)]
    sentence = attendance_sentences(found(members, meetings, came), LABELS, LIVED)[1]
    assert sentence == "On average 20.9 people came to a meeting (18.7 members and 2.2 guests)."
