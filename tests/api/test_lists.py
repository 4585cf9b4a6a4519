"""Lists: paged with links and a total, checked parameters (400 or 404 as JSON, never a 500),
figures read from the one analysis of each series, and a fixed number of queries whatever the
number of teams."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from improve.analysis.summary import ASSURANCE_WORDS, VARIATION_WORDS
from improve.extensions import db
from improve.measures.analysis import analyse_series
from improve.models import Team
from tests.api.conftest import add_cycle, add_points, add_scores, month

ENDPOINTS = ("teams", "measures", "data-points", "series", "cycles", "scores")


def test_a_list_comes_a_page_at_a_time_with_links_and_a_total(data, api):
    w = data.world
    path = f"/collaboratives/{w.x.id}/data-points"
    everything = api(w.coordinator_x, path, per_page=1000).get_json()
    total = everything["meta"]["total"]
    assert total == len(everything["data"]) == 14 * 2 + 6 * 2 + 5

    first = api(w.coordinator_x, path, per_page=20, team_id=w.team_a.id)
    body = first.get_json()
    assert body["meta"] == {"page": 1, "per_page": 20, "total": 14 + 6 + 5, "pages": 2}
    assert body["links"]["prev"] is None
    assert "page=2" in body["links"]["next"] and f"team_id={w.team_a.id}" in body["links"]["next"]
    assert 'rel="next"' in first.headers["Link"] and 'rel="last"' in first.headers["Link"]
    second = api(w.coordinator_x, path, per_page=20, team_id=w.team_a.id, page=2).get_json()
    assert second["links"]["next"] is None and second["links"]["prev"]
    ids = [p["id"] for p in body["data"] + second["data"]]
    assert len(ids) == len(set(ids)) == 25
    order = [(p["measure_id"], p["team_id"], p["period_start"]) for p in body["data"]]
    assert order == sorted(order)


@pytest.mark.parametrize("size", [1, 7, 19, 20, 21, 44])
@pytest.mark.parametrize("endpoint", ["data-points", "series"])
def test_pages_of_any_size_hold_every_item_once_in_order(data, api, endpoint, size):
    """Shared measures first, then teams' own: a page may end in one and start in the other."""
    w = data.world
    path = f"/collaboratives/{w.x.id}/{endpoint}"
    whole = api(w.coordinator_x, path, per_page=1000).get_json()["data"]
    pages = -(-len(whole) // size)
    walked = [
        item
        for number in range(1, pages + 1)
        for item in api(w.coordinator_x, path, per_page=size, page=number).get_json()["data"]
    ]
    assert walked == whole
    shared = [item["measure_id"] in (data.falls.id, data.control.id) for item in whole]
    assert shared == sorted(shared, reverse=True)  # every shared one before any team's own


def test_the_next_link_walks_every_page(data, api, client, make_token):
    from tests.api.conftest import bearer

    w = data.world
    headers = bearer(make_token(w.panel_x))
    url = f"/api/v1/collaboratives/{w.x.id}/series?per_page=2"
    seen = []
    while url:
        body = client.get(url, headers=headers).get_json()
        seen += [(s["measure_id"], s["team_id"]) for s in body["data"]]
        url = body["links"]["next"]
    assert len(seen) == len(set(seen)) == body["meta"]["total"] == 5


def test_an_empty_list_is_one_empty_page(world, api):
    body = api(world.coordinator_x, f"/collaboratives/{world.x.id}/data-points").get_json()
    assert (body["data"], body["meta"]["total"], body["meta"]["pages"]) == ([], 0, 1)
    assert body["links"]["next"] is None


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"page": "0"}, 400),
        ({"page": "abc"}, 400),
        ({"page": "-1"}, 400),
        ({"page": "1.5"}, 400),
        ({"page": "²"}, 400),
        ({"page": "9" * 400}, 400),
        ({"page": "99"}, 404),  # past the last page
        ({"per_page": "0"}, 400),
        ({"per_page": "1001"}, 400),
        ({"per_page": ""}, 400),
        ({"measure_id": "x"}, 400),
        ({"team_id": "2147483648"}, 400),
        ({"team_id": "2147483647"}, 404),
        ({"measure_id": "2147483647"}, 404),
    ],
)
@pytest.mark.parametrize("endpoint", ("data-points", "series"))
def test_bad_parameters_are_a_plain_4xx_in_json(data, api, endpoint, query, status):
    w = data.world
    response = api(w.coordinator_x, f"/collaboratives/{w.x.id}/{endpoint}", **query)
    assert response.status_code == status
    body = response.get_json()
    assert body["status"] == status and body["message"]


@pytest.mark.parametrize("collaborative", ["abc", "0", "-1", "2147483648", "99999", "1e3", "²"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_collaborative_that_is_no_id_is_not_found_in_json(world, api, endpoint, collaborative):
    response = api(world.admin, f"/collaboratives/{collaborative}/{endpoint}")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_each_series_is_the_one_analysis_of_its_points(data, api):
    """Values, centre, limits, point types and icons are the analysis the panel and the measure
    pages read (improve.measures.analysis.analyse_series), not worked out again."""
    w = data.world
    found = api(w.coordinator_x, f"/collaboratives/{w.x.id}/series", per_page=1000).get_json()
    measures = [data.falls, data.control, data.own_a]
    analyses = analyse_series(measures, w.x, [w.team_a.id, w.team_b.id])
    assert {(s["measure_id"], s["team_id"]) for s in found["data"]} == set(analyses)
    for series in found["data"]:
        analysis = analyses[(series["measure_id"], series["team_id"])]
        chart = analysis.chart
        assert series["chart_type"] == analysis.chart_type
        assert series["variation"] == analysis.variation
        assert series["variation_label"] == VARIATION_WORDS[analysis.variation][0]
        assert series["assurance"] == analysis.assurance
        if analysis.assurance:
            assert series["assurance_label"] == ASSURANCE_WORDS[analysis.assurance][0]
        assert [p["period_start"] for p in series["points"]] == [
            d.isoformat() for d in analysis.dates
        ]
        assert [p["value"] for p in series["points"]] == pytest.approx(chart.value.tolist())
        assert [p["centre"] for p in series["points"]] == pytest.approx(chart.cl.tolist())
        assert [p["point_type"] for p in series["points"]] == analysis.point_types
        if analysis.chart_type != "run":
            assert [p["upper_limit"] for p in series["points"]] == pytest.approx(chart.ucl.tolist())


def test_a_data_points_value_is_the_one_its_chart_plots(data, api):
    w = data.world
    points = api(
        w.coordinator_x, f"/collaboratives/{w.x.id}/data-points", measure_id=data.control.id
    ).get_json()["data"]
    [series] = api(
        w.coordinator_x,
        f"/collaboratives/{w.x.id}/series",
        measure_id=data.control.id,
        team_id=w.team_b.id,
    ).get_json()["data"]
    team_b = [p for p in points if p["team_id"] == w.team_b.id]
    assert [p["value"] for p in team_b] == pytest.approx([p["value"] for p in series["points"]])
    assert team_b[1]["numerator"] == 3 and team_b[1]["denominator"] == 20
    assert team_b[1]["value"] == pytest.approx(15.0)


def test_cycles_and_scores_say_whose_and_what(data, api):
    w = data.world
    base = f"/collaboratives/{w.x.id}"
    cycles = api(w.member_a, f"{base}/cycles").get_json()["data"]
    assert [(c["title"], c["stage"], c["decision"], c["starts_on"]) for c in cycles] == [
        ("Huddle test a", "closed", "adopt", "2026-03-02")
    ]
    scores = api(w.member_a, f"{base}/scores").get_json()["data"]
    assert [
        (s["assessor"], s["assessor_label"], s["score"], s["suggested_score"]) for s in scores
    ] == [
        ("self", "Team's own score", 2.5, 3.0),
        ("coordinator", "Coordinator's score", 2.0, 3.0),
    ]
    assert {s["period_start"] for s in scores} == {"2026-01-01"}


def test_measures_carry_their_definitions(data, api):
    w = data.world
    measures = api(w.member_a, f"/collaboratives/{w.x.id}/measures").get_json()["data"]
    control = next(m for m in measures if m["id"] == data.control.id)
    assert control | {"updated_at": None} == control | {
        "shared": True,
        "team_id": None,
        "value_kind": "proportion",
        "chart_type": "p",
        "direction": "increase",
        "unit": "%",
        "target_value": 80.0,
        "frequency": "monthly",
        "updated_at": None,
    }


# A fixed number of queries ------------------------------------------------------------------------


@contextmanager
def counting():
    statements: list[str] = []

    def note(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)


def add_teams(data, count: int) -> None:
    w = data.world
    for number in range(count):
        team = Team(collaborative_id=w.x.id, name=f"Extra {number}", organisation="Extra")
        db.session.add(team)
        db.session.commit()
        add_points(data.falls, team, [10, 11, 9, 10, 12, 4])
        add_points(data.control, team, [10, 3, 12], [20, 20, 20])
        add_cycle(team, f"Extra test {number}")
        add_scores(team, month(12), 2.0, 2.5, 2.0)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("who", ["panel_x", "coordinator_x"])
def test_each_list_makes_the_same_number_of_queries_however_many_teams(
    data, client, make_token, endpoint, who
):
    from tests.api.conftest import bearer

    w = data.world
    headers = bearer(make_token(getattr(w, who)))
    url = f"/api/v1/collaboratives/{w.x.id}/{endpoint}?per_page=1000"
    client.get(url, headers=headers)  # warm the kept analyses

    def statements() -> int:
        with counting() as found:
            assert client.get(url, headers=headers).status_code == 200
        return len(found)

    few = statements()
    add_teams(data, 12)
    many = statements()
    assert few == many, (few, many)
    assert many <= 16
