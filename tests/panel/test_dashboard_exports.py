"""The panel summary as CSV and XLSX downloads (issue 5, point 7): the page's figures, its
filters, small numbers hidden across teams, and text that cannot run as a spreadsheet formula."""

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


def csv_rows(response) -> list[dict[str, str]]:
    text = response.get_data().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def by_team(rows: list[dict[str, str]], measure: str) -> dict[str, dict[str, str]]:
    return {row["Team"]: row for row in rows if row["Measure"] == measure}


def test_csv_has_a_row_per_team_and_measure_and_all_teams_rows(world, panel, client_for):
    response = client_for(world.panel_x).get(url(world.x.id, "/summary.csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Collaborative-X-panel-summary-')
    rows = csv_rows(response)
    falls = by_team(rows, "Falls a month")
    assert set(falls) == {"Team A", "Team B", "All teams (2)"}
    team_a = falls["Team A"]
    assert team_a["Baseline"] == "10.167"  # the centre line frozen on the baseline months
    assert team_a["Latest"] == "3.0"
    assert team_a["Latest period"] == "2026-08-01"
    assert team_a["Target"] == "4.0"
    assert team_a["Target reached"] == "Yes"
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
    # Across teams, 1 to 4 is "fewer than 5".
    assert everyone[f"Real improvements {SINCE}"] == "fewer than 5 of 2 teams"
    assert everyone[f"Changes for the worse {SINCE}"] == "0 of 2 teams"
    assert everyone["Cycles adopted"] == "fewer than 5"
    assert everyone["Cycles abandoned"] == "fewer than 5"
    assert everyone["Baseline"] == ""
    reviewed = by_team(rows, "Care plans reviewed")
    assert reviewed["Team A"]["Latest"] == "0.9"
    assert reviewed["Team B"]["Latest"] == ""  # no data yet


def test_csv_follows_the_filters(world, panel, client_for):
    client = client_for(world.panel_x)
    address = url(world.x.id, "/summary.csv", team=world.team_b.id, measure=panel.falls.id)
    rows = csv_rows(client.get(address))
    assert [(row["Team"], row["Measure"]) for row in rows] == [
        ("Team B", "Falls a month"),
        ("All teams (1)", "Falls a month"),
    ]
    window = csv_rows(client.get(url(world.x.id, "/summary.csv", to_month="2025-06")))
    team_a = by_team(window, "Falls a month")["Team A"]
    assert team_a["Latest period"] == "2025-06-01"
    assert team_a["Latest"] == "9.0"


def test_threshold_off_shows_exact_counts_in_the_csv(world, panel, client_for):
    world.x.suppression_threshold = 0
    db.session.commit()
    rows = csv_rows(client_for(world.coordinator_x).get(url(world.x.id, "/summary.csv")))
    everyone = by_team(rows, "Falls a month")["All teams (2)"]
    assert everyone[f"Real improvements {SINCE}"] == "1 of 2 teams"
    assert everyone["Cycles adopted"] == "2"


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
    assert summary["A2"].value == '\'=HYPERLINK("http://evil.example","Click")'
    assert summary["A2"].data_type == "s"  # text, not a formula
    assert summary["B2"].value == "'+SUM(A1:A9)"


def test_xlsx_has_the_summary_scores_and_what_it_covers(world, panel, client_for):
    response = client_for(world.panel_x).get(url(world.x.id, "/summary.xlsx", from_month="2025-01"))
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Summary", "Progress scores", "About"]
    header = [cell.value for cell in workbook["Summary"][1]]
    assert header[:4] == ["Team", "Measure", "Baseline", "Latest"]
    assert "Real improvements since 1 January 2025" in header
    scores = [[cell.value for cell in row] for row in workbook["Progress scores"].iter_rows()]
    assert scores[1][0] == "Team A" and scores[1][4] == "1.5, 3.0"
    about = {row[0].value: row[1].value for row in workbook["About"].iter_rows(min_row=2)}
    assert about["Collaborative"] == "Collaborative X"
    assert about["Small numbers"].startswith("Counts across teams from 1 to 4 are shown as")
    assert about["Signals counted"] == "since 1 January 2025"
    story = [row[1].value for row in workbook["About"].iter_rows() if row[0].value == "Summary"]
    assert any("show a real improvement in Falls a month" in line for line in story)


@pytest.mark.parametrize("fmt", ["pdf", "json", "CSV"])
def test_unknown_formats_are_not_found(world, panel, client_for, fmt):
    response = client_for(world.panel_x).get(url(world.x.id, f"/summary.{fmt}"))
    assert response.status_code == 404
