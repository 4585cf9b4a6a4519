"""The panel's small-number rule in the API (improve.analysis.disclosure): for someone who sees a
team only through the strategic panel, a figure resting on a small count of people is null with
`hidden: true`, and so is everything that would give it back (the centre and limits of its
phase); the coordinator, admins and a team's own people see every figure."""

from __future__ import annotations

from datetime import date

import pytest

from improve.analysis import disclosure
from improve.extensions import db
from improve.models import DataPoint, Role
from tests.api.conftest import make_measure, month

NUMBERS = ("numerator", "denominator", "value", "note")


def rows(api, who, path: str, **query) -> tuple[list[dict], dict]:
    response = api(who, path, per_page=1000, **query)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    return body["data"], body["small_numbers"]


def by_team_and_period(points: list[dict], team_id: int) -> dict[str, dict]:
    return {p["period_start"]: p for p in points if p["team_id"] == team_id}


def test_a_panel_member_sees_small_numbers_hidden_as_the_rule_says(data, api):
    w = data.world
    points, note = rows(api, w.panel_x, f"/collaboratives/{w.x.id}/data-points")
    kinds = {data.falls.id: "count", data.control.id: "proportion", data.own_a.id: "count"}
    stored = {p.id: p for p in db.session.scalars(db.select(DataPoint))}
    for point in points:
        saved = stored[point["id"]]
        rule = disclosure.point_hidden(kinds[saved.measure_id], saved.value, saved.denominator, 5)
        assert point["hidden"] is rule, point
        if rule:
            assert all(point[name] is None for name in NUMBERS)
            assert "Small number" in point["hidden_reason"]
        else:
            assert point["numerator"] == saved.value and point["hidden_reason"] is None
    control_b = by_team_and_period(
        [p for p in points if p["measure_id"] == data.control.id], w.team_b.id
    )
    assert [control_b[month(i).isoformat()]["hidden"] for i in range(6)] == [
        False,
        True,  # 3 of 20
        False,
        True,  # 18 of 20: 2 did not
        False,
        False,
    ]
    hidden = sum(p["hidden"] for p in points)
    assert hidden > 0
    assert note == {
        "applies": True,
        "threshold": 5,
        "rule": disclosure.rule_words(5),
        "for_you": note["for_you"],
        "hidden_on_this_page": hidden,
    }


@pytest.mark.parametrize("who", ["coordinator_x", "admin", "member_a"])
def test_the_coordinator_admins_and_a_teams_own_people_see_every_figure(data, api, who):
    w = data.world
    points, note = rows(api, getattr(w, who), f"/collaboratives/{w.x.id}/data-points")
    assert not any(p["hidden"] for p in points)
    assert note["applies"] is False and note["hidden_on_this_page"] == 0
    three_of_twenty = [
        p for p in points if p["measure_id"] == data.control.id and p["numerator"] == 3
    ]
    assert all(p["value"] == 15.0 for p in three_of_twenty)  # 3 of 20, in per cent


def test_a_panel_member_of_a_team_sees_that_team_in_full(data, api, grant):
    w = data.world
    grant(w.panel_x, Role.TEAM_MEMBER, w.team_a)
    points, _ = rows(api, w.panel_x, f"/collaboratives/{w.x.id}/data-points")
    assert not any(p["hidden"] for p in points if p["team_id"] == w.team_a.id)
    assert any(p["hidden"] for p in points if p["team_id"] == w.team_b.id)


def test_no_threshold_hides_nothing(data, api):
    w = data.world
    w.x.suppression_threshold = 0
    db.session.commit()
    points, note = rows(api, w.panel_x, f"/collaboratives/{w.x.id}/data-points")
    assert not any(p["hidden"] for p in points)
    assert note["hidden_on_this_page"] == 0 and "No numbers are hidden" in note["rule"]


def series_of(api, who, w, measure, team) -> dict:
    found, _ = rows(
        api, who, f"/collaboratives/{w.x.id}/series", measure_id=measure.id, team_id=team.id
    )
    [series] = found
    return series


def test_a_hidden_points_phase_shows_no_centre_or_limits(data, api):
    """With the other points shown, a p chart's centre (total over total) and its limits (which
    follow each point's denominator) would give the hidden numbers back."""
    w = data.world
    full = series_of(api, w.coordinator_x, w, data.control, w.team_b)
    shown = series_of(api, w.panel_x, w, data.control, w.team_b)
    assert [p["hidden"] for p in shown["points"]] == [False, True, False, True, False, False]
    assert shown["hidden_points"] == 2
    for seen, whole in zip(shown["points"], full["points"], strict=True):
        assert seen["value"] == (None if seen["hidden"] else whole["value"])
        assert (seen["centre"], seen["lower_limit"], seen["upper_limit"]) == (None, None, None)
        assert seen["point_type"] == whole["point_type"]
    assert full["points"][1]["centre"] is not None
    # The icons are the chart's, as the panel shows them.
    assert (shown["variation"], shown["assurance"]) == (full["variation"], full["assurance"])


def test_a_series_with_nothing_hidden_is_shown_whole_to_the_panel(data, api):
    w = data.world
    assert series_of(api, w.panel_x, w, data.falls, w.team_b) == series_of(
        api, w.coordinator_x, w, data.falls, w.team_b
    )


def test_a_hidden_day_of_events_is_one_point_so_its_count_is_not_told(data, api):
    """Two falls on one day are two points of a g chart; hidden, they are one."""
    w = data.world
    events = make_measure(
        w.x.id, name="Days of falls", value_kind="events", chart_type="g", target_value=None
    )
    days = [(date(2025, 1, 3), 6), (date(2025, 2, 10), 2), (date(2025, 3, 1), 7)]
    for day, count in days:
        db.session.add(
            DataPoint(measure_id=events.id, team_id=w.team_b.id, period_start=day, value=count)
        )
    db.session.commit()
    full = series_of(api, w.coordinator_x, w, events, w.team_b)
    shown = series_of(api, w.panel_x, w, events, w.team_b)
    assert len(full["points"]) == 15
    february = [p for p in shown["points"] if p["period_start"] == "2025-02-10"]
    assert len(february) == 1 and february[0]["hidden"] and february[0]["value"] is None
    assert all(p["centre"] is None for p in shown["points"])
    assert len(shown["points"]) < len(full["points"])
