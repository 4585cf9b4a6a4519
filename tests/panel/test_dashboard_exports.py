"""The panel summary as CSV and XLSX downloads (issue 5, point 7): the page's figures, its
filters, small numbers of people hidden as on the page (issue 19, point 4), and text that cannot
run as a spreadsheet formula."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from improve.extensions import db
from tests.panel import test_dashboard as dashboard

# The page's fixtures: the same world and data, so the download is checked against the page.
panel = dashboard.panel
url = dashboard.url

SINCE = "since the panel's review on 1 December 2025"


HIDDEN = "hidden (small number)"


def csv_rows(response) -> list[dict[str, str]]:
    """The file's rows after its first, the note on small numbers."""
    text = response.get_data().decode("utf-8-sig")
    note, *rows = csv.DictReader(io.StringIO(text))
    assert note["Team"] == "About small numbers"
    return rows


def by_team(rows: list[dict[str, str]], measure: str) -> dict[str, dict[str, str]]:
    return {row["Team"]: row for row in rows if row["Measure"] == measure}


def test_csv_has_a_row_per_team_and_measure_and_all_teams_rows(world, panel, client_for):
    response = client_for(world.panel_x).get(url(world.x.id, "/summary.csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Collaborative-X-panel-summary-')
    note = response.get_data().decode("utf-8-sig").splitlines()[1]
    assert "a team's figure for a month or week is hidden when it counts 1 to 4 people" in note
    assert "2 figures from 1 team are hidden in this file." in note
    rows = csv_rows(response)
    falls = by_team(rows, "Falls a month")
    assert set(falls) == {"Team A", "Team B", "All teams (2)"}
    team_a = falls["Team A"]
    assert team_a["Baseline"] == "10.167"  # the centre line frozen on the baseline months
    # 3 falls: hidden, with what is worked out from it; when, the target and signals are shown.
    assert team_a["Latest"] == HIDDEN
    assert team_a["Percent of the way to the target"] == HIDDEN
    assert team_a["Target reached"] == HIDDEN
    assert team_a["Latest period"] == "2026-08-01"
    assert team_a["Target"] == "4.0"
    assert int(team_a[f"Real improvements {SINCE}"]) > 0
    assert team_a["Cycles adopted"] == "2"  # a team's own counts are not hidden
    assert team_a["Cycles not decided yet"] == "1"
    assert team_a["Latest progress score"] == "3.0"
    assert team_a["Progress trend"] == "Up 1.5 from 1.5"
    team_b = falls["Team B"]
    assert team_b["Percent of the way to the target"] == "19.0"
    assert team_b["What the chart shows"] == "No unusual change"
    assert team_b["Target reached"] == "No"
    everyone = falls["All teams (2)"]
    # Counts of teams and of cycles are not about people: told as they are.
    assert everyone[f"Real improvements {SINCE}"] == "1 of 2 teams"
    assert everyone[f"Changes for the worse {SINCE}"] == "0 of 2 teams"
    assert everyone["Target reached"] == "1 of 2 teams"
    assert everyone["Cycles adopted"] == "2"
    assert everyone["Cycles abandoned"] == "1"
    assert everyone["Baseline"] == ""
    reviewed = by_team(rows, "Care plans reviewed")
    assert reviewed["Team A"]["Latest"] == HIDDEN  # 36 of 40: tells that 4 were not
    assert reviewed["Team A"]["Baseline"] == "0.75"  # the measure's, not the team's
    assert reviewed["Team B"]["Latest"] == ""  # no data yet


def test_csv_follows_the_filters(world, panel, client_for):
    client = client_for(world.panel_x)
    address = url(world.x.id, "/summary.csv", team=world.team_b.id, measure=panel.falls.id)
    rows = csv_rows(client.get(address))
    assert [(row["Team"], row["Measure"]) for row in rows] == [
        ("Team B", "Falls a month"),
        ("All teams (1)", "Falls a month"),
    ]
    assert rows[1]["Target reached"] == "0 of 1 team"  # a count of teams, shown as it is
    window = csv_rows(client.get(url(world.x.id, "/summary.csv", to_month="2025-06")))
    team_a = by_team(window, "Falls a month")["Team A"]
    assert team_a["Latest period"] == "2025-06-01"
    assert team_a["Latest"] == "9.0"


def test_threshold_off_shows_exact_counts_in_the_csv(world, panel, client_for):
    world.x.suppression_threshold = 0
    db.session.commit()
    rows = csv_rows(client_for(world.coordinator_x).get(url(world.x.id, "/summary.csv")))
    falls = by_team(rows, "Falls a month")
    assert falls["All teams (2)"][f"Real improvements {SINCE}"] == "1 of 2 teams"
    assert falls["Team A"]["Latest"] == "3.0"
    assert falls["Team A"]["Target reached"] == "Yes"
    text = client_for(world.coordinator_x).get(url(world.x.id, "/summary.csv")).get_data()
    assert HIDDEN not in text.decode("utf-8-sig")


def test_text_that_looks_like_a_formula_is_neutralised(world, panel, client_for):
    world.team_a.name = '=HYPERLINK("http://evil.example","Click")'
    panel.falls.name = "+SUM(A1:A9)"
    db.session.commit()
    client = client_for(world.panel_x)
    rows = csv_rows(client.get(url(world.x.id, "/summary.csv")))
    assert rows[0]["Team"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert rows[0]["Measure"] == "'+SUM(A1:A9)"
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(url(world.x.id, "/summary.xlsx")).data))
    summary = workbook["Summary"]
    assert summary["A2"].value == "About small numbers"
    assert summary["A3"].value == '\'=HYPERLINK("http://evil.example","Click")'
    assert summary["A3"].data_type == "s"  # text, not a formula
    assert summary["B3"].value == "'+SUM(A1:A9)"


def test_xlsx_has_the_summary_scores_and_what_it_covers(world, panel, client_for):
    response = client_for(world.panel_x).get(url(world.x.id, "/summary.xlsx", from_month="2025-01"))
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Summary", "Progress scores", "Adopted changes", "About"]
    header = [cell.value for cell in workbook["Summary"][1]]
    assert header[:4] == ["Team", "Measure", "Baseline", "Latest"]
    assert "Real improvements since 1 January 2025" in header
    scores = [[cell.value for cell in row] for row in workbook["Progress scores"].iter_rows()]
    assert scores[1][0] == "Team A" and scores[1][4] == "1.5, 3.0"
    about = {row[0].value: row[1].value for row in workbook["About"].iter_rows(min_row=2)}
    assert about["Collaborative"] == "Collaborative X"
    assert about["Small numbers"].startswith("To protect people's privacy, a team's figure")
    assert about["Hidden in this file"] == "2 figures from 1 team are hidden in this file."
    summary = [[cell.value for cell in row] for row in workbook["Summary"].iter_rows()]
    team_a = next(row for row in summary if row[:2] == ["Team A", "Falls a month"])
    assert team_a[2] == pytest.approx(10.167) and team_a[3] == HIDDEN  # numbers stay numbers
    assert about["Signals counted"] == "since 1 January 2025"
    story = [row[1].value for row in workbook["About"].iter_rows() if row[0].value == "Summary"]
    assert any("1 of the 2 teams shows a real improvement in Falls a month" in s for s in story)


@pytest.mark.parametrize("fmt", ["pdf", "json", "CSV"])
def test_unknown_formats_are_not_found(world, panel, client_for, fmt):
    response = client_for(world.panel_x).get(url(world.x.id, f"/summary.{fmt}"))
    assert response.status_code == 404
