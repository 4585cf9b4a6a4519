"""The collaborative and team pages link to the issue-5 views a person may open, and only those."""

from __future__ import annotations

import re

import pytest

from tests.conftest import text_of

COORDINATOR_LINK = "Coordinator's view: which teams need a call this week"
PANEL_LINK = "Strategic panel summary: what the teams have achieved"
EVERYONE = ("Calendar and report due dates", "Change idea library", "Evaluation:")


@pytest.mark.parametrize(
    ("person", "coordinator", "panel"),
    [
        ("coordinator_x", True, True),
        ("panel_x", False, True),
        ("lead_a", False, False),
        ("expert_a", False, False),
    ],
)
def test_collaborative_page_links(world, client_for, person, coordinator, panel):
    client = client_for(getattr(world, person))
    text = text_of(client.get(f"/collaboratives/{world.x.id}"))
    assert (COORDINATOR_LINK in text) is coordinator
    assert (PANEL_LINK in text) is panel
    assert all(words in text for words in EVERYONE)


@pytest.mark.parametrize("person", ["coordinator_x", "panel_x", "lead_a"])
def test_every_link_on_the_collaborative_page_opens(world, client_for, person):
    """No link to a page the person would be refused."""
    client = client_for(getattr(world, person))
    html = client.get(f"/collaboratives/{world.x.id}").get_data(as_text=True)
    section = html.split("Running the collaborative", 1)[1].split("</ul>", 1)[0]
    for href in re.findall(r'href="([^"]+)"', section):
        assert client.get(href.replace("&amp;", "&")).status_code == 200, href


def test_team_page_links_to_reports_ideas_and_evaluation(world, client_for):
    client = client_for(world.member_a)
    response = client.get(f"/teams/{world.team_a.id}")
    text = text_of(response)
    assert "Reports: write this month's report" in text
    assert "Ideas other teams have tried" in text
    html = response.get_data(as_text=True)
    for href in (
        f"/teams/{world.team_a.id}/reports",
        f"/collaboratives/{world.x.id}/ideas",
        f"/collaboratives/{world.x.id}/evaluation?team={world.team_a.id}",
    ):
        assert f'href="{href}"' in html.replace("&amp;", "&")
        assert client.get(href).status_code == 200
