"""The coordinator's view (pure): activity and stalling, missing periods, report states, score
gaps and the reasons a team needs a call."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from improve.analysis.activity import (
    ACTIVITY_COLUMNS,
    CALL_COLUMNS,
    CYCLE_COLUMNS,
    GAP_COLUMNS,
    MEASURE_COLUMNS,
    MISSING_COLUMNS,
    PLAN_COLUMNS,
    POINT_COLUMNS,
    REPORT_COLUMNS,
    SCORE_COLUMNS,
    TEAM_COLUMNS,
    TEAM_GAP_COLUMNS,
    activity,
    last_complete_period,
    late_teams,
    measure_gaps,
    missing_periods,
    needs_a_call,
    quiet_words,
    reason_counts,
    report_states,
    score_gaps,
    stuck_counts,
    stuck_in_plan,
    stuck_words,
    team_gaps,
    team_table,
)

TODAY = date(2026, 5, 20)  # a Wednesday
JOINED = date(2026, 1, 5)
NA = None


def frame(rows, columns):
    return pd.DataFrame(rows, columns=columns)


def one_team_activity(cycles, points, joined=JOINED, stall_weeks=6):
    teams = frame([(1, "Team A", joined)], TEAM_COLUMNS)
    result = activity(
        teams,
        frame([(1, *row) for row in cycles], CYCLE_COLUMNS),
        frame([(7, 1, *row) for row in points], POINT_COLUMNS),
        TODAY,
        stall_weeks,
    )
    row = result.iloc[0]
    days = (row["days_since_cycle"], row["days_since_data"])
    return (
        row["last_cycle"],
        row["last_data"],
        tuple(None if pd.isna(d) else int(d) for d in days),
        (bool(row["quiet_cycles"]), bool(row["quiet_data"]), bool(row["stalled"])),
    )


@pytest.mark.parametrize(
    ("cycles", "points", "joined", "expected"),
    [
        # Recent work on both: nothing quiet.
        (
            [(date(2026, 5, 18), date(2026, 5, 4))],
            [(date(2026, 4, 1), date(2026, 5, 13))],
            JOINED,
            (date(2026, 5, 18), date(2026, 5, 13), (2, 7), (False, False, False)),
        ),
        # A cycle starting after its last change counts from its start.
        (
            [(date(2026, 3, 1), date(2026, 5, 11))],
            [],
            JOINED,
            (date(2026, 5, 11), None, (9, None), (False, True, False)),
        ),
        # A cycle planned to start next month counts from the day it was planned.
        (
            [(date(2026, 5, 1), date(2026, 6, 1))],
            [],
            JOINED,
            (date(2026, 5, 1), None, (19, None), (False, True, False)),
        ),
        # A data point for a period later than the day it was entered never counts after today.
        (
            [],
            [(date(2026, 6, 1), date(2026, 5, 10))],
            JOINED,
            (None, TODAY, (None, 0), (True, False, False)),
        ),
        # Exactly six weeks without either: stalled.
        (
            [(date(2026, 4, 8), date(2026, 3, 1))],
            [(date(2026, 3, 1), date(2026, 4, 8))],
            JOINED,
            (date(2026, 4, 8), date(2026, 4, 8), (42, 42), (True, True, True)),
        ),
        # One day short of six weeks: not yet.
        (
            [(date(2026, 4, 9), date(2026, 3, 1))],
            [(date(2026, 3, 1), date(2026, 4, 9))],
            JOINED,
            (date(2026, 4, 9), date(2026, 4, 9), (41, 41), (False, False, False)),
        ),
        # Never anything, joined months ago: stalled.
        ([], [], JOINED, (None, None, (None, None), (True, True, True))),
        # Never anything, joined last week: too soon to say.
        ([], [], date(2026, 5, 13), (None, None, (None, None), (False, False, False))),
        # Several cycles and points: the latest of each.
        (
            [(date(2026, 2, 1), date(2026, 2, 1)), (date(2026, 5, 1), None)],
            [(date(2026, 1, 1), date(2026, 2, 2)), (date(2026, 3, 1), date(2026, 3, 9))],
            JOINED,
            (date(2026, 5, 1), date(2026, 3, 9), (19, 72), (False, True, False)),
        ),
    ],
)
def test_activity(cycles, points, joined, expected):
    assert one_team_activity(cycles, points, joined) == expected


def test_activity_keeps_team_order_and_schema_when_empty():
    teams = frame([(3, "C", JOINED), (1, "A", JOINED)], TEAM_COLUMNS)
    result = activity(teams, frame([], CYCLE_COLUMNS), frame([], POINT_COLUMNS), TODAY, 6)
    assert list(result.columns) == ACTIVITY_COLUMNS
    assert list(result["team_id"]) == [3, 1]
    assert list(result["stalled"]) == [True, True]
    empty = activity(
        frame([], TEAM_COLUMNS), frame([], CYCLE_COLUMNS), frame([], POINT_COLUMNS), TODAY, 6
    )
    assert list(empty.columns) == ACTIVITY_COLUMNS and empty.empty


@pytest.mark.parametrize(
    ("frequency", "today", "expected"),
    [
        ("monthly", date(2026, 5, 20), date(2026, 4, 1)),
        ("monthly", date(2026, 1, 1), date(2025, 12, 1)),
        ("weekly", date(2026, 5, 20), date(2026, 5, 11)),  # Wednesday: last week's Monday
        ("weekly", date(2026, 5, 18), date(2026, 5, 11)),  # Monday: the week just ended
    ],
)
def test_last_complete_period(frequency, today, expected):
    assert last_complete_period(today, frequency).date() == expected


MONTHLY_SHARED = (10, None, "Falls", "monthly", None)
WEEKLY_OWN = (11, 1, "Huddles held", "weekly", date(2026, 4, 15))


@pytest.mark.parametrize(
    ("measures", "points", "expected"),
    [
        # A shared monthly measure: from each team's first point to April (May is not over).
        (
            [MONTHLY_SHARED],
            [(10, 1, date(2026, 1, 1)), (10, 1, date(2026, 3, 1)), (10, 2, date(2026, 3, 1))],
            [(1, 10, date(2026, 2, 1)), (1, 10, date(2026, 4, 1)), (2, 10, date(2026, 4, 1))],
        ),
        # Nothing missing once every month to the last complete one has a value; the current
        # month's value is welcome but not expected.
        (
            [MONTHLY_SHARED],
            [(10, 1, date(2026, 3, 1)), (10, 1, date(2026, 4, 1)), (10, 1, date(2026, 5, 1))],
            [],
        ),
        # No points and no baseline start: no range yet, so nothing counts as missing.
        ([MONTHLY_SHARED], [], []),
        # Only the current month so far: nothing complete to miss.
        ([MONTHLY_SHARED], [(10, 2, date(2026, 5, 1))], []),
        # A weekly measure of team 1 from its baseline start (a Wednesday, so that week's
        # Monday) with no points: every week to last week. Team 2 does not report it.
        (
            [WEEKLY_OWN],
            [],
            [
                (1, 11, date(2026, 4, 13)),
                (1, 11, date(2026, 4, 20)),
                (1, 11, date(2026, 4, 27)),
                (1, 11, date(2026, 5, 4)),
                (1, 11, date(2026, 5, 11)),
            ],
        ),
        # A point dated mid-week counts for its week; a point before the baseline start
        # extends the range back.
        (
            [WEEKLY_OWN],
            [
                (11, 1, date(2026, 4, 1)),
                (11, 1, date(2026, 4, 16)),
                (11, 1, date(2026, 4, 20)),
                (11, 1, date(2026, 4, 27)),
                (11, 1, date(2026, 5, 4)),
            ],
            [(1, 11, date(2026, 4, 6)), (1, 11, date(2026, 5, 11))],
        ),
        # Points of a measure not listed (archived) are ignored.
        ([], [(99, 1, date(2025, 1, 1))], []),
    ],
)
def test_missing_periods(measures, points, expected):
    result = missing_periods(
        frame(measures, MEASURE_COLUMNS),
        [1, 2],
        frame([(*row, TODAY) for row in points], POINT_COLUMNS),
        TODAY,
    )
    assert list(result.columns) == MISSING_COLUMNS
    assert sorted(result.itertuples(index=False, name=None)) == expected


def test_measure_gaps_and_team_totals():
    measures = frame([MONTHLY_SHARED, WEEKLY_OWN], MEASURE_COLUMNS)
    points = frame(
        [
            (10, 1, date(2026, 1, 1), TODAY),
            (10, 1, date(2026, 4, 1), TODAY),
            (11, 1, date(2026, 5, 11), TODAY),
        ],
        POINT_COLUMNS,
    )
    gaps = measure_gaps(measures, [1, 2, 3], points, TODAY)
    assert list(gaps.columns) == GAP_COLUMNS
    assert sorted(gaps.itertuples(index=False, name=None)) == [
        (1, 10, 2, 2, False),  # February and March missing
        (1, 11, 1, 4, False),  # four weeks from 13 April to 4 May missing
        (2, 10, 0, 0, True),
        (3, 10, 0, 0, True),
    ]
    totals = team_gaps(gaps, [1, 2, 3, 4])
    assert list(totals.columns) == TEAM_GAP_COLUMNS
    assert list(totals.itertuples(index=False, name=None)) == [
        (1, 2, 6, 0),
        (2, 0, 0, 1),
        (3, 0, 0, 1),
        (4, 0, 0, 0),  # a team with no measures (none listed for it)
    ]


PERIOD = date(2026, 4, 1)  # due 10 May, so late on TODAY


@pytest.mark.parametrize(
    ("revisions", "today", "expected"),
    [
        ([], TODAY, ("late", None)),
        ([], date(2026, 5, 5), ("due", None)),
        ([(1, "draft", 2.0)], date(2026, 5, 5), ("draft", 2.0)),
        ([(1, "draft", 2.0)], TODAY, ("late", 2.0)),
        ([(1, "submitted", 2.0)], TODAY, ("submitted", 2.0)),
        # A correction being written: still submitted, and its newer suggestion shows.
        ([(2, "draft", 3.0), (1, "submitted", 2.0)], TODAY, ("submitted", 3.0)),
        ([(1, "submitted", None)], TODAY, ("submitted", None)),
    ],
)
def test_report_states(revisions, today, expected):
    reports = frame([(1, *row, None) for row in revisions], REPORT_COLUMNS)
    result = report_states([1], reports, PERIOD, "monthly", 10, today)
    state, suggested = result.iloc[0]["state"], result.iloc[0]["suggested_score"]
    assert (state, None if pd.isna(suggested) else suggested) == expected


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([("self", 3.5), ("coordinator", 2.0)], (3.5, 2.0, 1.5)),
        ([("self", 2.0), ("coordinator", 3.0)], (2.0, 3.0, -1.0)),
        ([("self", 2.0)], (2.0, None, None)),
        ([("coordinator", 2.5)], (None, 2.5, None)),
        ([], (None, None, None)),
    ],
)
def test_score_gaps(scores, expected):
    rows = [(1, *row) for row in scores] + [(2, "self", 5.0)]  # another team's score
    result = score_gaps([1], frame(rows, SCORE_COLUMNS)).iloc[0]
    values = (result["self_score"], result["coordinator_score"], result["gap"])
    assert tuple(None if pd.isna(v) else v for v in values) == expected


def table_row(**overrides):
    row = {
        "team_id": 1,
        "name": "Team A",
        "days_since_cycle": 3,
        "days_since_data": 3,
        "stalled": False,
        "state": "submitted",
        "suggested_score": None,
        "self_score": None,
        "coordinator_score": None,
        "measures_with_gaps": 0,
        "missing_periods": 0,
        "measures_without_data": 0,
        "stuck_in_plan": 0,
    }
    row.update(overrides)
    return row


@pytest.mark.parametrize(
    ("overrides", "reasons"),
    [
        ({}, None),
        ({"state": "draft"}, None),
        ({"state": "late"}, ["The report for April 2026 is late"]),
        (
            {"stalled": True, "days_since_cycle": 50, "days_since_data": 44},
            ["No work on tests of change for 7 weeks and no new data for 6 weeks"],
        ),
        (
            {"stalled": True, "days_since_cycle": None, "days_since_data": None},
            ["No tests of change and no data recorded yet"],
        ),
        # Quiet days without the stalled flag are not a reason on their own.
        ({"days_since_cycle": 90}, None),
        (
            {"self_score": 3.5, "coordinator_score": 2.5},
            ["The team scored itself 3.5; the coordinator's score is 2.5"],
        ),
        ({"self_score": 3.0, "coordinator_score": 2.5}, None),
        (
            {"self_score": 3.5, "suggested_score": 2.0},
            ["The team scored itself 3.5; its own records suggest 2.0"],
        ),
        # Once the coordinator has scored close to the team, the suggestion no longer matters.
        ({"self_score": 3.5, "coordinator_score": 3.0, "suggested_score": 2.0}, None),
        ({"suggested_score": 2.0}, None),
        (
            {"measures_with_gaps": 1, "missing_periods": 1},
            ["1 week or month of data missing in 1 measure"],
        ),
        (
            {"measures_with_gaps": 2, "missing_periods": 5, "measures_without_data": 1},
            ["5 weeks or months of data missing in 2 measures; no data yet for 1 measure"],
        ),
        (
            {"stuck_in_plan": 1},
            ["1 test of change still in Plan more than 2 weeks after the planned start"],
        ),
        (
            {"stuck_in_plan": 3},
            ["3 tests of change still in Plan more than 2 weeks after the planned start"],
        ),
        (
            {"state": "late", "stalled": True, "self_score": 1.0, "coordinator_score": 2.0},
            [
                "The report for April 2026 is late",
                "No work on tests of change for 0 weeks and no new data for 0 weeks",
                "The team scored itself 1.0; the coordinator's score is 2.0",
            ],
        ),
    ],
)
def test_needs_a_call(overrides, reasons):
    result = needs_a_call(pd.DataFrame([table_row(**overrides)]), "April 2026")
    assert list(result.columns) == CALL_COLUMNS
    if reasons is None:
        assert result.empty
    else:
        assert result.iloc[0]["reasons"] == reasons


def test_needs_a_call_orders_by_reasons_then_name_and_counts():
    table = pd.DataFrame(
        [
            table_row(team_id=1, name="beech", state="late"),
            table_row(team_id=2, name="Ash", state="late"),
            table_row(team_id=3, name="Cedar", state="late", measures_with_gaps=1),
            table_row(team_id=4, name="Dogwood"),
            table_row(team_id=5, name="Elm", stuck_in_plan=2),
        ]
    )
    calls = needs_a_call(table, "April 2026")
    assert list(calls["name"]) == ["Cedar", "Ash", "beech", "Elm"]
    assert list(calls["kinds"]) == [["late", "data"], ["late"], ["late"], ["plan"]]
    counts = {"late": 3, "stalled": 0, "scores": 0, "data": 1, "plan": 1}
    assert reason_counts(calls) == counts


@pytest.mark.parametrize(
    ("cycle_days", "data_days", "words"),
    [
        (None, 60, "No tests of change yet and no new data for 8 weeks"),
        (7, None, "No work on tests of change for 1 week and no data recorded yet"),
    ],
)
def test_quiet_words(cycle_days, data_days, words):
    assert quiet_words({"days_since_cycle": cycle_days, "days_since_data": data_days}) == words


def test_team_table_joins_every_part_in_team_order():
    teams = frame([(2, "B", JOINED), (1, "A", JOINED)], TEAM_COLUMNS)
    active = activity(teams, frame([], CYCLE_COLUMNS), frame([], POINT_COLUMNS), TODAY, 6)
    states = report_states([1, 2], frame([], REPORT_COLUMNS), PERIOD, "monthly", 10, TODAY)
    scores = score_gaps([1, 2], frame([(1, "self", 2.0)], SCORE_COLUMNS))
    gaps = team_gaps(
        measure_gaps(frame([], MEASURE_COLUMNS), [1, 2], frame([], POINT_COLUMNS), TODAY), [1, 2]
    )
    table = team_table(teams, active, states, scores, gaps)
    assert list(table["stuck_in_plan"]) == [0, 0]  # none stuck when left out
    assert list(table["name"]) == ["B", "A"]
    assert list(table["state"]) == ["late", "late"]
    assert table.loc[table["team_id"] == 1, "self_score"].item() == 2.0
    calls = needs_a_call(table, "April 2026")
    assert list(calls["name"]) == ["A", "B"]
    assert list(calls["kinds"]) == [["late", "stalled"], ["late", "stalled"]]


def test_a_team_late_with_an_earlier_report_needs_a_call_once():
    table = pd.DataFrame(
        [
            table_row(team_id=1, name="Ash", state="due"),
            table_row(team_id=2, name="Beech", state="late"),
            table_row(team_id=3, name="Cedar", state="submitted"),
        ]
    )
    calls = needs_a_call(table, "April 2026", {1, 2}, "March 2026")
    assert list(calls["name"]) == ["Ash", "Beech"]
    assert list(calls["reasons"]) == [
        ["The report for March 2026 is late"],
        ["The report for April 2026 is late"],
    ]


def test_late_teams():
    states = report_states(
        [1, 2],
        frame([(1, 1, "submitted", None, None)], REPORT_COLUMNS),
        PERIOD,
        "monthly",
        10,
        TODAY,
    )
    assert late_teams(states) == {2}


@pytest.mark.parametrize(
    ("stage", "starts_on", "stuck"),
    [
        ("plan", date(2026, 5, 6), False),  # exactly 14 days before today: not yet
        ("plan", date(2026, 5, 5), True),  # 15 days
        ("plan", date(2026, 5, 30), False),  # planned to start later
        ("do", date(2026, 1, 5), False),  # under way, however long ago it started
        ("closed", date(2026, 1, 5), False),
    ],
)
def test_stuck_in_plan(stage, starts_on, stuck):
    assert stuck_in_plan(stage, starts_on, TODAY) is stuck


@pytest.mark.parametrize(
    ("starts_on", "words"),
    [
        (date(2026, 5, 5), "Still in Plan 2 weeks after its planned start"),
        (date(2026, 4, 29), "Still in Plan 3 weeks after its planned start"),
    ],
)
def test_stuck_words(starts_on, words):
    assert stuck_words(starts_on, TODAY) == words


def test_stuck_counts_and_the_reason_to_call():
    plans = frame(
        [
            (1, date(2026, 4, 1)),
            (1, date(2026, 5, 1)),
            (1, date(2026, 5, 19)),
            (2, date(2026, 5, 10)),
        ],
        PLAN_COLUMNS,
    )
    counts = stuck_counts(plans, [3, 1, 2], TODAY)
    assert counts.values.tolist() == [[3, 0], [1, 2], [2, 0]]
    assert stuck_counts(frame([], PLAN_COLUMNS), [1], TODAY).values.tolist() == [[1, 0]]
    teams = frame([(1, "A", JOINED), (2, "B", JOINED)], TEAM_COLUMNS)
    active = activity(teams, frame([], CYCLE_COLUMNS), frame([], POINT_COLUMNS), TODAY, 6)
    states = report_states([1, 2], frame([], REPORT_COLUMNS), PERIOD, "monthly", 10, TODAY)
    scores = score_gaps([1, 2], frame([], SCORE_COLUMNS))
    gaps = team_gaps(
        measure_gaps(frame([], MEASURE_COLUMNS), [1, 2], frame([], POINT_COLUMNS), TODAY), [1, 2]
    )
    table = team_table(teams, active, states, scores, gaps, counts)
    calls = needs_a_call(table, "April 2026")
    assert list(calls["kinds"]) == [["late", "stalled", "plan"], ["late", "stalled"]]
    assert calls.iloc[0]["reasons"][-1] == (
        "2 tests of change still in Plan more than 2 weeks after the planned start"
    )


def test_report_states_say_how_late_the_first_submission_was():
    """The dashboard's tag reads submission_timing, as the drill-down and the report page do:
    the first submitted revision counts, a correction submitted later does not."""
    from datetime import UTC, datetime

    first = datetime(2026, 6, 5, 9, 0, tzinfo=UTC)  # April's report was due on 10 May
    correction = datetime(2026, 6, 20, 9, 0, tzinfo=UTC)
    reports = frame(
        [(1, 1, "submitted", None, first), (1, 2, "submitted", None, correction)], REPORT_COLUMNS
    )
    [timing, none] = report_states([1, 2], reports, PERIOD, "monthly", 10, TODAY)["timing"]
    assert timing.days_late == 26 and timing.words == "Submitted 26 days late"
    assert none is None
