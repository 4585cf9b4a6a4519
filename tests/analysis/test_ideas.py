"""The change-idea library's sums (pure): which ideas are one idea, drivers, counts, search."""

from __future__ import annotations

import pandas as pd
import pytest

from improve.analysis.ideas import (
    CYCLE_COLUMNS,
    DRIVER_COLUMNS,
    GROUP_COLUMNS,
    IDEA_COLUMNS,
    IDEA_DRIVER_COLUMNS,
    LINK_COLUMNS,
    SIGNAL_COLUMNS,
    TEAM_COLUMNS,
    driver_choices,
    group_summary,
    idea_drivers,
    idea_groups,
    matching_groups,
    normalised,
    ordered,
    team_summary,
)


def ideas_frame(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (idea_id, team_id, title, copied_from_id[, description, driver_id]), grouped."""
    full = [
        (i, team, title, row[4] if len(row) > 4 else "", source, None)
        for row in rows
        for i, team, title, source in [row[:4]]
    ]
    frame = pd.DataFrame(full, columns=IDEA_COLUMNS)
    frame["group_id"] = idea_groups(frame)
    return frame


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Night lights", "night lights"),
        ("  Night   LIGHTS \t", "night lights"),
        ("", ""),
        ("Café", "café"),
    ],
)
def test_normalised(text, expected):
    assert normalised(text) == expected


@pytest.mark.parametrize(
    ("rows", "groups"),
    [
        # Same title, different case and spaces: one idea.
        ([(1, 10, "Night lights", None), (2, 20, " night  LIGHTS", None)], [1, 1]),
        # Different titles, no copying: two ideas.
        ([(1, 10, "Night lights", None), (2, 20, "Falls champion", None)], [1, 2]),
        # A copy renamed afterwards is still the same idea.
        ([(1, 10, "Night lights", None), (2, 20, "Lights at night", 1)], [1, 1]),
        # A copy of a copy, and a third team with the copy's new name: all one idea.
        (
            [
                (1, 10, "Night lights", None),
                (2, 20, "Lights at night", 1),
                (3, 30, "Dim lights", 2),
                (4, 40, "dim lights", None),
            ],
            [1, 1, 1, 1],
        ),
        # The copy written down before its source in the frame's order: the lowest id names it.
        ([(5, 10, "B", 2), (2, 20, "A", None)], [2, 2]),
        # A copy of an idea not in the frame (another collaborative's) stands alone.
        ([(1, 10, "Night lights", 99)], [1]),
        ([], []),
    ],
)
def test_idea_groups(rows, groups):
    frame = ideas_frame(rows)
    assert list(frame["group_id"]) == groups


def test_idea_drivers_include_the_primaries_a_secondary_feeds():
    ideas = pd.DataFrame(
        [
            (1, 10, "Night lights", "", None, 100),  # under a secondary feeding two primaries
            (2, 10, "Huddle", "", None, 101),  # under a primary
            (3, 20, "Rota", "", None, None),  # under no driver
        ],
        columns=IDEA_COLUMNS,
    )
    drivers = pd.DataFrame(
        [
            (100, "secondary", "Rooms are safe at night"),
            (101, "primary", "Staff  know the risks"),
            (102, "primary", "Safe rooms"),
        ],
        columns=DRIVER_COLUMNS,
    )
    links = pd.DataFrame([(100, 101), (100, 102)], columns=LINK_COLUMNS)

    result = idea_drivers(ideas, drivers, links)

    assert list(result.columns) == IDEA_DRIVER_COLUMNS
    got = sorted(zip(result["idea_id"], result["kind"], result["key"], strict=True))
    assert got == [
        (1, "primary", "safe rooms"),
        (1, "primary", "staff know the risks"),
        (1, "secondary", "rooms are safe at night"),
        (2, "primary", "staff know the risks"),
    ]
    assert driver_choices(result) == [
        ("rooms are safe at night", "Rooms are safe at night"),
        ("safe rooms", "Safe rooms"),
        ("staff know the risks", "Staff  know the risks"),
    ]


def test_idea_drivers_when_nothing_is_under_a_driver():
    ideas = pd.DataFrame([(1, 10, "Rota", "", None, None)], columns=IDEA_COLUMNS)
    empty_drivers = pd.DataFrame([], columns=DRIVER_COLUMNS)
    empty_links = pd.DataFrame([], columns=LINK_COLUMNS)
    result = idea_drivers(ideas, empty_drivers, empty_links)
    assert result.empty and list(result.columns) == IDEA_DRIVER_COLUMNS
    assert driver_choices(result) == []


def test_team_summary_counts_cycles_decisions_and_signals_per_team():
    # Idea 1 (team 10) and idea 2 (team 20) are one idea; team 10 also has it twice (idea 3, in
    # another aim); idea 4 (team 30) is another idea, never tested.
    ideas = ideas_frame(
        [
            (1, 10, "Night lights", None),
            (2, 20, "Night lights", 1),
            (3, 10, "night lights", None),
            (4, 30, "Huddle", None),
        ]
    )
    cycles = pd.DataFrame(
        [(1, "adopt"), (1, "adapt"), (3, None), (2, "abandon"), (2, "adapt"), (2, "")],
        columns=CYCLE_COLUMNS,
    )
    signals = pd.DataFrame([(1, False), (3, True), (2, False)], columns=SIGNAL_COLUMNS)

    teams = team_summary(ideas, cycles, signals)

    assert list(teams.columns) == TEAM_COLUMNS
    rows = {(r.group_id, r.team_id): r for r in teams.itertuples()}
    assert set(rows) == {(1, 10), (1, 20), (4, 30)}
    a, b, untested = rows[1, 10], rows[1, 20], rows[4, 30]
    assert (a.cycles, a.adopt, a.adapt, a.abandon, a.undecided) == (3, 1, 1, 0, 1)
    assert (a.signals, a.improvement) == (2, True)
    assert (b.cycles, b.adopt, b.adapt, b.abandon, b.undecided) == (3, 0, 1, 1, 1)
    assert (b.signals, b.improvement) == (1, False)
    assert (untested.cycles, untested.undecided, untested.signals) == (0, 0, 0)
    assert not untested.improvement

    groups = group_summary(teams)
    assert list(groups.columns) == GROUP_COLUMNS
    by_group = {r.group_id: r for r in groups.itertuples()}
    night = by_group[1]
    assert (night.teams, night.teams_tested, night.cycles) == (2, 2, 6)
    assert (night.adopt, night.adapt, night.abandon, night.undecided) == (1, 2, 1, 2)
    assert (night.teams_with_signal, night.teams_with_improvement) == (2, 1)
    huddle = by_group[4]
    assert (huddle.teams, huddle.teams_tested, huddle.cycles, huddle.teams_with_signal) == (
        1,
        0,
        0,
        0,
    )


def test_summaries_of_nothing_keep_their_columns():
    ideas = ideas_frame([])
    teams = team_summary(
        ideas, pd.DataFrame([], columns=CYCLE_COLUMNS), pd.DataFrame([], columns=SIGNAL_COLUMNS)
    )
    assert teams.empty and list(teams.columns) == TEAM_COLUMNS
    groups = group_summary(teams)
    assert groups.empty and list(groups.columns) == GROUP_COLUMNS


SEARCH_IDEAS = [
    (1, 10, "Night lights", None, "Plug-in lights in every bedroom", None),
    (2, 20, "Night lights", None, "Cheap and quick to fit", None),
    (3, 30, "Morning huddle", None, "", None),
    (4, 30, "Falls champion", None, "One person on each shift who checks the risks", None),
]


@pytest.mark.parametrize(
    ("words", "driver", "expected"),
    [
        ("", "", [1, 3, 4]),
        ("lights", "", [1]),
        ("LIGHTS", "", [1]),
        # Words may come from different teams' descriptions of the same idea.
        ("bedroom cheap", "", [1]),
        ("bedroom huddle", "", []),
        ("shift", "", [4]),
        ("", "Staff know the risks", [3, 4]),
        ("", "  staff KNOW the risks ", [3, 4]),
        ("huddle", "staff know the risks", [3]),
        ("", "A driver nobody has", []),
        ("%", "", []),
    ],
)
def test_matching_groups(words, driver, expected):
    ideas = ideas_frame(SEARCH_IDEAS)
    drivers = pd.DataFrame(
        [
            (3, "primary", "Staff know the risks", "staff know the risks"),
            (4, "primary", "Staff know the risks", "staff know the risks"),
            (1, "secondary", "Rooms are safe", "rooms are safe"),
        ],
        columns=IDEA_DRIVER_COLUMNS,
    )
    assert matching_groups(ideas, drivers, words, driver) == expected


def test_ordered_alphabetically_then_oldest_first():
    titles = {5: "night lights", 2: "Huddle", 9: "Night Lights", 1: "Zebra crossing"}
    assert ordered(titles, titles) == [2, 5, 9, 1]
