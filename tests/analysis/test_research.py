"""Research needs ranked by support (pure): support = shared when raised + votes; ties keep the
order the needs were logged in; votes counted by group in the groups' order."""

from __future__ import annotations

import pytest

from improve.analysis.research import (
    NeedRow,
    VoteRow,
    need_tallies,
    status_counts,
    support,
    with_status,
)

GROUPS = ("expert_by_experience", "carer", "frontline_practitioner", "manager")


def needs(*rows: tuple[int, int, str]) -> list[NeedRow]:
    return [NeedRow(need_id, shared_by, status) for need_id, shared_by, status in rows]


def votes(*rows: tuple[int, str]) -> list[VoteRow]:
    return [VoteRow(need_id, group) for need_id, group in rows]


def test_support_adds_the_people_in_the_room_to_the_votes() -> None:
    assert support(shared_by=4, votes=3) == 7
    assert support(shared_by=1, votes=0) == 1


@pytest.mark.parametrize(
    ("rows", "ballots", "expected"),
    [
        # no needs at all
        ([], [], []),
        # no votes: order by shared_by, highest first
        ([(1, 1, "open"), (2, 5, "open")], [], [(2, 5, 1), (1, 1, 2)]),
        # votes lift a need over one shared by more in the room
        (
            [(1, 3, "open"), (2, 1, "open")],
            [(2, "carer"), (2, "carer"), (2, "manager")],
            [(2, 4, 1), (1, 3, 2)],
        ),
        # a tie keeps the older need first and shares the rank; the next rank skips
        (
            [(7, 2, "open"), (3, 1, "open"), (9, 1, "answered")],
            [(3, "carer")],
            [(3, 2, 1), (7, 2, 1), (9, 1, 3)],
        ),
        # a vote for a need not on the list is ignored
        ([(1, 1, "open")], [(99, "carer")], [(1, 1, 1)]),
    ],
)
def test_needs_are_ranked_by_support(rows, ballots, expected) -> None:
    tallies = need_tallies(needs(*rows), votes(*ballots), GROUPS)
    assert [(t.need_id, t.support, t.rank) for t in tallies] == expected


def test_votes_are_counted_by_group_in_the_groups_order() -> None:
    [tally] = need_tallies(
        needs((1, 2, "open")),
        votes((1, "manager"), (1, "carer"), (1, "manager"), (1, "academia"), (1, "aardvark")),
        GROUPS,
    )
    # Groups not in the order come after it, alphabetically; groups with no vote are left out.
    assert tally.votes_by_group == (("carer", 1), ("manager", 2), ("aardvark", 1), ("academia", 1))
    assert (tally.votes, tally.shared_by, tally.support) == (5, 2, 7)


def test_a_vote_by_the_person_who_logged_the_need_is_left_out() -> None:
    [logged, other] = need_tallies(
        [NeedRow(1, 3, "open", logged_by=10), NeedRow(2, 1, "open", logged_by=None)],
        [VoteRow(1, "carer", voter=10), VoteRow(1, "manager", voter=11), VoteRow(2, "carer", 10)],
        GROUPS,
    )
    # The logger is one of the 3 who shared need 1: only the other person's vote adds to it.
    assert (logged.need_id, logged.votes, logged.support) == (1, 1, 4)
    assert logged.votes_by_group == (("manager", 1),)
    assert (other.votes, other.support) == (1, 2)


def test_filtering_by_status_keeps_each_need_its_rank() -> None:
    tallies = need_tallies(
        needs((1, 5, "open"), (2, 4, "answered"), (3, 3, "open"), (4, 1, "taken_up")), [], GROUPS
    )
    open_needs = with_status(tallies, "open")
    assert [(t.need_id, t.rank) for t in open_needs] == [(1, 1), (3, 3)]
    assert with_status(tallies, None) == tallies
    assert status_counts(tallies, ("open", "taken_up", "answered")) == {
        "open": 2,
        "taken_up": 1,
        "answered": 1,
    }
    assert status_counts([], ("open",)) == {"open": 0}
