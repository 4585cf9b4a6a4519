"""The chart type must suit the kind of value (issue 15 point 3), and changing only the chart is
not a new definition: no revision, no new phase, no "applies from" date.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from improve.analysis.series import CHARTS_FOR_KIND
from improve.extensions import db
from improve.models import AuditAction, ChartType, DataPoint, Measure, MeasureRevision, ValueKind
from tests.conftest import HTMX, text_of
from tests.measures.test_views import audits, count, measure_form, points

FITS = [(kind, chart) for kind, charts in CHARTS_FOR_KIND.items() for chart in charts]
MISFITS = [
    (kind.value, chart.value)
    for kind in ValueKind
    for chart in ChartType
    if chart.value not in CHARTS_FOR_KIND[kind.value]
]
# What the error says the person may choose instead, for each kind of value.
CHOICES = {
    "continuous": "For a measurement choose an I chart, a moving range chart or a run chart.",
    "count": "For a count of events choose a c chart, an I chart or a run chart.",
    "proportion": "For a proportion (a number out of a total) choose a p chart or a run chart.",
    "rate": "For a rate (events per amount of time or care) choose a u chart or a run chart.",
    "events": "For the dates of events choose a g chart, a t chart or a run chart.",
}


@pytest.fixture
def aim(world, make_aim):
    return make_aim(world.team_a)


@pytest.fixture
def measure(world, aim, make_measure, add_point):
    """A count of falls with three months of data, drawn as a run chart."""
    measure = make_measure(aim, chart_type="run")
    for month, value in ((2, 3), (3, 4), (4, 2)):
        add_point(measure, world.team_a, date(2026, month, 1), value)
    return measure


def phase_starts() -> int:
    return sum(point.starts_new_phase for point in points())


def edit(client, measure: Measure, **fields):
    """Post the edit form as loaded from the saved measure, with `fields` changed."""
    db.session.refresh(measure)
    saved = {"operational_definition": None, "target_value": None, "target_date": None}
    data = measure_form(version=str(measure.version), **(saved | fields))
    return client.post(f"/measures/{measure.id}/edit", data=data)


# Defining a measure -------------------------------------------------------------------------


def test_every_chart_has_a_misfit_except_the_run_chart():
    assert {chart for _, chart in MISFITS} == {c.value for c in ChartType} - {"run"}
    assert len(FITS) + len(MISFITS) == len(ValueKind) * len(ChartType)


@pytest.mark.parametrize(("kind", "chart"), MISFITS)
def test_mismatched_chart_is_refused_and_nothing_written(world, client_for, aim, kind, chart):
    client = client_for(world.member_a)
    data = measure_form(value_kind=kind, chart_type=chart)
    response = client.post(f"/aims/{aim.id}/measures/new", data=data)
    assert response.status_code == 422
    text = text_of(response)
    assert "There is a problem" in text
    assert CHOICES[kind] in text
    html = response.get_data(as_text=True)
    assert 'href="#chart_type"' in html  # the error summary links to the chart question
    assert count(Measure) == 0
    assert audits("Measure") == []


def test_the_message_says_what_the_chart_needs_in_plain_words(world, client_for, aim):
    data = measure_form(value_kind="count", chart_type="p")
    response = client_for(world.member_a).post(f"/aims/{aim.id}/measures/new", data=data)
    assert (
        "A p chart needs a proportion (a number out of a total). For a count of events choose "
        "a c chart, an I chart or a run chart." in text_of(response)
    )


def test_mismatched_shared_measure_is_refused_for_htmx_too(world, client_for):
    client = client_for(world.coordinator_x)
    data = measure_form(value_kind="rate", chart_type="c")
    response = client.post(f"/collaboratives/{world.x.id}/measures/new", data=data, headers=HTMX)
    assert response.status_code == 422
    assert "A c chart needs a count of events." in text_of(response)
    assert count(Measure) == 0


@pytest.mark.parametrize(("kind", "chart"), [("count", "xbar"), ("average", "p"), ("count", "")])
def test_unknown_kind_or_chart_gets_its_own_message(world, client_for, aim, kind, chart):
    data = measure_form(value_kind=kind, chart_type=chart)
    response = client_for(world.member_a).post(f"/aims/{aim.id}/measures/new", data=data)
    assert response.status_code == 422
    text = text_of(response)
    assert "Choose one of the options shown" in text or "Choose a chart" in text
    assert " needs " not in text
    assert count(Measure) == 0


@pytest.mark.parametrize(("kind", "chart"), FITS)
def test_matching_chart_is_accepted(world, client_for, aim, kind, chart):
    # A share's target is a fraction of 1; the other kinds keep the form's 4.
    target = {"target_value": "0.8"} if kind == "proportion" else {}
    data = measure_form(value_kind=kind, chart_type=chart, **target)
    response = client_for(world.member_a).post(f"/aims/{aim.id}/measures/new", data=data)
    assert response.status_code == 303
    measure = db.session.scalars(sa.select(Measure)).one()
    assert (measure.value_kind, measure.chart_type) == (kind, chart)


def test_chart_hint_says_which_charts_suit_which_numbers(world, client_for, aim):
    text = text_of(client_for(world.member_a).get(f"/aims/{aim.id}/measures/new"))
    assert "A run chart (your numbers over time, with a middle line) suits every kind" in text
    assert "for a measurement, an I chart or a moving range chart" in text
    assert "for a count of events, a c chart or an I chart" in text
    assert "for a proportion (a number out of a total), a p chart" in text
    assert "for a rate (events per amount of time or care), a u chart" in text


# Changing a measure -------------------------------------------------------------------------


def test_changing_only_the_chart_is_not_a_new_definition(world, client_for, measure):
    version = measure.version
    client = client_for(world.member_a)
    response = edit(client, measure, chart_type="c")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/measures/{measure.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Chart changed: the definition and its phases are as they were." in page
    db.session.expire_all()
    assert measure.chart_type == ChartType.C
    assert measure.version > version
    assert count(MeasureRevision) == 0
    assert phase_starts() == 0
    [event] = audits("Measure")
    assert event.action == AuditAction.UPDATE
    assert (event.before, event.after) == ({"chart_type": "run"}, {"chart_type": "c"})
    assert audits("MeasureRevision") == []
    assert audits("DataPoint") == []


def test_after_a_chart_change_the_next_point_starts_no_phase(world, client_for, measure):
    client = client_for(world.member_a)
    assert edit(client, measure, chart_type="i").status_code == 303
    data = {"period": "2026-05-01", "value": "1", "version": ""}
    assert client.post(f"/measures/{measure.id}/points", data=data).status_code == 303
    assert len(points()) == 4
    assert phase_starts() == 0


def test_chart_change_keeps_earlier_revisions_and_phases_as_they_were(world, client_for, measure):
    client = client_for(world.member_a)
    redefined = edit(
        client,
        measure,
        unit="falls",
        effective_from=["1", "3", "2026"],
        reason="Counted from the new log",
    )
    assert redefined.status_code == 303
    assert (count(MeasureRevision), phase_starts()) == (1, 1)
    assert edit(client, measure, unit="falls", chart_type="c").status_code == 303
    assert (count(MeasureRevision), phase_starts()) == (1, 1)
    db.session.expire_all()
    assert measure.chart_type == ChartType.C


def test_the_change_page_says_a_chart_change_needs_no_date(world, client_for, measure):
    text = text_of(client_for(world.member_a).get(f"/measures/{measure.id}/edit"))
    assert "Changing only the chart is not a new definition" in text
    assert "Leave it empty if you only change the chart." in text


def test_a_date_given_with_only_a_chart_change_starts_no_phase(world, client_for, measure):
    response = edit(
        client_for(world.member_a),
        measure,
        chart_type="c",
        effective_from=["1", "3", "2026"],
        reason="Enough points for limits now",
    )
    assert response.status_code == 303
    assert (count(MeasureRevision), phase_starts()) == (0, 0)


def test_stale_chart_change_is_refused(world, client_for, measure):
    data = measure_form(
        chart_type="c",
        operational_definition=None,
        target_value=None,
        target_date=None,
        version=str(measure.version - 1),
    )
    response = client_for(world.member_a).post(f"/measures/{measure.id}/edit", data=data)
    assert response.status_code == 409
    db.session.expire_all()
    assert measure.chart_type == ChartType.RUN
    assert audits("Measure") == []


def test_mismatched_chart_change_is_refused_and_nothing_written(world, client_for, measure):
    response = edit(client_for(world.member_a), measure, chart_type="u")
    assert response.status_code == 422
    text = text_of(response)
    assert "A u chart needs a rate (events per amount of time or care)." in text
    assert CHOICES["count"] in text
    db.session.expire_all()
    assert measure.chart_type == ChartType.RUN
    assert audits("Measure") == []


def test_changing_the_kind_needs_a_chart_that_suits_the_new_kind(world, client_for, measure):
    client = client_for(world.member_a)
    change = {"effective_from": ["1", "3", "2026"], "reason": "Now out of residents"}
    refused = edit(client, measure, value_kind="proportion", chart_type="c", **change)
    assert refused.status_code == 422
    assert "A c chart needs a count of events." in text_of(refused)
    assert count(MeasureRevision) == 0
    accepted = edit(client, measure, value_kind="proportion", chart_type="p", **change)
    assert accepted.status_code == 303
    assert (count(MeasureRevision), phase_starts()) == (1, 1)


@pytest.mark.parametrize(
    "fields",
    [
        {"operational_definition": "Only falls with an injury"},
        {"direction": "increase"},
        {"direction": "increase", "chart_type": "c"},
    ],
)
def test_changing_the_definition_still_keeps_a_revision(world, client_for, measure, fields):
    client = client_for(world.member_a)
    undated = edit(client, measure, **fields)
    assert undated.status_code == 422
    assert "Enter the date the new definition applies from" in text_of(undated)
    assert "Say why the definition is changing" in text_of(undated)
    assert count(MeasureRevision) == 0
    dated = edit(client, measure, effective_from=["1", "3", "2026"], reason="Agreed", **fields)
    assert dated.status_code == 303
    revision = db.session.scalars(sa.select(MeasureRevision)).one()
    assert revision.previous_definition["chart_type"] == "run"
    assert revision.effective_from == date(2026, 3, 1)
    assert phase_starts() == 1
    db.session.expire_all()
    starts = db.session.scalars(sa.select(DataPoint).where(DataPoint.starts_new_phase)).one()
    assert starts.period_start == date(2026, 3, 1)
