"""Aims: setting and changing them, their status, their dated assessments, and the aim page.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from improve.aims.forms import NEEDS_REASON, NO_TARGET, NO_TARGET_DATE
from improve.extensions import db
from improve.models import Aim, AimAssessment, AimStatus, AuditAction
from tests.aims.conftest import (
    assert_fragment,
    assert_full_page,
    audit,
    body,
    count,
    duplicate_ids,
    input_value,
    record_audit_rows,
    visible,
)
from tests.conftest import BOOSTED, HISTORY_RESTORE, HTMX, PEOPLE

# Who may change team A's records: its lead and members, and admins. Others who see team A get
# 403; those who cannot see it get 404.
EDIT_STATUSES = {
    "admin": "ok",
    "coordinator_x": 403,
    "coordinator_y": 404,
    "panel_x": 403,
    "lead_a": "ok",
    "member_a": "ok",
    "expert_a": 403,
    "member_b": 404,
    "member_c": 404,
    "nobody": 404,
}


def aim_form(**fields) -> dict:
    values = {
        "title": "Fewer falls at night",
        "what": "Reduce falls in our home",
        "for_whom": "People who live at Riverside",
        "location": "Riverside Care Home",
        "unit": "falls a month",
        "baseline_value": "9",
        "target_value": "4",
        "target_date": ["31", "3", "2027"],
    }
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


def status_form(aim: Aim, status: str, reason: str = "", version: int | None = None) -> dict:
    return {
        "status-status": status,
        "status-stopped_reason": reason,
        "status-version": str(aim.version if version is None else version),
    }


def assessment_form(**fields) -> dict:
    values = {
        "assessment-assessed_on": ["2", "3", "2026"],
        "assessment-where_are_we_now": "Nine falls last month, most at night.",
        "assessment-what_do_we_want_to_achieve": "Four falls a month or fewer.",
        "assessment-how_will_we_get_there": "Night lights and a handover sheet.",
        "assessment-who_needs_to_act": "",
        "assessment-timescales": "By June",
        "assessment-learning_points": "",
        "assessment-action_points": "",
    }
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


def reload(record):
    db.session.expire_all()
    return db.session.get(type(record), record.id)


# Setting an aim ----------------------------------------------------------------------------------


def test_who_may_set_an_aim(world, client_for):
    url = f"/teams/{world.team_a.id}/aims/new"
    statuses = {}
    for role in PEOPLE:
        client = client_for(getattr(world, role))
        get = client.get(url).status_code
        post = client.post(url, data=aim_form(title=f"Aim by {role}")).status_code
        statuses[role] = (get, post)
    expected = {
        role: (200, 303) if status == "ok" else (status, status)
        for role, status in EDIT_STATUSES.items()
    }
    assert statuses == expected
    titles = set(db.session.scalars(sa.select(Aim.title)))
    assert titles == {"Aim by admin", "Aim by lead_a", "Aim by member_a"}


def test_the_new_aim_form_asks_the_first_question(world, sign_in):
    response = sign_in(world.lead_a).get(f"/teams/{world.team_a.id}/aims/new")
    text = visible(response)
    assert response.status_code == 200
    assert "Set a new aim" in text and "what are we trying to accomplish?" in text
    assert "Some is not a number, soon is not a time" in text
    assert 'name="version"' not in body(response)  # nothing to be out of date with yet


def test_setting_an_aim_saves_it_and_audits_it(world, sign_in):
    response = sign_in(world.member_a).post(
        f"/teams/{world.team_a.id}/aims/new", data=aim_form(baseline_value="9.5")
    )
    aim = db.session.scalar(sa.select(Aim))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/aims/{aim.id}"
    assert (aim.team_id, aim.created_by_id, aim.status) == (
        world.team_a.id,
        world.member_a.id,
        AimStatus.ACTIVE,
    )
    assert (aim.baseline_value, aim.target_value, aim.target_date) == (
        9.5,
        4.0,
        date(2027, 3, 31),
    )
    [event] = audit("Aim", AuditAction.CREATE)
    assert (event.entity_id, event.actor_id) == (aim.id, world.member_a.id)
    assert (event.team_id, event.collaborative_id) == (world.team_a.id, world.x.id)
    assert event.after["target_value"] == 4.0 and event.after["target_date"] == "2027-03-31"
    assert event.after["status"] == "active"


def test_the_baseline_and_unit_may_be_left_empty(world, sign_in):
    client = sign_in(world.lead_a)
    response = client.post(
        f"/teams/{world.team_a.id}/aims/new", data=aim_form(baseline_value="", unit=None)
    )
    assert response.status_code == 303
    aim = db.session.scalar(sa.select(Aim))
    assert (aim.baseline_value, aim.unit) == (None, "")
    text = visible(client.get(response.headers["Location"]))
    assert "To 4 by 31 March 2027" in text and "Not known yet" in text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"target_value": ""}, NO_TARGET),
        ({"target_value": None}, NO_TARGET),
        ({"target_value": "some"}, "Target must be a number, like 4 or 12.5"),
        ({"target_value": "nan"}, "Target must be a number, like 4 or 12.5"),
        ({"target_value": "inf"}, "Target must be a number, like 4 or 12.5"),
        ({"target_value": "-Infinity"}, "Target must be a number, like 4 or 12.5"),
        ({"target_value": "1e9"}, "Target must be a number, like 4 or 12.5"),
        ({"target_value": "4,5"}, "Target must be a number, like 4 or 12.5"),
        ({"target_value": "9" * 21}, "Target must be a number, like 4 or 12.5"),
        ({"baseline_value": "lots"}, "Where are you now? (optional) must be a number"),
        ({"target_date": ["", "", ""]}, NO_TARGET_DATE),
        ({"target_date": None}, NO_TARGET_DATE),
        ({"target_date": "soon"}, "By when? must be a real date"),
        ({"target_date": ["31", "2", "2027"]}, "By when? must be a real date"),
        ({"target_date": ["1", "1", "27"]}, "By when? must have a 4-digit year"),
        ({"title": "  "}, "Enter a short name for the aim"),
        ({"title": "x" * 201}, "Short name for the aim must be 200 characters or fewer"),
        ({"what": "x" * 5001}, "What are you trying to improve? must be 5000 characters or fewer"),
        ({"what": "Fewer\x00falls"}, "What are you trying to improve? contains characters"),
        ({"for_whom": ""}, "Say who the aim is for"),
        ({"location": ""}, "Say where this will happen"),
    ],
    ids=[
        "no-target",
        "target-missing",
        "some",
        "nan",
        "inf",
        "minus-infinity",
        "exponent",
        "comma",
        "too-long-number",
        "bad-baseline",
        "no-date",
        "date-missing",
        "date-one-part",
        "not-a-day",
        "two-digit-year",
        "spaces-title",
        "long-title",
        "long-what",
        "nul",
        "no-for-whom",
        "no-location",
    ],
)
def test_an_aim_without_a_number_or_a_date_is_refused(world, sign_in, fields, message):
    response = sign_in(world.lead_a).post(
        f"/teams/{world.team_a.id}/aims/new", data=aim_form(**fields)
    )
    assert response.status_code == 422
    assert message in visible(response)
    assert "There is a problem" in visible(response)
    assert count(Aim) == 0
    assert record_audit_rows() == []


def test_a_refused_aim_keeps_what_was_typed(world, sign_in):
    response = sign_in(world.lead_a).post(
        f"/teams/{world.team_a.id}/aims/new", data=aim_form(target_value="some", title="Mine")
    )
    assert (input_value(response, "target_value"), input_value(response, "title")) == (
        "some",
        "Mine",
    )


# The aim page ------------------------------------------------------------------------------------


def test_who_may_see_an_aim(world, client_for, make_aim):
    aims = [make_aim(team) for team in (world.team_a, world.team_b, world.team_c)]
    statuses = {
        role: tuple(client_for(getattr(world, role)).get(f"/aims/{a.id}").status_code for a in aims)
        for role in PEOPLE
    }
    assert statuses == {
        "admin": (200, 200, 200),
        "coordinator_x": (200, 200, 404),
        "coordinator_y": (404, 404, 200),
        "panel_x": (200, 200, 404),
        "lead_a": (200, 404, 404),
        "member_a": (200, 404, 404),
        "expert_a": (200, 404, 404),
        "member_b": (404, 200, 404),
        "member_c": (404, 404, 200),
        "nobody": (404, 404, 404),
    }


@pytest.mark.parametrize("path", ["/aims/99999", "/aims/0", "/aims/99999999999", "/aims/x"])
def test_an_unknown_aim_is_not_found(world, sign_in, path):
    assert sign_in(world.admin).get(path).status_code == 404


def test_the_aim_page_answers_the_three_questions_in_their_places(world, sign_in, make_aim):
    aim = make_aim(world.team_a)
    response = sign_in(world.lead_a).get(f"/aims/{aim.id}")
    assert response.status_code == 200
    text = visible(response)
    questions = [
        "What are we trying to accomplish?",
        "How will we know that a change is an improvement?",
        "What changes can we make that will result in improvement?",
    ]
    assert [text.index(question) for question in questions] == sorted(
        text.index(question) for question in questions
    )
    assert "From 9 to 4 falls a month by 31 March 2027" in text
    assert "set up and charted on the measures page" in text
    assert "People who live at Riverside" in text and "Riverside Care Home" in text
    # The other features' sections are part of the page.
    assert "Comments" in text and 'id="comments' in body(response)
    assert f'href="/history/Aim/{aim.id}"' in body(response)
    assert duplicate_ids(response) == []


def test_the_team_page_links_to_its_aims_and_offers_a_new_one(world, client_for, make_aim):
    aim = make_aim(world.team_a, title="Fewer falls at night")
    for role, offered in [
        ("lead_a", True),
        ("member_a", True),
        ("admin", True),
        ("expert_a", False),
        ("panel_x", False),
        ("coordinator_x", False),
    ]:
        page = body(client_for(getattr(world, role)).get(f"/teams/{world.team_a.id}"))
        assert f'href="/aims/{aim.id}">Fewer falls at night</a>' in page
        assert (f'href="/teams/{world.team_a.id}/aims/new"' in page) is offered, role


@pytest.mark.parametrize("role", ["expert_a", "panel_x", "coordinator_x"])
def test_those_who_only_read_see_no_controls(world, sign_in, make_aim, make_driver, role):
    aim = make_aim(world.team_a)
    make_driver(aim, "Staff know who is at risk")
    response = sign_in(getattr(world, role)).get(f"/aims/{aim.id}")
    text = visible(response)
    assert response.status_code == 200
    assert "Staff know who is at risk" in text and "Fewer falls at night" in text
    for control in (
        "Change the aim",
        "Change the status",
        "Take stock now",
        "Add a primary driver",
        "Move down",
        "Remove",
    ):
        assert control not in text, control
    for action in (
        f"/aims/{aim.id}/status",
        f"/aims/{aim.id}/assessments",
        f"/aims/{aim.id}/drivers/",
        f"/aims/{aim.id}/ideas",
        "/drivers/",
    ):
        assert f'action="{action}' not in body(response), action


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [({}, False), (HTMX, True), (BOOSTED, False), (HISTORY_RESTORE, False)],
    ids=["plain", "htmx", "boosted", "history-restore"],
)
def test_htmx_asks_for_the_diagram_alone(world, sign_in, make_aim, headers, fragment):
    aim = make_aim(world.team_a)
    response = sign_in(world.lead_a).get(f"/aims/{aim.id}", headers=headers)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    if fragment:
        assert_fragment(response, "drivers-diagram")
    else:
        assert_full_page(response)


@pytest.mark.parametrize(
    ("focus", "focused"),
    [
        ("driver-{id}", "change-driver-{id}"),
        ("driver-{id}-down", "move-driver-{id}-down"),
        ("driver-{id}-up", "move-driver-{id}-down"),  # first already: the nearest control
        ("diagram", "drivers-heading"),
        ("<script>", None),
        ("driver-{id}" + "9" * 20, None),
    ],
    ids=["change", "down", "up-at-top", "heading", "markup", "huge"],
)
def test_the_address_can_put_the_focus_back_on_a_control(
    world, sign_in, make_aim, make_driver, focus, focused
):
    aim = make_aim(world.team_a)
    driver = make_driver(aim, "First")
    make_driver(aim, "Second")
    response = sign_in(world.lead_a).get(
        f"/aims/{aim.id}", query_string={"focus": focus.format(id=driver.id)}
    )
    assert response.status_code == 200
    autofocused = re.findall(r'<(?:a|button|h2)[^>]*\sid="([^"]+)"[^>]*\sautofocus', body(response))
    assert autofocused == ([focused.format(id=driver.id)] if focused else [])


# Changing an aim ---------------------------------------------------------------------------------


def test_who_may_change_an_aim(world, client_for, make_aim):
    aim = make_aim(world.team_a)
    url = f"/aims/{aim.id}/edit"
    statuses = {}
    for role in PEOPLE:
        client = client_for(getattr(world, role))
        get = client.get(url).status_code
        version = reload(aim).version
        post = client.post(url, data=aim_form(title=f"By {role}", version=str(version)))
        statuses[role] = (get, post.status_code)
    assert statuses == {
        role: (200, 303) if status == "ok" else (status, status)
        for role, status in EDIT_STATUSES.items()
    }
    assert reload(aim).title == "By member_a"  # the last permitted change


def test_the_edit_form_opens_with_the_saved_values_and_version(world, sign_in, make_aim):
    aim = make_aim(world.team_a)
    response = sign_in(world.lead_a).get(f"/aims/{aim.id}/edit")
    values = {
        name: input_value(response, name)
        for name in ("title", "target_value", "baseline_value", "target_date-year", "version")
    }
    assert values == {
        "title": "Fewer falls at night",
        "target_value": "4",
        "baseline_value": "9",
        "target_date-year": "2027",
        "version": str(aim.version),
    }


def test_a_change_is_saved_and_only_the_changed_fields_are_audited(world, sign_in, make_aim):
    aim = make_aim(world.team_a)
    response = sign_in(world.lead_a).post(
        f"/aims/{aim.id}/edit",
        data=aim_form(target_value="3", target_date=["30", "6", "2027"], version=str(aim.version)),
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/aims/{aim.id}"
    aim = reload(aim)
    assert (aim.target_value, aim.target_date) == (3.0, date(2027, 6, 30))
    [event] = audit("Aim", AuditAction.UPDATE)
    assert event.before == {"target_value": 4.0, "target_date": "2027-03-31"}
    assert event.after == {"target_value": 3.0, "target_date": "2027-06-30"}
    assert (event.actor_id, event.team_id, event.collaborative_id) == (
        world.lead_a.id,
        world.team_a.id,
        world.x.id,
    )


def test_saving_without_a_change_writes_no_audit_row(world, sign_in, make_aim):
    aim = make_aim(world.team_a)
    client = sign_in(world.lead_a)
    response = client.post(f"/aims/{aim.id}/edit", data=aim_form(version=str(aim.version)))
    assert response.status_code == 303
    assert audit("Aim", AuditAction.UPDATE) == []
    assert "Nothing was changed." in visible(client.get(f"/aims/{aim.id}"))


@pytest.mark.parametrize("version", ["stale", "missing", "garbage"])
def test_a_save_over_someone_elses_is_refused_and_both_are_shown(world, sign_in, make_aim, version):
    aim = make_aim(world.team_a)
    loaded = aim.version
    aim.title = "Their newer title"
    db.session.commit()  # someone else saved after this person opened the form
    form = aim_form(title="My title", target_value="3")
    if version == "stale":
        form["version"] = str(loaded)
    elif version == "garbage":
        form["version"] = "x1"
    client = sign_in(world.member_a)
    response = client.post(f"/aims/{aim.id}/edit", data=form)
    assert response.status_code == 409
    text = visible(response)
    assert "Someone else saved this aim while you were editing" in text
    assert "Their newer title" in text  # their saved version
    assert (input_value(response, "title"), input_value(response, "target_value")) == (
        "My title",
        "3",
    )  # mine, kept
    current = reload(aim)
    assert (current.title, current.target_value) == ("Their newer title", 4.0)
    assert audit("Aim", AuditAction.UPDATE) == []
    # The form now carries the saved version: saving again, on purpose, works.
    assert input_value(response, "version") == str(current.version)
    form["version"] = str(current.version)
    assert client.post(f"/aims/{aim.id}/edit", data=form).status_code == 303
    assert reload(aim).title == "My title"


def test_an_invalid_change_is_refused(world, sign_in, make_aim):
    aim = make_aim(world.team_a)
    response = sign_in(world.lead_a).post(
        f"/aims/{aim.id}/edit", data=aim_form(target_value="soon", version=str(aim.version))
    )
    assert response.status_code == 422
    assert "Target must be a number" in visible(response)
    assert reload(aim).target_value == 4.0
    assert audit("Aim", AuditAction.UPDATE) == []


def test_another_teams_aim_cannot_be_changed(world, sign_in, make_aim):
    aim_b, aim_c = make_aim(world.team_b), make_aim(world.team_c)
    client = sign_in(world.lead_a)
    for aim in (aim_b, aim_c):
        assert client.get(f"/aims/{aim.id}/edit").status_code == 404
        form = aim_form(title="Taken over", version=str(aim.version))
        assert client.post(f"/aims/{aim.id}/edit", data=form).status_code == 404
        assert reload(aim).title == "Fewer falls at night"


# Status ------------------------------------------------------------------------------------------


def test_marking_an_aim_achieved_without_javascript(world, sign_in, make_aim):
    aim = make_aim(world.team_a)
    client = sign_in(world.lead_a)
    response = client.post(f"/aims/{aim.id}/status", data=status_form(aim, "achieved"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/aims/{aim.id}#aim-status"
    assert reload(aim).status == AimStatus.ACHIEVED
    [event] = audit("Aim", AuditAction.UPDATE)
    assert (event.before, event.after) == ({"status": "active"}, {"status": "achieved"})
    assert event.team_id == world.team_a.id
    assert "The aim is now marked achieved." in visible(client.get(f"/aims/{aim.id}"))


def test_stopping_an_aim_with_htmx_returns_the_status_section(world, sign_in, make_aim):
    aim = make_aim(world.team_a)
    response = sign_in(world.member_a).post(
        f"/aims/{aim.id}/status",
        data=status_form(aim, "stopped", "The service closed"),
        headers=HTMX,
    )
    assert response.status_code == 200
    assert_fragment(response, "aim-status")
    text = visible(response)
    assert "The aim is now marked stopped." in text and "Why: The service closed" in text
    aim = reload(aim)
    assert (aim.status, aim.stopped_reason) == (AimStatus.STOPPED, "The service closed")


def test_a_reason_only_stays_while_the_aim_is_stopped(world, sign_in, make_aim):
    aim = make_aim(world.team_a, status=AimStatus.STOPPED, stopped_reason="Paused for winter")
    response = sign_in(world.lead_a).post(
        f"/aims/{aim.id}/status", data=status_form(aim, "active", "Paused for winter")
    )
    assert response.status_code == 303
    aim = reload(aim)
    assert (aim.status, aim.stopped_reason) == (AimStatus.ACTIVE, "")
    [event] = audit("Aim", AuditAction.UPDATE)
    assert event.before == {"status": "stopped", "stopped_reason": "Paused for winter"}


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"status-status": "stopped", "status-stopped_reason": " "}, NEEDS_REASON),
        ({"status-status": "paused"}, "Choose one of the statuses shown"),
        ({}, "Choose a status"),
        (
            {"status-status": "stopped", "status-stopped_reason": "x" * 5001},
            "must be 5000 characters or fewer",
        ),
    ],
    ids=["stopped-without-reason", "unknown-status", "no-status", "long-reason"],
)
def test_an_invalid_status_is_refused(world, sign_in, make_aim, form, message, htmx):
    aim = make_aim(world.team_a)
    form = {"status-version": str(aim.version), **form}
    response = sign_in(world.lead_a).post(
        f"/aims/{aim.id}/status", data=form, headers=HTMX if htmx else {}
    )
    assert response.status_code == 422
    assert message in visible(response)
    if htmx:
        assert_fragment(response, "aim-status")
    else:
        assert_full_page(response)
    assert reload(aim).status == AimStatus.ACTIVE
    assert audit("Aim", AuditAction.UPDATE) == []


@pytest.mark.parametrize(("headers", "status"), [({}, 409), (HTMX, 422)], ids=["no-js", "htmx"])
def test_a_status_change_over_someone_elses_is_refused(world, sign_in, make_aim, headers, status):
    aim = make_aim(world.team_a)
    form = status_form(aim, "stopped", "Too hard")
    aim.status = AimStatus.ACHIEVED
    db.session.commit()
    response = sign_in(world.lead_a).post(f"/aims/{aim.id}/status", data=form, headers=headers)
    assert response.status_code == status
    assert "Someone else changed this aim while you were looking at it" in visible(response)
    assert "The aim is now marked achieved" in visible(response)
    assert "Too hard" in visible(response)  # what they typed is kept
    assert reload(aim).status == AimStatus.ACHIEVED


def test_the_database_refuses_a_stopped_aim_without_a_reason(world, make_aim):
    aim = make_aim(world.team_a)
    aim.status = AimStatus.STOPPED
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_who_may_change_the_status(world, client_for, make_aim):
    aim = make_aim(world.team_a)
    statuses = {}
    for role in PEOPLE:
        form = status_form(reload(aim), "achieved" if role != "member_a" else "active")
        response = client_for(getattr(world, role)).post(f"/aims/{aim.id}/status", data=form)
        statuses[role] = response.status_code
    assert statuses == {
        role: 303 if status == "ok" else status for role, status in EDIT_STATUSES.items()
    }


# Assessments -------------------------------------------------------------------------------------


def test_taking_stock_without_javascript(world, sign_in, make_aim):
    aim = make_aim(world.team_a)
    response = sign_in(world.lead_a).post(f"/aims/{aim.id}/assessments", data=assessment_form())
    assert response.status_code == 303
    assert response.headers["Location"] == f"/aims/{aim.id}#assessments"
    entry = db.session.scalar(sa.select(AimAssessment))
    assert (entry.aim_id, entry.assessed_on, entry.created_by_id) == (
        aim.id,
        date(2026, 3, 2),
        world.lead_a.id,
    )
    assert entry.where_are_we_now == "Nine falls last month, most at night."
    assert (entry.who_needs_to_act, entry.timescales) == ("", "By June")
    [event] = audit("AimAssessment", AuditAction.CREATE)
    assert (event.entity_id, event.team_id, event.collaborative_id) == (
        entry.id,
        world.team_a.id,
        world.x.id,
    )
    assert event.after["assessed_on"] == "2026-03-02"


def test_assessments_are_added_over_time_and_shown_newest_first(world, sign_in, make_aim):
    aim = make_aim(world.team_a)
    client = sign_in(world.member_a)
    first = assessment_form(**{"assessment-where_are_we_now": "At the start: nine falls."})
    later = assessment_form(
        **{
            "assessment-assessed_on": ["1", "6", "2026"],
            "assessment-where_are_we_now": "Three months in: six falls.",
            "assessment-learning_points": "Night lights help most.",
        }
    )
    client.post(f"/aims/{aim.id}/assessments", data=first)
    response = client.post(f"/aims/{aim.id}/assessments", data=later, headers=HTMX)
    assert response.status_code == 200
    assert_fragment(response, "assessments")
    text = visible(response)
    assert "Assessment added." in text
    assert text.index("Taken stock on 1 June 2026") < text.index("Taken stock on 2 March 2026")
    assert text.index("six falls") < text.index("nine falls")
    assert "Learning points Night lights help most." in text
    assert count(AimAssessment) == 2
    earliest = db.session.scalar(
        sa.select(AimAssessment).where(AimAssessment.assessed_on == date(2026, 3, 2))
    )
    assert earliest.where_are_we_now == "At the start: nine falls."  # never overwritten


def test_the_assessment_date_starts_as_today(world, sign_in, make_aim):
    aim = make_aim(world.team_a)
    response = sign_in(world.lead_a).get(f"/aims/{aim.id}")
    today = date.today()
    assert input_value(response, "assessment-assessed_on-year") == str(today.year)
    assert input_value(response, "assessment-assessed_on-month") == f"{today.month:02d}"


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"assessment-where_are_we_now": ""}, "Say where you are now"),
        ({"assessment-how_will_we_get_there": " "}, "Say how you will get there"),
        ({"assessment-assessed_on": None}, "Enter the date of this assessment"),
        ({"assessment-assessed_on": ["30", "2", "2026"]}, "must be a real date"),
        (
            {"assessment-assessed_on": (date.today() + timedelta(days=1)).strftime("%d %m %Y")},
            "cannot be in the future",
        ),
        ({"assessment-timescales": "x" * 201}, "Timescales (optional) must be 200 characters"),
        ({"assessment-action_points": "a\x00b"}, "contains characters that cannot be saved"),
    ],
    ids=["no-now", "no-how", "no-date", "not-a-date", "future", "long", "nul"],
)
def test_an_invalid_assessment_is_refused(world, sign_in, make_aim, fields, message, htmx):
    aim = make_aim(world.team_a)
    form = assessment_form(**fields)
    if isinstance(form.get("assessment-assessed_on"), str):
        form["assessment-assessed_on"] = form["assessment-assessed_on"].split()
    response = sign_in(world.lead_a).post(
        f"/aims/{aim.id}/assessments", data=form, headers=HTMX if htmx else {}
    )
    assert response.status_code == 422
    assert message in visible(response)
    if htmx:
        assert_fragment(response, "assessments")
    else:
        assert_full_page(response)
    assert count(AimAssessment) == 0
    assert record_audit_rows() == []


def test_who_may_take_stock(world, client_for, make_aim):
    aim = make_aim(world.team_a)
    statuses = {
        role: client_for(getattr(world, role))
        .post(f"/aims/{aim.id}/assessments", data=assessment_form())
        .status_code
        for role in PEOPLE
    }
    assert statuses == {
        role: 303 if status == "ok" else status for role, status in EDIT_STATUSES.items()
    }
    assert count(AimAssessment) == 3


def test_another_teams_aim_takes_no_assessment_or_status(world, sign_in, make_aim):
    client = sign_in(world.member_a)
    for team in (world.team_b, world.team_c):
        aim = make_aim(team)
        assert client.post(f"/aims/{aim.id}/assessments", data=assessment_form()).status_code == 404
        response = client.post(f"/aims/{aim.id}/status", data=status_form(aim, "achieved"))
        assert response.status_code == 404
        assert reload(aim).status == AimStatus.ACTIVE
    assert count(AimAssessment) == 0
