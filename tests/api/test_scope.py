"""A token reads exactly what its owner sees on the pages (improve.permissions): a team's people
their own team, the coordinator and the panel every team of their collaborative, admins all.
Another team's or another collaborative's records are not found (404), never listed."""

from __future__ import annotations

import pytest

from tests.api.conftest import add_points, make_measure

ENDPOINTS = ("teams", "measures", "data-points", "series", "cycles", "scores")


def items(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["data"]


def team_ids(response) -> set[int]:
    return {item.get("team_id", item.get("id")) for item in items(response)}


def test_the_collaboratives_listed_are_the_ones_the_person_belongs_to(data, api):
    w = data.world
    expected = {
        "member_a": (["Collaborative X"], "team"),
        "panel_x": (["Collaborative X"], "panel_member"),
        "coordinator_y": (["Collaborative Y"], "coordinator"),
        "admin": (["Collaborative X", "Collaborative Y"], "admin"),
        "nobody": ([], None),
    }
    for who, (names, access) in expected.items():
        found = items(api(getattr(w, who), "/collaboratives"))
        assert [c["name"] for c in found] == names, who
        assert {c["access"] for c in found} <= {access}, who
        assert all(c["small_numbers_hidden"] == (access == "panel_member") for c in found)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_team_member_reads_only_their_own_team(data, api, endpoint):
    w = data.world
    response = api(w.member_a, f"/collaboratives/{w.x.id}/{endpoint}", per_page=1000)
    found = items(response)
    assert found, endpoint
    if endpoint == "measures":
        assert {m["name"] for m in found} == {
            "Falls a month",
            "People who feel in control",
            "Huddles held",
        }
        assert {m["team_id"] for m in found} == {None, w.team_a.id}
    else:
        assert team_ids(response) == {w.team_a.id}, endpoint


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_the_panel_and_the_coordinator_read_every_team_of_their_collaborative(data, api, endpoint):
    w = data.world
    for who in ("panel_x", "coordinator_x", "admin"):
        response = api(getattr(w, who), f"/collaboratives/{w.x.id}/{endpoint}", per_page=1000)
        if endpoint == "measures":
            assert {m["team_id"] for m in items(response)} == {None, w.team_a.id}
        else:
            assert team_ids(response) == {w.team_a.id, w.team_b.id}, (who, endpoint)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_another_collaborative_is_not_found(data, api, endpoint):
    w = data.world
    for who in ("member_a", "panel_x", "coordinator_x", "nobody"):
        response = api(getattr(w, who), f"/collaboratives/{w.y.id}/{endpoint}")
        assert response.status_code == 404, (who, endpoint)
        assert response.get_json()["error"] == "not_found"
        assert "Collaborative Y" not in response.get_data(as_text=True)


@pytest.mark.parametrize("endpoint", ("data-points", "series", "cycles", "scores"))
def test_another_teams_id_is_not_found_as_a_filter(data, api, endpoint):
    w = data.world
    for team in (w.team_b, w.team_c):
        response = api(w.member_a, f"/collaboratives/{w.x.id}/{endpoint}", team_id=team.id)
        assert response.status_code == 404, (team.name, endpoint)
    own = api(w.member_a, f"/collaboratives/{w.x.id}/{endpoint}", team_id=w.team_a.id)
    assert team_ids(own) == {w.team_a.id}


@pytest.mark.parametrize("endpoint", ("data-points", "series"))
def test_another_teams_or_collaboratives_measure_is_not_found(data, api, endpoint):
    w = data.world
    own_b = make_measure(w.x.id, w.team_b, name="Night checks")
    add_points(own_b, w.team_b, [3, 4, 5])
    for measure in (own_b, data.elsewhere):
        response = api(w.member_a, f"/collaboratives/{w.x.id}/{endpoint}", measure_id=measure.id)
        assert response.status_code == 404
    shown = api(w.member_b, f"/collaboratives/{w.x.id}/{endpoint}", measure_id=own_b.id)
    assert {item["measure_id"] for item in items(shown)} == {own_b.id}


def test_a_team_member_never_sees_another_teams_notes_or_numbers(data, api):
    w = data.world
    body = api(w.member_a, f"/collaboratives/{w.x.id}/data-points", per_page=1000)
    assert "Team B" not in body.get_data(as_text=True)
    assert "note Team A 0" in body.get_data(as_text=True)
