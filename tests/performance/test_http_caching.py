"""Charts and exports downloaded as files (issue 8, point 4): an ETag that follows what the person
would get, 304 Not Modified when their browser already holds it, `private, no-cache` instead of
no-store, and the slow part (drawing the PNG, writing the XLSX) skipped on a 304.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from improve.exports import writers
from improve.extensions import db
from improve.measures import chart_views
from improve.models import DataPoint
from tests.cycles.factories import make_aim, make_cycle, make_idea
from tests.exports.test_exports import add_points, make_measure, month

REVALIDATE = "private, no-cache"


@pytest.fixture
def data(world) -> SimpleNamespace:
    """A shared measure with both of X's teams' data, team A's own measure, a cycle per team."""
    shared = make_measure(world.x)
    add_points(shared, world.team_a, [5, 6, 5, 4, 3])
    add_points(shared, world.team_b, [3, 4, 3])
    own = make_measure(world.x, world.team_a, name="Huddles held", direction="increase")
    add_points(own, world.team_a, [2, 3, 4, 3])
    for team in (world.team_a, world.team_b):
        make_cycle(make_idea(make_aim(team)), title=f"{team.name} huddle")
    return SimpleNamespace(shared=shared, own=own)


def address(world, data, download: str) -> str:
    if download.startswith("chart."):
        return f"/measures/{data.own.id}/{download}"
    what, fmt = download.split(".")
    if what == "summary":
        return f"/collaboratives/{world.x.id}/panel/summary.{fmt}"
    return f"/collaboratives/{world.x.id}/exports/{what}.{fmt}"


def add_a_data_point(world, data) -> None:
    """Team A's next month, on its own measure and on the shared one."""
    for measure, period in ((data.own, month(4)), (data.shared, month(5))):
        db.session.add(
            DataPoint(measure_id=measure.id, team_id=world.team_a.id, period_start=period, value=9)
        )
    db.session.commit()


def add_a_cycle(world, data) -> None:
    make_cycle(make_idea(make_aim(world.team_a), title="Night checks"), title="Night checks")


DOWNLOADS = [
    "chart.svg",
    "chart.png",
    "measures.csv",
    "measures.xlsx",
    "cycles.csv",
    "cycles.xlsx",
    "summary.csv",
    "summary.xlsx",
]
CHANGES = {"cycles.csv": add_a_cycle, "cycles.xlsx": add_a_cycle}


def tag_of(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.headers["ETag"]


@pytest.mark.parametrize("download", DOWNLOADS)
def test_a_download_is_revalidated_and_answers_304_while_unchanged(
    world, data, client_for, download
):
    client = client_for(world.coordinator_x)
    first = client.get(address(world, data, download))
    tag = tag_of(first)
    assert first.headers["Cache-Control"] == REVALIDATE
    # An XLSX file holds the time it was written: the same tables are the same content, not the
    # same bytes, so its tag is weak; every other download is the same bytes each time.
    assert tag.startswith('W/"' if download.endswith(".xlsx") else '"')
    assert tag_of(client.get(address(world, data, download))) == tag
    again = client.get(address(world, data, download), headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == tag
    assert again.headers["Cache-Control"] == REVALIDATE
    assert again.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in again.headers["Content-Security-Policy"]


@pytest.mark.parametrize("download", DOWNLOADS)
def test_the_tag_changes_when_the_data_changes(world, data, client_for, download):
    client = client_for(world.coordinator_x)
    before = tag_of(client.get(address(world, data, download)))
    CHANGES.get(download, add_a_data_point)(world, data)
    after = client.get(address(world, data, download), headers={"If-None-Match": before})
    assert tag_of(after) != before
    assert after.get_data() != b""


def test_people_who_see_different_teams_get_different_tags(world, data, client_for):
    def tag_for(person) -> str:
        return tag_of(client_for(person).get(address(world, data, "measures.csv")))

    team_a, team_b = tag_for(world.member_a), tag_for(world.member_b)
    assert len({team_a, team_b, tag_for(world.coordinator_x)}) == 3
    assert tag_for(world.lead_a) == team_a  # the same file, so the same tag
    # Team B's member naming team A's tag gets their own file, not a 304.
    response = client_for(world.member_b).get(
        address(world, data, "measures.csv"), headers={"If-None-Match": team_a}
    )
    assert tag_of(response) == team_b


def test_a_new_day_is_a_new_file(world, data, client_for, monkeypatch):
    """The file's name carries the date, so yesterday's copy must not be reused under it."""
    client = client_for(world.coordinator_x)
    today = tag_of(client.get(address(world, data, "measures.csv")))

    class Tomorrow(date):
        @classmethod
        def today(cls):
            return date.today() + timedelta(days=1)

    monkeypatch.setattr(writers, "date", Tomorrow)
    response = client.get(address(world, data, "measures.csv"), headers={"If-None-Match": today})
    assert tag_of(response) != today


def test_the_png_is_only_drawn_when_the_browser_lacks_it(world, data, client_for, monkeypatch):
    drawn = []
    real = chart_views.png_from_svg
    monkeypatch.setattr(chart_views, "png_from_svg", lambda svg: drawn.append(svg) or real(svg))
    client = client_for(world.coordinator_x)
    tag = tag_of(client.get(address(world, data, "chart.png")))
    response = client.get(address(world, data, "chart.png"), headers={"If-None-Match": tag})
    assert response.status_code == 304
    assert len(drawn) == 1


def test_the_xlsx_is_only_written_when_the_browser_lacks_it(world, data, client_for, monkeypatch):
    written = []
    real = writers._xlsx_bytes
    monkeypatch.setattr(writers, "_xlsx_bytes", lambda sheets: written.append(1) or real(sheets))
    client = client_for(world.coordinator_x)
    for download in ("measures.xlsx", "cycles.xlsx", "summary.xlsx"):
        tag = tag_of(client.get(address(world, data, download)))
        response = client.get(address(world, data, download), headers={"If-None-Match": tag})
        assert response.status_code == 304
    assert len(written) == 3


def test_a_signed_out_browser_holding_the_file_is_sent_to_sign_in(world, data, client_for, client):
    tag = tag_of(client_for(world.coordinator_x).get(address(world, data, "measures.csv")))
    response = client.get(address(world, data, "measures.csv"), headers={"If-None-Match": tag})
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/sign-in?")
    assert "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("download", ["chart.svg", "measures.csv", "summary.xlsx"])
def test_a_refusal_is_never_kept(world, data, client_for, download):
    response = client_for(world.member_c).get(address(world, data, download))
    assert response.status_code == 404
    assert "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
