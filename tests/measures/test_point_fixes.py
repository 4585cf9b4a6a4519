"""Putting a wrong value right (issue 16, point 10): deleting a saved value after a confirmation,
and "is this right?" before saving a value far outside the team's usual ones.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.measures.analysis import analyse_frame, definition_of, settings_of
from improve.measures.queries import series_frame
from improve.models import AuditAction, AuditEvent, Collaborative, DataPoint
from tests.conftest import BOOSTED, HTMX, text_of

NEAR_TEN = [8, 10, 11, 9, 14, 10, 12, 9]  # January to August 2026


def points() -> list[DataPoint]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(DataPoint).order_by(DataPoint.period_start)))


def audits(action: AuditAction) -> list[AuditEvent]:
    db.session.expire_all()
    query = sa.select(AuditEvent).where(
        AuditEvent.entity_type == "DataPoint", AuditEvent.action == action
    )
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def month(number: int) -> date:
    return date(2026, number, 1)


@pytest.fixture
def aim(world, make_aim):
    return make_aim(world.team_a)


@pytest.fixture
def measure(aim, make_measure):
    return make_measure(aim)


@pytest.fixture
def near_ten(world, measure, add_point):
    """Eight months of values near 10 for team A."""
    return [add_point(measure, world.team_a, month(m), v) for m, v in enumerate(NEAR_TEN, 1)]


def row(period: date, value: str, **fields) -> dict:
    return {"period": period.isoformat(), "value": value, "version": ""} | fields


# Deleting a value -------------------------------------------------------------------------------


def test_each_saved_value_has_a_delete_link_and_empty_rows_have_none(
    world, client_for, measure, add_point
):
    point = add_point(measure, world.team_a, month(2), 14, note="Two at night")
    page = f"/measures/{measure.id}?before={month(3).isoformat()}"  # the page holding February
    html = client_for(world.member_a).get(page).get_data(as_text=True)
    assert html.count('href="/points/') == 1
    assert f'href="/points/{point.id}/delete"' in html
    assert 'Delete<span class="govuk-visually-hidden"> the value for February 2026' in html


def test_readers_get_no_delete_link(world, client_for, measure, add_point):
    add_point(measure, world.team_a, month(2), 14)
    html = client_for(world.expert_a).get(f"/measures/{measure.id}").get_data(as_text=True)
    assert "/delete" not in html


@pytest.mark.parametrize("headers", [{}, BOOSTED])
def test_delete_asks_first_then_deletes_and_audits(world, client_for, aim, make_measure, headers):
    measure = make_measure(aim, frequency="weekly", value_kind="proportion", unit="people")
    point = DataPoint(
        measure_id=measure.id,
        team_id=world.team_a.id,
        period_start=date(2026, 8, 3),
        value=14,
        denominator=20,
        note="Counted twice",
    )
    db.session.add(point)
    db.session.commit()
    client = client_for(world.member_a)
    url = f"/points/{point.id}/delete"

    asked = client.get(url, headers=headers)
    assert asked.status_code == 200
    text = text_of(asked)
    assert "Delete the value for week of 3 August 2026?" in text
    assert "14 out of 20" in text and "Counted twice" in text
    assert "This cannot be undone. If the value is right but unusual, leave it out" in text
    assert f'name="version" type="hidden" value="{point.version}"' in asked.get_data(as_text=True)
    assert len(points()) == 1  # asking deletes nothing

    done = client.post(url, data={"version": str(point.version)}, headers=headers)
    assert done.status_code == 303
    assert done.headers["Location"] == f"/measures/{measure.id}"
    assert points() == []
    [event] = audits(AuditAction.DELETE)
    assert event.actor_id == world.member_a.id
    assert (event.team_id, event.collaborative_id) == (world.team_a.id, world.x.id)
    assert event.before["period_start"] == "2026-08-03"
    assert (event.before["value"], event.before["denominator"], event.before["note"]) == (
        14,
        20,
        "Counted twice",
    )
    page = client.get(done.headers["Location"])
    assert "Deleted the value for week of 3 August 2026." in text_of(page)


def test_delete_of_a_shared_measure_goes_back_to_the_team(
    world, client_for, make_measure, add_point
):
    measure = make_measure(collaborative=world.x)
    point = add_point(measure, world.team_a, month(2), 4)
    client = client_for(world.member_a)
    done = client.post(f"/points/{point.id}/delete", data={"version": str(point.version)})
    assert done.status_code == 303
    assert done.headers["Location"] == f"/measures/{measure.id}?team={world.team_a.id}"
    assert points() == []


@pytest.mark.parametrize("version", ["1"])
def test_stale_delete_is_refused_with_the_value_as_it_is_now(
    world, client_for, measure, add_point, version
):
    point = add_point(measure, world.team_a, month(2), 14)
    client = client_for(world.member_a)
    client.post(f"/measures/{measure.id}/points", data=row(month(2), "15", version="1"))
    assert points()[0].value == 15
    response = client.post(f"/points/{point.id}/delete", data={"version": version})
    assert response.status_code == 409
    text = text_of(response)
    assert "Someone changed this value while you were looking at it" in text
    assert "Nothing was deleted" in text and "15" in text
    assert [p.value for p in points()] == [15]
    assert audits(AuditAction.DELETE) == []
    # the page now carries the version shown, so deleting again on purpose works
    shown = re.search(
        r'name="version" type="hidden" value="(\d+)"', response.get_data(as_text=True)
    )
    assert shown is not None and shown.group(1) == str(points()[0].version)
    again = client.post(f"/points/{point.id}/delete", data={"version": shown.group(1)})
    assert again.status_code == 303
    assert points() == []


@pytest.mark.parametrize(
    "posted", [{}, {"version": ""}, {"version": "x1"}, {"version": "1.0"}, {"version": "0"}]
)
def test_a_delete_without_a_well_formed_version_deletes_nothing(
    world, client_for, measure, add_point, posted
):
    point = add_point(measure, world.team_a, month(2), 14)
    response = client_for(world.member_a).post(f"/points/{point.id}/delete", data=posted)
    assert response.status_code == 400
    assert "Reload the page" in text_of(response)
    assert [p.value for p in points()] == [14]
    assert audits(AuditAction.DELETE) == []


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("lead_a", 303),
        ("admin", 303),
        ("expert_a", 403),
        ("panel_x", 403),
        ("coordinator_x", 403),
        ("member_b", 404),
        ("member_c", 404),
        ("coordinator_y", 404),
    ],
)
def test_who_may_delete_a_value(world, client_for, measure, add_point, person, status):
    point = add_point(measure, world.team_a, month(2), 14)
    client = client_for(getattr(world, person))
    url = f"/points/{point.id}/delete"
    assert client.get(url).status_code == (200 if status == 303 else status)
    assert client.post(url, data={"version": str(point.version)}).status_code == status
    assert len(points()) == (0 if status == 303 else 1)


def test_another_teams_value_of_a_shared_measure_is_not_found(
    world, client_for, make_measure, add_point
):
    measure = make_measure(collaborative=world.x)
    theirs = add_point(measure, world.team_b, month(2), 4)
    client = client_for(world.member_a)
    assert client.get(f"/points/{theirs.id}/delete").status_code == 404
    assert client.post(f"/points/{theirs.id}/delete", data={"version": "1"}).status_code == 404
    assert client.get("/points/999999/delete").status_code == 404
    assert len(points()) == 1


def test_deleting_a_value_changes_the_chart(world, client_for, measure, near_ten):
    collaborative = db.session.get(Collaborative, measure.collaborative_id)

    def plotted() -> list[float]:
        frame = series_frame(measure, world.team_a)
        analysis = analyse_frame(frame, definition_of(measure), settings_of(collaborative))
        return [float(v) for v in analysis.chart.value]

    assert plotted() == NEAR_TEN
    last = near_ten[-1]
    client = client_for(world.member_a)
    client.post(f"/points/{last.id}/delete", data={"version": str(last.version)})
    assert plotted() == NEAR_TEN[:-1]


def test_a_new_phase_that_started_at_a_deleted_value_starts_at_the_next(
    world, client_for, measure, add_point
):
    first = add_point(
        measure, world.team_a, month(3), 5, starts_new_phase=True, phase_reason="Rota"
    )
    add_point(measure, world.team_a, month(4), 6)
    client = client_for(world.member_a)
    asked = client.get(f"/points/{first.id}/delete")
    assert "The new phase that starts here will start at the next value, 1 April 2026" in (
        text_of(asked)
    )
    client.post(f"/points/{first.id}/delete", data={"version": str(first.version)})
    [following] = points()
    assert (following.starts_new_phase, following.phase_reason) == (True, "Rota")
    [event] = audits(AuditAction.UPDATE)
    assert event.after == {"starts_new_phase": True, "phase_reason": "Rota"}


# Is this right? -------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_value_far_outside_the_usual_ones_is_asked_about_not_saved(
    world, client_for, measure, near_ten, headers
):
    client = client_for(world.member_a)
    response = client.post(
        f"/measures/{measure.id}/points", data=row(month(9), "756843"), headers=headers
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "756,843 is much higher than this measure's usual values (8 to 14). Is this right?" in (
        text
    )
    assert "nothing is saved yet" in text
    assert "Yes, save 756,843" in text
    assert "more than 10 times as far from it as those values usually are" in text  # the rule
    html = response.get_data(as_text=True)
    assert '<input type="hidden" name="confirmed" value="756843">' in html
    assert 'id="value-2026-09-01" name="value"' in html and 'value="756843"' in html
    assert "HX-Trigger" not in response.headers
    if headers:
        assert html.lstrip().startswith('<section id="data-entry"')
    assert [p.value for p in points()] == NEAR_TEN
    assert audits(AuditAction.CREATE) == []


def test_saying_yes_saves_the_value(world, client_for, measure, near_ten):
    client = client_for(world.member_a)
    url = f"/measures/{measure.id}/points"
    client.post(url, data=row(month(9), "756843"))
    response = client.post(url, data=row(month(9), "756843", confirmed="756843"))
    assert response.status_code == 303
    assert points()[-1].value == 756843
    [event] = audits(AuditAction.CREATE)
    assert event.after["value"] == 756843


@pytest.mark.parametrize("changed_to", ["756844", "75684"])
def test_a_changed_value_after_the_question_is_asked_about_again(
    world, client_for, measure, near_ten, changed_to
):
    client = client_for(world.member_a)
    url = f"/measures/{measure.id}/points"
    response = client.post(url, data=row(month(9), changed_to, confirmed="756843"))
    assert response.status_code == 200
    assert f"Yes, save {int(changed_to):,}" in text_of(response)
    assert f'name="confirmed" value="{changed_to}"' in response.get_data(as_text=True)
    assert len(points()) == len(NEAR_TEN)


def test_a_corrected_value_saves_at_once(world, client_for, measure, near_ten):
    client = client_for(world.member_a)
    url = f"/measures/{measure.id}/points"
    client.post(url, data=row(month(9), "756843"))
    # the "yes" of the question is still in the form, but the number is another one
    response = client.post(url, data=row(month(9), "13", confirmed="756843"))
    assert response.status_code == 303
    assert points()[-1].value == 13


@pytest.mark.parametrize("value", ["7", "14", "20", "0"])
def test_usual_values_save_at_once_as_before(world, client_for, measure, near_ten, value):
    response = client_for(world.member_a).post(
        f"/measures/{measure.id}/points", data=row(month(9), value)
    )
    assert response.status_code == 303
    assert points()[-1].value == float(value)


def test_nothing_is_asked_with_fewer_than_six_values(world, client_for, measure, add_point):
    for number, value in enumerate(NEAR_TEN[:5], 1):
        add_point(measure, world.team_a, month(number), value)
    response = client_for(world.member_a).post(
        f"/measures/{measure.id}/points", data=row(month(9), "756843")
    )
    assert response.status_code == 303


def test_a_value_far_below_is_asked_about_too(world, client_for, aim, make_measure, add_point):
    measure = make_measure(aim, value_kind="continuous")
    for number, value in enumerate([100, 110, 105, 120, 98, 112], 1):
        add_point(measure, world.team_a, month(number), value)
    response = client_for(world.member_a).post(
        f"/measures/{measure.id}/points", data=row(month(7), "1.05")
    )
    assert response.status_code == 200
    assert "1.05 is much lower than this measure's usual values (98 to 120)" in text_of(response)


def test_an_unusual_total_is_asked_about(world, client_for, aim, make_measure, add_point):
    measure = make_measure(aim, value_kind="proportion")
    for number in range(1, 7):
        add_point(measure, world.team_a, month(number), 8, denominator=30)
    client = client_for(world.member_a)
    url = f"/measures/{measure.id}/points"
    response = client.post(url, data=row(month(7), "8", denominator="30000"))
    assert response.status_code == 200
    text = text_of(response)
    assert "The number it is out of, 30,000, is much higher than this measure's usual ones" in text
    assert "Yes, save 8 out of 30,000" in text
    confirmed = row(month(7), "8", denominator="30000", confirmed="8 out of 30000")
    assert client.post(url, data=confirmed).status_code == 303
    assert points()[-1].denominator == 30000


def test_changing_only_the_note_of_a_confirmed_value_asks_nothing(
    world, client_for, measure, near_ten, add_point
):
    saved = add_point(measure, world.team_a, month(9), 756843)
    data = row(month(9), "756843", note="Checked: right", version=str(saved.version))
    response = client_for(world.member_a).post(f"/measures/{measure.id}/points", data=data)
    assert response.status_code == 303
    assert points()[-1].note == "Checked: right"


def test_a_row_that_starts_a_new_phase_is_compared_with_its_own_phase(
    world, client_for, measure, near_ten
):
    data = row(month(9), "756843", starts_new_phase="y", phase_reason="Counted per year now")
    response = client_for(world.member_a).post(f"/measures/{measure.id}/points", data=data)
    assert response.status_code == 303
