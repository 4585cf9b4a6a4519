"""A measure's history and one period's history: changes in sentences, for those who see the team.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import html

from improve.extensions import db
from improve.measures import operations
from improve.models import DataPoint
from tests.comments.records import make_aim
from tests.conftest import text_of
from tests.security.route_samples import measure as make_measure


def visible(response) -> str:
    return html.unescape(text_of(response))


def save(client, measure_id: int, period: str, **values: str):
    response = client.post(f"/measures/{measure_id}/points", data={"period": period, **values})
    assert response.status_code == 303, response.get_data(as_text=True)[:1000]


def test_a_measures_history_tells_each_change_in_words(world, client_for):
    measure = make_measure(make_aim(world.team_a))
    member = client_for(world.member_a)
    save(member, measure.id, "2026-01-01", value="12")
    save(member, measure.id, "2026-01-01", value="14", version="1")
    save(
        member,
        measure.id,
        "2026-01-01",
        value="14",
        version="2",
        excluded="y",
        exclusion_reason="Fire drill",
    )
    save(member, measure.id, "2026-02-01", value="9")

    response = client_for(world.lead_a).get(f"/measures/{measure.id}/history")
    assert response.status_code == 200
    text = visible(response)
    assert "Value for January 2026 changed from 12 to 14 by Member A, just now" in text
    assert "January 2026 left out of the centre line and limits: Fire drill by Member A" in text
    assert "Value for January 2026 entered: 12 by Member A" in text
    assert "Value for February 2026 entered: 9" in text
    assert text.index("February 2026 entered") < text.index("left out") < text.index("to 14")

    period = client_for(world.expert_a).get(f"/measures/{measure.id}/history/2026-01-01")
    assert period.status_code == 200
    text = visible(period)
    assert "History of January 2026" in text and "changed from 12 to 14" in text
    assert "February" not in text


def test_weekly_periods_and_definition_changes_read_as_words(world, client_for):
    measure = make_measure(make_aim(world.team_a))
    measure.frequency = "weekly"
    db.session.commit()
    save(client_for(world.member_a), measure.id, "2026-08-03", value="12")
    details = {"chart_type": "i"}
    operations.revise_measure(world.lead_a, measure, details, None, None)
    db.session.commit()

    text = visible(client_for(world.member_a).get(f"/measures/{measure.id}/history"))
    assert "Value for week of 3 August 2026 entered: 12 by Member A" in text
    assert "Lead A changed this measure" in text and "Chart Run chart I chart" in text


def test_the_measure_page_links_to_its_history_and_each_saved_periods(world, client_for):
    measure = make_measure(make_aim(world.team_a))
    client = client_for(world.member_a)
    save(client, measure.id, "2026-01-01", value="3")
    page = client.get(f"/measures/{measure.id}?before=2026-02-01").get_data(as_text=True)
    assert f'href="/measures/{measure.id}/history">History of this measure</a>' in page
    assert f'href="/measures/{measure.id}/history/2026-01-01">History' in page
    assert f'href="/measures/{measure.id}/history/2026-02-01"' not in page  # nothing saved


def test_a_shared_measures_period_history_is_one_teams(world, client_for):
    measure = make_measure(collaborative=world.x)
    for person, team, value in (
        (world.member_a, world.team_a, "3"),
        (world.member_b, world.team_b, "8"),
    ):
        response = client_for(person).post(
            f"/measures/{measure.id}/points?team={team.id}",
            data={"period": "2026-01-01", "value": value},
        )
        assert response.status_code == 303
    url = f"/measures/{measure.id}/history/2026-01-01?team={world.team_a.id}"
    text = visible(client_for(world.member_a).get(url))
    assert "entered: 3" in text and "entered: 8" not in text
    # Team B's row is not Team A's people's to read, on the whole measure's history either.
    assert (
        client_for(world.member_a)
        .get(f"/measures/{measure.id}/history/2026-01-01?team={world.team_b.id}")
        .status_code
        == 404
    )
    whole = visible(client_for(world.member_a).get(f"/measures/{measure.id}/history"))
    assert "entered: 3" in whole and "entered: 8" not in whole
    both = visible(client_for(world.coordinator_x).get(f"/measures/{measure.id}/history"))
    assert "Team A Value for January 2026 entered: 3" in both
    assert "Team B Value for January 2026 entered: 8" in both


def test_outsiders_and_odd_periods_are_not_found(world, client_for):
    measure = make_measure(make_aim(world.team_a))
    save(client_for(world.member_a), measure.id, "2026-01-01", value="3")
    for person in (world.member_b, world.member_c, world.coordinator_y, world.nobody):
        client = client_for(person)
        assert client.get(f"/measures/{measure.id}/history").status_code == 404
        assert client.get(f"/measures/{measure.id}/history/2026-01-01").status_code == 404
    client = client_for(world.member_a)
    for period in ("2026-01-02", "2026-13-01", "x", "2026-1-1", "20260101"):
        assert client.get(f"/measures/{measure.id}/history/{period}").status_code == 404
    assert client.get(f"/measures/{measure.id}/history/2026-03-01").status_code == 200


def test_a_deleted_value_stays_in_the_periods_history(world, client_for):
    measure = make_measure(make_aim(world.team_a))
    member = client_for(world.member_a)
    save(member, measure.id, "2026-01-01", value="12")
    point_id = db.session.scalar(db.select(DataPoint.id).where(DataPoint.measure_id == measure.id))
    deleted = member.post(f"/points/{point_id}/delete", data={"version": "1"})
    assert deleted.status_code == 303

    text = visible(client_for(world.lead_a).get(f"/measures/{measure.id}/history/2026-01-01"))
    assert "Value for January 2026 (12) deleted by Member A" in text
    assert "Value for January 2026 entered: 12" in text


def test_a_long_history_comes_a_page_at_a_time_newest_first(world, client_for, monkeypatch):
    # A shared measure's history holds every team's changes: 800 teams must not make one page.
    from improve.history import queries

    monkeypatch.setattr(queries, "MEASURE_PAGE_SIZE", 2)
    measure = make_measure(make_aim(world.team_a))
    member = client_for(world.member_a)
    for month, value in (("01", "1"), ("02", "2"), ("03", "3")):
        save(member, measure.id, f"2026-{month}-01", value=value)

    first = client_for(world.lead_a).get(f"/measures/{measure.id}/history")
    text = visible(first)
    assert "March 2026 entered: 3" in text and "February 2026 entered: 2" in text
    assert "January 2026" not in text
    older = html.unescape(first.get_data(as_text=True)).split('href="')
    link = next(part.split('"')[0] for part in older if "older_than=" in part.split('"')[0])

    second = client_for(world.lead_a).get(link)
    text = visible(second)
    assert "January 2026 entered: 1" in text and "March 2026" not in text
    assert "Older changes" not in text and "Newest changes" in text

    for garbage in ("abc", "²", "0", "-1"):
        answer = client_for(world.lead_a).get(
            f"/measures/{measure.id}/history?older_than={garbage}"
        )
        assert answer.status_code == 404
