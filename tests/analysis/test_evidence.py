"""The evidence behind change ideas (pure): kinds per idea and idea group, the library's search
by kind, the count resting on lived experience, and what the panel's adopted changes rest on."""

from __future__ import annotations

import pytest

from improve.analysis.evidence import (
    KINDS,
    LIVED_EXPERIENCE,
    NO_EVIDENCE,
    PRACTICE_KNOWLEDGE,
    RESEARCH,
    AdoptedChange,
    adopted_evidence,
    adopted_sentence,
    in_order,
    library_evidence,
)

# Ideas 1 and 2 are one group (1), idea 3 its own (3), idea 4 its own (4) with no evidence.
IDEAS = [(1, 1), (2, 1), (3, 3), (4, 4)]
EVIDENCE = [
    (1, LIVED_EXPERIENCE),
    (1, LIVED_EXPERIENCE),
    (2, RESEARCH),
    (3, PRACTICE_KNOWLEDGE),
    (99, RESEARCH),  # another collaborative's idea: left out
]


def test_kinds_are_listed_once_each_in_a_fixed_order():
    assert in_order([LIVED_EXPERIENCE, RESEARCH, LIVED_EXPERIENCE, "unknown"]) == (
        RESEARCH,
        LIVED_EXPERIENCE,
    )
    assert in_order([]) == ()
    assert KINDS == (RESEARCH, PRACTICE_KNOWLEDGE, LIVED_EXPERIENCE)


def test_library_evidence_per_idea_and_per_group():
    found = library_evidence(IDEAS, EVIDENCE)

    assert found.items == {1: 2, 2: 1, 3: 1}
    assert found.kinds == {1: (LIVED_EXPERIENCE,), 2: (RESEARCH,), 3: (PRACTICE_KNOWLEDGE,)}
    # A group rests on every kind any of its teams recorded.
    assert found.group_kinds == {1: (RESEARCH, LIVED_EXPERIENCE), 3: (PRACTICE_KNOWLEDGE,)}
    assert found.groups == (1, 3, 4)
    assert found.kinds_of([1, 2]) == (RESEARCH, LIVED_EXPERIENCE)
    assert found.items_of([1, 2, 4]) == 3
    assert found.kinds_of([4]) == ()


@pytest.mark.parametrize(
    ("wanted", "groups"),
    [
        ("", {1, 3, 4}),
        (RESEARCH, {1}),
        (PRACTICE_KNOWLEDGE, {3}),
        (LIVED_EXPERIENCE, {1}),
        (NO_EVIDENCE, {4}),
    ],
)
def test_the_search_by_kind(wanted, groups):
    assert library_evidence(IDEAS, EVIDENCE).matching(wanted) == groups


def test_how_many_ideas_rest_on_lived_experience():
    found = library_evidence(IDEAS, EVIDENCE)
    assert found.lived_experience_groups == 1
    assert found.rests_on_lived_experience(1) and not found.rests_on_lived_experience(3)
    assert library_evidence([], []).lived_experience_groups == 0
    assert library_evidence([(5, 5)], []).matching(NO_EVIDENCE) == {5}


def test_adopted_changes_each_once_with_their_kinds():
    rows = [
        (10, 1, "Night lights", LIVED_EXPERIENCE),
        (10, 1, "Night lights", LIVED_EXPERIENCE),  # two adopted tests, or two items
        (10, 1, "Night lights", RESEARCH),
        (11, 2, "  daily huddle", None),
        (12, 2, "Buddy", PRACTICE_KNOWLEDGE),
    ]
    result = adopted_evidence(rows)

    assert result.changes == (
        AdoptedChange(12, 2, "Buddy", (PRACTICE_KNOWLEDGE,)),
        AdoptedChange(11, 2, "  daily huddle", ()),
        AdoptedChange(10, 1, "Night lights", (RESEARCH, LIVED_EXPERIENCE)),
    )
    assert result.total == 3
    assert result.counts == {RESEARCH: 1, PRACTICE_KNOWLEDGE: 1, LIVED_EXPERIENCE: 1}
    assert result.without == 1
    assert result.sentence == (
        "Of 3 adopted changes, 1 rests on research, 1 on practice knowledge and 1 on lived "
        "experience; 1 has no evidence recorded."
    )


@pytest.mark.parametrize(
    ("total", "counts", "without", "sentence"),
    [
        (
            5,
            {RESEARCH: 2, PRACTICE_KNOWLEDGE: 4, LIVED_EXPERIENCE: 2},
            1,
            "Of 5 adopted changes, 4 rest on practice knowledge, 2 on research and 2 on lived "
            "experience; 1 has no evidence recorded.",
        ),
        (
            3,
            {RESEARCH: 3},
            0,
            "Of 3 adopted changes, 3 rest on research, none on practice knowledge and none on "
            "lived experience.",
        ),
        (
            1,
            {LIVED_EXPERIENCE: 1},
            0,
            "Of 1 adopted change, 1 rests on lived experience, none on research and none on "
            "practice knowledge.",
        ),
        (
            4,
            {PRACTICE_KNOWLEDGE: 1},
            3,
            "Of 4 adopted changes, 1 rests on practice knowledge, none on research and none on "
            "lived experience; 3 have no evidence recorded.",
        ),
        (2, {}, 2, "Of 2 adopted changes, none have any evidence recorded yet."),
        (1, {}, 1, "Of 1 adopted change, none has any evidence recorded yet."),
        (0, {}, 0, "No changes were adopted in this period, so there is no evidence to show."),
    ],
)
def test_the_sentence(total, counts, without, sentence):
    assert adopted_sentence(total, counts, without) == sentence


def test_no_adopted_changes():
    result = adopted_evidence([])
    assert result.changes == () and result.without == 0
    assert result.counts == dict.fromkeys(KINDS, 0)
    assert result.sentence.startswith("No changes were adopted")
