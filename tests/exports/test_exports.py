"""Downloads of measures (every point with its chart's analysis) and cycles, as CSV and XLSX.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import openpyxl
import pytest

from improve.extensions import db
from improve.models import DataPoint, Decision, Improved, Measure, Stage, Team
from tests.conftest import PEOPLE
from tests.cycles.factories import make_aim, make_cycle, make_idea
from tests.teams.test_team_page import counting_queries

INJECTION = "=cmd|' /C calc'!A0"
STATUSES = {
    "admin": 200,
    "coordinator_x": 200,
    "coordinator_y": 404,
    "panel_x": 200,
    "lead_a": 200,
    "member_a": 200,
    "expert_a": 200,
    "member_b": 200,
    "member_c": 404,
    "nobody": 404,
}
# Whose data each person gets: the panel and coordinator every team's, a team member their own.
TEAMS_SEEN = {
    "admin": {"Team A", "Team B"},
    "coordinator_x": {"Team A", "Team B"},
    "panel_x": {"Team A", "Team B"},
    "lead_a": {"Team A"},
    "member_a": {"Team A"},
    "expert_a": {"Team A"},
    "member_b": {"Team B"},
}


def url(collaborative, what: str, fmt: str) -> str:
    return f"/collaboratives/{collaborative.id}/exports/{what}.{fmt}"


def csv_rows(response) -> list[dict[str, str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # so Excel reads accents
    return list(csv.DictReader(io.StringIO(text[1:])))


def xlsx_sheets(response) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def as_dicts(rows: list[tuple]) -> list[dict]:
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def month(index: int) -> date:
    return date(2025 + index // 12, index % 12 + 1, 1)


def make_measure(collaborative, team: Team | None = None, **overrides) -> Measure:
    fields = {
        "name": "Falls a month",
        "measure_type": "outcome",
        "value_kind": "continuous",
        "direction": "decrease",
        "frequency": "monthly",
        "chart_type": "i",
        "target_value": 2.0,
    }
    fields.update(overrides)
    measure = Measure(
        collaborative_id=collaborative.id, team_id=team.id if team else None, **fields
    )
    db.session.add(measure)
    db.session.commit()
    return measure


def add_points(measure: Measure, team: Team, values: list[float], **first_point) -> None:
    for index, value in enumerate(values):
        extra = first_point if index == 0 else {}
        db.session.add(
            DataPoint(
                measure_id=measure.id,
                team_id=team.id,
                period_start=month(index),
                value=value,
                **extra,
            )
        )
    db.session.commit()


@pytest.fixture
def measures(world):
    """A shared measure with data from both teams of X (team A's: six months at 5 then seven at
    1, every point beyond a limit), each team's own measure, and a measure of collaborative Y."""
    shared = make_measure(world.x)
    add_points(shared, world.team_a, [5] * 6 + [1] * 7, note=INJECTION)
    add_points(shared, world.team_b, [3, 4, 3])
    own_a = make_measure(
        world.x, world.team_a, name="Huddles held", chart_type="run", direction="increase"
    )
    add_points(own_a, world.team_a, [2, 3, 4, 3])
    own_b = make_measure(world.x, world.team_b, name="Night checks", value_kind="count")
    add_points(own_b, world.team_b, [7])
    other = make_measure(world.y, name="Elsewhere")
    add_points(other, world.team_c, [1, 2, 3])
    return shared


# Measures: who gets what -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_download_the_measures_and_whose_data_they_get(
    world, client_for, measures, who, fmt
):
    response = client_for(getattr(world, who)).get(url(world.x, "measures", fmt))
    assert response.status_code == STATUSES[who]
    if response.status_code != 200:
        return
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="Collaborative-X-measures-'
    )
    rows = csv_rows(response) if fmt == "csv" else as_dicts(xlsx_sheets(response)["Measures"])
    assert {row["Team"] for row in rows} == TEAMS_SEEN[who]
    assert "Elsewhere" not in {row["Measure"] for row in rows}


def test_a_team_member_gets_their_teams_points_of_shared_and_own_measures(
    world, client_for, measures
):
    rows = csv_rows(client_for(world.member_a).get(url(world.x, "measures", "csv")))
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        counts[row["Team"], row["Measure"]] = counts.get((row["Team"], row["Measure"]), 0) + 1
    assert counts == {("Team A", "Falls a month"): 13, ("Team A", "Huddles held"): 4}


def test_the_coordinator_gets_every_teams_points_in_order(world, client_for, measures):
    rows = csv_rows(client_for(world.coordinator_x).get(url(world.x, "measures", "csv")))
    series = [(row["Team"], row["Measure"]) for row in rows]
    assert series == (
        [("Team A", "Falls a month")] * 13
        + [("Team A", "Huddles held")] * 4
        + [("Team B", "Falls a month")] * 3
        + [("Team B", "Night checks")]
    )
    assert [row["Period starts"] for row in rows[:3]] == ["2025-01-01", "2025-02-01", "2025-03-01"]


@pytest.mark.parametrize("fmt", ["pdf", "CSV", "xls", "csv.gz", "json"])
@pytest.mark.parametrize("what", ["measures", "cycles"])
def test_other_formats_are_not_found(world, client_for, fmt, what):
    response = client_for(world.coordinator_x).get(url(world.x, what, fmt))
    assert response.status_code == 404


def test_another_collaborative_is_not_found(world, client_for, measures):
    client = client_for(world.coordinator_x)
    assert client.get(url(world.y, "measures", "csv")).status_code == 404
    assert client.get("/collaboratives/999999/exports/measures.csv").status_code == 404


# Measures: the analysis columns ------------------------------------------------------------------


def by_period(rows, team: str, measure: str) -> dict[str, dict]:
    return {
        str(row["Period starts"])[:10]: row
        for row in rows
        if row["Team"] == team and row["Measure"] == measure
    }


def test_each_point_has_the_charts_centre_limits_and_signals(world, client_for, measures):
    rows = csv_rows(client_for(world.panel_x).get(url(world.x, "measures", "csv")))
    falls = by_period(rows, "Team A", "Falls a month")
    january, july = falls["2025-01-01"], falls["2025-07-01"]
    assert january["Number entered"] == "5.0"
    assert january["Number on the chart"] == "5.0"
    assert float(january["Centre line"]) == pytest.approx(37 / 13)
    assert 1 < float(january["Lower limit"]) < float(january["Centre line"])
    assert float(january["Upper limit"]) < 5
    assert january["Point type"] == "Special cause concern"
    assert january["Rules fired"].startswith("Outside the limits")
    assert january["Signal"].startswith("A point above the upper limit")
    assert july["Point type"] == "Special cause improvement"
    assert july["Signal"].startswith("A point below the lower limit")
    assert january["Trial limits"] == "No"  # 13 points
    assert (january["Chart"], january["Better when"], january["Shared"]) == (
        "I chart (XmR)",
        "Lower",
        "Yes",
    )
    assert january["Target"] == "2.0"


def test_short_series_and_run_charts_say_so(world, client_for, measures):
    rows = csv_rows(client_for(world.coordinator_x).get(url(world.x, "measures", "csv")))
    short = by_period(rows, "Team B", "Falls a month")["2025-01-01"]
    assert short["Trial limits"] == "Yes"  # 3 points: the limits will move
    assert short["Point type"] == "Common cause"
    run = by_period(rows, "Team A", "Huddles held")["2025-01-01"]
    assert run["Chart"] == "Run chart"
    assert float(run["Centre line"]) == 3.0  # the median
    assert run["Lower limit"] == run["Upper limit"] == run["Trial limits"] == ""
    alone = by_period(rows, "Team B", "Night checks")["2025-01-01"]
    assert alone["Number entered"] == "7.0"
    assert alone["Centre line"] == alone["Point type"] == alone["Signal"] == ""


def test_left_out_points_and_new_phases_are_marked_with_their_reasons(world, client_for):
    measure = make_measure(world.x, world.team_a, name="Visits")
    for index, value in enumerate([4, 5, 4, 30, 5, 4]):
        db.session.add(
            DataPoint(
                measure_id=measure.id,
                team_id=world.team_a.id,
                period_start=month(index),
                value=value,
                excluded=index == 3,
                exclusion_reason="Flu outbreak" if index == 3 else "",
                starts_new_phase=index == 4,
                phase_reason="New rota" if index == 4 else "",
            )
        )
    db.session.commit()
    rows = csv_rows(client_for(world.member_a).get(url(world.x, "measures", "csv")))
    visits = by_period(rows, "Team A", "Visits")
    assert (visits["2025-04-01"]["Left out"], visits["2025-04-01"]["Why left out"]) == (
        "Yes",
        "Flu outbreak",
    )
    assert visits["2025-01-01"]["Left out"] == "No"
    assert (visits["2025-05-01"]["New phase"], visits["2025-05-01"]["Why a new phase"]) == (
        "Yes",
        "New rota",
    )
    assert [visits[day]["Phase"] for day in sorted(visits)] == ["1", "1", "1", "1", "2", "2"]


def test_a_formula_in_a_note_is_neutralised_in_csv_and_xlsx(world, client_for, measures):
    client = client_for(world.member_a)
    rows = csv_rows(client.get(url(world.x, "measures", "csv")))
    assert by_period(rows, "Team A", "Falls a month")["2025-01-01"]["Note"] == "'" + INJECTION
    sheet = xlsx_sheets(client.get(url(world.x, "measures", "xlsx")))["Measures"]
    notes = [row["Note"] for row in as_dicts(sheet) if row["Note"]]
    assert notes == ["'" + INJECTION]


def test_the_xlsx_explains_every_column_on_its_first_sheet(world, client_for, measures):
    response = client_for(world.coordinator_x).get(url(world.x, "measures", "xlsx"))
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheets = xlsx_sheets(response)
    assert list(sheets) == ["About this file", "Measures"]
    about = dict(sheets["About this file"][1:])
    assert about["Teams included"] == "Team A, Team B"
    assert "Every data point" in about["About this file"]
    header = sheets["Measures"][0]
    assert all(about.get(column) for column in header)  # every column is explained
    assert "average" in about["Centre line"] and "median" in about["Centre line"]
    assert "fewer than 12 points" in about["Trial limits"]
    assert "unlikely to be chance" in about["Upper limit"]
    # Dates stay dates, numbers stay numbers.
    first = as_dicts(sheets["Measures"])[0]
    assert first["Period starts"] == datetime(2025, 1, 1)
    assert first["Number entered"] == 5


def test_an_empty_collaborative_still_gives_the_columns(world, client_for):
    rows = client_for(world.coordinator_x).get(url(world.x, "measures", "csv"))
    header = rows.get_data(as_text=True)[1:].splitlines()[0]
    assert header.startswith("Team,Measure,Kind of measure")
    assert "Centre line,Lower limit,Upper limit" in header


# Cycles ------------------------------------------------------------------------------------------


@pytest.fixture
def cycles(world):
    aim = make_aim(world.team_a, title="Fewer falls at night")
    idea = make_idea(aim, "Night huddle")
    first = make_cycle(
        idea,
        title="Try the huddle on one unit",
        questions=[("Will staff come?", "8 of 10 will"), ("Will it take long?", "Under 10 min")],
        stage=Stage.CLOSED,
        decision=Decision.ADAPT,
        improved=Improved.NOT_SURE,
        closed_at=datetime(2026, 5, 20, 12, tzinfo=UTC),
        next_steps=INJECTION,
        owner_id=world.lead_a.id,
    )
    first.questions[0].result = "7 came"
    first.questions[0].learning = "Nights need a later time"
    db.session.commit()
    make_cycle(
        idea,
        ramp=first.ramp,
        title="Try it on two units",
        starts_on=date(2026, 6, 1),
        ends_on=date(2026, 6, 14),
    )
    make_cycle(
        make_idea(make_aim(world.team_b, title="Better sleep"), "Quiet hours"), title="Team B test"
    )
    make_cycle(make_idea(make_aim(world.team_c, title="Elsewhere"), "Other"), title="Team C test")
    return first


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_download_the_cycles_and_whose_they_get(world, client_for, cycles, who, fmt):
    response = client_for(getattr(world, who)).get(url(world.x, "cycles", fmt))
    assert response.status_code == STATUSES[who]
    if response.status_code != 200:
        return
    rows = csv_rows(response) if fmt == "csv" else as_dicts(xlsx_sheets(response)["Cycles"])
    assert {row["Team"] for row in rows} == TEAMS_SEEN[who]
    assert "Team C test" not in {row["Cycle"] for row in rows}


def test_each_cycle_has_its_plan_results_and_decision(world, client_for, cycles):
    rows = csv_rows(client_for(world.member_a).get(url(world.x, "cycles", "csv")))
    assert [(row["Cycle number"], row["Cycle"]) for row in rows] == [
        ("1", "Try the huddle on one unit"),
        ("2", "Try it on two units"),
    ]
    first = rows[0]
    assert (first["Team"], first["Aim"], first["Change idea"]) == (
        "Team A",
        "Fewer falls at night",
        "Night huddle",
    )
    assert first["Ramp"] == "Try the huddle on one unit"
    assert (first["Starts on"], first["Ends on"]) == ("2026-05-04", "2026-05-08")
    assert first["Stage"] == "Closed"
    assert first["What we want to learn"] == "Learn whether a huddle helps"
    assert first["Questions and predictions"] == (
        "1. Will staff come? Prediction: 8 of 10 will\n"
        "2. Will it take long? Prediction: Under 10 min"
    )
    assert first["Results"] == "1. Will staff come? Result: 7 came"
    assert first["What was learned"] == "1. Will staff come? Learning: Nights need a later time"
    assert first["Did it lead to improvement?"] == "Not sure"
    assert (first["Decision"], first["Decided on"]) == ("Adapt", "2026-05-20")
    assert first["Next steps"] == "'" + INJECTION  # neutralised
    assert first["Owner"] == "Lead A"
    second = rows[1]
    assert (second["Stage"], second["Decision"], second["Decided on"]) == ("Plan", "", "")


def test_the_cycles_xlsx_explains_its_columns(world, client_for, cycles):
    sheets = xlsx_sheets(client_for(world.panel_x).get(url(world.x, "cycles", "xlsx")))
    assert list(sheets) == ["About this file", "Cycles"]
    about = dict(sheets["About this file"][1:])
    assert all(about.get(column) for column in sheets["Cycles"][0])
    assert "Adopt" in about["Decision"]
    next_steps = [row["Next steps"] for row in as_dicts(sheets["Cycles"]) if row["Next steps"]]
    assert next_steps == ["'" + INJECTION]


# A fixed number of queries -----------------------------------------------------------------------


def add_team_work(world, team: Team, shared: Measure) -> None:
    add_points(shared, team, [3, 4, 3, 5])
    own = make_measure(world.x, team, name=f"Own {team.name}")
    add_points(own, team, [1, 2])
    idea = make_idea(make_aim(team, title=f"Aim {team.name}"), f"Idea {team.name}")
    make_cycle(idea, title=f"Cycle {team.name}", questions=[("Q?", "P")])


@pytest.mark.parametrize("what", ["measures", "cycles"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_same_number_of_queries_for_2_or_6_teams(world, client_for, make_team, what, fmt):
    shared = make_measure(world.x)
    for team in (world.team_a, world.team_b):
        add_team_work(world, team, shared)
    client = client_for(world.coordinator_x)
    page = url(world.x, what, fmt)
    client.get(page)
    with counting_queries() as two_teams:
        assert client.get(page).status_code == 200
    for number in range(4):
        add_team_work(world, make_team(world.x, name=f"Extra {number}"), shared)
    with counting_queries() as six_teams:
        response = client.get(page)
    rows = csv_rows(response) if fmt == "csv" else as_dicts(xlsx_sheets(response)[what.title()])
    assert {row["Team"] for row in rows} >= {"Extra 0", "Extra 3"}
    assert len(six_teams) == len(two_teams)
