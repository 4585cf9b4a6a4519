"""Issue 17, point 4, as people meet it: a measure of the dates of events (falls in a small
home), recorded one date at a time (several on a day add up), listed newest first with the days
between them, "days since the last event" said plainly, the team's entry page offering "record
one today", and the g chart drawn from the gaps. The charts' arithmetic is tested purely in
tests/analysis/test_rare_events.py.

World: collaborative X with teams A and B (see tests/conftest.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import DataPoint, Measure
from tests.conftest import text_of
from tests.measures.test_views import measure_form

TODAY = date.today()


def day_fields(day: date) -> dict:
    return {"day": [str(day.day), str(day.month), str(day.year)]}


def record(client, measure: Measure, day: date, count: str = "1", note: str = ""):
    data = day_fields(day) | {"count": count, "note": note}
    return client.post(f"/measures/{measure.id}/events", data=data)


def saved_days(measure: Measure) -> dict[date, float]:
    db.session.expire_all()
    query = sa.select(DataPoint).where(DataPoint.measure_id == measure.id)
    return {point.period_start: point.value for point in db.session.scalars(query)}


@pytest.fixture
def falls(world, make_aim, make_measure) -> Measure:
    return make_measure(
        make_aim(world.team_a),
        name="Falls",
        value_kind="events",
        chart_type="g",
        direction="decrease",
        baseline_start=None,
    )


def test_a_team_sets_up_a_measure_of_the_dates_of_events(world, client_for, make_aim):
    aim = make_aim(world.team_a)
    data = measure_form(value_kind="events", chart_type="g", name="Falls", baseline_start=None)
    response = client_for(world.member_a).post(f"/aims/{aim.id}/measures/new", data=data)
    assert response.status_code == 303, text_of(response)[-600:]
    measure = db.session.scalar(sa.select(Measure).where(Measure.name == "Falls"))
    assert measure.value_kind.value == "events" and measure.chart_type.value == "g"
    # A c chart does not suit dates, and says which charts do.
    data = measure_form(value_kind="events", chart_type="c", name="Trips", baseline_start=None)
    response = client_for(world.member_a).post(f"/aims/{aim.id}/measures/new", data=data)
    assert response.status_code == 422
    assert "For the dates of events choose a g chart, a t chart or a run chart" in text_of(response)


def test_recording_events_lists_them_newest_first_with_the_days_between(world, client_for, falls):
    client = client_for(world.member_a)
    page = client.get(f"/measures/{falls.id}")
    assert "No events recorded yet." in text_of(page)
    assert 'href="#day"' in page.get_data(as_text=True)  # the skip link "Record an event"
    first, second = TODAY - timedelta(days=20), TODAY - timedelta(days=6)
    assert record(client, falls, first).status_code == 303
    response = record(client, falls, second, note="On the stairs at night")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#row-{second.isoformat()}")
    # A second fall the same day adds to it.
    record(client, falls, second)
    assert saved_days(falls) == {first: 1.0, second: 2.0}
    text = text_of(client.get(f"/measures/{falls.id}"))
    assert f"6 days since the last event, on {second:%-d %B %Y}." in text
    newest = text.index(f"{second:%-d %B %Y} History")
    oldest = text.index(f"{first:%-d %B %Y} History")
    assert newest < oldest
    assert "Events: 2 Days since the one before: 14" in text
    assert "Events: 1 Days since the one before: The first" in text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"day": TODAY + timedelta(days=1)}, "The date of the event cannot be in the future"),
        ({"count": "0"}, "How many must be a whole number from 1 to 1,000"),
        ({"count": "1.5"}, "How many must be a whole number from 1 to 1,000"),
        ({"count": "many"}, "How many that day must be a number"),
    ],
)
def test_a_wrong_date_or_number_is_explained_and_nothing_saved(
    world, client_for, falls, fields, message
):
    day = fields.pop("day", TODAY)
    response = record(client_for(world.member_a), falls, day, **fields)
    assert response.status_code == 422
    assert message in text_of(response)
    assert saved_days(falls) == {}


def test_only_the_team_records_its_events_and_periods_are_refused(world, client_for, falls):
    assert record(client_for(world.member_b), falls, TODAY).status_code == 404
    assert record(client_for(world.expert_a), falls, TODAY).status_code in (403, 404)
    # The period rows of other measures do not apply to dates of events.
    response = client_for(world.member_a).post(
        f"/measures/{falls.id}/points", data={"period": TODAY.isoformat(), "value": "1"}
    )
    assert response.status_code == 409
    assert "records the date of each event" in text_of(response)
    assert saved_days(falls) == {}


def test_an_event_day_can_be_deleted_and_has_its_history(world, client_for, falls):
    client = client_for(world.member_a)
    day = TODAY - timedelta(days=3)
    record(client, falls, day)
    point = db.session.scalar(sa.select(DataPoint).where(DataPoint.measure_id == falls.id))
    history = client.get(f"/measures/{falls.id}/history/{day.isoformat()}")
    assert history.status_code == 200, history.status_code
    assert f"{day:%-d %B %Y}" in text_of(history)
    question = client.get(f"/points/{point.id}/delete")
    assert f"{day:%-d %B %Y}" in text_of(question)
    response = client.post(f"/points/{point.id}/delete", data={"version": str(point.version)})
    assert response.status_code == 303
    assert saved_days(falls) == {}


def test_the_team_entry_page_records_one_today(world, client_for, falls):
    client = client_for(world.member_a)
    page = text_of(client.get(f"/teams/{world.team_a.id}/enter"))
    assert "No events recorded yet." in page and "Record one today" in page
    data = day_fields(TODAY) | {"count": "1", "return_to": "team-entry"}
    response = client.post(f"/measures/{falls.id}/events", data=data)
    assert response.status_code == 303
    assert f"/teams/{world.team_a.id}/enter" in response.headers["Location"]
    assert saved_days(falls) == {TODAY: 1.0}
    assert "Last event: " + f"{TODAY:%-d %B %Y} (0 days ago)" in text_of(
        client.get(f"/teams/{world.team_a.id}/enter")
    )


def test_event_dates_are_imported_from_a_file_and_charted(world, client_for, falls):
    from tests.measures.test_import import payload_of

    client = client_for(world.member_a)
    days = [TODAY - timedelta(days=gap) for gap in (120, 95, 95, 61, 40, 22, 9)]
    pasted = "\n".join(f"{day:%d/%m/%Y}" for day in days)
    preview = client.post(f"/measures/{falls.id}/import", data={"pasted": pasted})
    assert preview.status_code == 200, text_of(preview)[-800:]
    assert "Each row is one event" not in text_of(preview)  # the preview, not the form
    saved = client.post(
        f"/measures/{falls.id}/import/confirm", data={"payload": payload_of(preview)}
    )
    assert saved.status_code == 303
    expected = {day: 1.0 for day in days} | {days[1]: 2.0}
    assert saved_days(falls) == expected
    page = text_of(client.get(f"/measures/{falls.id}"))
    assert f"9 days since the last event, on {days[-1]:%-d %B %Y}." in page


def test_the_export_has_a_row_per_event_with_the_charted_gap(world, client_for, falls):
    from tests.exports.test_exports import csv_rows, url

    client = client_for(world.member_a)
    first, second = TODAY - timedelta(days=30), TODAY - timedelta(days=12)
    record(client, falls, first)
    record(client, falls, second, count="2", note="Both at tea time")
    rows = [
        row
        for row in csv_rows(client_for(world.coordinator_x).get(url(world.x, "measures", "csv")))
        if row["Measure"] == "Falls"
    ]
    assert [row["Period starts"][:10] for row in rows] == [
        first.isoformat(),
        second.isoformat(),
        second.isoformat(),
    ]
    assert [float(row["Number entered"]) for row in rows] == [1, 1, 1]
    # The number on the chart is the gap the g chart draws: none before the first event.
    charted = [row["Number on the chart"] for row in rows]
    assert charted[0] == "" and [float(gap) for gap in charted[1:]] == [18, 0]
    assert [row["Note"] for row in rows] == ["", "Both at tea time", "Both at tea time"]
    assert {row["Chart"] for row in rows} == {"g chart (days between events)"}
