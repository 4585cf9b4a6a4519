"""The teams' small charts on the panel view come 24 at a time; print shows every team."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from improve import scale_data
from improve.extensions import db
from improve.models import Collaborative
from improve.panel.queries import SPARKS_PER_PAGE, spark_page


def chart_headings(html: str) -> list[str]:
    section = html.split('id="sparklines"', 1)[1]
    return re.findall(r'<h3 class="govuk-heading-s">(Team \d+)</h3>', section)


@pytest.mark.parametrize(
    ("teams", "wanted", "shown", "links"),
    [
        (24, 1, None, None),
        (25, 1, (1, 2, 1, 24), [1, 2]),
        (25, 2, (2, 2, 25, 25), [1, 2]),
        (25, 9, (2, 2, 25, 25), [1, 2]),
        (200, 5, (5, 9, 97, 120), [1, None, 4, 5, 6, None, 9]),
        (200, 2, (2, 9, 25, 48), [1, 2, 3, None, 9]),
    ],
)
def test_spark_page_numbers(teams, wanted, shown, links):
    page = spark_page(teams, wanted)
    if shown is None:
        assert page is None
        return
    assert (page.number, page.pages, page.first, page.last) == shown
    assert page.links == links


def test_the_panel_pages_team_charts_and_print_shows_them_all(app, runner, client):
    assert runner.invoke(args=["scale-data", "--scale", "0.125"]).exit_code == 0  # 25 teams
    collaborative = db.session.scalar(sa.select(Collaborative))
    signed_in = client.post(
        "/sign-in", data={"email": scale_data.PANEL, "password": scale_data.PASSWORD}
    )
    assert signed_in.status_code == 303
    url = f"/collaboratives/{collaborative.id}/panel"

    first = client.get(url).get_data(as_text=True)
    assert chart_headings(first) == [f"Team {n:03d}" for n in range(1, SPARKS_PER_PAGE + 1)]
    assert "Teams 1 to 24 of 25" in first
    assert f'href="{url}?teams_page=2#sparklines"' in first
    # The per-measure tables still list every team.
    assert "Team 025" in first.split('id="sparklines"', 1)[0]

    second = client.get(f"{url}?teams_page=2").get_data(as_text=True)
    assert chart_headings(second) == ["Team 025"]
    assert "Teams 25 to 25 of 25" in second
    assert client.get(f"{url}?teams_page=7").get_data(as_text=True).count("Team 025</h3>") == 1

    printed = client.get(f"{url}/print").get_data(as_text=True)
    # On paper every team's chart of every shared measure, on one scale (issue 19, point 3).
    assert printed.count('<li class="app-multiple"') == 25 * len(scale_data.SHARED_MEASURES)
    assert "govuk-pagination" not in printed


@pytest.mark.parametrize("wanted", ["0", "-1", "two", "1.5", "999999999"])
def test_a_bad_page_of_team_charts_is_a_clear_400(world, client_for, wanted):
    response = client_for(world.panel_x).get(
        f"/collaboratives/{world.x.id}/panel?teams_page={wanted}"
    )
    assert response.status_code == 400
    assert "The page of team charts must be a whole number" in response.get_data(as_text=True)
