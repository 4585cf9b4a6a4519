"""The priority round's tally: dots added up, ranking by the Borda count, places with ties, by
stakeholder group, and the sentence on what people who draw on care and carers put first."""

from __future__ import annotations

import pytest

from improve.analysis.priorities import (
    DOTS,
    RANKING,
    Ballot,
    lived_experience_summary,
    place_words,
    points,
    summary_rows,
    tally,
)

THEMES = [(1, "Transport"), (2, "Loneliness"), (3, "Respite")]
GROUPS = ["expert_by_experience", "carer", "frontline_practitioner", "manager", "not_said"]
LIVED = ("expert_by_experience", "carer")
LABELS = {"expert_by_experience": "Person who draws on care", "carer": "Carer"}


def run(method, ballots, themes=THEMES, ranks=3):
    return tally(
        method,
        themes,
        ballots,
        ranks_per_person=ranks,
        group_order=GROUPS,
        lived_experience_groups=LIVED,
    )


def dots(voter, group, **per_theme):
    return [Ballot(voter, group, int(theme[1:]), dots=count) for theme, count in per_theme.items()]


def ranking(voter, group, *themes):
    return [Ballot(voter, group, theme, rank=place) for place, theme in enumerate(themes, 1)]


@pytest.mark.parametrize(
    ("method", "dots_", "rank", "k", "expected"),
    [
        (DOTS, 3, None, 3, 3),
        (DOTS, None, None, 3, 0),
        (RANKING, None, 1, 3, 3),
        (RANKING, None, 2, 3, 2),
        (RANKING, None, 3, 3, 1),
        (RANKING, None, 4, 3, 0),  # a place past k earns nothing
        (RANKING, None, 1, 5, 5),
    ],
)
def test_points_of_one_vote(method, dots_, rank, k, expected):
    assert points(method, dots_, rank, k) == expected


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="unknown voting method"):
        points("approval", 1, None, 3)


def test_dots_are_added_up_overall_and_by_group():
    result = run(
        DOTS,
        dots(1, "carer", t1=3, t2=2) + dots(2, "manager", t2=3, t3=2) + dots(3, "carer", t3=1),
    )
    assert [(s.theme, s.total, s.place) for s in result.themes] == [(2, 5, 1), (1, 3, 2), (3, 3, 2)]
    assert result.groups == ("carer", "manager")  # in the given order, only those who voted
    assert result.themes[0].by_group == {"carer": 2, "manager": 3}
    assert result.voters == 3
    assert result.voters_by_group == {"carer": 2, "manager": 1}
    assert result.top == (2,)
    assert result.points_for_first == 0


def test_ranking_is_scored_by_the_borda_count():
    # k = 3: 1st earns 3, 2nd 2, 3rd 1.
    ballots = (
        ranking(1, "expert_by_experience", 3, 1, 2)  # 3:3 1:2 2:1
        + ranking(2, "manager", 1, 2)  # 1:3 2:2 (only two places filled)
        + ranking(3, "manager", 1)  # 1:3
    )
    result = run(RANKING, ballots)
    assert [(s.name, s.total) for s in result.themes] == [
        ("Transport", 8),
        ("Loneliness", 3),  # tied with Respite: the facilitator's order between them
        ("Respite", 3),
    ]
    assert result.points_for_first == 3
    assert result.themes[2].by_group == {"expert_by_experience": 3, "manager": 0}


def test_ties_share_a_place_keep_the_facilitators_order_and_the_next_place_skips():
    result = run(DOTS, dots(1, "carer", t1=1, t2=2, t3=2))
    assert [(s.theme, s.place, s.tied) for s in result.themes] == [
        (2, 1, True),
        (3, 1, True),
        (1, 3, False),
    ]
    assert result.top == (2, 3)


def test_nobody_voted():
    result = run(RANKING, [])
    assert result.voters == 0
    assert result.groups == ()
    assert result.top == ()
    assert result.lived_experience_top == ()
    assert [s.total for s in result.themes] == [0, 0, 0]
    assert [s.theme for s in result.themes] == [1, 2, 3]  # the facilitator's order
    assert lived_experience_summary(result) == "Nobody has voted yet."
    rows = summary_rows(result, LABELS)
    assert rows[0] == ["Place", "Theme", "Total"]
    assert rows[1] == ["–", "Transport", 0]
    assert rows[-1] == ["", "People who voted", 0]


def test_no_themes_and_no_votes():
    result = run(DOTS, [], themes=[])
    assert result.themes == ()
    assert summary_rows(result, LABELS) == [
        ["Place", "Theme", "Total"],
        ["", "People who voted", 0],
    ]


def test_one_group_only():
    result = run(DOTS, dots(1, "manager", t1=2) + dots(2, "manager", t1=1, t3=1))
    assert result.groups == ("manager",)
    assert result.voters_by_group == {"manager": 2}
    assert result.lived_experience_voters == 0
    assert result.lived_experience_top == ()
    assert lived_experience_summary(result) == (
        "Nobody who draws on care or is a carer voted in this round, so their first choice is "
        "not known."
    )


def test_lived_experience_first_choice_differs_from_everyones():
    ballots = (
        ranking(1, "expert_by_experience", 3, 1)
        + ranking(2, "carer", 3, 2)
        + ranking(3, "manager", 1, 2)
        + ranking(4, "manager", 1, 3)
        + ranking(5, "frontline_practitioner", 1)
    )
    result = run(RANKING, ballots, ranks=2)
    # Transport: 1 + 2 + 2 + 2 = 7; Respite: 2 + 2 + 1 = 5; Loneliness: 1 + 1 = 2.
    assert result.top == (1,)
    assert result.lived_experience_top == (3,)
    assert result.lived_experience_voters == 2
    assert [s.lived_experience for s in result.themes] == [1, 4, 1]
    assert lived_experience_summary(result) == (
        "People who draw on care and carers (2 people) put ‘Respite’ first. Everyone together "
        "put ‘Transport’ first."
    )


def test_lived_experience_first_choice_is_everyones_too():
    result = run(DOTS, dots(1, "carer", t2=3) + dots(2, "manager", t2=1))
    assert lived_experience_summary(result) == (
        "People who draw on care and carers (1 person) put ‘Loneliness’ first, as did everyone "
        "together."
    )


def test_a_tie_at_the_top_is_named_as_joint_first():
    result = run(DOTS, dots(1, "expert_by_experience", t1=2, t3=2))
    assert lived_experience_summary(result) == (
        "People who draw on care and carers (1 person) put ‘Transport’ and ‘Respite’ joint "
        "first, and so did everyone together."
    )


def test_a_group_not_in_the_order_is_kept_at_the_end():
    result = run(DOTS, dots(1, "martian", t1=1) + dots(2, "carer", t2=1))
    assert result.groups == ("carer", "martian")
    assert result.voters == 2


def test_a_vote_for_a_theme_not_in_the_round_is_a_mistake():
    with pytest.raises(ValueError, match="not in the round"):
        run(DOTS, dots(1, "carer", t9=1))


def test_summary_rows_are_the_table_of_the_page_and_the_file():
    result = run(DOTS, dots(1, "carer", t1=2, t2=1) + dots(2, "expert_by_experience", t2=3))
    assert summary_rows(result, LABELS) == [
        ["Place", "Theme", "Total", "Person who draws on care", "Carer"],
        ["1st", "Loneliness", 4, 3, 1],
        ["2nd", "Transport", 2, 0, 2],
        ["–", "Respite", 0, 0, 0],
        ["", "People who voted", 2, 1, 1],
    ]


@pytest.mark.parametrize(
    ("place", "tied", "words"),
    [
        (1, False, "1st"),
        (2, True, "joint 2nd"),
        (3, False, "3rd"),
        (4, False, "4th"),
        (11, False, "11th"),
        (12, False, "12th"),
        (13, False, "13th"),
        (21, False, "21st"),
        (22, False, "22nd"),
        (111, False, "111th"),
    ],
)
def test_place_words(place, tied, words):
    assert place_words(place, tied) == words
