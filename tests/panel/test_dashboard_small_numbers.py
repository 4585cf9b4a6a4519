"""Small numbers of people in the panel's views across teams and in the files it links to (issue
19, point 4): a team's figure that rests on 1 to 4 people or events is hidden on the page, in
print, in the CSV and XLSX summary, and in the measures' data for someone who sees the team only
through the panel; the coordinator still gets every number, and counts of teams are shown.

World: collaborative X (threshold 5, the default) with teams A and B (tests/conftest.py), and the
demo's staff turnover measure: team A's latest month is 1 leaver of 13 staff.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from types import SimpleNamespace

import openpyxl
import pytest

from improve.extensions import db
from improve.models import DataPoint, Measure, Role, Team
from tests.cycles.factories import visible

HIDDEN = "hidden (small number)"
# Team A's latest month: 1 leaver of 13 staff, 7.69 per 100 staff; 5 of 7 families, 71%.
LEAVERS = [(6, 60), (7, 62), (5, 58), (6, 60), (8, 61), (6, 59), (5, 60), (6, 61), (1, 13)]
FAMILIES_A = [(20, 30), (21, 30), (22, 30), (24, 30), (5, 7)]
# Team B's first month (8 of 10: 2 were not) is one of the three its baseline rests on.
FAMILIES_B = [(8, 10), (20, 30), (21, 30), (22, 30), (25, 30)]
LEAVER_FIGURES = re.compile(r"\b7\.69|\b7\.7\b")


def month(index: int) -> date:
    return date(2025 + index // 12, index % 12 + 1, 1)


def shared(collaborative, **fields) -> Measure:
    measure = Measure(
        collaborative_id=collaborative.id, team_id=None, measure_type="outcome", **fields
    )
    db.session.add(measure)
    db.session.commit()
    return measure


def add(measure: Measure, team: Team, pairs: list[tuple[int, int]]) -> None:
    db.session.add_all(
        DataPoint(
            measure_id=measure.id,
            team_id=team.id,
            period_start=month(index),
            value=float(numerator),
            denominator=float(denominator),
        )
        for index, (numerator, denominator) in enumerate(pairs)
    )
    db.session.commit()


@pytest.fixture
def small(world) -> SimpleNamespace:
    leavers = shared(
        world.x,
        name="Care staff leaving, per 100 staff",
        value_kind="rate",
        chart_type="u",
        direction="decrease",
        multiplier=100.0,
        unit="leavers per 100 staff",
        target_value=2.0,
        freeze_points=6,
    )
    families = shared(
        world.x,
        name="Families who feel listened to",
        value_kind="proportion",
        chart_type="p",
        direction="increase",
        target_value=0.9,
        freeze_points=3,
    )
    add(leavers, world.team_a, LEAVERS)
    add(families, world.team_a, FAMILIES_A)
    add(families, world.team_b, FAMILIES_B)
    return SimpleNamespace(leavers=leavers, families=families)


def panel_url(world, page: str = "", **args) -> str:
    query = "&".join(f"{key}={value}" for key, value in args.items())
    return f"/collaboratives/{world.x.id}/panel{page}" + (f"?{query}" if query else "")


def measures_url(world, fmt: str) -> str:
    return f"/collaboratives/{world.x.id}/exports/measures.{fmt}"


def csv_dicts(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def sheets(response) -> dict[str, list[tuple]]:
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def row_of(rows, team: str, measure: str) -> dict[str, str]:
    return next(row for row in rows if row["Team"] == team and row["Measure"] == measure)


# The panel page and its print layout -------------------------------------------------------------


def test_the_page_hides_a_small_figure_and_what_is_worked_out_from_it(world, small, client_for):
    text = visible(client_for(world.panel_x).get(panel_url(world)))
    assert not LEAVER_FIGURES.search(text)
    assert "71%" not in text
    leavers = text.split("Care staff leaving, per 100 staff, team by team", 1)[1]
    team_a = leavers.split("Team A", 1)[1].split("Team B", 1)[0]
    # Baseline (the first six months, all of 5 or more) → latest → target; the way to the
    # target would give the latest back, so it is hidden with it; the signals are shown.
    assert "10.6 → hidden (small number) (September 2025) → 2 hidden (small number)" in team_a
    families = text.split("Families who feel listened to, team by team", 1)[1]
    team_b = families.split("Team B", 1)[1]
    # Team B's baseline rests on a month of 8 of 10 (2 were not): hidden, and so is the way
    # from it to the target; its latest, 25 of 30, is shown.
    assert "hidden (small number) → 83% (May 2025) → 90% hidden (small number)" in team_b
    # The page says what it hid and why: A's latest leavers and families, B's baseline, and the
    # small chart's point of 1 leaver.
    inset = text.split("At a glance", 1)[1].split("What this shows", 1)[0]
    assert "or when it is a rate out of a total of 1 to 4" in inset
    assert "3 figures from 2 teams are hidden on this page." in inset
    # The narrative counts teams, never a team's own figure.
    story = text.split("What this shows", 1)[1].split("How to read this page", 1)[0]
    assert "hidden" not in story and "%" not in story


def test_the_small_chart_leaves_the_hidden_point_out(world, small, client_for):
    address = panel_url(world, measure=small.leavers.id, team=world.team_a.id)
    response = client_for(world.panel_x).get(address)
    text = visible(response)
    assert not LEAVER_FIGURES.search(text)
    assert "Latest hidden (small number) in September 2025; from 8.3 to 13.1 over 9 points." in text
    assert "1 point is hidden and not drawn: it rests on small numbers." in text
    assert "September 2025 hidden (small number)" in text
    chart = response.get_data(as_text=True).split('<svg class="app-spark__chart"', 1)[1]
    chart = chart.split("</svg>", 1)[0]
    assert chart.count("<circle") + chart.count("<rect") + chart.count("<polygon") == 8 + 1
    # Counts of teams are shown as they are, one team too.
    assert "Care staff leaving, per 100 staff 1 of 1 0 of 1 0 of 1 0 of 1" in text
    assert "fewer than" not in text.lower()


def test_print_hides_the_same_figures(world, small, client_for):
    text = visible(client_for(world.panel_x).get(panel_url(world, "/print")))
    assert not LEAVER_FIGURES.search(text)
    assert "71%" not in text
    assert "10.6 → hidden (small number) (September 2025) → 2" in text
    assert "figures from 2 teams are hidden in this report." in text


def test_the_coordinators_panel_page_hides_them_too(world, small, client_for):
    # The panel page is a view across teams, printed and passed round: the rule is the page's.
    text = visible(client_for(world.coordinator_x).get(panel_url(world)))
    assert not LEAVER_FIGURES.search(text)


def test_with_the_threshold_off_every_figure_is_shown(world, small, client_for):
    world.x.suppression_threshold = 0
    db.session.commit()
    text = visible(client_for(world.panel_x).get(panel_url(world)))
    assert "10.6 → 7.7 (September 2025) → 2" in text
    assert "71%" in text
    assert HIDDEN not in text
    assert "No numbers are hidden" in text


# The panel summary's CSV and XLSX ----------------------------------------------------------------


def test_the_summary_files_hide_them_and_say_so(world, small, client_for):
    client = client_for(world.panel_x)
    response = client.get(panel_url(world, "/summary.csv"))
    raw = response.get_data().decode("utf-8-sig")
    assert not LEAVER_FIGURES.search(raw)
    rows = csv_dicts(response)
    note = rows[0]
    assert note["Team"] == "About small numbers"
    assert "3 figures from 2 teams are hidden in this file." in note["Measure"]
    team_a = row_of(rows, "Team A", "Care staff leaving, per 100 staff")
    assert team_a["Latest"] == team_a["Percent of the way to the target"] == HIDDEN
    assert team_a["Target reached"] == HIDDEN
    assert team_a["Baseline"] == "10.556"
    families = row_of(rows, "Team A", "Families who feel listened to")
    assert families["Latest"] == HIDDEN and "0.714" not in raw
    team_b = row_of(rows, "Team B", "Families who feel listened to")
    assert team_b["Baseline"] == team_b["Percent of the way to the target"] == HIDDEN
    assert team_b["Latest"] == "0.833"

    workbook = sheets(client.get(panel_url(world, "/summary.xlsx")))
    cells = [cell for sheet in workbook.values() for row in sheet for cell in row]
    assert not any(isinstance(cell, float) and round(cell, 2) in (7.69, 0.71) for cell in cells)
    assert not any(isinstance(cell, str) and LEAVER_FIGURES.search(cell) for cell in cells)
    about = dict(workbook["About"][1:])
    assert about["Small numbers"].startswith("To protect people's privacy")
    assert about["Hidden in this file"] == "3 figures from 2 teams are hidden in this file."


# The measures' data, as a panel member and as the coordinator -----------------------------------


def leaver_rows(rows) -> dict[str, dict]:
    return {
        str(row["Period starts"])[:10]: row
        for row in rows
        if row["Team"] == "Team A" and row["Measure"] == "Care staff leaving, per 100 staff"
    }


def test_a_panel_member_gets_the_data_with_small_numbers_hidden(world, small, client_for):
    client = client_for(world.panel_x)
    response = client.get(measures_url(world, "csv"))
    assert not LEAVER_FIGURES.search(response.get_data(as_text=True))
    rows = csv_dicts(response)
    leavers = leaver_rows(rows)
    latest = leavers["2025-09-01"]
    for column in ("Number entered", "Out of", "Number on the chart", "Lower limit", "Upper limit"):
        assert latest[column] == HIDDEN, column
    # The period and the point's signal stay: the analysis uses every number.
    assert latest["Point type"]
    # The centre line and limits of every month of a phase with a hidden point are hidden too:
    # with the phase's other months shown, they would give the hidden number back.
    for column in ("Centre line", "Lower limit", "Upper limit"):
        assert {row[column] for row in leavers.values()} == {HIDDEN}, column
    team_b = [row for row in rows if row["Team"] == "Team B" and row["Measure"].startswith("Fam")]
    assert {row["Centre line"] for row in team_b} == {HIDDEN}  # its baseline rests on 8 of 10
    assert leavers["2025-08-01"]["Number entered"] == "6.0"  # 6 of 61: shown
    families = [row for row in rows if row["Measure"] == "Families who feel listened to"]
    assert [row["Number entered"] for row in families if row["Team"] == "Team A"][-1] == HIDDEN
    assert [row["Out of"] for row in families if row["Team"] == "Team B"][0] == HIDDEN

    workbook = sheets(client.get(measures_url(world, "xlsx")))
    about = dict(workbook["About this file"][1:])
    assert about["Small numbers"].startswith("To protect people's privacy")
    assert about["Hidden in this file"] == "3 figures from 2 teams are hidden in this file."
    header, *data = workbook["Measures"]
    cells = [dict(zip(header, row, strict=True)) for row in data]
    assert leaver_rows(cells)["2025-09-01"]["Out of"] == HIDDEN
    assert leaver_rows(cells)["2025-08-01"]["Out of"] == 61  # numbers stay numbers


def test_the_coordinator_and_the_teams_own_members_get_every_number(world, small, client_for):
    for person in (world.coordinator_x, world.member_a, world.admin):
        rows = csv_dicts(client_for(person).get(measures_url(world, "csv")))
        latest = leaver_rows(rows)["2025-09-01"]
        assert (latest["Number entered"], latest["Out of"]) == ("1.0", "13.0")
        assert float(latest["Number on the chart"]) == pytest.approx(100 / 13)
        assert HIDDEN not in {cell for row in rows for cell in row.values()}
        assert all(float(row["Centre line"]) > 0 for row in leaver_rows(rows).values())
    about = dict(
        sheets(client_for(world.coordinator_x).get(measures_url(world, "xlsx")))["About this file"][
            1:
        ]
    )
    assert "Small numbers" not in about


def test_a_panel_member_who_is_in_a_team_sees_that_team_in_full(world, small, client_for, grant):
    grant(world.panel_x, Role.TEAM_MEMBER, world.team_a)
    rows = csv_dicts(client_for(world.panel_x).get(measures_url(world, "csv")))
    assert leaver_rows(rows)["2025-09-01"]["Out of"] == "13.0"
    team_b = [row for row in rows if row["Team"] == "Team B"]
    assert team_b[0]["Out of"] == HIDDEN  # 8 of 10: seen only through the panel


def test_the_panel_members_file_is_never_the_coordinators(world, small, client_for):
    """The file's tag (its ETag, and the name of a large XLSX file kept on disk) differs."""
    panel = client_for(world.panel_x).get(measures_url(world, "csv"))
    coordinator = client_for(world.coordinator_x).get(measures_url(world, "csv"))
    assert panel.headers["ETag"] != coordinator.headers["ETag"]
