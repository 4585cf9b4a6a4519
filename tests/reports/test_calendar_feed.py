"""Issue 18, the calendar: start and end times on a phase, warnings when phases overlap, and the
private, revocable iCalendar feed of a collaborative's phases.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from improve.extensions import db
from improve.history.wording import audit_value, changed_fields, field_label
from improve.models import AuditAction, AuditEvent, Collaborative, CollaborativePhase, PhaseKind
from improve.reports.schedule import overlap_warning, overlaps, parse_time, phase_when
from tests.conftest import PEOPLE
from tests.cycles.factories import body, visible

THURSDAY = date(2026, 3, 12)  # in GMT
SUMMER_THURSDAY = date(2026, 6, 11)  # in BST, an hour ahead of UTC

# Time parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("9:30", time(9, 30)),
        ("09:30", time(9, 30)),
        ("14.30", time(14, 30)),
        ("14:30", time(14, 30)),
        ("1430", time(14, 30)),
        (" 10 ", time(10)),
        ("2pm", time(14)),
        ("2:30pm", time(14, 30)),
        ("2.30 PM", time(14, 30)),
        ("2:30 p.m.", time(14, 30)),
        ("11am", time(11)),
        ("12pm", time(12)),
        ("12am", time(0)),
        ("12:15am", time(0, 15)),
        ("midday", time(12)),
        ("Noon", time(12)),
        ("0:00", time(0)),
        ("23:59", time(23, 59)),
        # Not times: the form says what to type instead.
        ("24:00", None),
        ("10:60", None),
        ("13pm", None),
        ("0am", None),
        ("half past two", None),
        ("10:5", None),
        ("10::30", None),
        ("-1:00", None),
        ("", None),
        ("١٠:٠٠", None),  # Arabic-Indic digits: not what the hint asks for
        ("10:00\x00", None),
        ("9" * 400, None),
    ],
)
def test_times_are_read_as_people_type_them(typed, expected):
    assert parse_time(typed) == expected


def stand_in(id=1, kind="learning_session", starts_on=THURSDAY, ends_on=None, **more):
    """A phase as the pure rules read it, without a database."""
    fields = {"title": f"Phase {id}", "start_time": None, "end_time": None} | more
    return SimpleNamespace(id=id, kind=kind, starts_on=starts_on, ends_on=ends_on, **fields)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({}, "Thursday 12 March 2026"),
        ({"ends_on": THURSDAY}, "Thursday 12 March 2026"),
        (
            {"start_time": time(10), "end_time": time(15, 30)},
            "Thursday 12 March 2026, 10:00 to 15:30",
        ),
        ({"start_time": time(9, 5)}, "Thursday 12 March 2026, from 09:05"),
        ({"ends_on": date(2026, 4, 30)}, "Thursday 12 March 2026 to Thursday 30 April 2026"),
        (
            {"ends_on": date(2026, 3, 13), "start_time": time(10), "end_time": time(13)},
            "Thursday 12 March 2026, 10:00 to Friday 13 March 2026, 13:00",
        ),
        (
            {"ends_on": date(2026, 3, 13), "start_time": time(10)},
            "Thursday 12 March 2026, 10:00 to Friday 13 March 2026",
        ),
    ],
)
def test_when_a_phase_happens_in_words(fields, words):
    assert phase_when(stand_in(**fields)) == words


# Overlaps ----------------------------------------------------------------------------------------

PREWORK = stand_in(1, "prework", date(2026, 1, 1), date(2026, 2, 28))
START_MEETING = stand_in(2, "start_meeting", date(2026, 2, 10))
SESSION_1 = stand_in(3, "learning_session", date(2026, 3, 2))
ACTION_1 = stand_in(4, "action_period", date(2026, 3, 3), date(2026, 5, 31))
SESSION_2_INSIDE = stand_in(5, "learning_session", date(2026, 4, 15))
SESSION_2_AFTER = stand_in(6, "learning_session", date(2026, 6, 1), date(2026, 6, 2))
ACTION_2_SAME_DAY = stand_in(7, "action_period", date(2026, 6, 2), date(2026, 8, 31))
END_MEETING = stand_in(8, "end_meeting", date(2026, 8, 20))
SHARING = stand_in(9, "dissemination", date(2026, 8, 1), date(2026, 9, 30))


@pytest.mark.parametrize(
    ("phases", "expected"),
    [
        ([], {}),
        # The classic mistake: a learning session inside an action period.
        ([SESSION_1, ACTION_1, SESSION_2_INSIDE], {4: [5], 5: [4]}),
        # Back to back is no overlap; one shared day is.
        ([SESSION_1, ACTION_1, SESSION_2_AFTER], {}),
        ([SESSION_2_AFTER, ACTION_2_SAME_DAY], {6: [7], 7: [6]}),
        # A senior managers' meeting during prework, or an end meeting and the sharing during the
        # last action period, are normal.
        ([PREWORK, START_MEETING], {}),
        ([ACTION_2_SAME_DAY, END_MEETING, SHARING], {}),
        # Two action periods at once, and a phase clashing with two others.
        (
            [ACTION_1, SESSION_2_INSIDE, stand_in(10, "action_period", date(2026, 4, 1))],
            {4: [10, 5], 5: [4], 10: [4]},
        ),
    ],
)
def test_only_the_teams_timetable_is_checked_for_overlaps(phases, expected):
    found = overlaps(phases)
    assert {key: [other.id for other in others] for key, others in found.items()} == expected


def test_the_warning_names_the_other_phase_and_its_dates():
    text = overlap_warning(SESSION_2_INSIDE, [ACTION_1])
    assert text.startswith("‘Phase 5’ overlaps ‘Phase 4’ (Tuesday 3 March 2026 to Sunday 31 May")
    assert "teams may be expected in two places at once" in text


# Times on the phase form -------------------------------------------------------------------------


def form(day: date = THURSDAY, **fields) -> dict:
    values = {
        "kind": "learning_session",
        "title": "Learning session 2",
        "starts_on": [str(day.day), str(day.month), str(day.year)],
        "ends_on": ["", "", ""],
        "start_time": "",
        "end_time": "",
        "notes": "At the town hall",
    }
    return values | fields


def only_phase() -> CollaborativePhase:
    db.session.expire_all()
    return db.session.scalars(sa.select(CollaborativePhase)).one()


def phase_audits() -> list[AuditEvent]:
    db.session.expire_all()
    query = sa.select(AuditEvent).where(AuditEvent.entity_type == "CollaborativePhase")
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def collaborative_audits() -> int:
    query = sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.entity_type == "Collaborative")
    return db.session.scalar(query)


def add(collaborative, kind, title, starts_on, ends_on=None, **more) -> CollaborativePhase:
    phase = CollaborativePhase(
        collaborative_id=collaborative.id,
        kind=kind,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        **more,
    )
    db.session.add(phase)
    db.session.commit()
    return phase


def test_times_are_saved_audited_and_shown(world, client_for):
    client = client_for(world.coordinator_x)
    new = f"/collaboratives/{world.x.id}/calendar/phases/new"
    response = client.post(new, data=form(start_time="10:00", end_time="3:30pm"))
    assert response.status_code == 303
    phase = only_phase()
    assert (phase.start_time, phase.end_time) == (time(10), time(15, 30))
    [created] = phase_audits()
    assert created.after["start_time"] == "10:00:00"
    assert audit_value(created.after["start_time"], "start_time") == "10:00"

    calendar = visible(client.get(f"/collaboratives/{world.x.id}/calendar"))
    assert "Learning session: Thursday 12 March 2026, 10:00 to 15:30." in calendar
    about = visible(client.get(f"/collaboratives/{world.x.id}"))
    assert "Thursday 12 March 2026, 10:00 to 15:30" in about

    edit = f"/collaboratives/{world.x.id}/calendar/phases/{phase.id}/edit"
    page = body(client.get(edit))
    assert 'value="10:00"' in page and 'value="15:30"' in page
    assert "For example, 10:00 or 14:30" in page
    changed = form(start_time="9.30", end_time="15:30", version=str(phase.version))
    assert client.post(edit, data=changed).status_code == 303
    [_, update] = phase_audits()
    assert update.before == {"start_time": "10:00:00"}
    assert update.after == {"start_time": "09:30:00"}
    # The history says the times as people write them.
    [(name, old, new)] = changed_fields(update)
    assert (field_label(name), audit_value(old, name), audit_value(new, name)) == (
        "Start time",
        "10:00",
        "09:30",
    )


def test_clearing_the_times_makes_it_a_whole_day_again(world, client_for):
    phase = add(world.x, PhaseKind.LEARNING_SESSION, "LS", THURSDAY, None, start_time=time(10))
    url = f"/collaboratives/{world.x.id}/calendar/phases/{phase.id}/edit"
    response = client_for(world.coordinator_x).post(url, data=form(version=str(phase.version)))
    assert response.status_code == 303
    assert only_phase().start_time is None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"start_time": "10am-ish"}, "start_time", "Enter a start time like 10:00"),
        ({"start_time": "25:00"}, "start_time", "Enter a start time like 10:00"),
        ({"start_time": "10:00", "end_time": "soon"}, "end_time", "Enter an end time like 15:30"),
        ({"end_time": "15:30"}, "start_time", "Enter the start time too"),
        (
            {"start_time": "15:30", "end_time": "10:00"},
            "end_time",
            "The end time must be after the start time",
        ),
        (
            {"start_time": "10:00", "end_time": "10:00"},
            "end_time",
            "The end time must be after the start time",
        ),
        (
            {"start_time": "15:30", "end_time": "10:00", "ends_on": ["12", "3", "2026"]},
            "end_time",
            "The end time must be after the start time",
        ),
    ],
)
def test_bad_times_are_refused_with_a_message(world, client_for, fields, field, message):
    response = client_for(world.coordinator_x).post(
        f"/collaboratives/{world.x.id}/calendar/phases/new", data=form(**fields)
    )
    assert response.status_code == 422
    text = visible(response)
    assert "There is a problem" in text and message in text
    assert f'href="#{field}"' in body(response)  # the error summary links to the field
    assert db.session.scalar(sa.select(sa.func.count(CollaborativePhase.id))) == 0
    assert phase_audits() == []


def test_an_end_time_before_the_start_time_is_fine_on_a_later_day(world, client_for):
    fields = form(start_time="15:30", end_time="10:00", ends_on=["13", "3", "2026"])
    response = client_for(world.coordinator_x).post(
        f"/collaboratives/{world.x.id}/calendar/phases/new", data=fields
    )
    assert response.status_code == 303
    assert only_phase().end_time == time(10)


# Overlap warnings --------------------------------------------------------------------------------


def test_saving_an_overlapping_phase_warns_but_saves(world, client_for):
    add(world.x, PhaseKind.ACTION_PERIOD, "Action period 1", date(2026, 3, 1), date(2026, 4, 30))
    client = client_for(world.coordinator_x)
    response = client.post(
        f"/collaboratives/{world.x.id}/calendar/phases/new", data=form(), follow_redirects=True
    )
    text = visible(response)
    assert "Added ‘Learning session 2’ to the calendar." in text
    assert (
        "‘Learning session 2’ overlaps ‘Action period 1’ (Sunday 1 March 2026 to Thursday "
        "30 April 2026), so teams may be expected in two places at once." in text
    )
    assert db.session.scalar(sa.select(sa.func.count(CollaborativePhase.id))) == 2
    # The calendar flags both phases with a GOV.UK warning and states the rule.
    page = client.get(f"/collaboratives/{world.x.id}/calendar")
    assert body(page).count('<div class="govuk-warning-text') == 2
    calendar = visible(page)
    assert "Warning This overlaps ‘Action period 1’" in calendar
    assert "Warning This overlaps ‘Learning session 2’" in calendar
    assert "Prework, the senior managers' meetings and sharing the learning may overlap" in calendar


def test_moving_a_phase_out_of_the_overlap_removes_the_warning(world, client_for):
    add(world.x, PhaseKind.ACTION_PERIOD, "Action period 1", date(2026, 3, 1), date(2026, 4, 30))
    session = add(world.x, PhaseKind.LEARNING_SESSION, "Learning session 2", THURSDAY)
    client = client_for(world.coordinator_x)
    url = f"/collaboratives/{world.x.id}/calendar/phases/{session.id}/edit"
    moved = form(date(2026, 5, 1), version=str(session.version))
    text = visible(client.post(url, data=moved, follow_redirects=True))
    assert "Saved ‘Learning session 2’." in text and "overlaps" not in text
    assert 'class="govuk-warning-text' not in body(
        client.get(f"/collaboratives/{world.x.id}/calendar")
    )


def test_a_meeting_during_prework_is_not_flagged(world, client_for):
    add(world.x, PhaseKind.PREWORK, "Prework", date(2026, 1, 1), date(2026, 2, 28))
    client = client_for(world.coordinator_x)
    fields = form(date(2026, 2, 10), kind="start_meeting", title="Start meeting")
    response = client.post(
        f"/collaboratives/{world.x.id}/calendar/phases/new", data=fields, follow_redirects=True
    )
    assert "overlaps" not in visible(response)
    team_view = client_for(world.member_a).get(f"/collaboratives/{world.x.id}/calendar")
    assert "govuk-warning-text" not in body(team_view)
    # The rule is stated to the coordinator, who sets the dates; teams see it only beside a clash.
    assert "may overlap anything" not in visible(team_view)


# The feed ----------------------------------------------------------------------------------------


def feed_url(client, collaborative: Collaborative) -> str:
    """The link the calendar page shows, as a path the test client can ask for."""
    page = body(client.get(f"/collaboratives/{collaborative.id}/calendar"))
    found = re.search(r'id="calendar-link" type="text" value="([^"]+)"', page)
    assert found, "no link on the calendar page"
    return urlsplit(found.group(1)).path


@pytest.fixture
def phases(world):
    x = world.x
    return [
        add(x, PhaseKind.PREWORK, "Getting ready", date(2026, 1, 5), date(2026, 2, 27)),
        add(
            x,
            PhaseKind.LEARNING_SESSION,
            "Learning session 1",
            THURSDAY,
            start_time=time(10),
            end_time=time(15, 30),
            notes="Town hall, room 2. Bring your baseline data.",
        ),
        add(x, PhaseKind.ACTION_PERIOD, "Testing huddles", date(2026, 3, 13), date(2026, 6, 10)),
        add(
            x,
            PhaseKind.LEARNING_SESSION,
            "Learning session 2",
            SUMMER_THURSDAY,
            SUMMER_THURSDAY + timedelta(days=1),
            start_time=time(9, 30),
            end_time=time(13),
        ),
        add(x, PhaseKind.END_MEETING, "Senior managers' end meeting", date(2026, 11, 3)),
    ]


def events_of(response) -> dict[str, object]:
    calendar = Calendar.from_ical(response.get_data())
    return calendar, {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_needs_no_sign_in_and_lists_every_phase(world, phases, client_for, client):
    link = feed_url(client_for(world.member_a), world.x)
    assert re.fullmatch(r"/calendar/[A-Za-z0-9_-]{43}\.ics", link)
    response = client.get(link)  # signed out, as a calendar app
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert response.headers["X-Robots-Tag"] == "noindex"
    calendar, events = events_of(response)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//improve//Collaborative calendar//EN"
    assert str(calendar["X-WR-CALNAME"]) == "Collaborative X"
    assert sorted(events) == sorted(f"phase-{p.id}@improve" for p in phases)
    prework, session_1, action, session_2, end_meeting = (
        events[f"phase-{p.id}@improve"] for p in phases
    )
    # Whole days: dates, and DTEND is the day after the last day (RFC 5545 says it is excluded).
    assert prework.start == date(2026, 1, 5) and prework.end == date(2026, 2, 28)
    assert str(prework["SUMMARY"]) == "Prework: Getting ready"
    assert str(action["SUMMARY"]) == "Action period: Testing huddles"
    assert str(action["TRANSP"]) == "TRANSPARENT"
    assert end_meeting.start == date(2026, 11, 3) and end_meeting.end == date(2026, 11, 4)
    # Meetings with times: UK clock times in the Europe/London zone, winter and summer.
    assert str(session_1["SUMMARY"]) == "Learning session 1"
    assert session_1["DTSTART"].params["TZID"] == "Europe/London"
    assert session_1.start.replace(tzinfo=None).isoformat() == "2026-03-12T10:00:00"
    assert session_1.end.replace(tzinfo=None).isoformat() == "2026-03-12T15:30:00"
    assert session_1.start.utcoffset() == timedelta(0)
    assert session_2.start.utcoffset() == timedelta(hours=1)
    assert session_2.start.replace(tzinfo=None).isoformat() == "2026-06-11T09:30:00"
    assert session_2.end.replace(tzinfo=None).isoformat() == "2026-06-12T13:00:00"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert str(session_1["DESCRIPTION"]) == "Town hall, room 2. Bring your baseline data."
    assert str(session_1["TRANSP"]) == "OPAQUE"
    saved = phases[1]
    assert int(session_1["SEQUENCE"]) == saved.version
    assert session_1["LAST-MODIFIED"].dt == saved.updated_at.replace(microsecond=0)
    assert session_1["DTSTAMP"].dt == saved.updated_at.replace(microsecond=0)


def test_a_changed_phase_keeps_its_uid_and_raises_its_sequence(world, phases, client_for, client):
    link = feed_url(client_for(world.member_a), world.x)
    first = client.get(link)
    _, before = events_of(first)
    assert client.get(link, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    phase = phases[1]
    url = f"/collaboratives/{world.x.id}/calendar/phases/{phase.id}/edit"
    fields = form(start_time="11:00", end_time="15:30", version=str(phase.version))
    assert client_for(world.coordinator_x).post(url, data=fields).status_code == 303
    again = client.get(link, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    _, after = events_of(again)
    uid = f"phase-{phase.id}@improve"
    assert int(after[uid]["SEQUENCE"]) == int(before[uid]["SEQUENCE"]) + 1
    assert after[uid].start.hour == 11


def test_a_calendar_with_no_phases_is_still_a_calendar(world, client_for, client):
    response = client.get(feed_url(client_for(world.panel_x), world.x))
    calendar, events = events_of(response)
    assert events == {} and str(calendar["X-WR-CALNAME"]) == "Collaborative X"


@pytest.mark.parametrize(
    "path",
    [
        "/calendar/" + "a" * 43 + ".ics",  # the right shape, but no calendar's
        "/calendar/short.ics",
        "/calendar/" + "é" * 43 + ".ics",
        "/calendar/%00" + "a" * 42 + ".ics",
        "/calendar/" + "a" * 500 + ".ics",
    ],
)
def test_an_unknown_link_is_not_found_whoever_asks(world, phases, client, client_for, path):
    for asking in (client, client_for(world.coordinator_x)):
        response = asking.get(path)
        assert response.status_code == 404
        assert "Collaborative X" not in visible(response)


@pytest.mark.parametrize("person", PEOPLE)
def test_every_member_sees_the_link_and_only_coordinators_may_replace_it(
    app, world, client_for, person
):
    response = client_for(getattr(world, person)).get(f"/collaboratives/{world.x.id}/calendar")
    if person in ("coordinator_y", "member_c", "nobody"):
        assert response.status_code == 404
        return
    text = visible(response)
    assert "Subscribe to this calendar" in text
    assert "Add this link to Outlook, Google Calendar or your phone's calendar." in text
    assert "Anyone with the link can see the dates, times, titles and notes" in text
    page = body(response)
    assert (
        "readonly" in page
        and '<label class="govuk-label govuk-label--s" for="calendar-link"' in page
    )
    # From IMPROVE_BASE_URL, never the request's Host header.
    base = app.config["BASE_URL"]
    assert f'value="{base}/calendar/' in page
    assert f'href="webcal://{base.split("://", 1)[1]}/calendar/' in page
    assert ("Make a new link" in text) is (person in ("admin", "coordinator_x"))


def test_the_link_is_made_once_and_changes_nothing_else(world, client_for):
    version = world.x.version
    first = feed_url(client_for(world.member_a), world.x)
    assert feed_url(client_for(world.panel_x), world.x) == first
    db.session.expire_all()
    collaborative = db.session.get(Collaborative, world.x.id)
    assert collaborative.version == version  # an open settings form is no conflict
    assert collaborative_audits() == 0
    assert first == f"/calendar/{collaborative.calendar_token}.ics"


def test_a_new_link_stops_the_old_one_and_is_audited_without_the_secret(
    world, phases, client_for, client
):
    coordinator = client_for(world.coordinator_x)
    old = feed_url(coordinator, world.x)
    url = f"/collaboratives/{world.x.id}/calendar/new-link"
    question = coordinator.get(url)
    assert question.status_code == 200
    assert "the old link stops working for everyone" in visible(question).lower()
    assert client.get(old).status_code == 200  # asking changes nothing
    replaces = re.search(r'name="replaces" value="([^"]+)"', question.get_data(as_text=True))
    assert replaces is not None
    response = coordinator.post(url, data={"replaces": replaces.group(1)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/collaboratives/{world.x.id}/calendar#subscribe")
    assert "The old link no longer works" in visible(coordinator.get(response.headers["Location"]))
    new = feed_url(coordinator, world.x)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    [event] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "Collaborative")
    )
    assert event.action == AuditAction.UPDATE and event.collaborative_id == world.x.id
    assert event.actor_id == world.coordinator_x.id
    assert event.before == {"calendar_link": "The old link"}
    assert event.after == {"calendar_link": "A new link"}
    for token in (old, new):
        secret = token.removeprefix("/calendar/").removesuffix(".ics")
        assert secret not in f"{event.summary} {event.before} {event.after}"
    history = visible(coordinator.get(f"/history/Collaborative/{world.x.id}"))
    assert "Private calendar link The old link A new link" in history


@pytest.mark.parametrize(
    ("person", "status"),
    [("member_a", 403), ("lead_a", 403), ("panel_x", 403), ("coordinator_y", 404)],
)
def test_others_cannot_make_a_new_link(world, client_for, person, status):
    link = feed_url(client_for(world.member_a), world.x)
    asking = client_for(getattr(world, person))
    url = f"/collaboratives/{world.x.id}/calendar/new-link"
    assert asking.get(url).status_code == status
    assert asking.post(url).status_code == status
    assert feed_url(client_for(world.member_a), world.x) == link
    assert collaborative_audits() == 0


def test_a_confirmation_left_open_does_not_replace_a_newer_link(world, phases, client_for):
    """Two coordinators open "make a new link"; the first confirms and sends the new link round.
    The second's page, posted later, names the old link: nothing changes, and they are told."""
    first, second = client_for(world.coordinator_x), client_for(world.coordinator_x)
    url = f"/collaboratives/{world.x.id}/calendar/new-link"
    feed_url(first, world.x)
    pages = [first.get(url).get_data(as_text=True), second.get(url).get_data(as_text=True)]
    [mine, theirs] = [re.search(r'name="replaces" value="([^"]+)"', p).group(1) for p in pages]
    assert first.post(url, data={"replaces": mine}).status_code == 303
    sent_round = feed_url(first, world.x)
    late = second.post(url, data={"replaces": theirs})
    assert late.status_code == 409
    assert "The link was changed while this page was open" in visible(late)
    assert feed_url(first, world.x) == sent_round
    assert collaborative_audits() == 1
