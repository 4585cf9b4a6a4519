"""Measures: defining them per aim or shared, changing a definition, and entering data by row.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.measures.queries import period_of, step
from improve.models import AuditAction, AuditEvent, DataPoint, Frequency, Measure, MeasureRevision
from improve.models.measure import aim_measure
from tests.conftest import HTMX, text_of
from tests.cycles.factories import make_cycle, make_idea
from tests.teams.test_team_page import counting_queries

NEW_STATUSES = {
    "admin": 303,
    "coordinator_x": 403,
    "coordinator_y": 404,
    "panel_x": 403,
    "lead_a": 303,
    "member_a": 303,
    "expert_a": 403,
    "member_b": 404,
    "member_c": 404,
}


def measure_form(**fields) -> dict:
    values = {
        "name": "Falls a month",
        "measure_type": "outcome",
        "operational_definition": "Any time a person ends up on the floor without meaning to",
        "value_kind": "count",
        "frequency": "monthly",
        "direction": "decrease",
        "chart_type": "run",
        "baseline_start": ["1", "1", "2026"],
        "target_value": "4",
        "target_date": ["31", "3", "2027"],
    }
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


def point_form(day: date, value: str = "5", **fields) -> dict:
    values = {"period": day.isoformat(), "value": value, "version": ""}
    values.update(fields)
    return {name: v for name, v in values.items() if v is not None}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def audits(entity_type: str) -> list[AuditEvent]:
    db.session.expire_all()
    query = sa.select(AuditEvent).where(AuditEvent.entity_type == entity_type)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def points() -> list[DataPoint]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(DataPoint).order_by(DataPoint.period_start)))


@pytest.fixture
def aim(world, make_aim):
    return make_aim(world.team_a)


@pytest.fixture
def measure(aim, make_measure):
    return make_measure(aim)


# Defining a measure -------------------------------------------------------------------------


def test_new_measure_page_explains_every_choice(world, client_for, aim):
    response = client_for(world.member_a).get(f"/aims/{aim.id}/measures/new")
    assert response.status_code == 200
    text = text_of(response)
    assert "Add a measure" in text
    assert "Balancing: are we causing a problem elsewhere" in text
    assert "Some out of a total, like 8 of 10 people (a p chart)" in text
    assert "Lower is better" in text


def test_create_measure_without_js_redirects_to_it_and_audits(world, client_for, aim):
    response = client_for(world.member_a).post(f"/aims/{aim.id}/measures/new", data=measure_form())
    assert response.status_code == 303
    measure = db.session.scalars(sa.select(Measure)).one()
    assert response.headers["Location"].endswith(f"/measures/{measure.id}")
    assert (measure.aim_id, measure.team_id) == (aim.id, world.team_a.id)
    assert measure.baseline_start == date(2026, 1, 1)
    assert measure.multiplier == 1.0
    [event] = audits("Measure")
    assert event.action == AuditAction.CREATE
    assert event.after["name"] == "Falls a month"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Enter a name for the measure"),
        ({"measure_type": None}, "Choose what kind of measure it is"),
        ({"value_kind": "average"}, "Choose one of the options shown"),
        ({"multiplier": "0"}, "Multiply rates by a number above 0"),
        ({"multiplier": "nan"}, "must be a number"),
        ({"name": "Falls\x00"}, "contains characters that cannot be saved"),
        ({"baseline_end": ["1", "12", "2025"]}, "The baseline must end on or after"),
        ({"target_date": ["31", "2", "2027"]}, "must be a real date"),
    ],
)
def test_invalid_measure_is_refused_and_nothing_written(world, client_for, aim, fields, message):
    client = client_for(world.member_a)
    response = client.post(f"/aims/{aim.id}/measures/new", data=measure_form(**fields))
    assert response.status_code == 422
    assert message in text_of(response)
    assert "There is a problem" in text_of(response)
    assert count(Measure) == 0
    assert audits("Measure") == []


def test_date_without_its_parts_does_not_crash(world, client_for, aim):
    data = measure_form(target_date=None, baseline_start=None)
    response = client_for(world.member_a).post(f"/aims/{aim.id}/measures/new", data=data)
    assert response.status_code == 303


@pytest.mark.parametrize(("person", "status"), NEW_STATUSES.items())
def test_who_may_add_a_measure_to_an_aim(world, client_for, aim, person, status):
    client = client_for(getattr(world, person))
    response = client.post(f"/aims/{aim.id}/measures/new", data=measure_form())
    assert response.status_code == status
    assert count(Measure) == (1 if status == 303 else 0)


def test_unknown_aim_is_not_found(world, client_for):
    assert client_for(world.member_a).get("/aims/999999/measures/new").status_code == 404


def test_aim_page_links_measures_and_offers_to_add_one(world, client_for, aim, measure):
    response = client_for(world.member_a).get(f"/aims/{aim.id}")
    html = response.get_data(as_text=True)
    assert f'href="/measures/{measure.id}"' in html
    assert f'href="/aims/{aim.id}/measures/new"' in html
    expert_page = client_for(world.expert_a).get(f"/aims/{aim.id}").get_data(as_text=True)
    assert f'href="/aims/{aim.id}/measures/new"' not in expert_page


# Changing a definition --------------------------------------------------------------------


def test_changing_the_definition_keeps_the_old_one_and_starts_a_phase(
    world, client_for, measure, add_point
):
    add_point(measure, world.team_a, date(2026, 2, 1), 3)
    add_point(measure, world.team_a, date(2026, 4, 1), 2)
    add_point(measure, world.team_a, date(2026, 5, 1), 2)
    client = client_for(world.member_a)
    data = measure_form(
        name="Falls with injury a month",
        version=str(measure.version),
        effective_from=["15", "3", "2026"],
        reason="We now count only falls with an injury",
    )
    response = client.post(f"/measures/{measure.id}/edit", data=data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/measures/{measure.id}")
    revision = db.session.scalars(sa.select(MeasureRevision)).one()
    assert revision.previous_definition["name"] == "Falls a month"
    assert revision.effective_from == date(2026, 3, 15)
    assert [(p.period_start.month, p.starts_new_phase) for p in points()] == [
        (2, False),
        (4, True),
        (5, False),
    ]
    assert [e.action for e in audits("Measure")] == [AuditAction.UPDATE]
    assert audits("MeasureRevision") and audits("DataPoint")
    page = text_of(client.get(f"/measures/{measure.id}"))
    assert "We now count only falls with an injury" in page
    assert "it was called ‘Falls a month’" in page


def test_next_point_after_a_change_starts_the_phase(world, client_for, measure):
    client = client_for(world.member_a)
    data = measure_form(
        unit="falls",
        version=str(measure.version),
        effective_from=["1", "3", "2026"],
        reason="Counted from the new log",
    )
    assert client.post(f"/measures/{measure.id}/edit", data=data).status_code == 303
    client.post(f"/measures/{measure.id}/points", data=point_form(date(2026, 2, 1)))
    client.post(f"/measures/{measure.id}/points", data=point_form(date(2026, 3, 1)))
    client.post(f"/measures/{measure.id}/points", data=point_form(date(2026, 4, 1)))
    assert [p.starts_new_phase for p in points()] == [False, True, False]
    assert points()[1].phase_reason == "The definition changed: Counted from the new log"


def test_edit_form_shows_the_saved_definition(world, client_for, measure):
    response = client_for(world.member_a).get(f"/measures/{measure.id}/edit")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Falls a month"' in html
    assert re.search(r'value="decrease"\s+checked', html)
    assert f'name="version" type="hidden" value="{measure.version}"' in html


def test_saving_an_unchanged_definition_keeps_no_revision(world, client_for, measure):
    data = measure_form(
        operational_definition=None,
        target_value=None,
        target_date=None,
        version=str(measure.version),
        effective_from=["1", "3", "2026"],
        reason="No change",
    )
    response = client_for(world.member_a).post(f"/measures/{measure.id}/edit", data=data)
    assert response.status_code == 303
    assert count(MeasureRevision) == 0
    assert audits("Measure") == []


def test_change_needs_a_reason_and_a_date(world, client_for, measure):
    data = measure_form(name="Other", version=str(measure.version))
    response = client_for(world.member_a).post(f"/measures/{measure.id}/edit", data=data)
    assert response.status_code == 422
    assert "Say why the definition is changing" in text_of(response)
    assert "Enter the date the new definition applies from" in text_of(response)
    db.session.expire_all()
    assert measure.name == "Falls a month"
    assert count(MeasureRevision) == 0


def test_stale_definition_change_is_refused_with_both_versions(world, client_for, measure):
    data = measure_form(
        name="Mine",
        version=str(measure.version - 1),
        effective_from=["1", "3", "2026"],
        reason="Because",
    )
    response = client_for(world.member_a).post(f"/measures/{measure.id}/edit", data=data)
    assert response.status_code == 409
    text = text_of(response)
    assert "Someone else saved this measure while you were editing" in text
    assert 'value="Mine"' in response.get_data(as_text=True)
    assert "Their saved version" in text and "Falls a month" in text
    db.session.expire_all()
    assert measure.name == "Falls a month"


@pytest.mark.parametrize(
    ("person", "status"),
    [("expert_a", 403), ("panel_x", 403), ("member_b", 404), ("member_c", 404)],
)
def test_who_may_change_a_definition(world, client_for, measure, person, status):
    client = client_for(getattr(world, person))
    assert client.get(f"/measures/{measure.id}/edit").status_code == status


# Shared measures ----------------------------------------------------------------------------


def test_coordinator_defines_a_shared_measure(world, client_for):
    client = client_for(world.coordinator_x)
    response = client.post(f"/collaboratives/{world.x.id}/measures/new", data=measure_form())
    assert response.status_code == 303
    measure = db.session.scalars(sa.select(Measure)).one()
    assert (measure.collaborative_id, measure.team_id, measure.aim_id) == (world.x.id, None, None)
    assert audits("Measure")[0].collaborative_id == world.x.id


@pytest.mark.parametrize(
    ("person", "status"), [("member_a", 403), ("panel_x", 403), ("coordinator_y", 404)]
)
def test_only_its_coordinators_define_shared_measures(world, client_for, person, status):
    client = client_for(getattr(world, person))
    response = client.post(f"/collaboratives/{world.x.id}/measures/new", data=measure_form())
    assert response.status_code == status
    assert count(Measure) == 0


def test_aim_links_a_shared_measure(world, client_for, aim, make_measure, make_collaborative):
    shared = make_measure(collaborative=world.x, name="Days since last fall")
    elsewhere = make_measure(collaborative=world.y, name="Other collaborative")
    client = client_for(world.member_a)
    assert "Days since last fall" in text_of(client.get(f"/aims/{aim.id}/measures/new"))
    bad = client.post(f"/aims/{aim.id}/measures/link", data={"measure_id": str(elsewhere.id)})
    assert bad.status_code == 422
    assert "Choose one of the shared measures listed" in text_of(bad)
    response = client.post(f"/aims/{aim.id}/measures/link", data={"measure_id": str(shared.id)})
    assert response.status_code == 303
    links = db.session.execute(sa.select(aim_measure)).all()
    assert [(row.aim_id, row.measure_id) for row in links] == [(aim.id, shared.id)]
    assert "Days since last fall" in text_of(client.get(f"/aims/{aim.id}"))


def test_each_team_enters_its_own_data_for_a_shared_measure(world, client_for, make_measure):
    shared = make_measure(collaborative=world.x)
    period = date(2026, 2, 1)
    response = client_for(world.member_b).post(
        f"/measures/{shared.id}/points?team={world.team_b.id}", data=point_form(period)
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/measures/{shared.id}?team={world.team_b.id}&before=2026-03-01#row-2026-02-01"
    )
    assert [(p.team_id, p.value) for p in points()] == [(world.team_b.id, 5.0)]
    # Another team's data: not visible to member A at all.
    client = client_for(world.member_a)
    foreign = client.post(
        f"/measures/{shared.id}/points?team={world.team_b.id}", data=point_form(period)
    )
    assert foreign.status_code == 404
    # A coordinator chooses which team's data to read, but enters none.
    coordinator = client_for(world.coordinator_x)
    page = coordinator.get(f"/measures/{shared.id}?team={world.team_b.id}")
    assert "Data: Team B" in text_of(page)
    assert (
        coordinator.post(
            f"/measures/{shared.id}/points?team={world.team_b.id}", data=point_form(period)
        ).status_code
        == 403
    )


# Data entry ---------------------------------------------------------------------------------


def test_measure_page_lists_periods_to_this_one_and_never_a_future_one(
    world, client_for, measure, add_point
):
    add_point(measure, world.team_a, date(2026, 2, 1), 3, note="New sensor mats")
    client = client_for(world.member_a)
    response = client.get(f"/measures/{measure.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" in html
    this_period = period_of(date.today(), Frequency.MONTHLY)
    next_period = step(this_period, Frequency.MONTHLY)
    assert f'id="row-{this_period.isoformat()}"' in html
    assert f'id="row-{next_period.isoformat()}"' not in html  # it has not begun
    # Newest first: this period's row leads the table; earlier ones are a page back.
    assert html.index(f'id="row-{this_period.isoformat()}"') == html.index('id="row-')
    earlier = client.get(f"/measures/{measure.id}?before=2026-03-01").get_data(as_text=True)
    assert 'id="row-2026-01-01"' in earlier
    assert 'value="New sensor mats"' in earlier
    # Posting next month's value anyway is refused, as the importer refuses it.
    refused = client.post(
        f"/measures/{measure.id}/points",
        data={"period": next_period.isoformat(), "value": "4", "version": ""},
    )
    assert refused.status_code == 422
    assert "later ones have not begun" in refused.get_data(as_text=True)


def test_measure_page_fragment_is_the_data_table(world, client_for, measure):
    response = client_for(world.member_a).get(f"/measures/{measure.id}", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="data-entry"')
    assert "<html" not in html


def test_htmx_row_save_returns_the_table_focused_on_the_next_row(world, client_for, measure):
    client = client_for(world.member_a)
    # Posted from the page of earlier months that shows March first (its form carries it).
    response = client.post(
        f"/measures/{measure.id}/points?before=2026-04-01",
        data=point_form(date(2026, 2, 1), "7"),
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="data-entry"')
    assert 'id="value-2026-03-01"' in html
    assert "autofocus" in html.split('id="value-2026-03-01"')[1].split(">")[0]
    assert "Saved 1 February 2026" in text_of(response)
    [point] = points()
    assert (point.team_id, point.period_start, point.value) == (
        world.team_a.id,
        date(2026, 2, 1),
        7,
    )
    [event] = audits("DataPoint")
    assert event.action == AuditAction.CREATE and event.after["value"] == 7


def test_row_save_without_js_redirects_to_the_row(world, client_for, measure):
    data = point_form(
        date(2026, 2, 1), "7", note="Two at night", excluded="y", exclusion_reason="Flu outbreak"
    )
    response = client_for(world.member_a).post(f"/measures/{measure.id}/points", data=data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/measures/{measure.id}?before=2026-03-01#row-2026-02-01"
    )
    [point] = points()
    assert (point.note, point.excluded, point.exclusion_reason) == (
        "Two at night",
        True,
        "Flu outbreak",
    )


def test_retried_post_updates_rather_than_duplicates(world, client_for, measure):
    client = client_for(world.member_a)
    url = f"/measures/{measure.id}/points"
    assert client.post(url, data=point_form(date(2026, 2, 1), "7")).status_code == 303
    assert client.post(url, data=point_form(date(2026, 2, 1), "7")).status_code == 303
    [point] = points()
    data = point_form(date(2026, 2, 1), "8", version=str(point.version))
    assert client.post(url, data=data).status_code == 303
    [point] = points()
    assert point.value == 8
    assert [e.action for e in audits("DataPoint")] == [AuditAction.CREATE, AuditAction.UPDATE]


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_stale_row_is_refused_with_both_values(world, client_for, measure, add_point, headers):
    add_point(measure, world.team_a, date(2026, 2, 1), 3, note="Theirs")
    data = point_form(date(2026, 2, 1), "9", version="")
    response = client_for(world.member_a).post(
        f"/measures/{measure.id}/points", data=data, headers=headers
    )
    assert response.status_code == (422 if headers else 409)
    text = text_of(response)
    assert "Someone else saved this period while you were editing" in text
    assert "They saved 3, with the note “Theirs”" in text
    assert 'id="value-2026-02-01" name="value"' in response.get_data(as_text=True)
    assert 'value="9"' in response.get_data(as_text=True)
    assert points()[0].value == 3


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"value": ""}, "Enter the number for this period"),
        ({"value": "seven"}, "must be a number"),
        ({"value": "nan"}, "must be a number"),
        ({"value": "inf"}, "must be a number"),
        ({"value": "1e999"}, "must be a number"),
        ({"value": "-1"}, "The value cannot be below 0"),
        ({"value": "2.5"}, "A count must be a whole number"),
        ({"excluded": "y"}, "Say why this point is left out"),
        ({"starts_new_phase": "y"}, "Say what changed"),
        ({"note": "x\x00"}, "contains characters that cannot be saved"),
        ({"note": "x" * 300}, "characters or fewer"),
        ({"period": "2026-02-15"}, "Choose one of the periods in the table"),
        ({"period": "2099-01-01"}, "Choose one of the periods in the table"),
        ({"period": "2025-06-01"}, "Choose one of the periods in the table"),
        ({"period": "garbage"}, "Choose one of the periods in the table"),
        ({"period": None}, "Choose one of the periods in the table"),
    ],
)
@pytest.mark.parametrize("headers", [{}, HTMX])
def test_invalid_row_is_refused_and_nothing_written(
    world, client_for, measure, fields, message, headers
):
    data = point_form(date(2026, 2, 1), **fields)
    response = client_for(world.member_a).post(
        f"/measures/{measure.id}/points", data=data, headers=headers
    )
    assert response.status_code == 422
    assert message in text_of(response)
    assert points() == []
    assert audits("DataPoint") == []


@pytest.mark.parametrize(
    ("kind", "value", "denominator", "message"),
    [
        ("proportion", "8", "", "Enter the number this is out of"),
        ("proportion", "8", "0", "must be above 0"),
        ("proportion", "8", "5", "cannot be less than the value"),
        ("rate", "8", "-2", "must be above 0"),
    ],
)
def test_denominator_rules(world, client_for, aim, make_measure, kind, value, denominator, message):
    measure = make_measure(aim, value_kind=kind)
    data = point_form(date(2026, 2, 1), value, denominator=denominator)
    response = client_for(world.member_a).post(f"/measures/{measure.id}/points", data=data)
    assert response.status_code == 422
    assert message in text_of(response)
    assert points() == []


def test_proportion_saves_its_denominator_and_weekly_periods_start_on_monday(
    world, client_for, aim, make_measure
):
    measure = make_measure(aim, value_kind="proportion", frequency="weekly")
    client = client_for(world.member_a)
    monday = date(2026, 1, 5)
    data = point_form(monday, "8", denominator="10")
    assert client.post(f"/measures/{measure.id}/points", data=data).status_code == 303
    assert [(p.value, p.denominator) for p in points()] == [(8, 10)]
    tuesday = point_form(date(2026, 1, 6), "8", denominator="10")
    assert client.post(f"/measures/{measure.id}/points", data=tuesday).status_code == 422


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("expert_a", 403),
        ("panel_x", 403),
        ("coordinator_x", 403),
        ("member_b", 404),
        ("member_c", 404),
    ],
)
def test_who_may_enter_data(world, client_for, measure, person, status):
    client = client_for(getattr(world, person))
    response = client.post(f"/measures/{measure.id}/points", data=point_form(date(2026, 2, 1)))
    assert response.status_code == status
    assert points() == []


def test_readers_see_the_data_without_controls(world, client_for, measure, add_point):
    add_point(measure, world.team_a, date(2026, 2, 1), 3)
    response = client_for(world.expert_a).get(f"/measures/{measure.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="value"' not in html
    assert "Change the definition" not in html


@pytest.mark.parametrize("person", ["member_b", "member_c", "coordinator_y"])
def test_other_teams_measures_are_not_found(world, client_for, measure, person):
    client = client_for(getattr(world, person))
    assert client.get(f"/measures/{measure.id}").status_code == 404
    assert client_for(world.member_a).get("/measures/999999").status_code == 404


@pytest.mark.parametrize(
    ("person", "status", "may_add"),
    [
        ("coordinator_x", 200, True),
        ("member_a", 200, False),
        ("panel_x", 200, False),
        ("coordinator_y", 404, False),
        ("member_c", 404, False),
    ],
)
def test_shared_measures_list(world, client_for, make_measure, person, status, may_add):
    measure = make_measure(collaborative=world.x, name="Days since last fall")
    response = client_for(getattr(world, person)).get(f"/collaboratives/{world.x.id}/measures")
    assert response.status_code == status
    if status == 200:
        html = response.get_data(as_text=True)
        assert f'href="/measures/{measure.id}">Days since last fall</a>' in html
        assert (f'href="/collaboratives/{world.x.id}/measures/new"' in html) == may_add


def test_coordinator_changes_a_shared_definition_and_teams_may_not(world, client_for, make_measure):
    shared = make_measure(collaborative=world.x)
    data = measure_form(
        name="Falls with injury",
        version=str(shared.version),
        effective_from=["1", "3", "2026"],
        reason="Agreed at learning session 2",
    )
    assert (
        client_for(world.member_a).post(f"/measures/{shared.id}/edit", data=data).status_code == 403
    )
    assert client_for(world.coordinator_y).get(f"/measures/{shared.id}/edit").status_code == 404
    coordinator = client_for(world.coordinator_x)
    assert "Change the measure" in text_of(coordinator.get(f"/measures/{shared.id}/edit"))
    assert coordinator.post(f"/measures/{shared.id}/edit", data=data).status_code == 303
    assert (
        db.session.scalars(sa.select(MeasureRevision)).one().reason
        == "Agreed at learning session 2"
    )


def test_saved_row_tells_htmx_and_the_page_what_happened(world, client_for, measure):
    client = client_for(world.member_a)
    url = f"/measures/{measure.id}/points"
    response = client.post(url, data=point_form(date(2026, 2, 1)), headers=HTMX)
    assert response.headers["HX-Trigger"] == "measure-updated"
    client.post(url, data=point_form(date(2026, 3, 1)))
    assert "Saved 1 March 2026." in text_of(client.get(f"/measures/{measure.id}"))


def test_measure_page_queries_do_not_grow_with_points_or_cycles(
    world, client_for, aim, measure, add_point
):
    client = client_for(world.member_a)
    idea = make_idea(aim)

    def statements_with(months: range, cycles: int) -> int:
        for month in months:
            add_point(measure, world.team_a, date(2025 + month // 12, month % 12 + 1, 1), month % 7)
        for number in range(cycles):
            make_cycle(idea, title=f"Test {months.start}-{number}", starts_on=date(2025, 3, 3))
        client.get(f"/measures/{measure.id}")
        with counting_queries() as statements:
            assert client.get(f"/measures/{measure.id}").status_code == 200
        return len(statements)

    few = statements_with(range(0, 12), cycles=1)
    assert statements_with(range(12, 24), cycles=4) == few
